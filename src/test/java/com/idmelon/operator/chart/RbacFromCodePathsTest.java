package com.idmelon.operator.chart;

import static com.idmelon.operator.support.OperatorHarness.apiKey;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.idmelon.operator.OperatorRuntime;
import com.idmelon.operator.crd.v1alpha1.AdminKeySecretRef;
import com.idmelon.operator.crd.v1alpha1.ApiKey;
import com.idmelon.operator.crd.v1alpha1.ClusterWorkspace;
import com.idmelon.operator.crd.v1alpha1.Conditions;
import com.idmelon.operator.crd.v1alpha1.RestartTarget;
import com.idmelon.operator.crd.v1alpha1.WorkloadKind;
import com.idmelon.operator.crd.v1alpha1.Workspace;
import com.idmelon.operator.crd.v1alpha1.WorkspaceRef;
import com.idmelon.operator.crd.v1alpha1.WorkspaceSpec;
import com.idmelon.operator.idmelon.KeyType;
import com.idmelon.operator.observability.RuntimeFixture;
import com.idmelon.operator.quickstart.WorkspaceBootstrap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The chart grants exactly what the operator uses: it drives the operator through every code path, reads each
 * request it sent to the API server, and compares the (group, resource, verb) set with the chart's rules; then it
 * checks that the API server would admit each of those requests (namespaces and resourceNames honoured), also for
 * the chart's namespaced mode.
 */
class RbacFromCodePathsTest {
  private static final String OPERATOR = "idmelon-apikey-operator-under-test";
  /** Where the ApiKeys and namespaced Workspaces of the exercise live. */
  private static final String NAMESPACE = "rbac";
  /** Verbs the API server checks without a request of their own. */
  private static final Map<String, String> IMPLIED = Map.of(
      "idmelon.com/apikeys/finalizers:update",
      "admission (OwnerReferencesPermissionEnforcement) requires it to set blockOwnerDeletion on the Secret's owner reference",
      "idmelon.com/apikeys:get",
      "JOSDK re-reads the ApiKey when a finalizer patch meets a conflict (PrimaryUpdateAndCacheUtils.conflictRetryingPatch)");

  @Test
  void chartGrantsExactlyTheVerbsTheOperatorUses() throws Exception {
    List<Rbac.Request> requests = requestsOfAnOperatorWatching(Set.of());
    Set<String> used = new TreeSet<>();
    requests.forEach(r -> used.add(r.permission()));

    List<HasMetadata> chart = ChartTest.render(t -> t);
    Rbac rbac = Rbac.of(chart, ChartTest.NAMESPACE, serviceAccount(chart));
    Set<String> granted = new TreeSet<>();
    for (Rbac.Grant grant : rbac.grants()) {
      permissions(grant.rule()).forEach(granted::add);
    }
    Set<String> expected = new TreeSet<>(used);
    expected.addAll(IMPLIED.keySet());
    assertEquals(expected, granted, "granted by the chart vs used by the operator (plus " + IMPLIED + ")");

    // and as the API server decides: in the request's namespace, by name where a rule names its objects
    assertEquals(List.of(), requests.stream().filter(r -> !rbac.allows(r)).distinct().toList(), "refused");
    for (Rbac.Grant grant : rbac.grants()) {
      for (String name : Optional.ofNullable(grant.rule().getResourceNames()).orElse(List.of())) {
        assertTrue(requests.stream().anyMatch(r -> name.equals(r.name()) && grant.allows(r)),
            "nothing the operator did needs the name " + name + " in " + grant);
      }
    }
  }

  @Test
  void namespacedChartAdmitsEveryRequestOfAnOperatorWatchingThoseNamespaces() throws Exception {
    List<Rbac.Request> requests = requestsOfAnOperatorWatching(Set.of(NAMESPACE));
    List<HasMetadata> chart = ChartTest.render(t -> t.set("watchNamespaces[0]", NAMESPACE)
        .set("workspace.adminKeySecret.name", "default-admin-key")
        .set("workspace.adminKeySecret.namespace", WorkspaceBootstrap.SYSTEM_NAMESPACE));
    Rbac rbac = Rbac.of(chart, ChartTest.NAMESPACE, serviceAccount(chart));

    Set<String> refused = new TreeSet<>();
    requests.stream().filter(r -> !rbac.allows(r))
        .forEach(r -> refused.add(r.namespace() + "/" + r.resource() + "/" + r.name() + ":" + r.verb()));
    // the chart knows one ClusterWorkspace's Secret: another one outside the watched namespaces needs its own Role
    // (README, "Install on a cluster")
    assertEquals(Set.of(WorkspaceBootstrap.SYSTEM_NAMESPACE + "/secrets/temporary-admin-key:list",
        WorkspaceBootstrap.SYSTEM_NAMESPACE + "/secrets/temporary-admin-key:watch"), refused);
  }

