package com.idmelon.operator.reconciler;

import com.idmelon.operator.crd.v1alpha1.ApiKey;
import com.idmelon.operator.crd.v1alpha1.ApiKeySpec;
import com.idmelon.operator.crd.v1alpha1.ApiKeyStatus;
import com.idmelon.operator.crd.v1alpha1.Pending;
import com.idmelon.operator.crd.v1alpha1.Retirement;
import com.idmelon.operator.idmelon.IdmelonClient;
import com.idmelon.operator.idmelon.IdmelonException;
import com.idmelon.operator.idmelon.IdmelonRejectedException;
import com.idmelon.operator.idmelon.IssuedKey;
import com.idmelon.operator.idmelon.SecretValue;
import com.idmelon.operator.reconciler.Checkpoints.Point;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out the crash-safe issuing protocol: pending marker (for a first key the {@link IssueMarker} annotation,
 * written with the finalizer; else in the status), IDmelon call, Secret, status. Issues,
 * resets and replaces keys, and moves or repairs the Secret. DESIGN.md beside this class explains the order.
 */
final class KeyIssuer {
  private static final Logger log = LoggerFactory.getLogger(KeyIssuer.class);

  private final SecretWriter secrets;
  private final EventRecorder events;
  private final Checkpoints checkpoints;
  private final RotationListener rotations;
  private final java.time.Clock clock;

  KeyIssuer(SecretWriter secrets, EventRecorder events, Checkpoints checkpoints, RotationListener rotations,
      java.time.Clock clock) {
    this.clock = clock;
    this.secrets = secrets;
    this.events = events;
    this.checkpoints = checkpoints;
    this.rotations = rotations;
  }

  /** The first key; a reset annotation present at creation is recorded, not acted on. */
  String issue(Turn t) {
    ApiKey apiKey = t.apiKey();
    ApiKeySpec spec = t.spec();
    String recordedReset = apiKey.resetRequest();
    IssuedKey issued = call(t, Pending.ISSUE, null, recordedReset,
        () -> t.idmelon().create(t.keyName(), spec.getType(), KeyTimes.expiryFor(spec, t.now())));
    publish(t, issued, true);
    record(t, issued, recordedReset);
    log.info("{}: issued {} key {} into Secret {}", apiKey.ref(), spec.getType(), issued.key().id(),
        apiKey.secretName());
    events.normal(apiKey, Reasons.ISSUED,
        "Issued " + spec.getType() + " key " + issued.key().id() + " into Secret " + apiKey.secretName());
    return Reasons.ISSUED;
  }

  /**
   * Regenerates the Admin key in place; a key that is gone from IDmelon is replaced instead.
   *
   * @param lastReset the reset annotation value recorded when the rotation completes
   */
  String reset(Turn t, String trigger, String why, String lastReset) {
    ApiKey apiKey = t.apiKey();
    String keyId = t.status().getKeyId();
    IssuedKey issued;
    try {
      issued = call(t, Pending.RESET, keyId, lastReset, () -> t.idmelon().reset(keyId));
    } catch (IdmelonRejectedException e) {
      if (!e.isNotFound()) {
        throw e;
      }
      log.warn("{}: key {} is gone from IDmelon; issuing a new one", apiKey.ref(), keyId);
      return replace(t, trigger, why + " (the key was gone from IDmelon)", lastReset);
    }
    publish(t, issued, false);
    record(t, issued, lastReset);
    rotations.rotated(apiKey, trigger);
    log.info("{}: reset key {} because {}", apiKey.ref(), keyId, why);
    events.normal(apiKey, Reasons.RESET, "Reset key " + keyId + " because " + why + "; the old value no longer works");
    return Reasons.RESET;
  }

  /** Creates a new key, publishes it, and schedules the old one for deletion after the grace period. */
  String replace(Turn t, String trigger, String why, String lastReset) {
    ApiKey apiKey = t.apiKey();
    ApiKeySpec spec = t.spec();
    String oldId = t.status().getKeyId();
    IssuedKey issued = call(t, Pending.REPLACE, oldId, lastReset,
        () -> t.idmelon().create(t.keyName(), spec.getType(), KeyTimes.expiryFor(spec, t.now())));
    publish(t, issued, true);
    record(t, issued, lastReset);
    Instant retireAt = t.now().plus(KeyTimes.gracePeriod(spec));
    t.status().addRetirement(new Retirement(oldId, KeyTimes.format(retireAt)));
    rotations.rotated(apiKey, trigger);
    log.info("{}: replaced key {} with {} because {}; the old key is deleted at {}",
        apiKey.ref(), oldId, issued.key().id(), why, KeyTimes.format(retireAt));
    events.normal(apiKey, Reasons.REPLACED, "Replaced key " + oldId + " with " + issued.key().id() + " because "
        + why + "; the old key is deleted at " + KeyTimes.format(retireAt));
    return Reasons.REPLACED;
  }

