package com.idmelon.operator.workspace;

import com.idmelon.operator.crd.v1alpha1.ApiKey;
import com.idmelon.operator.crd.v1alpha1.WorkspaceRef;
import io.fabric8.kubernetes.api.model.HasMetadata;

/** One workspace resource: a ClusterWorkspace (no namespace) or a Workspace in a namespace. */
public record WorkspaceId(String kind, String namespace, String name) {

  static WorkspaceId of(HasMetadata workspace) {
    return new WorkspaceId(workspace.getKind(), workspace.getMetadata().getNamespace(), workspace.getMetadata().getName());
  }

  /** The workspace an ApiKey's reference names: a Workspace lives in the ApiKey's namespace. */
  static WorkspaceId of(WorkspaceRef ref, ApiKey apiKey) {
    return new WorkspaceId(ref.getKind(), ref.isCluster() ? null : apiKey.getMetadata().getNamespace(), ref.getName());
  }

  boolean isCluster() {
    return WorkspaceRef.CLUSTER_WORKSPACE.equals(kind);
  }

  @Override
  public String toString() {
    return kind + " " + (namespace == null ? "" : namespace + "/") + name;
  }
}
