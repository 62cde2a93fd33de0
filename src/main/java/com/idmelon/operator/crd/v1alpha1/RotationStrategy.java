package com.idmelon.operator.crd.v1alpha1;

/** Reset regenerates an Admin key in place; Replace creates a new key and retires the old one. */
public enum RotationStrategy {
  Reset,
  Replace
}
