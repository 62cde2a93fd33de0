package com.idmelon.operator.reconciler;

import com.idmelon.operator.crd.v1alpha1.ApiKey;
import com.idmelon.operator.crd.v1alpha1.Pending;
import com.idmelon.operator.idmelon.IdmelonKey;
import com.idmelon.operator.idmelon.IdmelonKeyId;
import java.time.Duration;
import java.time.Instant;
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
   * True when another ApiKey of the same workspace is itself creating a key with the same name and type, at a time
   * whose window overlaps ours: its key and ours cannot be told apart, so neither is adopted nor deleted until one
   * of the two calls is resolved. A marker whose window has passed never blocks another ApiKey.
   *
   * @param markerOf an ApiKey's open marker (its status's, or its verified {@link IssueMarker}), or null
   */
  static boolean indistinguishable(ApiKey self, Pending pending, List<ApiKey> everyApiKey, Duration requestTimeout,
      java.util.function.Function<ApiKey, Pending> markerOf) {
    Instant ours = KeyTimes.parse(pending.getStartedAt());
    Duration overlap = requestTimeout.plus(KeyTimes.LATE_COMPLETION).plus(KeyTimes.CLOCK_SKEW.multipliedBy(2));
    for (ApiKey other : everyApiKey) {
      Pending theirs = sameResource(self, other) ? null : markerOf.apply(other);
      if (theirs == null || sameResource(self, other) || Pending.RESET.equals(theirs.getOperation())
          || !Objects.equals(theirs.getName(), pending.getName()) || theirs.getType() != pending.getType()
          || !sameWorkspace(self, other)) {
        continue;
      }
      Instant started = KeyTimes.parse(theirs.getStartedAt());
      if (ours == null || started == null || Duration.between(ours, started).abs().compareTo(overlap) <= 0) {
        return true;
      }
    }
    return false;
  }

  /** Whether two ApiKeys' statuses name the same workspace (a namespaced Workspace only within a namespace). */
  private static boolean sameWorkspace(ApiKey a, ApiKey b) {
    var left = a.getStatus() == null ? null : a.getStatus().getWorkspace();
    var right = b.getStatus() == null ? null : b.getStatus().getWorkspace();
    if (left == null || right == null) {
      return true; // not known: assume the worst
    }
    return left.equals(right)
        && (left.isCluster() || Objects.equals(a.getMetadata().getNamespace(), b.getMetadata().getNamespace()));
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
