package com.idmelon.operator.chart;

import static com.idmelon.operator.support.OperatorHarness.apiKey;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.idmelon.operator.OperatorRuntime;
import com.idmelon.operator.crd.v1alpha1.AdminKeySecretRef;
import com.idmelon.operator.crd.v1alpha1.ApiKey;
import com.idmelon.operator.crd.v1alpha1.ClusterWorkspace;
import com.idmelon.operator.crd.v1alpha1.Conditions;
import com.idmelon.operator.crd.v1alpha1.Workspace;
import com.idmelon.operator.crd.v1alpha1.WorkspaceRef;
import com.idmelon.operator.crd.v1alpha1.WorkspaceSpec;
import com.idmelon.operator.idmelon.KeyType;
import com.idmelon.operator.observability.RuntimeFixture;
import com.idmelon.operator.quickstart.WorkspaceBootstrap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The chart grants exactly what the operator uses: it drives the operator through every code path, reads each
 * request it sent to the API server, and compares the (group, resource, verb) set with the chart's rules.
 */
class RbacFromCodePathsTest {
  private static final String OPERATOR = "idmelon-apikey-operator-under-test";
  /** Verbs the API server checks without a request of their own. */
  private static final Map<String, String> IMPLIED = Map.of(
      "idmelon.com/apikeys/finalizers:update",
      "admission (OwnerReferencesPermissionEnforcement) requires it to set blockOwnerDeletion on the Secret's owner reference",
      "idmelon.com/apikeys:get",
      "JOSDK re-reads the ApiKey when a finalizer patch meets a conflict (PrimaryUpdateAndCacheUtils.conflictRetryingPatch)");

  @Test
  void chartGrantsExactlyTheVerbsTheOperatorUses() throws Exception {
    Set<String> used = new TreeSet<>();
    try (RuntimeFixture fixture = new RuntimeFixture();
        KubernetesClient operatorClient = fixture.kubernetes.newClient(OPERATOR)) {
      fixture.client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("operators")
          .endMetadata().build()).create();
      OperatorRuntime runtime = fixture.runtime(o -> o.withLeaderElection(new LeaderElectionConfiguration(
          "idmelon-apikey-operator", "operators", Duration.ofSeconds(3), Duration.ofSeconds(2),
          Duration.ofMillis(300), "replica", null, false)).withDeletionWait(Duration.ofMillis(300)), operatorClient);
      try {
        runtime.start();
        exerciseEveryCodePath(fixture.client);
      } finally {
        runtime.close();
      }
      RecordedRequest request;
      while ((request = fixture.kubernetes.server().takeRequest(1, TimeUnit.MILLISECONDS)) != null) {
        if (OPERATOR.equals(request.getHeader("User-Agent"))) {
          String permission = permission(request);
          if (permission != null) {
            used.add(permission);
          }
        }
      }
    }

