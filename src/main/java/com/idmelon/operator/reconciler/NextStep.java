package com.idmelon.operator.reconciler;

import com.idmelon.operator.crd.v1alpha1.ApiKeySpec;
import com.idmelon.operator.crd.v1alpha1.ApiKeyStatus;
import com.idmelon.operator.crd.v1alpha1.Pending;
import com.idmelon.operator.crd.v1alpha1.RotationStrategy;
import java.time.Instant;

/**
 * Decides what an ApiKey needs next from plain facts the reconciler observed, in the manner of cert-manager's
 * trigger policies: the first rule that applies wins. Pure: no I/O, no clock; every branch is unit-tested.
 */
final class NextStep {
  /** What the operator does next. */
  enum Action {
    /** No key yet: create one. */
    ISSUE,
    /** spec.secretName changed: copy the value into the new Secret, delete the old one. */
    MOVE_SECRET,
    /** Regenerate the Admin key in place. */
    RESET,
    /** Create a new key, publish it, retire the old one after the grace period. */
    REPLACE,
    /** The key is fine but the Secret lost labels, annotations or data keys of secretTemplate, or the template changed. */
    REPAIR_TEMPLATE,
    NONE
  }

  /** Where the Secret stands, as observed. */
  enum SecretState {
    /** Holds the value the status fingerprints. */
    INTACT,
    /** Missing at spec.secretName, but the Secret named in the status holds the value. */
    AT_PREVIOUS_NAME,
    /** Missing. */
    ABSENT,
    /** Present, but its value is not the one the operator wrote (edited, emptied). */
    DRIFTED
  }

  /** What IDmelon said about the current key, confirmed by a read of its id (a list alone never decides). */
  enum KeyState {
    PRESENT,
    /** Read answered 404. */
    GONE,
    /** IDmelon reports it expired before the expiry recorded in the status. */
    EXPIRED_EARLY
  }

  /**
   * The observed facts.
   *
   * @param resetRequest the reset annotation's value, null when absent
   * @param redo the operation of an interrupted call that must be done again (Pending.RESET or REPLACE), or null
   * @param scheduledRotation when spec.rotation.every makes the next rotation due, or null
   * @param workspaceRotation when the workspace's emergency rotation starts (the whole second after it was asked
   *     for: from then on, every key last rotated before it is rotated once, so a rotation done then counts as done),
   *     or null
   */
  record Facts(ApiKeySpec spec, ApiKeyStatus status, String resetRequest, SecretState secret, KeyState key,
      String redo, boolean templateApplied, Instant scheduledRotation, Instant workspaceRotation, Instant now) {}

  /**
   * The decision.
   *
   * @param trigger why, for metrics and logs: reset-annotation, recovery, secret-drift, key-gone, expiry-changed,
   *     renewal, schedule, workspace-reset; null when nothing rotates
   * @param why the same for people, completing "because ..."
   */
  record Step(Action action, String trigger, String why) {
    static final Step NOTHING = new Step(Action.NONE, null, null);

    boolean rotates() {
      return action == Action.RESET || action == Action.REPLACE;
    }

    /** The Ready reason the step ends in: Renewed for a renewal, else the action's own. */
    String readyReason(String actionReason) {
      return "renewal".equals(trigger) ? Reasons.RENEWED : actionReason;
    }
  }

  /** Triggers whose rotations are paced per workspace (see {@link RotationGate}): nobody waits for them this second. */
  static final java.util.Set<String> PACED = java.util.Set.of("schedule", "workspace-reset");

  private NextStep() {}

  static Step decide(Facts f) {
    ApiKeyStatus status = f.status();
    if (status.getKeyId() == null) {
      return new Step(Action.ISSUE, null, "no key was issued yet");
    }
    if (f.secret() == SecretState.AT_PREVIOUS_NAME) {
      return new Step(Action.MOVE_SECRET, null, "spec.secretName changed");
    }
    if (f.resetRequest() != null && !f.resetRequest().equals(status.getLastReset())) {
      return rotate(f, "reset-annotation", "the reset annotation changed to " + UserText.quoted(f.resetRequest()), false);
    }
    if (f.redo() != null) {
      return rotate(f, "recovery", "an interrupted " + f.redo() + " is done again", Pending.REPLACE.equals(f.redo()));
    }
    if (f.secret() == SecretState.ABSENT) {
      return rotate(f, "secret-drift", "Secret " + status.getSecretName() + " is missing", false);
    }
    if (f.secret() == SecretState.DRIFTED) {
      return rotate(f, "secret-drift", "the apiKey in Secret " + status.getSecretName()
          + " was changed outside the operator", false);
    }
    if (f.key() == KeyState.GONE) {
      return rotate(f, "key-gone", "key " + status.getKeyId() + " was deleted in IDmelon", true);
    }
    if (f.key() == KeyState.EXPIRED_EARLY) {
      return rotate(f, "key-gone", "key " + status.getKeyId() + " was expired in IDmelon before its time", true);
    }
    if (KeyTimes.expiryChanged(f.spec(), status)) {
      return rotate(f, "expiry-changed", "spec.expiresAt changed", true);
    }
    if (KeyTimes.renewalDue(f.spec(), status, f.now())) {
      return rotate(f, "renewal", "it is due for renewal", true);
    }
    if (f.scheduledRotation() != null && !f.scheduledRotation().isAfter(f.now())) {
      return rotate(f, "schedule", "its scheduled rotation (spec.rotation.every) is due", false);
    }
    if (f.workspaceRotation() != null && !f.now().isBefore(f.workspaceRotation())
        && KeyTimes.rotatedBefore(status, f.workspaceRotation())) {
      return rotate(f, "workspace-reset", "its workspace is rotating every key (idmelon.com/reset on the workspace)",
          false);
    }
    if (!f.templateApplied()) {
      return new Step(Action.REPAIR_TEMPLATE, null, "labels, annotations or data of secretTemplate are missing or changed");
    }
    return Step.NOTHING;
  }

  /**
   * Reset keeps the key id and its expiry, so a new expiry or a vanished key always needs Replace; so does any
   * rotation while a renewal is due too (one Replace serves both, instead of a Reset followed by a renewal).
   */
  private static Step rotate(Facts f, String trigger, String why, boolean mustReplace) {
    boolean renewalAlsoDue = KeyTimes.renewalDue(f.spec(), f.status(), f.now())
        || KeyTimes.expiryChanged(f.spec(), f.status());
    boolean reset = !mustReplace && !renewalAlsoDue && f.spec().effectiveStrategy() == RotationStrategy.Reset;
    return new Step(reset ? Action.RESET : Action.REPLACE, trigger, why);
  }
}
