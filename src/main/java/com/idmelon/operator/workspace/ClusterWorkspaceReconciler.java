package com.idmelon.operator.workspace;

import com.idmelon.operator.crd.v1alpha1.ClusterWorkspace;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import com.idmelon.operator.reconciler.Backoff;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/** Checks ClusterWorkspaces: their Admin key lives in the Secret's namespace the spec names. */
@ControllerConfiguration(name = "clusterworkspace", generationAwareEventProcessing = false)
public final class ClusterWorkspaceReconciler extends WorkspaceReconciler<ClusterWorkspace> {
  public ClusterWorkspaceReconciler(WorkspaceRegistry registry, Clock clock, Duration checkInterval, Backoff backoff,
      WorkspaceUsage apiKeysUsing) {
    super(registry, clock, checkInterval, backoff, apiKeysUsing);
  }

  @Override
  String secretNamespace(ClusterWorkspace workspace) {
    return workspace.getSpec().getAdminKeySecretRef().getNamespace();
  }

  @Override
  Optional<String> kindProblem(ClusterWorkspace workspace) {
    var ref = workspace.getSpec().getAdminKeySecretRef();
    return ref != null && ref.getNamespace() == null
        ? Optional.of("spec.adminKeySecretRef.namespace is required on a ClusterWorkspace") : Optional.empty();
  }
}
