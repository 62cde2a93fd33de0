package com.idmelon.operator.reconciler;

import com.idmelon.operator.crd.v1alpha1.ApiKey;
import com.idmelon.operator.crd.v1alpha1.Pending;
import com.idmelon.operator.idmelon.IdmelonKey;
import com.idmelon.operator.idmelon.IdmelonKeyId;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The trust rule: which IDmelon keys are an ApiKey's. A key id is this ApiKey's only when the operator learned it
 * from IDmelon's answer to a call it made for this ApiKey (then it is in the status, which only the operator
 * writes), or, after a crash, when IDmelon itself describes the key as the one the interrupted call made: the name
 * and type of the pending marker, created inside the call's window. What a namespace user can write (the Secret,
 * annotations, the spec) is never evidence of which key is theirs. Pure.
 */
final class KeyOwnership {
  private KeyOwnership() {}

  /** IDmelon's key id shape ({@link IdmelonKeyId}); anything else never reaches a URL. */
  static boolean validId(String id) {
    return IdmelonKeyId.isValid(id);
  }

  /**
   * Whether IDmelon's own description of {@code key} proves it is what the interrupted call of {@code pending}
   * created: same name and type as the marker recorded, created inside the call's window.
   */
  static boolean madeBy(IdmelonKey key, Pending pending, Duration requestTimeout) {
    return pending.getName() != null && pending.getName().equals(key.name())
        && pending.getType() == key.type()
        && KeyTimes.inCallWindow(key.createdAt(), KeyTimes.parse(pending.getStartedAt()), requestTimeout);
  }

  /** The key ids the statuses of ApiKeys other than {@code self} name (current or retiring): someone's keys. */
  static Set<String> heldByOthers(ApiKey self, List<ApiKey> everyApiKey) {
    Set<String> held = new HashSet<>();
    for (ApiKey other : everyApiKey) {
      if (other.getStatus() == null || sameResource(self, other)) {
        continue;
      }
      if (other.getStatus().getKeyId() != null) {
        held.add(other.getStatus().getKeyId());
      }
      other.getStatus().retiringOrEmpty().forEach(r -> held.add(r.getKeyId()));
    }
    return held;
  }

  /**
   * True when another ApiKey is itself in the middle of creating a key with the same name and type: its key and
   * ours cannot be told apart, so neither is adopted nor deleted as an orphan.
   */
  static boolean indistinguishable(ApiKey self, Pending pending, List<ApiKey> everyApiKey) {
    for (ApiKey other : everyApiKey) {
      Pending theirs = other.getStatus() == null ? null : other.getStatus().getPending();
      if (theirs != null && !sameResource(self, other) && !Pending.RESET.equals(theirs.getOperation())
          && Objects.equals(theirs.getName(), pending.getName()) && theirs.getType() == pending.getType()) {
        return true;
      }
    }
    return false;
  }

  /**
   * Keys the interrupted call of {@code pending} may have created and nobody holds: made by it (see
   * {@link #madeBy}), not held by any ApiKey, and not in {@code keep}.
   */
  static List<IdmelonKey> orphans(List<IdmelonKey> listed, Pending pending, Duration requestTimeout,
      Set<String> heldByOthers, Set<String> keep) {
    return listed.stream()
        .filter(k -> madeBy(k, pending, requestTimeout))
        .filter(k -> !heldByOthers.contains(k.id()) && !keep.contains(k.id()))
        .toList();
  }

  private static boolean sameResource(ApiKey a, ApiKey b) {
    return Objects.equals(a.getMetadata().getUid(), b.getMetadata().getUid());
  }
}
