package com.idmelon.operator.reconciler;

import com.idmelon.operator.crd.v1alpha1.ApiKey;

/**
 * Named instants inside a reconcile. Production ignores them; crash-safety tests make the operator die exactly
 * there and check that a restarted operator leaves one live key and no leak.
 */
@FunctionalInterface
public interface Checkpoints {
  enum Point {
    RECONCILE_STARTED,
    /** The pending marker is in the status; IDmelon not yet called. */
    PENDING_RECORDED,
    /** IDmelon created or reset a key; its value is only in memory. */
    IDMELON_ANSWERED,
    /** The value is in the Secret; the status does not know yet. */
    SECRET_WRITTEN,
    /** Restart targets were patched for a new value; the status does not know yet. */
    TARGETS_PATCHED,
    /** The final status of a rotation is written. */
    STATUS_WRITTEN
  }

  void reached(Point point, ApiKey apiKey);

  Checkpoints NONE = (point, apiKey) -> { };
}
