package com.idmelon.operator.reconciler;

import com.idmelon.operator.crd.v1alpha1.ApiKey;

/** Told about every rotation and what triggered it: for metrics. */
@FunctionalInterface
public interface RotationListener {
  /** Triggers: reset-annotation, secret-drift, key-gone, expiry-changed, renewal, recovery. */
  void rotated(ApiKey apiKey, String trigger);

  RotationListener NONE = (apiKey, trigger) -> { };
}
