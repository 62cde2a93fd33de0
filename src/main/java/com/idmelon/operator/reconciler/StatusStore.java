package com.idmelon.operator.reconciler;

import com.fasterxml.jackson.databind.JsonNode;
import com.idmelon.operator.crd.v1alpha1.ApiKey;
import com.idmelon.operator.crd.v1alpha1.ApiKeyStatus;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.reconciler.Context;

/** The status as the API server has it, and how to change it there: writes only when something changed. */
final class StatusStore {
  private final Context<ApiKey> context;
  private ApiKey latest;

  StatusStore(ApiKey apiKey, Context<ApiKey> context) {
    this.latest = apiKey;
    this.context = context;
  }

  void save(ApiKeyStatus status) {
    JsonNode wanted = Serialization.jsonMapper().valueToTree(status);
    if (wanted.equals(Serialization.jsonMapper().valueToTree(latest.getStatus()))) {
      return;
    }
    ApiKeyStatus copy = copy(status);
    latest = context.resourceOperations().jsonPatchPrimaryStatus(latest, r -> {
      r.setStatus(copy);
      return r;
    });
  }

  static ApiKeyStatus copy(ApiKeyStatus status) {
    return status == null ? null : Serialization.jsonMapper().convertValue(status, ApiKeyStatus.class);
  }
}
