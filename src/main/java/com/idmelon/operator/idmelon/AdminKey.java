package com.idmelon.operator.idmelon;

/**
 * Where a workspace's Admin key comes from (a Kubernetes Secret, or a file for the simulator). Read at every request,
 * so a rotated key is used from the next call on.
 */
@FunctionalInterface
public interface AdminKey {
  /** The current key; throws {@link IllegalStateException} naming the source (never the content) when unusable. */
  SecretValue get();
}
