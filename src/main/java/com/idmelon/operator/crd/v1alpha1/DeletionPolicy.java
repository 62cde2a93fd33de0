package com.idmelon.operator.crd.v1alpha1;

/** Whether deleting the ApiKey revokes the key in IDmelon (Delete) or leaves it (Retain). */
public enum DeletionPolicy {
  Delete,
  Retain
}
