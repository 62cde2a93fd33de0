package com.idmelon.operator.reconciler;

import com.idmelon.operator.crd.v1alpha1.ApiKey;
import com.idmelon.operator.idmelon.IdmelonClient;

/**
 * Which IDmelon workspace serves an ApiKey. Today one workspace serves all; the reconciler asks per resource so that
 * per-namespace workspaces can be added without touching it.
 */
@FunctionalInterface
public interface IdmelonClients {
  IdmelonClient forResource(ApiKey apiKey);

  static IdmelonClients single(IdmelonClient client) {
    return apiKey -> client;
  }
}
