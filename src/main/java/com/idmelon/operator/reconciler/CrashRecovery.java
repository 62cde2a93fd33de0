package com.idmelon.operator.reconciler;

import com.idmelon.operator.crd.v1alpha1.ApiKey;
import com.idmelon.operator.crd.v1alpha1.ApiKeySpec;
import com.idmelon.operator.crd.v1alpha1.ApiKeyStatus;
import com.idmelon.operator.crd.v1alpha1.Pending;
import com.idmelon.operator.crd.v1alpha1.Retirement;
import com.idmelon.operator.idmelon.IdmelonClient;
import com.idmelon.operator.idmelon.IdmelonKey;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finishes or undoes an IDmelon call that a crash interrupted, from the pending marker left in the status. See
 * DESIGN.md beside this class for the states.
 */
final class CrashRecovery {
  private static final Logger log = LoggerFactory.getLogger(CrashRecovery.class);
  /** IDmelon's clock and ours may differ by this much. */
  static final Duration CLOCK_SKEW = Duration.ofMinutes(2);
  /** A create call answers within this long after its pending marker (request timeout plus margin). */
  static final Duration CALL_WINDOW = Duration.ofMinutes(5);

  private final EventRecorder events;

  CrashRecovery(EventRecorder events) {
    this.events = events;
  }

  /**
   * Handles {@code status.pending} and clears it.
   *
   * @param adopted whether this reconcile found the interrupted call's value already in the Secret
   * @param everyApiKey all ApiKeys the operator knows, to tell an orphan from someone's key
   * @return true when the interrupted reset or replace must be done again
   */
  boolean recover(ApiKey apiKey, ApiKeyStatus status, boolean adopted, IdmelonClient idmelon,
      List<ApiKey> everyApiKey, Duration gracePeriod, Instant now) {
    Pending pending = status.getPending();
    status.setPending(null);
    if (adopted) {
      // the value reached the Secret: only the status write was lost, and adoption has repaired it
      if (Pending.REPLACE.equals(pending.getOperation()) && pending.getKeyId() != null
          && !pending.getKeyId().equals(status.getKeyId())) {
        status.addRetirement(new Retirement(pending.getKeyId(), ApiKeyReconciler.format(now.plus(gracePeriod))));
      }
      log.info("{}: interrupted {} had completed; status restored from the Secret", apiKey.ref(), pending.getOperation());
      return false;
    }
    if (Pending.RESET.equals(pending.getOperation())) {
      // a reset whose value never reached the Secret left it with a dead value: reset again
      log.warn("{}: a reset of key {} was interrupted; resetting again", apiKey.ref(), pending.getKeyId());
      return true;
    }
    deleteOrphans(apiKey, status, pending, idmelon, everyApiKey);
    return Pending.REPLACE.equals(pending.getOperation());
  }

  /**
   * On deletion of an ApiKey whose create or replace was interrupted: the key that call may have made never reached
   * a Secret, so it is deleted whatever the deletion policy (an undelivered key is nobody's).
   */
  void deleteOrphansOnDeletion(ApiKey apiKey, IdmelonClient idmelon, List<ApiKey> everyApiKey) {
    ApiKeyStatus status = apiKey.getStatus();
    if (status == null || status.getPending() == null || apiKey.getSpec() == null || apiKey.getSpec().getType() == null
        || Pending.RESET.equals(status.getPending().getOperation())) {
      return;
    }
    deleteOrphans(apiKey, status, status.getPending(), idmelon, everyApiKey);
  }

  /**
   * Deletes keys that the interrupted create made and nobody received. A key is deleted only when it is provably
   * that orphan: same name and type as this ApiKey, created inside the pending window, referenced by no ApiKey,
   * and no other ApiKey with the same name and type is itself in the middle of a create.
   */
  private void deleteOrphans(ApiKey apiKey, ApiKeyStatus status, Pending pending, IdmelonClient idmelon,
      List<ApiKey> everyApiKey) {
    ApiKeySpec spec = apiKey.getSpec();
    Instant started = ApiKeyReconciler.parse(pending.getStartedAt());
    Set<String> referenced = new HashSet<>();
    boolean anotherCreateInFlight = false;
    for (ApiKey other : everyApiKey) {
      if (other.getStatus() == null) {
        continue;
      }
      referenced.add(other.getStatus().getKeyId());
      other.getStatus().retiringOrEmpty().forEach(r -> referenced.add(r.getKeyId()));
      boolean self = Objects.equals(other.getMetadata().getUid(), apiKey.getMetadata().getUid());
      if (!self && other.getStatus().getPending() != null && other.getSpec() != null
          && spec.getName().equals(other.getSpec().getName()) && spec.getType() == other.getSpec().getType()) {
        anotherCreateInFlight = true;
      }
    }
    referenced.add(status.getKeyId());
    status.retiringOrEmpty().forEach(r -> referenced.add(r.getKeyId()));
    List<IdmelonKey> orphans = idmelon.list().stream()
        .filter(k -> k.name().equals(spec.getName()) && k.type() == spec.getType())
        .filter(k -> !referenced.contains(k.id()))
        .filter(k -> k.createdAt() != null
            && !k.createdAt().isBefore(started.minus(CLOCK_SKEW))
            && !k.createdAt().isAfter(started.plus(CALL_WINDOW).plus(CLOCK_SKEW)))
        .toList();
    if (orphans.isEmpty()) {
      return;
    }
    if (anotherCreateInFlight) {
      log.warn("{}: keys {} may be orphans of an interrupted create, but another ApiKey with the same name and type"
          + " is creating one too: they are left alone", apiKey.ref(), orphans.stream().map(IdmelonKey::id).toList());
      return;
    }
    for (IdmelonKey orphan : orphans) {
      idmelon.delete(orphan.id());
      log.warn("{}: deleted key {}, created by an interrupted attempt and never delivered", apiKey.ref(), orphan.id());
      events.warning(apiKey, "OrphanDeleted",
          "Deleted key " + orphan.id() + ", created by an interrupted attempt whose value never reached the Secret");
    }
  }
}
