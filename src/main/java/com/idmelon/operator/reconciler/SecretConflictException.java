package com.idmelon.operator.reconciler;

import com.idmelon.operator.crd.v1alpha1.ApiKey;

/** The target Secret exists and belongs to someone else: the operator will not overwrite it. */
final class SecretConflictException extends RuntimeException {
  private SecretConflictException(String message) {
    super(message);
  }

  static SecretConflictException of(ApiKey owner, String secretName) {
    return new SecretConflictException("Secret " + owner.getMetadata().getNamespace() + "/" + secretName
        + " exists and is not owned by this ApiKey; it is left untouched. Delete it, or set spec.secretName to a"
        + " free name");
  }
}
