package com.idmelon.operator.reconciler;

import com.idmelon.operator.crd.v1alpha1.ApiKey;
import com.idmelon.operator.crd.v1alpha1.ApiKeyStatus;
import com.idmelon.operator.crd.v1alpha1.Pending;
import com.idmelon.operator.crd.v1alpha1.Retirement;
import com.idmelon.operator.idmelon.IdmelonClient;
import com.idmelon.operator.idmelon.IdmelonKey;
import com.idmelon.operator.idmelon.IdmelonUnavailableException;
import io.fabric8.kubernetes.api.model.Secret;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finishes or undoes an IDmelon call that a crash or a lost answer interrupted, from the pending marker in the
 * status. The marker is cleared only once the clean-up is done: if IDmelon fails meanwhile, the exception leaves
 * it in place and the next attempt starts over. See DESIGN.md beside this class.
 */
final class CrashRecovery {
  private static final Logger log = LoggerFactory.getLogger(CrashRecovery.class);

  private final EventRecorder events;

  CrashRecovery(EventRecorder events) {
    this.events = events;
  }

  /**
   * Resolves {@code status.pending} and clears it.
   *
   * @param secret the ApiKey's own Secret at spec.secretName, if any
   * @return the operation to do again (Pending.RESET or REPLACE), or empty; a missing key is issued anyway
   */
  Optional<String> resolve(ApiKey apiKey, ApiKeyStatus status, Optional<Secret> secret, IdmelonClient idmelon,
      Supplier<List<ApiKey>> everyApiKey, Instant now) {
    Pending pending = completed(apiKey, status.getPending());
    String operation = pending.getOperation();
    Optional<ManagedSecret.Published> claim = secret.flatMap(ManagedSecret::published)
        .filter(p -> !p.fingerprint().equals(status.getFingerprint()));
    if (Pending.RESET.equals(operation)) {
      // the key id is the status's own; the Secret can only tell whether the new value reached it
      if (claim.isPresent() && claim.get().keyId().equals(pending.getKeyId())
          && pending.getKeyId().equals(status.getKeyId())) {
        status.setFingerprint(claim.get().fingerprint());
        status.setIssuedAt(pending.getStartedAt());
        status.setLastRotatedAt(pending.getStartedAt());
        status.setLastReset(pending.getReset());
        status.setPending(null);
        log.info("{}: interrupted reset of key {} had completed; its value is in the Secret", apiKey.ref(),
            status.getKeyId());
        return Optional.empty();
      }
      log.warn("{}: a reset of key {} was interrupted before its value reached the Secret; resetting again",
          apiKey.ref(), pending.getKeyId());
      status.setPending(null);
      return Optional.of(Pending.RESET);
    }
    Optional<IdmelonKey> delivered = delivered(apiKey, status, claim, idmelon, everyApiKey.get());
    if (delivered.isPresent()) {
      IdmelonKey key = delivered.get();
      String replaced = status.getKeyId();
      status.setKeyId(key.id());
      status.setKeyName(key.name());
      status.setSecretName(apiKey.secretName());
      status.setFingerprint(claim.get().fingerprint());
      status.setExpiresAt(KeyTimes.format(key.expiresAt()));
      status.setIssuedAt(pending.getStartedAt());
      status.setLastRotatedAt(pending.getStartedAt());
      status.setLastReset(pending.getReset());
      if (Pending.REPLACE.equals(operation) && replaced != null && !replaced.equals(key.id())) {
        status.addRetirement(new Retirement(replaced, KeyTimes.format(now.plus(KeyTimes.gracePeriod(apiKey.getSpec())))));
      }
      status.setPending(null);
      log.info("{}: interrupted {} had completed: IDmelon confirms key {} is the one in the Secret", apiKey.ref(),
          operation, key.id());
      return Optional.empty();
    }
    deleteOrphans(apiKey, status, idmelon, everyApiKey, Set.of());
    status.setPending(null);
    return Pending.REPLACE.equals(operation) ? Optional.of(Pending.REPLACE) : Optional.empty();
  }

