package com.idmelon.operator.reconciler;

import com.idmelon.operator.crd.v1alpha1.ApiKey;
import com.idmelon.operator.crd.v1alpha1.ApiKeySpec;
import com.idmelon.operator.crd.v1alpha1.ApiKeyStatus;
import com.idmelon.operator.crd.v1alpha1.Conditions;
import com.idmelon.operator.crd.v1alpha1.RestartTarget;
import com.idmelon.operator.crd.v1alpha1.Retirement;
import com.idmelon.operator.reconciler.Checkpoints.Point;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rolls out an ApiKey's restart targets once per change of the Secret's value, by setting their pod-template
 * annotation {@value #ANNOTATION} to the value's fingerprint. Crash-safe through the status, never process memory:
 * {@code status.rolledOutFingerprint} names the value the targets were last rolled out for, so a restarted operator
 * finishes a rollout it owed and starts none it did not owe, and a target that already carries the value is skipped.
 * DESIGN.md beside this class explains the rules.
 */
final class Rollouts {
  private static final Logger log = LoggerFactory.getLogger(Rollouts.class);

  /** The pod-template annotation that rolls a target out when its value changes. */
  static final String ANNOTATION = "idmelon.com/key-fingerprint";
  /** The condition that reports the rollouts (present only while restartTargets are listed). */
  static final String CONDITION = "RolledOut";

  /** Nothing is due: the targets are rolled out when the key's value next changes. */
  static final String UP_TO_DATE = "UpToDate";
  /** The targets were rolled out for the value now in the Secret. */
  static final String ROLLED_OUT = "RolledOut";
  /** A target is missing, or its patch was refused or failed: retried with backoff. */
  static final String ROLLOUT_FAILED = "RolloutFailed";
  /** This installation does not restart workloads (RESTART_TARGETS_ENABLED=false). */
  static final String RESTARTS_DISABLED = "RestartsDisabled";
  /** Normal event naming the targets just patched. */
  static final String ROLLOUT_TRIGGERED = "RolloutTriggered";
  /** Warning event: a paused Deployment was patched and rolls out only when resumed. */
  static final String ROLLOUT_PAUSED = "RolloutPaused";

  /** What is due for an ApiKey's targets, from its spec and status alone. */
  enum Due {
    /** No targets listed: nothing is tracked, no status field, no condition. */
    NONE_LISTED,
    /** Targets listed, but this installation does not restart workloads. */
    DISABLED,
    /** No key in the Secret yet. */
    NO_VALUE,
    /**
     * No value recorded for the targets yet (the first issue, targets added to an ApiKey that had none, an operator
     * that predates them): the current value is recorded and nothing is rolled out.
     */
    RECORD,
    /** The targets were rolled out, or recorded, for the value in the Secret. */
    UP_TO_DATE,
    /** The value changed since the targets were last rolled out. */
    ROLL_OUT
  }

  private final Workloads workloads;
  private final EventRecorder events;
  private final RotationListener listener;
  private final Backoff backoff;
  private final Checkpoints checkpoints;
  private final boolean enabled;

  /** @param enabled false when the installation does not restart workloads (its RBAC may not patch them) */
  Rollouts(Workloads workloads, EventRecorder events, RotationListener listener, Backoff backoff,
      Checkpoints checkpoints, boolean enabled) {
    this.workloads = workloads;
    this.events = events;
    this.listener = listener;
    this.backoff = backoff;
    this.checkpoints = checkpoints;
    this.enabled = enabled;
  }

  /** What is due. Pure. */
  static Due due(ApiKeySpec spec, ApiKeyStatus status, boolean enabled) {
    if (spec.restartTargetsOrEmpty().isEmpty()) {
      return Due.NONE_LISTED;
    }
    if (!enabled) {
      return Due.DISABLED;
    }
    if (status.getFingerprint() == null) {
      return Due.NO_VALUE;
    }
    if (status.getRolledOutFingerprint() == null) {
      return Due.RECORD;
    }
    return status.getFingerprint().equals(status.getRolledOutFingerprint()) ? Due.UP_TO_DATE : Due.ROLL_OUT;
  }

  /**
   * Records the current value for targets that have none recorded yet. Called before the reconcile may change the
   * value, so that a change in this very reconcile (targets added together with a reset) is owed, and after it, so
   * that a first issue records its value in the same status write: never a rollout for a value the targets were
   * not listed for.
   */
  static void recordIfUnset(ApiKeySpec spec, ApiKeyStatus status, boolean enabled) {
    if (due(spec, status, enabled) == Due.RECORD) {
      status.setRolledOutFingerprint(status.getFingerprint());
    }
  }

  void recordIfUnset(ApiKeySpec spec, ApiKeyStatus status) {
    recordIfUnset(spec, status, enabled);
  }

  /**
   * Whether replaced keys must wait before they are deleted: a rollout is due and the ApiKey has a grace period (the
   * old key must work until the targets restart with the new one). Without a grace period the user asked for the old
   * key to die at once, and it does.
   */
  boolean holdsRetirements(Turn t) {
    return !t.status().retiringOrEmpty().isEmpty() && due(t.spec(), t.status(), enabled) == Due.ROLL_OUT
        && KeyTimes.gracePeriod(t.spec()).compareTo(Duration.ZERO) > 0;
  }

  /**
   * Rolls the targets out if the value changed since they last were, and reports it on the condition
   * {@value #CONDITION}. Never fails the reconcile: a missing target or a refused patch is a Warning and is retried.
   *
   * @return when to try again after a failure, or null
   */
  Instant rollOut(Turn t) {
    ApiKeyStatus status = t.status();
    recordIfUnset(t.spec(), status);
    switch (due(t.spec(), status, enabled)) {
      case NONE_LISTED -> {
        status.setRolledOutFingerprint(null);
        removeCondition(status);
        return null;
      }
      case DISABLED -> {
        // forget the record, so that enabling restarts later rolls out nothing for rotations made meanwhile
        status.setRolledOutFingerprint(null);
        report(t, false, RESTARTS_DISABLED, "This installation does not restart workloads (RESTART_TARGETS_ENABLED"
            + " is false; chart value restartTargets.enabled): the key is rotated as usual, but "
            + targets(t.spec().restartTargetsOrEmpty()) + " are not rolled out");
        return null;
      }
      case NO_VALUE, RECORD -> {
        return null;
      }
      case UP_TO_DATE -> {
        backoff.reset(backoffKey(t));
        Optional<Condition> current = status.condition(CONDITION).filter(c -> "True".equals(c.getStatus()));
        report(t, true, current.map(Condition::getReason).orElse(UP_TO_DATE), current.map(Condition::getMessage)
            .orElse("Nothing to roll out: the restart targets are rolled out when the key's value next changes"));
        return null;
      }
      case ROLL_OUT -> {
        return rollOutTargets(t);
      }
      default -> throw new IllegalStateException();
    }
  }

  private Instant rollOutTargets(Turn t) {
    ApiKey apiKey = t.apiKey();
    String namespace = apiKey.getMetadata().getNamespace();
    String fingerprint = t.status().getFingerprint();
    List<String> patched = new ArrayList<>();
    List<String> paused = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    log.debug("{}: the key's value changed from {} to {}: rolling out {}", apiKey.ref(),
        t.status().getRolledOutFingerprint(), fingerprint, targets(t.spec().restartTargetsOrEmpty()));
    for (RestartTarget target : t.spec().restartTargetsOrEmpty()) {
      try {
        Optional<Workloads.Template> template = workloads.read(namespace, target);
        if (template.isEmpty()) {
          problems.add(target + " not found in namespace " + namespace);
          listener.rollout(apiKey, target.getKind(), "NotFound");
          continue;
        }
        if (fingerprint.equals(template.get().fingerprint())) {
          continue; // rolled out already, by a run that stopped before it could write the status
        }
        workloads.patch(template.get(), fingerprint);
        patched.add(target.toString());
        if (template.get().paused()) {
          paused.add(target.toString());
        }
        listener.rollout(apiKey, target.getKind(), template.get().paused() ? "Paused" : "RolledOut");
      } catch (KubernetesClientException e) {
        problems.add(target + ": " + failure(e, target, namespace));
        listener.rollout(apiKey, target.getKind(), result(e));
      }
    }
    if (!patched.isEmpty()) {
      log.info("{}: rolled out {} for the key's new value ({})", apiKey.ref(), String.join(", ", patched), fingerprint);
      events.normal(apiKey, ROLLOUT_TRIGGERED, "Rolled out " + String.join(", ", patched) + " after the key's value"
          + " changed: pod-template annotation " + ANNOTATION + " set to " + fingerprint);
      checkpoints.reached(Point.TARGETS_PATCHED, apiKey);
    }
    if (!paused.isEmpty()) {
      log.warn("{}: {} paused: rolls out when resumed", apiKey.ref(), String.join(", ", paused));
      events.warning(apiKey, ROLLOUT_PAUSED, String.join(", ", paused) + (paused.size() == 1 ? " is" : " are")
          + " paused: the pod template carries the new fingerprint, and the pods restart with the new key only when"
          + " resumed (kubectl rollout resume)");
    }
    if (problems.isEmpty()) {
      t.status().setRolledOutFingerprint(fingerprint);
      graceFromNow(t);
      backoff.reset(backoffKey(t));
      report(t, true, ROLLED_OUT, "The restart targets were rolled out for the key's current value (" + ANNOTATION
          + ": " + fingerprint + ")");
      return null;
    }
    String kept = t.status().retiringOrEmpty().isEmpty() || KeyTimes.gracePeriod(t.spec()).isZero() ? ""
        : "; replaced key " + t.status().retiringOrEmpty().stream().map(Retirement::getKeyId)
            .collect(Collectors.joining(", ")) + " is kept until every target is rolled out";
    report(t, false, ROLLOUT_FAILED, String.join("; ", problems) + kept + "; retried with backoff (the rotation"
        + " itself succeeded)");
    return t.now().plus(backoff.next(backoffKey(t)));
  }

  /**
   * A rollout that comes late (a target was missing, a patch refused) still gives the old key its whole grace period
   * after the targets restart. In the reconcile that rotated, the grace period already starts now: nothing moves.
   */
  private static void graceFromNow(Turn t) {
    Duration grace = KeyTimes.gracePeriod(t.spec());
    if (grace.isZero() || t.status().retiringOrEmpty().isEmpty()) {
      return;
    }
    Instant earliest = KeyTimes.seconds(t.now().plus(grace));
    for (Retirement retirement : t.status().retiringOrEmpty()) {
      Instant at = KeyTimes.parse(retirement.getRetireAt());
      if (at != null && at.isBefore(earliest)) {
        retirement.setRetireAt(KeyTimes.format(earliest));
      }
    }
  }

  /**
   * Sets the condition; a Warning event and a log line when it turns to a failure or the failure changes, so that
   * retries of the same failure add no event.
   */
  private void report(Turn t, boolean ok, String reason, String message) {
    ApiKeyStatus status = t.status();
    Optional<Condition> previous = status.condition(CONDITION);
    boolean changed = previous.map(c -> !reason.equals(c.getReason()) || !Conditions.boundedMessage(message)
        .equals(c.getMessage())).orElse(true);
    Conditions.set(status, CONDITION, ok, reason, message, t.apiKey().getMetadata().getGeneration(), t.now());
    if (!ok && changed) {
      log.warn("{}: {}: {}", t.apiKey().ref(), reason, message);
      events.warning(t.apiKey(), reason, message);
    }
  }

  private static void removeCondition(ApiKeyStatus status) {
    if (status.condition(CONDITION).isPresent()) {
      List<Condition> rest = status.getConditions().stream().filter(c -> !CONDITION.equals(c.getType())).toList();
      status.setConditions(rest.isEmpty() ? null : new ArrayList<>(rest));
    }
  }

  private static String backoffKey(Turn t) {
    return t.apiKey().ref() + "/rollout";
  }

  private static String targets(List<RestartTarget> targets) {
    return targets.stream().map(Objects::toString).collect(Collectors.joining(", "));
  }

  /** The metric's result for a failed read or patch. */
  static String result(KubernetesClientException e) {
    return switch (e.getCode()) {
      case 404 -> "NotFound";
      case 401, 403 -> "Forbidden";
      case 400, 422 -> "Refused";
      default -> "Error";
    };
  }

  private static String failure(KubernetesClientException e, RestartTarget target, String namespace) {
    String plural = target.getKind().plural();
    String detail = e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage()
        : e.getClass().getSimpleName();
    return switch (e.getCode()) {
      case 404 -> "not found in namespace " + namespace;
      case 401, 403 -> "the operator may not get or patch " + plural + " in namespace " + namespace + " ("
          + e.getCode() + "): its RBAC needs get and patch on apps " + plural + " (chart value restartTargets.enabled)";
      case 400, 422 -> "the patch was refused (" + e.getCode() + "): " + detail;
      default -> "Kubernetes API call failed (" + e.getCode() + "): " + detail;
    };
  }
}
