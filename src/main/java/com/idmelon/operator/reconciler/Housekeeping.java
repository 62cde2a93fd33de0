package com.idmelon.operator.reconciler;

import com.idmelon.operator.crd.v1alpha1.Retirement;
import com.idmelon.operator.idmelon.IdmelonException;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What is left after a key changed: replaced keys deleted in IDmelon when their grace period ends, and copies of the
 * Secret left under an old spec.secretName deleted. Each returns when to try again.
 */
final class Housekeeping {
  private static final Logger log = LoggerFactory.getLogger(Housekeeping.class);

  private final SecretWriter secrets;
  private final EventRecorder events;
  private final Backoff backoff;
  private final BiFunction<String, IdmelonException, Duration> delayFor;

  Housekeeping(SecretWriter secrets, EventRecorder events, Backoff backoff,
      BiFunction<String, IdmelonException, Duration> delayFor) {
    this.secrets = secrets;
    this.events = events;
    this.backoff = backoff;
    this.delayFor = delayFor;
  }

  /** Deletes replaced keys whose grace period is over; returns the next retirement instant, if any. */
  Instant retireDue(Turn t) {
    Instant next = null;
    for (Retirement retirement : new ArrayList<>(t.status().retiringOrEmpty())) {
      Instant at = KeyTimes.parse(retirement.getRetireAt());
      if (at != null && at.isAfter(t.now())) {
        next = KeyTimes.earliest(next, at);
        continue;
      }
      if (!KeyOwnership.validId(retirement.getKeyId())) {
        t.status().removeRetirement(retirement.getKeyId()); // no such key can exist in IDmelon
        continue;
      }
      try {
        t.idmelon().delete(retirement.getKeyId());
        t.status().removeRetirement(retirement.getKeyId());
        log.info("{}: deleted replaced key {} in IDmelon", t.apiKey().ref(), retirement.getKeyId());
        events.normal(t.apiKey(), Reasons.REVOKED, "Deleted replaced key " + retirement.getKeyId() + " in IDmelon");
      } catch (IdmelonException e) {
        // the new key is live; the old one stays listed in status.retiring and is retried
        log.warn("{}: could not delete replaced key {}: {}", t.apiKey().ref(), retirement.getKeyId(), e.getMessage());
        next = KeyTimes.earliest(next, t.now().plus(delayFor.apply(t.apiKey().ref() + "/retire", e)));
      }
    }
    return next;
  }

  /**
   * Deletes copies of the Secret left under an old spec.secretName once the status names the new one; a failed
   * delete is retried (returns when), so a half-done move always finishes.
   */
  Instant sweepOldSecrets(Turn t) {
    String current = t.status().getSecretName();
    if (current == null || !current.equals(t.apiKey().secretName())) {
      return null;
    }
    for (Secret old : secrets.ownedElsewhere(t.apiKey(), current)) {
      try {
        secrets.delete(old);
        log.info("{}: deleted Secret {}, the copy left under the previous spec.secretName", t.apiKey().ref(),
            old.getMetadata().getName());
      } catch (KubernetesClientException e) {
        log.warn("{}: could not delete the previous Secret {} ({}); retrying", t.apiKey().ref(),
            old.getMetadata().getName(), ApiKeyReconciler.describe(e));
        return t.now().plus(backoff.next(t.apiKey().ref() + "/sweep"));
      }
    }
    backoff.reset(t.apiKey().ref() + "/sweep");
    return null;
  }

}
