package com.idmelon.operator.reconciler;

import com.idmelon.operator.crd.v1alpha1.ApiKey;

/** Told about every rotation and what triggered it, and about key lists not believed: for metrics. */
@FunctionalInterface
public interface RotationListener {
  /** Triggers: reset-annotation, secret-drift, key-gone, expiry-changed, renewal, recovery. */
  void rotated(ApiKey apiKey, String trigger);

  /** IDmelon's key list missed {@code missing} of the {@code known} keys ApiKeys hold, too many to believe it. */
  default void keyListDistrusted(int missing, int known) {}

  /** A deleted ApiKey's {@code keys} could not be revoked: its workspace was gone. */
  default void keyNotRevoked(ApiKey apiKey, int keys) {}

  RotationListener NONE = (apiKey, trigger) -> { };
}
