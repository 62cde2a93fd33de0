package com.idmelon.operator.reconciler;

import com.idmelon.operator.crd.v1alpha1.ApiKeySpec;
import com.idmelon.operator.crd.v1alpha1.ApiKeyStatus;
import com.idmelon.operator.crd.v1alpha1.Conditions;
import java.time.Instant;

/**
 * The Ready condition of an ApiKey whose key is in its Secret, and when to look at it again (expiry, renewal, the
 * start of ExpiringSoon, the next retirement). Pure.
 */
final class Readiness {
  private Readiness() {}

  /**
   * @param actionReason the reason of what this reconcile did (Issued, Reset, Replaced, Renewed), or null
   * @param nextRetirement when the next replaced key is due for deletion, or null
   */
  static Outcome of(ApiKeySpec spec, ApiKeyStatus status, String actionReason, Instant nextRetirement, Instant now) {
    Instant next = nextRetirement;
    Instant expiresAt = KeyTimes.parse(status.getExpiresAt());
    Instant renewal = KeyTimes.renewalTime(spec, status);
    if (expiresAt != null && !expiresAt.isAfter(now)) {
      return Outcome.notReady(Reasons.EXPIRED, "Key " + status.getKeyId() + " expired at " + status.getExpiresAt()
          + "; set a later spec.expiresAt (or spec.duration) to issue a new key", KeyTimes.until(next, now));
    }
    next = KeyTimes.earliest(next, expiresAt);
    next = KeyTimes.earliest(next, renewal);
    String where = "Key " + status.getKeyId() + " (" + spec.getType() + ") is in Secret " + status.getSecretName();
    if (expiresAt == null) {
      return Outcome.ready(reason(status, actionReason), where
          + "; it never expires (IDmelon advises an expiry: set spec.expiresAt or spec.duration)",
          KeyTimes.until(next, now));
    }
    if (renewal == null) {
      Instant soon = expiresAt.minus(KeyTimes.EXPIRING_SOON);
      if (!soon.isAfter(now)) {
        return Outcome.ready(Reasons.EXPIRING_SOON, where + "; it expires at " + status.getExpiresAt()
            + ": set a later spec.expiresAt to issue a new key", KeyTimes.until(next, now));
      }
      next = KeyTimes.earliest(next, soon);
    }
    String reason = reason(status, actionReason);
    if (Reasons.EXPIRING_SOON.equals(reason)) {
      reason = Reasons.ISSUED; // the expiry was moved away
    }
    return Outcome.ready(reason, where + "; it expires at " + status.getExpiresAt()
        + (renewal == null ? "" : " and is renewed at " + KeyTimes.format(renewal)), KeyTimes.until(next, now));
  }

  /** What this reconcile did, else the reason Ready already had, else Issued. */
  private static String reason(ApiKeyStatus status, String actionReason) {
    if (actionReason != null) {
      return actionReason;
    }
    return Conditions.isTrue(status, Conditions.READY)
        ? status.condition(Conditions.READY).get().getReason() : Reasons.ISSUED;
  }
}
