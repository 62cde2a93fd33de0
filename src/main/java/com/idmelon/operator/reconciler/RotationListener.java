package com.idmelon.operator.reconciler;

import com.idmelon.operator.crd.v1alpha1.ApiKey;
import com.idmelon.operator.crd.v1alpha1.WorkloadKind;

/** Told about rotations and their triggers, key lists not believed, and rollouts of restart targets: for metrics. */
@FunctionalInterface
public interface RotationListener {
  /** Triggers: reset-annotation, secret-drift, key-gone, expiry-changed, renewal, recovery. */
  void rotated(ApiKey apiKey, String trigger);

  /** IDmelon's key list missed {@code missing} of the {@code known} keys ApiKeys hold, too many to believe it. */
  default void keyListDistrusted(int missing, int known) {}

  /** A deleted ApiKey's {@code keys} could not be revoked: its workspace was gone. */
  default void keyNotRevoked(ApiKey apiKey, int keys) {}

  /**
   * A restart target of {@code kind} was patched ({@code result} RolledOut, or Paused for a paused Deployment) or could
   * not be (NotFound, Forbidden, Refused, Error), once per attempt.
   */
  default void rollout(ApiKey apiKey, WorkloadKind kind, String result) {}

  RotationListener NONE = (apiKey, trigger) -> { };
}
