package com.idmelon.operator.reconciler;

import com.idmelon.operator.crd.v1alpha1.ApiKey;
import com.idmelon.operator.crd.v1alpha1.WorkspaceRef;
import com.idmelon.operator.idmelon.IdmelonClient;
import java.time.Instant;
import java.util.Optional;

/** Which IDmelon workspace serves an ApiKey, whether it can be used now, and whether its policy allows the key. */
@FunctionalInterface
public interface IdmelonClients {

  /**
   * The workspace as the operator knows it.
   *
   * @param ref the resolved reference (spec.workspaceRef or the default ClusterWorkspace)
   * @param exists whether the workspace resource exists
   * @param notReady why it cannot be used (missing, its admin key refused, ...), or null when it is Ready
   * @param client its IDmelon client; null when the workspace's spec is unusable or it does not exist
   * @param keyNamePrefix prepended to every key name created there
   * @param denial the policy rule that denies this ApiKey, if any
   * @param pollInterval how often the workspace's key list is read; null: the operator's default
   * @param rotationSince when the workspace's emergency rotation started, while it is asked for; else null
   */
  record Target(WorkspaceRef ref, boolean exists, String notReady, IdmelonClient client, String keyNamePrefix,
      Optional<String> denial, java.time.Duration pollInterval, Instant rotationSince) {}

  Target target(ApiKey apiKey, Instant now);

  /**
   * Tells {@code wake} which ApiKeys to reconcile again when something they depend on changed (a workspace became
   * Ready, a namespace's labels changed).
   */
  /** Whether the API server itself (not a cache) says the ApiKey's workspace does not exist. */
  default boolean confirmedMissing(ApiKey apiKey) {
    return true;
  }

  /** The operator wrote this Secret: a workspace whose Admin key it holds uses the new value at once. */
  default void secretWritten(io.fabric8.kubernetes.api.model.Secret secret) {}

  default void wakeUpWith(java.util.function.Consumer<java.util.function.Predicate<ApiKey>> wake) {}

  /** One workspace for every ApiKey, always Ready, no policy (unit tests of the reconciler's parts). */
  static IdmelonClients single(IdmelonClient client) {
    Target target = new Target(new WorkspaceRef(WorkspaceRef.CLUSTER_WORKSPACE, "default"), true, null, client, "",
        Optional.empty(), null, null);
    return (apiKey, now) -> target;
  }
}
