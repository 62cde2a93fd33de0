package com.idmelon.operator.workspace;

import com.idmelon.operator.crd.v1alpha1.Workspace;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import com.idmelon.operator.reconciler.Backoff;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/** Checks Workspaces: their Admin key lives in a Secret of their own namespace. */
@ControllerConfiguration(name = "workspace", generationAwareEventProcessing = false)
public final class NamespacedWorkspaceReconciler extends WorkspaceReconciler<Workspace> {
  public NamespacedWorkspaceReconciler(WorkspaceRegistry registry, Clock clock, Duration checkInterval, Backoff backoff,
      WorkspaceUsage apiKeysUsing) {
    super(registry, clock, checkInterval, backoff, apiKeysUsing);
  }

  @Override
  String secretNamespace(Workspace workspace) {
    return workspace.getMetadata().getNamespace();
  }

  @Override
  Optional<String> kindProblem(Workspace workspace) {
    var ref = workspace.getSpec().getAdminKeySecretRef();
    return ref != null && ref.getNamespace() != null
        && !ref.getNamespace().equals(workspace.getMetadata().getNamespace())
        ? Optional.of("spec.adminKeySecretRef.namespace is not allowed on a Workspace: it reads its own namespace")
        : Optional.empty();
  }
}
