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

  /**
   * True when the ApiKey changed between the version this reconcile read and the one its status patch returned
   * (an edit of the spec or annotations raced the reconcile): the operator's cache now holds the newer version, so
   * the edit's own event may be dropped as stale, and the caller must look again.
   */
  boolean changedMeanwhile(ApiKey reconciled) {
    if (latest == reconciled) {
      return false;
    }
    return !java.util.Objects.equals(latest.getMetadata().getGeneration(), reconciled.getMetadata().getGeneration())
        || !java.util.Objects.equals(CacheTrim.annotationsAsCached(latest),
            CacheTrim.annotationsAsCached(reconciled))
        || !java.util.Objects.equals(latest.getMetadata().getDeletionTimestamp(),
            reconciled.getMetadata().getDeletionTimestamp());
  }

  static ApiKeyStatus copy(ApiKeyStatus status) {
    return status == null ? null : Serialization.jsonMapper().convertValue(status, ApiKeyStatus.class);
  }
}
