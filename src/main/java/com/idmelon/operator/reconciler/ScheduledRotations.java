package com.idmelon.operator.reconciler;

import com.idmelon.operator.crd.v1alpha1.WorkspaceRef;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Bounds how many scheduled rotations run at once in one workspace: when many keys fall due together (created in
 * one apply, or after a downtime), the workspace sees a few rotations at a time, not a burst. A rotation that finds
 * no room is looked at again shortly; nothing is lost, since the due time is in the status.
 */
final class ScheduledRotations {
  /** Scheduled rotations in flight per workspace. */
  static final int PER_WORKSPACE = 2;

  private final Map<String, Semaphore> workspaces = new ConcurrentHashMap<>();
  private final int permits;

  ScheduledRotations(int permits) {
    this.permits = permits;
  }

  /** A place for one rotation in that workspace, to be closed when it is done; empty when all are taken. */
  Optional<Permit> enter(WorkspaceRef workspace, String namespace) {
    Semaphore semaphore = workspaces.computeIfAbsent(key(workspace, namespace), k -> new Semaphore(permits));
    return semaphore.tryAcquire() ? Optional.of(semaphore::release) : Optional.empty();
  }

  /** When to try again: about a second, spread so that the waiting ones do not all come back together. */
  Duration retryAfter() {
    return Duration.ofMillis(500 + ThreadLocalRandom.current().nextLong(1500));
  }

  /** A Workspace is the namespace's own; a ClusterWorkspace is shared by all. */
  private static String key(WorkspaceRef ref, String namespace) {
    return ref == null ? "" : ref.isCluster() ? "cluster/" + ref.getName() : namespace + "/" + ref.getName();
  }

  /** Held while a scheduled rotation runs. */
  interface Permit extends AutoCloseable {
    @Override
    void close();
  }
}