  /**
   * The key the interrupted create or replace delivered into the Secret, if IDmelon confirms it: the Secret's key
   * id has IDmelon's id shape, no other ApiKey holds it, and IDmelon describes it as made by that call.
   */
  Optional<IdmelonKey> delivered(ApiKey apiKey, ApiKeyStatus status, Optional<ManagedSecret.Published> claim,
      IdmelonClient idmelon, List<ApiKey> everyApiKey) {
    Pending pending = completed(apiKey, status.getPending());
    if (claim.isEmpty() || Pending.RESET.equals(pending.getOperation())) {
      return Optional.empty();
    }
    String id = claim.get().keyId();
    if (!KeyOwnership.validId(id) || id.equals(status.getKeyId())
        || KeyOwnership.heldByOthers(apiKey, everyApiKey).contains(id)
        || KeyOwnership.indistinguishable(apiKey, pending, everyApiKey, idmelon.requestTimeout(),
            other -> IssueMarker.of(other, idmelon))) {
      log.warn("{}: the key id in Secret {} is not one the interrupted {} made; it is ignored", apiKey.ref(),
          apiKey.secretName(), pending.getOperation());
      return Optional.empty();
    }
    Optional<IdmelonKey> key = idmelon.read(id)
        .filter(k -> KeyOwnership.madeBy(k, pending, idmelon.requestTimeout()));
    if (key.isEmpty()) {
      log.warn("{}: IDmelon does not confirm that key {} in Secret {} was made by the interrupted {}; it is"
          + " ignored", apiKey.ref(), id, apiKey.secretName(), pending.getOperation());
    }
    return key;
  }

  /**
   * Deletes the keys an interrupted create or replace made that nobody received (see
   * {@link KeyOwnership#orphans}); the keys the status holds and {@code keep} are spared. Throws if IDmelon fails:
   * the caller keeps the marker.
   */
  void deleteOrphans(ApiKey apiKey, ApiKeyStatus status, IdmelonClient idmelon, Supplier<List<ApiKey>> everyApiKey,
      Set<String> keep) {
    Pending pending = completed(apiKey, status.getPending());
    Set<String> spared = new HashSet<>(keep);
    if (status.getKeyId() != null) {
      spared.add(status.getKeyId());
    }
    status.retiringOrEmpty().forEach(r -> spared.add(r.getKeyId()));
    if (Pending.RESET.equals(pending.getOperation())) {
      return; // a reset makes no new key
    }
    if (KeyOwnership.indistinguishable(apiKey, pending, everyApiKey.get(), idmelon.requestTimeout(),
        other -> IssueMarker.of(other, idmelon))) {
      // keep the marker: clearing it would leak the key the interrupted call may have made
      throw new IdmelonUnavailableException("orphan search", 0, "an interrupted " + pending.getOperation()
          + " may have left a key, but another ApiKey of the workspace is creating a key with the same name and"
          + " type; the clean-up waits until that call is resolved", null, null);
    }
    List<IdmelonKey> listed = idmelon.list();
    // the ApiKeys as they are now, after the list: a create that started meanwhile has its marker or key recorded
    List<ApiKey> now = everyApiKey.get();
    if (KeyOwnership.indistinguishable(apiKey, pending, now, idmelon.requestTimeout(),
        other -> IssueMarker.of(other, idmelon))) {
      throw new IdmelonUnavailableException("orphan search", 0, "another ApiKey of the workspace started creating"
          + " a key with the same name and type; the clean-up waits until that call is resolved", null, null);
    }
    List<IdmelonKey> orphans = KeyOwnership.orphans(listed, pending, idmelon.requestTimeout(),
        KeyOwnership.heldByOthers(apiKey, now), spared);
    for (IdmelonKey orphan : orphans) {
      idmelon.delete(orphan.id());
      log.warn("{}: deleted key {}, created by an interrupted attempt and never delivered", apiKey.ref(), orphan.id());
      events.warning(apiKey, "OrphanDeleted",
          "Deleted key " + orphan.id() + ", created by an interrupted attempt whose value never reached the Secret");
    }
  }

  /** A marker written by an operator version that recorded no name and type gets the spec's (type is immutable). */
  private static Pending completed(ApiKey apiKey, Pending pending) {
    if (pending.getName() == null && apiKey.getSpec() != null && apiKey.getSpec().unreadable() == null) {
      pending.setName(apiKey.getSpec().getName());
      pending.setType(apiKey.getSpec().getType());
    }
    return pending;
  }
}