    List<HasMetadata> chart = ChartTest.render(t -> t);
    Set<String> granted = new TreeSet<>();
    for (PolicyRule rule : ChartTest.operatorRules(chart)) {
      for (String group : rule.getApiGroups()) {
        for (String resource : rule.getResources()) {
          for (String verb : rule.getVerbs()) {
            granted.add((group.isEmpty() ? "" : group + "/") + resource + ":" + verb);
          }
        }
      }
    }
    Set<String> expected = new TreeSet<>(used);
    expected.addAll(IMPLIED.keySet());
    assertEquals(expected, granted, "granted by the chart vs used by the operator (plus " + IMPLIED + ")");
  }

  private static void exerciseEveryCodePath(KubernetesClient client) {
    String ns = "rbac";
    client.resource(apiKey(ns, "a", KeyType.Admin)).create();
    awaitReady(client, ns, "a", "Issued");
    edit(client, ns, "a", k -> k.getMetadata().getAnnotations().put(ApiKey.RESET_ANNOTATION, "1"));
    awaitReady(client, ns, "a", "Reset");
    // losing our label takes the Secret out of the cache: read directly, then restored
    client.secrets().inNamespace(ns).withName("a").edit(s -> {
      s.getMetadata().setLabels(Map.of());
      return s;
    });
    await().atMost(15, TimeUnit.SECONDS).until(() -> client.secrets().inNamespace(ns).withName("a").get()
        .getMetadata().getLabels().containsKey("app.kubernetes.io/managed-by"));
    // moving to another Secret creates the new one and deletes the old
    edit(client, ns, "a", k -> k.getSpec().setSecretName("a-moved"));
    await().atMost(15, TimeUnit.SECONDS).until(() -> client.secrets().inNamespace(ns).withName("a").get() == null);
    // a foreign Secret: conflict; an invalid spec: warning events
    client.resource(new SecretBuilder().withNewMetadata().withName("taken").withNamespace(ns).endMetadata().build()).create();
    ApiKey conflicted = apiKey(ns, "b", KeyType.Clients);
    conflicted.getSpec().setSecretName("taken");
    client.resource(conflicted).create();
    awaitReady(client, ns, "b", "SecretConflict", false);
    // a namespaced Workspace with its Secret in the namespace: checked, its status written, used by an ApiKey
    Workspace team = new Workspace();
    team.getMetadata().setName("team");
    team.getMetadata().setNamespace(ns);
    WorkspaceSpec spec = new WorkspaceSpec();
    ClusterWorkspace shared = client.resources(ClusterWorkspace.class).withName("default").get();
    spec.setBaseUrl(shared.getSpec().getBaseUrl());
    spec.setApiKeysPath(shared.getSpec().getApiKeysPath());
    spec.setAdminKeySecretRef(new AdminKeySecretRef("team-admin-key", null, null));
    team.setSpec(spec);
    client.resource(new SecretBuilder().withNewMetadata().withName("team-admin-key").withNamespace(ns).endMetadata()
        .withData(client.secrets().inNamespace(WorkspaceBootstrap.SYSTEM_NAMESPACE).withName("default-admin-key").get()
            .getData()).build()).create();
    client.resource(team).create();
    ApiKey teamKey = apiKey(ns, "c", KeyType.Clients);
    teamKey.getSpec().setWorkspaceRef(new WorkspaceRef(WorkspaceRef.WORKSPACE, "team"));
    client.resource(teamKey).create();
    awaitReady(client, ns, "c", "Issued");
    // an ApiKey whose workspace was deleted: released after the wait, once the API server confirms the workspace gone
    WorkspaceBootstrap.clusterWorkspace(client, "temporary", shared.getSpec().getBaseUrl(),
        shared.getSpec().getApiKeysPath(), com.idmelon.operator.idmelon.SecretValue.of(new String(
            java.util.Base64.getDecoder().decode(client.secrets().inNamespace(WorkspaceBootstrap.SYSTEM_NAMESPACE)
                .withName("default-admin-key").get().getData().get("adminKey")), java.nio.charset.StandardCharsets.UTF_8)),
        s -> { });
    ApiKey stranded = apiKey(ns, "d", KeyType.Clients);
    stranded.getSpec().setWorkspaceRef(new WorkspaceRef(WorkspaceRef.CLUSTER_WORKSPACE, "temporary"));
    client.resource(stranded).create();
    awaitReady(client, ns, "d", "Issued");
    client.resources(ClusterWorkspace.class).withName("temporary").delete();
    client.resources(ApiKey.class).inNamespace(ns).withName("d").delete();
    client.resources(Workspace.class).inNamespace(ns).withName("team").delete();
    client.resources(ApiKey.class).inNamespace(ns).withName("c").delete();
    // deletion: finalizer removal after revoking
    client.resources(ApiKey.class).inNamespace(ns).withName("a").delete();
    client.resources(ApiKey.class).inNamespace(ns).withName("b").delete();
    await().atMost(15, TimeUnit.SECONDS).until(() -> client.resources(ApiKey.class).inNamespace(ns).list().getItems().isEmpty());
  }

  private static void edit(KubernetesClient client, String ns, String name, java.util.function.Consumer<ApiKey> change) {
    client.resources(ApiKey.class).inNamespace(ns).withName(name).edit(k -> {
      change.accept(k);
      return k;
    });
  }

  private static void awaitReady(KubernetesClient client, String ns, String name, String reason) {
    awaitReady(client, ns, name, reason, true);
  }

  private static void awaitReady(KubernetesClient client, String ns, String name, String reason, boolean ready) {
    await().atMost(15, TimeUnit.SECONDS).until(() -> {
      ApiKey apiKey = client.resources(ApiKey.class).inNamespace(ns).withName(name).get();
      return apiKey != null && apiKey.getStatus() != null && apiKey.getStatus().condition(Conditions.READY)
          .filter(c -> c.getReason().equals(reason) && c.getStatus().equals(ready ? "True" : "False")).isPresent();
    });
  }

  /** "group/resource[/subresource]:verb" of a request, or null for requests RBAC does not govern. */
  static String permission(RecordedRequest request) {
    String[] pathAndQuery = request.getPath().split("\\?", 2);
    String query = pathAndQuery.length > 1 ? pathAndQuery[1] : "";
    String[] parts = pathAndQuery[0].replaceAll("^/", "").split("/");
    int index;
    String group;
    if (parts[0].equals("api")) {
      group = "";
      index = 2;
    } else if (parts[0].equals("apis") && parts.length > 3) {
      group = parts[1];
      index = 3;
    } else {
      return null; // discovery, /version
    }
    if (group.equals("authorization.k8s.io")) {
      return null; // self-reviews need no permission
    }
    if (parts.length > index + 1 && parts[index].equals("namespaces")) {
      index += 2;
    }
    if (parts.length <= index) {
      return null;
    }
    String resource = parts[index];
    String name = parts.length > index + 1 ? parts[index + 1] : null;
    if (parts.length > index + 2) {
      resource += "/" + parts[index + 2];
    }
    String verb = switch (request.getMethod()) {
      case "GET" -> name != null ? "get" : query.contains("watch=true") || query.contains("watch=1") ? "watch" : "list";
      case "POST" -> "create";
      case "PUT" -> "update";
      case "PATCH" -> "patch";
      case "DELETE" -> name != null ? "delete" : "deletecollection";
      default -> request.getMethod().toLowerCase();
    };
    return (group.isEmpty() ? "" : group + "/") + resource + ":" + verb;
  }
}
