package com.idmelon.operator.quickstart;

import com.idmelon.operator.crd.v1alpha1.AdminKeySecretRef;
import com.idmelon.operator.crd.v1alpha1.ClusterWorkspace;
import com.idmelon.operator.crd.v1alpha1.ClusterWorkspaceSpec;
import com.idmelon.operator.idmelon.SecretValue;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import java.util.List;
import java.util.function.Consumer;

/**
 * Creates a ClusterWorkspace and the Secret with its Admin key, as a platform team would with kubectl: the quick
 * start's, the tests' and the benchmark's workspaces.
 */
public final class WorkspaceBootstrap {
  /** The project's CRDs as the build generates them onto the class path. */
  public static final List<String> CRD_RESOURCES = List.of(
      "META-INF/fabric8/apikeys.idmelon.com-v1.yml",
      "META-INF/fabric8/workspaces.idmelon.com-v1.yml",
      "META-INF/fabric8/clusterworkspaces.idmelon.com-v1.yml");
  /** Where the bootstrap puts the Admin key Secrets of ClusterWorkspaces. */
  public static final String SYSTEM_NAMESPACE = "idmelon-system";

  private WorkspaceBootstrap() {}

  /**
   * Creates (or updates) the Secret {@code SYSTEM_NAMESPACE/<name>-admin-key} holding {@code adminKey} and the
   * ClusterWorkspace {@code name} at {@code baseUrl} reading it; {@code adjust} may set a policy or a prefix.
   */
  public static ClusterWorkspace clusterWorkspace(KubernetesClient client, String name, String baseUrl,
      String keysPath, SecretValue adminKey, Consumer<ClusterWorkspaceSpec> adjust) {
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(SYSTEM_NAMESPACE).endMetadata()
        .build()).createOr(NonDeletingOperation::update);
    String secretName = name + "-admin-key";
    client.secrets().inNamespace(SYSTEM_NAMESPACE).resource(new SecretBuilder()
        .withNewMetadata().withName(secretName).withNamespace(SYSTEM_NAMESPACE).endMetadata()
        .addToData(AdminKeySecretRef.DEFAULT_KEY, java.util.Base64.getEncoder().encodeToString(
            adminKey.reveal().getBytes(java.nio.charset.StandardCharsets.UTF_8)))
        .build()).createOr(NonDeletingOperation::update);
    ClusterWorkspace workspace = new ClusterWorkspace();
    workspace.getMetadata().setName(name);
    ClusterWorkspaceSpec spec = new ClusterWorkspaceSpec();
    spec.setBaseUrl(baseUrl);
    spec.setApiKeysPath(keysPath);
    spec.setAdminKeySecretRef(new AdminKeySecretRef(secretName, SYSTEM_NAMESPACE, null));
    adjust.accept(spec);
    workspace.setSpec(spec);
    return client.resource(workspace).createOr(NonDeletingOperation::update);
  }
}
