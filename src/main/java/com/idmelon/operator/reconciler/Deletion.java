package com.idmelon.operator.reconciler;

import com.idmelon.operator.crd.v1alpha1.ApiKey;
import com.idmelon.operator.crd.v1alpha1.ApiKeyStatus;
import com.idmelon.operator.crd.v1alpha1.DeletionPolicy;
import com.idmelon.operator.crd.v1alpha1.Pending;
import com.idmelon.operator.idmelon.IdmelonClient;
import com.idmelon.operator.idmelon.IdmelonException;
import com.idmelon.operator.idmelon.IdmelonKey;
import com.idmelon.operator.idmelon.IdmelonKeyId;
import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What deleting an ApiKey does in IDmelon: revokes the keys its status holds (the current one unless
 * deletionPolicy is Retain; replaced keys still in their grace period always) and the undelivered key of an
 * interrupted create. Only keys the status names or IDmelon confirms are touched, never one a Secret names.
 */
final class Deletion {
  private static final Logger log = LoggerFactory.getLogger(Deletion.class);

  private final CrashRecovery recovery;
  private final EventRecorder events;
  private final RotationListener rotations;
  private final Duration deletionWait;

  /**
   * @param deletionWait how long a deleted ApiKey whose workspace is gone waits for it before its finalizer is
   *     released with the key left unrevoked
   */
  Deletion(CrashRecovery recovery, EventRecorder events, RotationListener rotations, Duration deletionWait) {
    this.recovery = recovery;
    this.events = events;
    this.rotations = rotations;
    this.deletionWait = deletionWait;
  }

  /**
   * Revokes what must be revoked; throws {@link IdmelonException} when IDmelon fails, and the finalizer stays.
   *
   * @param secret the ApiKey's own Secret, which may hold the key of an interrupted create
   */
  void revoke(ApiKey apiKey, IdmelonClient idmelon, Optional<Secret> secret,
      java.util.function.Supplier<List<ApiKey>> everyApiKey) {
    ApiKeyStatus status = apiKey.getStatus();
    if (status == null) {
      return;
    }
    // an unreadable spec may have asked for Retain: when in doubt, a key is never revoked
    boolean retain = apiKey.getSpec() == null || apiKey.getSpec().unreadable() != null
        || apiKey.getSpec().effectiveDeletionPolicy() == DeletionPolicy.Retain;
    Set<String> revoke = new LinkedHashSet<>();
    Set<String> kept = new LinkedHashSet<>();
    status.retiringOrEmpty().forEach(r -> revoke.add(r.getKeyId()));
    (retain ? kept : revoke).add(status.getKeyId());
    Pending pending = status.getPending();
    if (pending != null && !Pending.RESET.equals(pending.getOperation())) {
      // the key of an interrupted create: kept with Retain if it reached the Secret, else nobody's
      Optional<IdmelonKey> delivered = recovery.delivered(apiKey, status,
          secret.flatMap(ManagedSecret::published), idmelon, everyApiKey.get());
      delivered.ifPresent(k -> (retain ? kept : revoke).add(k.id()));
      recovery.deleteOrphans(apiKey, status, idmelon, everyApiKey, kept);
    }
    revoke.remove(null);
    kept.remove(null);
    for (String id : revoke) {
      if (!KeyOwnership.validId(id)) {
        log.warn("{}: deleted; {} is not an IDmelon key id, so no such key can exist", apiKey.ref(),
            IdmelonKeyId.forMessage(id));
        continue;
      }
      idmelon.delete(id);
      log.info("{}: deleted; revoked key {} in IDmelon", apiKey.ref(), id);
      events.normal(apiKey, Reasons.REVOKED, "Revoked key " + id + " in IDmelon");
    }
    for (String id : kept) {
      log.info("{}: deleted; key {} is retained in IDmelon (deletionPolicy Retain)", apiKey.ref(), id);
      events.normal(apiKey, Reasons.RETAINED, "Key " + id + " is left in IDmelon (deletionPolicy Retain)");
    }
  }

  /**
   * Deleting an ApiKey whose workspace is gone: nothing can revoke its key, so after a bounded wait (the workspace
   * may be re-created) the finalizer is released, with a Warning naming the key left in IDmelon.
   */
  DeleteControl withoutWorkspace(ApiKey apiKey, IdmelonClients.Target workspace, Instant now, Duration maxDelay,
      IdmelonClients clients) {
    Instant deleted = apiKey.getMetadata().getDeletionTimestamp() == null ? now
        : KeyTimes.parse(apiKey.getMetadata().getDeletionTimestamp());
    Instant giveUp = deleted.plus(deletionWait);
    List<String> keys = heldKeys(apiKey);
    if (keys.isEmpty()) {
      return DeleteControl.defaultDelete();
    }
    if (now.isBefore(giveUp)) {
      log.info("{}: deleted, but {}; waiting until {} for it before leaving key {} unrevoked", apiKey.ref(),
          workspace.notReady(), KeyTimes.format(giveUp), keys);
      return DeleteControl.noFinalizerRemoval().rescheduleAfter(
          Math.min(Duration.between(now, giveUp).toMillis() + 1, maxDelay.toMillis()));
    }
    if (!clients.confirmedMissing(apiKey)) {
      // the cache may lag (an operator just started): only the API server's own "not found" releases a key
      return DeleteControl.noFinalizerRemoval().rescheduleAfter(maxDelay.toMillis());
    }
    log.warn("{}: deleted without revoking key {}: {}", apiKey.ref(), keys, workspace.notReady());
    events.warning(apiKey, Reasons.KEY_NOT_REVOKED, "Key " + String.join(", ", keys) + " was not revoked in IDmelon: "
        + workspace.notReady() + "; delete it in the IDmelon panel");
    rotations.keyNotRevoked(apiKey, keys.size());
    return DeleteControl.defaultDelete();
  }

  /** Whether deleting this ApiKey has anything to ask of IDmelon (a key to revoke, an interrupted create to undo). */
  static boolean needsIdmelon(ApiKey apiKey) {
    ApiKeyStatus status = apiKey.getStatus();
    if (IssueMarker.present(apiKey) && (status == null || status.getKeyId() == null)) {
      return true; // a first create may have made a key: only IDmelon can tell (and the Admin key verify the marker)
    }
    if (status == null) {
      return false;
    }
    boolean retain = apiKey.getSpec() == null || apiKey.getSpec().unreadable() != null
        || apiKey.getSpec().effectiveDeletionPolicy() == DeletionPolicy.Retain;
    return status.getPending() != null || !status.retiringOrEmpty().isEmpty()
        || (!retain && status.getKeyId() != null);
  }

  /** The keys the status holds (current and retiring): what deletion would revoke. */
  static List<String> heldKeys(ApiKey apiKey) {
    ApiKeyStatus status = apiKey.getStatus();
    List<String> keys = new java.util.ArrayList<>();
    if (status != null) {
      if (status.getKeyId() != null) {
        keys.add(status.getKeyId());
      }
      status.retiringOrEmpty().forEach(r -> keys.add(r.getKeyId()));
    }
    return keys;
  }

  /** The warning for a failed revocation, for the event and the log. */
  static String failure(IdmelonException e) {
    return "Could not revoke the key in IDmelon: " + e.getMessage()
        + ". Deletion waits; set spec.deletionPolicy: Retain to delete without revoking";
  }
}
