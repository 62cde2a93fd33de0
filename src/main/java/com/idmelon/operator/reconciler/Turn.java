package com.idmelon.operator.reconciler;

import com.idmelon.operator.crd.v1alpha1.ApiKey;
import com.idmelon.operator.crd.v1alpha1.ApiKeySpec;
import com.idmelon.operator.crd.v1alpha1.ApiKeyStatus;
import com.idmelon.operator.idmelon.IdmelonClient;
import io.fabric8.kubernetes.api.model.Secret;
import java.time.Instant;
import java.util.Optional;

/**
 * One reconcile's view: the resource, the status being built, where it is saved, the ApiKey's workspace, its Secret
 * at spec.secretName (owned by it, or absent) and the instant the reconcile started.
 *
 * @param keyName the key's full name in IDmelon: the workspace's keyNamePrefix and spec.name
 */
record Turn(ApiKey apiKey, ApiKeyStatus status, StatusStore store, IdmelonClient idmelon, Optional<Secret> secret,
    Instant now, String keyName) {
  ApiKeySpec spec() {
    return apiKey.getSpec();
  }
}