  /** Copies the value from the Secret named in the status into the one spec.secretName names now. */
  void moveSecret(Turn t, Secret previous) {
    ApiKey apiKey = t.apiKey();
    ApiKeyStatus status = t.status();
    secrets.create(apiKey, ManagedSecret.build(apiKey, status.getKeyId(), apiKey.getSpec().getType(),
        KeyTimes.parse(status.getExpiresAt()), currentValue(previous), status.getKeyName()));
    log.info("{}: moved key {} from Secret {} to {}", apiKey.ref(), status.getKeyId(), status.getSecretName(),
        apiKey.secretName());
    events.normal(apiKey, "SecretMoved", "Moved key " + status.getKeyId() + " from Secret " + status.getSecretName()
        + " to " + apiKey.secretName());
    // from here the new Secret holds the live value; the old copy is deleted by the sweep of the reconcile
    status.setSecretName(apiKey.secretName());
  }

  /**
   * Puts back the labels, annotations and data keys of secretTemplate (and the managed-by label) without a new key:
   * templated keys are rendered again from the value in the Secret, and keys the template no longer names removed.
   */
  void repairTemplate(Turn t) {
    Secret existing = t.secret().orElseThrow();
    ApiKeyStatus status = t.status();
    // the cache keeps only the labels, annotations and data the template named when the Secret was cached: a
    // template that now names what the Secret already holds looks unapplied there, so the API server decides
    Optional<Secret> fresh = secrets.read(existing.getMetadata().getNamespace(), existing.getMetadata().getName());
    if (fresh.isPresent() && ManagedSecret.templateApplied(fresh.get(), t.apiKey())
        && SecretData.applied(fresh.get(), t.apiKey(), status)) {
      return;
    }
    secrets.patch(existing, ManagedSecret.build(t.apiKey(), status.getKeyId(), t.spec().getType(),
        KeyTimes.parse(status.getExpiresAt()), currentValue(existing), status.getKeyName()));
    log.info("{}: restored labels, annotations and templated data of Secret {}", t.apiKey().ref(),
        t.apiKey().secretName());
  }

  /**
   * Makes a secret-issuing IDmelon call with a pending marker recorded first, so that a crash or a lost answer at
   * any instant leaves a trace (see DESIGN.md). A refusal creates nothing, so it clears the marker again.
   */
  private IssuedKey call(Turn t, String operation, String keyId, String reset, Supplier<IssuedKey> idmelonCall) {
    // the window of the call starts now, not when the reconcile began (recovery may have taken a while)
    Pending pending = new Pending(operation, KeyTimes.format(clock.instant()), keyId, t.keyName(),
        t.spec().getType(), reset);
    if (Pending.ISSUE.equals(operation)) {
      // with the finalizer, in one write: the status needs no marker of its own (IssueMarker)
      t.store().markIssue(IssueMarker.encode(t.apiKey(), pending, t.idmelon()));
    } else {
      t.status().setPending(pending);
      t.store().save(t.status());
    }
    checkpoints.reached(Point.PENDING_RECORDED, t.apiKey());
    IssuedKey issued;
    try {
      issued = idmelonCall.get();
    } catch (IdmelonRejectedException e) {
      // refused: nothing was made, so the marker is closed
      if (Pending.ISSUE.equals(operation)) {
        t.store().closeIssue();
      } else {
        t.status().setPending(null);
      }
      throw e;
    }
    checkpoints.reached(Point.IDMELON_ANSWERED, t.apiKey());
    return issued;
  }

  /**
   * Writes a freshly received value into the Secret. If the write fails and the key is new ({@code revokable}),
   * the key no Secret will ever hold is deleted again at once, so no key leaks.
   */
  private void publish(Turn t, IssuedKey issued, boolean revokable) {
    ApiKey apiKey = t.apiKey();
    Secret desired = ManagedSecret.build(apiKey, issued.key().id(), issued.key().type(), issued.key().expiresAt(),
        issued.value(), issued.key().name());
    try {
      if (t.secret().isPresent()) {
        secrets.patch(t.secret().get(), desired);
      } else {
        secrets.create(apiKey, desired);
      }
    } catch (KubernetesClientException | SecretConflictException e) {
      if (revokable) {
        revokeUndelivered(t.idmelon(), apiKey, issued.key().id());
      }
      throw e;
    }
    checkpoints.reached(Point.SECRET_WRITTEN, apiKey);
  }

  private static void revokeUndelivered(IdmelonClient idmelon, ApiKey apiKey, String keyId) {
    try {
      idmelon.delete(keyId);
    } catch (IdmelonException cleanup) {
      log.warn("{}: key {} could not be written to its Secret nor deleted in IDmelon ({}); the pending marker"
          + " lets the next attempt delete it", apiKey.ref(), keyId, cleanup.getMessage());
    }
  }

  /** The final status of an issuing step: the key IDmelon answered with, and no marker. */
  private static void record(Turn t, IssuedKey issued, String lastReset) {
    ApiKeyStatus status = t.status();
    String now = KeyTimes.format(t.now());
    status.setKeyId(issued.key().id());
    status.setKeyName(issued.key().name());
    status.setSecretName(t.apiKey().secretName());
    status.setIssuedAt(now);
    status.setLastRotatedAt(now);
    status.setExpiresAt(KeyTimes.format(issued.key().expiresAt()));
    status.setFingerprint(issued.value().fingerprint());
    status.setLastReset(lastReset);
    status.setPending(null);
  }

  private static SecretValue currentValue(Secret secret) {
    return SecretValue.of(new String(
        Base64.getDecoder().decode(secret.getData().get(ManagedSecret.API_KEY)), StandardCharsets.UTF_8));
  }
}
