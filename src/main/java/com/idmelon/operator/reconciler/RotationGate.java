package com.idmelon.operator.reconciler;

import com.idmelon.operator.crd.v1alpha1.WorkspaceRef;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Paces the rotations nobody waits for at that very moment (scheduled ones, a workspace's emergency rotation) per
 * workspace: at most {@link #CONCURRENT} at once and {@link #PER_SECOND} started per second. When many keys fall due
 * together, each gets a start slot in turn and is looked at again exactly then, so a workspace sees a steady trickle,
 * never a burst, and the operator does not spin. Nothing is lost by waiting: what is due is in the status.
 */
final class RotationGate {
  static final int CONCURRENT = 2;
  static final int PER_SECOND = 10;

  private final int concurrent;
  private final Duration interval;
  private final Map<String, Bucket> buckets = new HashMap<>();

  RotationGate(int concurrent, int perSecond) {
    this.concurrent = concurrent;
    this.interval = Duration.ofMillis(1000 / perSecond);
  }

  /** A workspace's pacing: who holds which start slot, when the next free slot is, how many run. */
  private static final class Bucket {
    final Map<String, Instant> slots = new HashMap<>();
    Instant nextFree = Instant.MIN;
    int running;
  }

  /** Either a permit to rotate now (close it when done) or how long to wait. */
  record Admission(Optional<Permit> permit, Duration delay) {}

  /**
   * Asks to rotate {@code apiKey} (its uid) in that workspace now. Real time, not the operator's clock: this paces
   * calls, it decides nothing about keys.
   */
  synchronized Admission enter(WorkspaceRef workspace, String namespace, String apiKey) {
    Instant now = Instant.now();
    Bucket bucket = buckets.computeIfAbsent(key(workspace, namespace), k -> new Bucket());
    bucket.slots.values().removeIf(slot -> slot.isBefore(now.minus(Duration.ofMinutes(1)))); // left by deleted keys
    Instant slot = bucket.slots.get(apiKey);
    if (slot == null) {
      slot = bucket.nextFree.isAfter(now) ? bucket.nextFree : now;
      bucket.nextFree = slot.plus(interval);
      bucket.slots.put(apiKey, slot);
    }
    if (slot.isAfter(now)) {
      return new Admission(Optional.empty(), Duration.between(now, slot));
    }
    if (bucket.running >= concurrent) {
      // IDmelon is slower than the pace: this one takes the next free slot, so a backlog waits in turn, not in a spin
      Instant later = bucket.nextFree.isAfter(now) ? bucket.nextFree : now.plus(interval);
      bucket.nextFree = later.plus(interval);
      bucket.slots.put(apiKey, later);
      return new Admission(Optional.empty(), Duration.between(now, later));
    }
    bucket.slots.remove(apiKey);
    bucket.running++;
    return new Admission(Optional.of(() -> release(bucket)), Duration.ZERO);
  }

  private synchronized void release(Bucket bucket) {
    bucket.running--;
  }

  /** A Workspace is its namespace's own; a ClusterWorkspace is shared by all. */
  private static String key(WorkspaceRef ref, String namespace) {
    return ref == null ? "" : ref.isCluster() ? "cluster/" + ref.getName() : namespace + "/" + ref.getName();
  }

  /** Held while a paced rotation runs. */
  interface Permit extends AutoCloseable {
    @Override
    void close();
  }
}