  /** The requests the operator sends to the API server while {@link #exerciseEveryCodePath} runs. */
  private static List<Rbac.Request> requestsOfAnOperatorWatching(Set<String> namespaces) throws Exception {
    List<Rbac.Request> requests = new ArrayList<>();
    try (RuntimeFixture fixture = new RuntimeFixture();
        KubernetesClient operatorClient = fixture.kubernetes.newClient(OPERATOR)) {
      fixture.client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE)
          .endMetadata().build()).create();
      // the Lease is in the operator's own namespace, named as RunCommand names it
      OperatorRuntime runtime = fixture.runtime(o -> o.withWatchNamespaces(namespaces)
          .withLeaderElection(new LeaderElectionConfiguration(
          "idmelon-apikey-operator", ChartTest.NAMESPACE, Duration.ofSeconds(3), Duration.ofSeconds(2),
          Duration.ofMillis(300), "replica", null, false)).withDeletionWait(Duration.ofMillis(300)), operatorClient);
      try {
        runtime.start();
        exerciseEveryCodePath(fixture.client, () -> {
          try {
            return fixture.get(runtime, "/metrics").body();
          } catch (Exception e) {
            return "";
          }
        });
      } finally {
        runtime.close();
      }
      RecordedRequest request;
      while ((request = fixture.kubernetes.takeRequest(1, TimeUnit.MILLISECONDS)) != null) {
        if (OPERATOR.equals(request.getHeader("User-Agent"))) {
          Rbac.Request attributes = Rbac.Request.of(request);
          if (attributes != null) {
            requests.add(attributes);
          }
        }
      }
    }
    return requests;
  }

  private static List<String> permissions(PolicyRule rule) {
    List<String> permissions = new ArrayList<>();
    for (String group : rule.getApiGroups()) {
      for (String resource : rule.getResources()) {
        for (String verb : rule.getVerbs()) {
          permissions.add((group.isEmpty() ? "" : group + "/") + resource + ":" + verb);
        }
      }
    }
    return permissions;
  }

  private static String serviceAccount(List<HasMetadata> chart) {
    return ChartTest.ofKind(chart, ServiceAccount.class).findFirst().orElseThrow().getMetadata().getName();
  }

  private static void exerciseEveryCodePath(KubernetesClient client, java.util.function.Supplier<String> metrics) {
    String ns = NAMESPACE;
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
    // restart targets: each read, then patched, after the key's value changed
    PodTemplateSpec template = new PodTemplateSpecBuilder().withNewMetadata().addToLabels("app", "x").endMetadata()
        .withNewSpec().addNewContainer().withName("app").withImage("example.com/app:1").endContainer().endSpec().build();
    client.resource(new DeploymentBuilder().withNewMetadata().withName("web").withNamespace(ns).endMetadata()
        .withNewSpec().withNewSelector().addToMatchLabels("app", "x").endSelector().withTemplate(template).endSpec()
        .build()).create();
    client.resource(new StatefulSetBuilder().withNewMetadata().withName("db").withNamespace(ns).endMetadata()
        .withNewSpec().withNewSelector().addToMatchLabels("app", "x").endSelector().withTemplate(template).endSpec()
        .build()).create();
    client.resource(new DaemonSetBuilder().withNewMetadata().withName("agent").withNamespace(ns).endMetadata()
        .withNewSpec().withNewSelector().addToMatchLabels("app", "x").endSelector().withTemplate(template).endSpec()
        .build()).create();
    ApiKey restarting = apiKey(ns, "e", KeyType.Clients);
    restarting.getSpec().setRestartTargets(List.of(new RestartTarget(WorkloadKind.Deployment, "web"),
        new RestartTarget(WorkloadKind.StatefulSet, "db"), new RestartTarget(WorkloadKind.DaemonSet, "agent")));
    client.resource(restarting).create();
    awaitReady(client, ns, "e", "Issued");
    edit(client, ns, "e", k -> k.getMetadata().getAnnotations().put(ApiKey.RESET_ANNOTATION, "1"));
    await().atMost(15, TimeUnit.SECONDS).until(() -> {
      ApiKey e = client.resources(ApiKey.class).inNamespace(ns).withName("e").get();
      return e.getStatus().getFingerprint().equals(e.getStatus().getRolledOutFingerprint())
          && "Replaced".equals(e.getStatus().condition(Conditions.READY).get().getReason());
    });
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
    // the operator must know the Workspace is gone before "c" is deleted, or it simply revokes through it
    // (its key needs nothing, so "c" stays Ready: the workspace's gauge tells when the operator forgot it)
    await().atMost(15, TimeUnit.SECONDS).until(() -> {
      edit(client, ns, "c", k -> k.getMetadata().getAnnotations().put("example.com/touch", Long.toString(System.nanoTime())));
      return !metrics.get().contains("name=\"team\"");
    });
    client.resources(ApiKey.class).inNamespace(ns).withName("c").delete();
    // deletion: finalizer removal after revoking
    client.resources(ApiKey.class).inNamespace(ns).withName("a").delete();
    client.resources(ApiKey.class).inNamespace(ns).withName("b").delete();
    client.resources(ApiKey.class).inNamespace(ns).withName("e").delete();
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
}
