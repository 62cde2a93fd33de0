package com.idmelon.operator.chart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.InstallCommand;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import com.idmelon.operator.crd.v1alpha1.ClusterWorkspace;
import com.idmelon.operator.crd.v1alpha1.Region;
import com.idmelon.operator.idmelon.KeyType;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;

import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The Helm chart, rendered offline by Helm itself and read back with fabric8. */
class ChartTest {
  static final Path CHART = Path.of("helm", "idmelon-apikey-operator");
  /** The release namespace of every rendering. */
  static final String NAMESPACE = "idmelon-system";

  static List<HasMetadata> render(UnaryOperator<TemplateCommand> values) {
    String yaml = values.apply(new Helm(CHART).template()
            .withName("apikeys")
            .withNamespace(NAMESPACE)
            .withKubeVersion("1.31.0")
            .set("workspace.adminKeySecret.name", "idmelon-admin-key"))
        .call();
    List<HasMetadata> objects = new ArrayList<>();
    for (String document : yaml.split("(?m)^---\\s*$")) {
      if (document.lines().anyMatch(l -> l.startsWith("kind:"))) {
        objects.add(Serialization.unmarshal(document, HasMetadata.class));
      }
    }
    return objects;
  }

  static <T extends HasMetadata> Stream<T> ofKind(List<HasMetadata> objects, Class<T> type) {
    return objects.stream().filter(type::isInstance).map(type::cast);
  }

  @Test
  void chartPassesStrictLint() {
    LintResult result = new Helm(CHART).lint().strict().call();
    assertFalse(result.isFailed(), String.join("\n", result.getMessages()));
  }

  @Test
  void chartCrdsAreTheCommittedOnes() throws Exception {
    for (String crd : List.of("apikeys", "workspaces", "clusterworkspaces")) {
      String file = crd + ".idmelon.com-v1.yml";
      assertEquals(Files.readString(Path.of("crds", file)), Files.readString(CHART.resolve("crds").resolve(file)),
          "the chart's CRD is copied by the build: run `mvn -Pupdate-crds process-classes`");
    }
  }

  @Test
  void noRuleUsesAWildcard() {
    for (List<HasMetadata> objects : List.of(render(t -> t),
        render(t -> t.set("watchNamespaces[0]", "team-a").set("watchNamespaces[1]", "team-b")))) {
      Stream.concat(ofKind(objects, ClusterRole.class).flatMap(r -> r.getRules().stream()),
              ofKind(objects, Role.class).flatMap(r -> r.getRules().stream()))
          .forEach(rule -> Stream.of(rule.getApiGroups(), rule.getResources(), rule.getVerbs())
              .flatMap(List::stream)
              .forEach(word -> assertFalse(word.contains("*"), "wildcard in " + rule)));
    }
  }

  @Test
  void clusterWideModeHasOneClusterRoleAndNamespacedModeNoClusterAccessToSecrets() {
    List<HasMetadata> clusterWide = render(t -> t);
    assertEquals(1, ofKind(clusterWide, ClusterRole.class).filter(r -> r.getRules().stream()
        .anyMatch(rule -> rule.getResources().contains("secrets"))).count());

    List<HasMetadata> namespaced = render(t -> t.set("watchNamespaces[0]", "team-a").set("watchNamespaces[1]", "team-b"));
    assertTrue(ofKind(namespaced, ClusterRole.class).noneMatch(r -> r.getRules().stream()
        .anyMatch(rule -> rule.getResources().contains("secrets"))), "no ClusterRole for Secrets");
    List<String> secretRoles = ofKind(namespaced, Role.class)
        .filter(r -> r.getRules().stream().anyMatch(rule -> rule.getResources().contains("secrets")))
        .map(r -> r.getMetadata().getNamespace()).sorted().toList();
    assertEquals(List.of("idmelon-system", "team-a", "team-b"), secretRoles,
        "a Role per watched namespace, and a read-only one where the default workspace's Admin key is");
    // outside the watched namespaces: the default workspace's Admin key Secret, watched by name, and nothing else
    Rbac rbac = Rbac.of(namespaced, NAMESPACE, "apikeys-idmelon-apikey-operator");
    assertTrue(rbac.allows(secret("watch", "idmelon-admin-key")));
    assertTrue(rbac.allows(secret("list", "idmelon-admin-key")));
    assertFalse(rbac.allows(secret("list", null)), "no list of every Secret there");
    assertFalse(rbac.allows(secret("get", "other")));
    Stream.of("create", "patch", "update", "delete")
        .forEach(verb -> assertFalse(rbac.allows(secret(verb, "idmelon-admin-key")), verb));
    // without a Secret named in the values, the chart grants no Secret outside the watched namespaces
    List<HasMetadata> ownWorkspace = render(t -> t.set("watchNamespaces[0]", "team-a")
        .set("workspace.create", false).set("workspace.adminKeySecret.name", ""));
    assertEquals(List.of("team-a"), ofKind(ownWorkspace, Role.class)
        .filter(r -> r.getRules().stream().anyMatch(rule -> rule.getResources().contains("secrets")))
        .map(r -> r.getMetadata().getNamespace()).toList());
    Deployment deployment = ofKind(namespaced, Deployment.class).findFirst().orElseThrow();
    assertEquals("team-a,team-b", env(deployment.getSpec().getTemplate().getSpec().getContainers().get(0), "WATCH_NAMESPACES"));
  }

  private static Rbac.Request secret(String verb, String name) {
    return new Rbac.Request(NAMESPACE, "", "secrets", verb, name);
  }

  @Test
  void leaderElectionMayCreateALeaseButReadAndRenewOnlyItsOwn() {
    Rbac rbac = Rbac.of(render(t -> t), NAMESPACE, "apikeys-idmelon-apikey-operator");
    // the name of a new object is in the request body, so no rule can limit create by name
    assertTrue(rbac.allows(lease("create", null)));
    for (String verb : List.of("get", "patch")) {
      assertTrue(rbac.allows(lease(verb, "idmelon-apikey-operator")), verb);
      assertFalse(rbac.allows(lease(verb, "kube-scheduler")), verb + " on another Lease");
    }
    assertFalse(rbac.allows(lease("delete", "idmelon-apikey-operator")));
    assertFalse(rbac.allows(lease("list", null)));
    assertFalse(rbac.allows(new Rbac.Request("team-a", "coordination.k8s.io", "leases", "get",
        "idmelon-apikey-operator")), "only in the release namespace");

    List<HasMetadata> withoutElection = render(t -> t.set("leaderElection.enabled", false));
    assertFalse(Rbac.of(withoutElection, NAMESPACE, "apikeys-idmelon-apikey-operator").allows(lease("create", null)));
  }

  private static Rbac.Request lease(String verb, String name) {
    return new Rbac.Request(NAMESPACE, "coordination.k8s.io", "leases", verb, name);
  }

  @Test
  void userRolesAreAggregatedIntoViewAndEditWithoutSecrets() {
    List<HasMetadata> objects = render(t -> t);
    ClusterRole viewer = ofKind(objects, ClusterRole.class).filter(r -> r.getMetadata().getName().endsWith("-viewer")).findFirst().orElseThrow();
    ClusterRole editor = ofKind(objects, ClusterRole.class).filter(r -> r.getMetadata().getName().endsWith("-editor")).findFirst().orElseThrow();
    assertEquals("true", viewer.getMetadata().getLabels().get("rbac.authorization.k8s.io/aggregate-to-view"));
    assertEquals("true", editor.getMetadata().getLabels().get("rbac.authorization.k8s.io/aggregate-to-edit"));
    assertEquals(List.of("get", "list", "watch"), viewer.getRules().get(0).getVerbs());
    assertTrue(editor.getRules().get(0).getVerbs().contains("patch"), "patch: kubectl annotate for a reset");
    Stream.of(viewer, editor).flatMap(r -> r.getRules().stream())
        .forEach(rule -> assertEquals(List.of("apikeys"), rule.getResources()));
    ClusterRole workspaceAdmin = ofKind(objects, ClusterRole.class)
        .filter(r -> r.getMetadata().getName().endsWith("-workspace-admin")).findFirst().orElseThrow();
    assertEquals("true", workspaceAdmin.getMetadata().getLabels().get("rbac.authorization.k8s.io/aggregate-to-admin"));
    assertFalse(workspaceAdmin.getMetadata().getLabels().containsKey("rbac.authorization.k8s.io/aggregate-to-edit"),
        "editors cannot bring a credential");
    assertEquals(List.of("workspaces"), workspaceAdmin.getRules().get(0).getResources(), "never clusterworkspaces");
  }

  @Test
  void podIsHardenedToTheRestrictedProfileWithAReadOnlyRoot() {
    Deployment deployment = ofKind(render(t -> t), Deployment.class).findFirst().orElseThrow();
    PodSpec pod = deployment.getSpec().getTemplate().getSpec();
    assertTrue(pod.getSecurityContext().getRunAsNonRoot());
    assertEquals("RuntimeDefault", pod.getSecurityContext().getSeccompProfile().getType());
    Container container = pod.getContainers().get(0);
    assertFalse(container.getSecurityContext().getAllowPrivilegeEscalation());
    assertTrue(container.getSecurityContext().getReadOnlyRootFilesystem());
    assertEquals(List.of("ALL"), container.getSecurityContext().getCapabilities().getDrop());
    assertTrue(container.getVolumeMounts().stream().anyMatch(m -> m.getMountPath().equals("/tmp")));
    assertNotNull(pod.getVolumes().stream().filter(v -> v.getName().equals("tmp")).findFirst().orElseThrow().getEmptyDir());
    assertNotNull(container.getResources().getRequests().get("memory"));
    assertNotNull(container.getResources().getLimits().get("memory"));
    assertEquals("/healthz", container.getLivenessProbe().getHttpGet().getPath());
    assertEquals("/readyz", container.getReadinessProbe().getHttpGet().getPath());
  }

  @Test
  void probesUseTheirOwnPortAndMetricsObjectsOnlyTheMetricsPort() {
    List<HasMetadata> objects = render(t -> t.set("metrics.serviceMonitor.enabled", true));
    Container container = operatorContainer(objects);
    assertEquals("8080", env(container, "METRICS_PORT"));
    assertEquals("8081", env(container, "HEALTH_PORT"));
    assertEquals(8081, containerPort(container, container.getLivenessProbe().getHttpGet().getPort()));
    assertEquals(8081, containerPort(container, container.getReadinessProbe().getHttpGet().getPort()));
    Service service = ofKind(objects, Service.class).findFirst().orElseThrow();
    assertEquals(List.of(8080), service.getSpec().getPorts().stream()
        .map(p -> containerPort(container, p.getTargetPort())).toList(), "the Service exposes /metrics only");
    assertEquals(List.of("metrics"), serviceMonitorEndpoints(objects).stream().map(e -> e.get("port")).toList());

    Container moved = operatorContainer(render(t -> t.set("health.port", 9090).set("metrics.port", 9443)));
    assertEquals(9090, containerPort(moved, moved.getLivenessProbe().getHttpGet().getPort()));
    assertEquals("9090", env(moved, "HEALTH_PORT"));
    assertEquals("9443", env(moved, "METRICS_PORT"));
  }

  @Test
  @SuppressWarnings("unchecked")
  void aScrapeTokenSecretIsMountedForTheOperatorAndSentByTheServiceMonitor() {
    List<HasMetadata> objects = render(t -> t.set("metrics.serviceMonitor.enabled", true)
        .set("metrics.auth.tokenSecret.name", "scrape-token").set("metrics.auth.tokenSecret.key", "bearer"));
    Deployment deployment = ofKind(objects, Deployment.class).findFirst().orElseThrow();
    PodSpec pod = deployment.getSpec().getTemplate().getSpec();
    Container container = pod.getContainers().get(0);
    Volume volume = pod.getVolumes().stream().filter(v -> v.getSecret() != null).findFirst().orElseThrow();
    assertEquals("scrape-token", volume.getSecret().getSecretName());
    VolumeMount mount = container.getVolumeMounts().stream().filter(m -> m.getName().equals(volume.getName()))
        .findFirst().orElseThrow();
    assertTrue(mount.getReadOnly());
    assertEquals(null, mount.getSubPath(), "a subPath mount would never see the Secret change");
    KeyToPath item = volume.getSecret().getItems().stream().filter(i -> i.getKey().equals("bearer")).findFirst()
        .orElseThrow();
    assertEquals(Path.of(mount.getMountPath(), item.getPath()).toString(), env(container, "METRICS_BEARER_TOKEN_FILE"),
        "the operator reads the token where the Secret's key is mounted");

    Map<String, Object> authorization = (Map<String, Object>) serviceMonitorEndpoints(objects).get(0)
        .get("authorization");
    assertEquals("Bearer", authorization.get("type"));
    assertEquals(Map.of("name", "scrape-token", "key", "bearer"), authorization.get("credentials"));

    List<HasMetadata> open = render(t -> t.set("metrics.serviceMonitor.enabled", true));
    assertTrue(operatorContainer(open).getEnv().stream().noneMatch(e -> e.getName().equals("METRICS_BEARER_TOKEN_FILE")));
    assertFalse(serviceMonitorEndpoints(open).get(0).containsKey("authorization"));
  }

  private static final Map<String, String> PROMETHEUS = Map.of("app.kubernetes.io/name", "prometheus");
  private static final Ingress.Source PROMETHEUS_IN_MONITORING = Ingress.Source.pod("monitoring", PROMETHEUS, "10.8.0.5");
  private static final Ingress.Source ANY_POD = Ingress.Source.pod("team-a", Map.of("app", "curious"), "10.8.3.7");
  private static final Ingress.Source NEIGHBOUR = Ingress.Source.pod(NAMESPACE, Map.of("app", "other"), "10.8.1.2");

  /** Who may connect to the operator's pods, as the rendered NetworkPolicies decide. */
  private static Ingress ingress(List<HasMetadata> objects) {
    PodTemplateSpec pod = ofKind(objects, Deployment.class).findFirst().orElseThrow().getSpec().getTemplate();
    return new Ingress(ofKind(objects, NetworkPolicy.class).toList(), NAMESPACE, pod.getMetadata().getLabels(),
        pod.getSpec().getContainers().get(0));
  }

  @Test
  void byDefaultNothingCanScrapeAndOnlyTheHealthPortIsOpen() {
    List<HasMetadata> objects = render(t -> t);
    NetworkPolicy policy = ofKind(objects, NetworkPolicy.class).findFirst().orElseThrow();
    assertEquals(List.of("Ingress"), policy.getSpec().getPolicyTypes(), "egress is left alone");
    Ingress ingress = ingress(objects);
    for (Ingress.Source source : List.of(PROMETHEUS_IN_MONITORING, ANY_POD, NEIGHBOUR)) {
      assertFalse(ingress.admits(source, 8080), "metrics from " + source);
      assertTrue(ingress.admits(source, 8081), "probes answer anyone: they reveal only ok or not ready");
      for (int other : List.of(80, 443, 8443, 9090)) {
        assertFalse(ingress.admits(source, other), other + " from " + source);
      }
    }
    // not merely unreachable by these sources: no rule names the metrics port at all
    assertTrue(policy.getSpec().getIngress().stream().flatMap(r -> r.getPorts().stream())
        .noneMatch(p -> containerPort(operatorContainer(objects), p.getPort()) == 8080));
    assertFalse(ofKind(render(t -> t.set("networkPolicy.enabled", false)), NetworkPolicy.class).findAny().isPresent());
  }

  @Test
  void namedNamespacesMayScrapeAndNoOneElse() {
    Ingress ingress = ingress(render(t -> t.set("networkPolicy.metrics.namespaces[0]", "monitoring")
        .set("networkPolicy.metrics.namespaces[1]", "observability")));
    assertTrue(ingress.admits(PROMETHEUS_IN_MONITORING, 8080));
    assertTrue(ingress.admits(Ingress.Source.pod("observability", Map.of(), "10.8.4.4"), 8080));
    assertFalse(ingress.admits(ANY_POD, 8080));
    assertFalse(ingress.admits(NEIGHBOUR, 8080), "not even the release namespace");
    // by the name the API server sets, not by a label anyone who may label namespaces could copy
    assertFalse(ingress.admits(ANY_POD.withNamespaceLabel("name", "monitoring"), 8080));
    assertFalse(ingress.admits(PROMETHEUS_IN_MONITORING, 9090), "no other port");

    Ingress onlyPrometheus = ingress(render(t -> t.set("networkPolicy.metrics.namespaces[0]", "monitoring")
        .set("networkPolicy.metrics.podSelector.matchLabels.app\\.kubernetes\\.io/name", "prometheus")));
    assertTrue(onlyPrometheus.admits(PROMETHEUS_IN_MONITORING, 8080));
    assertFalse(onlyPrometheus.admits(Ingress.Source.pod("monitoring", Map.of("app", "grafana"), "10.8.0.6"), 8080));
    assertFalse(onlyPrometheus.admits(Ingress.Source.pod("team-a", PROMETHEUS, "10.8.3.8"), 8080));

    Ingress byLabel = ingress(render(t -> t.set("networkPolicy.metrics.namespaceSelector.matchLabels.scrapers", "yes")));
    assertTrue(byLabel.admits(ANY_POD.withNamespaceLabel("scrapers", "yes"), 8080));
    assertFalse(byLabel.admits(PROMETHEUS_IN_MONITORING, 8080));

    Ingress podsBeside = ingress(render(t -> t.set("networkPolicy.metrics.podSelector.matchLabels.app", "other")));
    assertTrue(podsBeside.admits(NEIGHBOUR, 8080), "a podSelector alone: pods of the release namespace");
    assertFalse(podsBeside.admits(Ingress.Source.pod("team-a", Map.of("app", "other"), "10.8.3.9"), 8080));

    Ingress moved = ingress(render(t -> t.set("networkPolicy.metrics.namespaces[0]", "monitoring")
        .set("metrics.port", 9443).set("health.port", 9444)));
    assertTrue(moved.admits(PROMETHEUS_IN_MONITORING, 9443));
    assertTrue(moved.admits(ANY_POD, 9444));
    assertFalse(moved.admits(PROMETHEUS_IN_MONITORING, 8080));
    assertFalse(moved.admits(ANY_POD, 8081));
  }

  @Test
  void notesWarnWhenNothingCanScrape() {
    String closed = notes(t -> t);
    assertTrue(closed.contains("WARNING: the NetworkPolicy opens the metrics port to no one"), closed);
    assertFalse(closed.contains("ServiceMonitor"), closed);
    String monitored = notes(t -> t.set("metrics.serviceMonitor.enabled", true));
    assertTrue(monitored.contains("The ServiceMonitor is installed, but Prometheus cannot reach the operator"), monitored);
    String named = notes(t -> t.set("metrics.serviceMonitor.enabled", true)
        .set("networkPolicy.metrics.namespaces[0]", "monitoring"));
    assertFalse(named.contains("WARNING"), named);
    assertTrue(named.contains("namespaces monitoring"), named);
    assertFalse(notes(t -> t.set("networkPolicy.enabled", false)).contains("WARNING"));
  }

  /** The NOTES.txt Helm prints after an install. */
  private static String notes(UnaryOperator<InstallCommand> values) {
    String output = values.apply(new Helm(CHART).install().clientOnly().dryRun()
        .withName("apikeys").withNamespace(NAMESPACE).withKubeVersion("1.31.0")
        .set("workspace.adminKeySecret.name", "idmelon-admin-key")).call().getOutput();
    return output.substring(output.indexOf("NOTES:"));
  }

  @Test
  void probeSourcesNarrowTheHealthPortAndExtraRulesAreAdded() {
    Ingress ingress = ingress(render(t -> t.set("networkPolicy.probes.from[0].ipBlock.cidr", "10.0.0.0/16")
        .set("networkPolicy.extraIngress[0].ports[0].port", 9000)
        .set("networkPolicy.extraIngress[0].from[0].namespaceSelector.matchLabels.kubernetes\\.io/metadata\\.name",
            "debug")));
    Ingress.Source node = new Ingress.Source("", Map.of(), Map.of(), "10.0.3.1");
    assertTrue(ingress.admits(node, 8081));
    assertFalse(ingress.admits(ANY_POD, 8081));
    assertFalse(ingress.admits(node, 8080));
    assertTrue(ingress.admits(Ingress.Source.pod("debug", Map.of(), "10.8.9.9"), 9000));
    assertFalse(ingress.admits(Ingress.Source.pod("debug", Map.of(), "10.8.9.9"), 8080));
  }

  private static Container operatorContainer(List<HasMetadata> objects) {
    return ofKind(objects, Deployment.class).findFirst().orElseThrow().getSpec().getTemplate().getSpec()
        .getContainers().get(0);
  }

  /** The container port a probe or a Service's targetPort reaches, by number or by name. */
  static int containerPort(Container container, IntOrString port) {
    if (port.getIntVal() != null) {
      return port.getIntVal();
    }
    return container.getPorts().stream().filter(p -> p.getName().equals(port.getStrVal())).findFirst()
        .orElseThrow(() -> new AssertionError("no container port named " + port.getStrVal())).getContainerPort();
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> serviceMonitorEndpoints(List<HasMetadata> objects) {
    GenericKubernetesResource monitor = ofKind(objects, GenericKubernetesResource.class)
        .filter(o -> o.getKind().equals("ServiceMonitor")).findFirst().orElseThrow();
    return (List<Map<String, Object>>) ((Map<String, Object>) monitor.getAdditionalProperties().get("spec"))
        .get("endpoints");
  }

  @Test
  void restartTargetsAddOnlyGetAndPatchOnTheThreeWorkloadsAndTurnOffWithTheirRules() {
    String account = "apikeys-idmelon-apikey-operator";
    for (UnaryOperator<TemplateCommand> mode : List.<UnaryOperator<TemplateCommand>>of(t -> t,
        t -> t.set("watchNamespaces[0]", "team-a"))) {
      List<HasMetadata> on = render(mode);
      Rbac rbac = Rbac.of(on, NAMESPACE, account);
      for (String resource : List.of("deployments", "statefulsets", "daemonsets")) {
        for (String verb : List.of("get", "patch")) {
          assertTrue(rbac.allows(new Rbac.Request("team-a", "apps", resource, verb, "web")), resource + ":" + verb);
        }
        for (String verb : List.of("list", "watch", "update", "create", "delete")) {
          assertFalse(rbac.allows(new Rbac.Request("team-a", "apps", resource, verb, "web")), resource + ":" + verb);
        }
      }
      assertFalse(rbac.allows(new Rbac.Request("team-a", "apps", "replicasets", "patch", "web")));
      assertEquals("true", env(operatorContainer(on), "RESTART_TARGETS_ENABLED"));

      List<HasMetadata> off = render(t -> mode.apply(t).set("restartTargets.enabled", false));
      assertTrue(Stream.concat(ofKind(off, ClusterRole.class).flatMap(r -> r.getRules().stream()),
              ofKind(off, Role.class).flatMap(r -> r.getRules().stream()))
          .noneMatch(rule -> rule.getApiGroups().contains("apps")), "no rule on workloads");
      assertEquals("false", env(operatorContainer(off), "RESTART_TARGETS_ENABLED"));
    }
  }

  @Test
  void theOperatorHoldsNoIdmelonCredential() {
    Deployment deployment = ofKind(render(t -> t), Deployment.class).findFirst().orElseThrow();
    PodSpec pod = deployment.getSpec().getTemplate().getSpec();
    Container container = pod.getContainers().get(0);
    assertTrue(pod.getVolumes().stream().noneMatch(v -> v.getSecret() != null), "no Secret is mounted");
    assertTrue(container.getEnv().stream().noneMatch(e -> e.getName().startsWith("IDMELON_") && !e.getName()
        .equals("IDMELON_TIMEOUT_SECONDS")), "no IDmelon URL or key in the environment");
    assertTrue(container.getEnv().stream().noneMatch(e -> e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null));
    assertTrue(container.getEnvFrom() == null || container.getEnvFrom().isEmpty());
    assertEquals("default", env(container, "DEFAULT_WORKSPACE"));
  }

  @Test
  void theDefaultWorkspaceRendersFromValuesAndAllowsNoAdminKeysByDefault() {
    ClusterWorkspace workspace = workspace(render(t -> t));
    assertEquals("default", workspace.getMetadata().getName());
    assertEquals(Region.US, workspace.getSpec().getRegion());
    assertEquals("idmelon-admin-key", workspace.getSpec().getAdminKeySecretRef().getName());
    assertEquals("idmelon-system", workspace.getSpec().getAdminKeySecretRef().getNamespace());
    assertEquals(List.of(KeyType.Clients, KeyType.SharedMobile), workspace.getSpec().getKeyPolicy().getAllowedTypes(),
        "secure by default: no Admin keys");
    assertEquals(null, workspace.getSpec().getAllowedNamespaces());

    ClusterWorkspace custom = workspace(render(t -> t.set("workspace.name", "eu-prod").set("workspace.region", "EU")
        .set("workspace.keyPolicy.allowedTypes[0]", "Admin").set("workspace.keyPolicy.maxLifetime", "2160h")
        .set("workspace.allowedNamespaces.names[0]", "payments").set("workspace.keyNamePrefix", "k8s-prod/")));
    assertEquals(Region.EU, custom.getSpec().getRegion());
    assertEquals(List.of(KeyType.Admin), custom.getSpec().getKeyPolicy().getAllowedTypes());
    assertEquals("2160h", custom.getSpec().getKeyPolicy().getMaxLifetime());
    assertEquals(List.of("payments"), custom.getSpec().getAllowedNamespaces().getNames());
    assertEquals("k8s-prod/", custom.getSpec().getKeyNamePrefix());
    ClusterWorkspace dedicated = workspace(render(t -> t.set("workspace.region", "")
        .set("workspace.baseUrl", "https://skm.idmelon.example.com")));
    assertEquals("https://skm.idmelon.example.com", dedicated.getSpec().getBaseUrl());
    assertEquals(null, dedicated.getSpec().getRegion());
    assertTrue(render(t -> t.set("workspace.create", false)).stream().noneMatch(o -> o.getKind().equals("ClusterWorkspace")));
  }

  @Test
  void workspaceMistakesAreNamed() {
    assertFailure("workspace.adminKeySecret.name is required", t -> t.set("workspace.adminKeySecret.name", ""));
    assertFailure("not both", t -> t.set("workspace.baseUrl", "https://skm.idmelon.example.com"));
    assertFailure("workspace.baseUrl must start with https://",
        t -> t.set("workspace.region", "").set("workspace.baseUrl", "http://skm.idmelon.example.com"));
    assertFailure("replicaCount > 1 needs leaderElection.enabled",
        t -> t.set("replicaCount", 2).set("leaderElection.enabled", false));
    assertFailure("metrics.port and health.port must differ", t -> t.set("health.port", 8080));
  }

  private static ClusterWorkspace workspace(List<HasMetadata> objects) {
    HasMetadata rendered = objects.stream().filter(o -> o.getKind().equals("ClusterWorkspace")).findFirst().orElseThrow();
    return Serialization.unmarshal(Serialization.asYaml(rendered), ClusterWorkspace.class);
  }

  @Test
  void optionalObjectsAreOffByDefault() {
    List<String> kinds = render(t -> t).stream().map(HasMetadata::getKind).toList();
    assertFalse(kinds.contains("ServiceMonitor"));
    assertFalse(kinds.contains("PrometheusRule"));
    assertFalse(kinds.contains("PodDisruptionBudget"));
    List<String> all = render(t -> t.set("metrics.serviceMonitor.enabled", true)
        .set("metrics.prometheusRule.enabled", true).set("podDisruptionBudget.enabled", true))
        .stream().map(HasMetadata::getKind).toList();
    assertTrue(all.containsAll(List.of("ServiceMonitor", "PrometheusRule", "PodDisruptionBudget", "Service")), all.toString());
  }

  @Test
  void theAlertsCoverExpiryReadinessAndOverdueScheduledRotations() {
    HasMetadata rule = render(t -> t.set("metrics.prometheusRule.enabled", true)
        .set("metrics.prometheusRule.rotationOverdueMinutes", 30)).stream()
        .filter(o -> o.getKind().equals("PrometheusRule")).findFirst().orElseThrow();
    com.fasterxml.jackson.databind.JsonNode rules = Serialization.jsonMapper().valueToTree(rule)
        .path("spec").path("groups").get(0).path("rules");
    java.util.Map<String, String> exprs = new java.util.HashMap<>();
    rules.forEach(r -> exprs.put(r.path("alert").asText(), r.path("expr").asText()));
    assertEquals(java.util.Set.of("IdmelonApiKeyExpiringSoon", "IdmelonApiKeyRotationOverdue", "IdmelonApiKeyNotReady"),
        exprs.keySet());
    assertEquals("(time() - idmelon_apikey_next_rotation_timestamp_seconds) > 1800",
        exprs.get("IdmelonApiKeyRotationOverdue"), "the gauge the operator exports, late by the configured minutes");
  }

  private static void assertFailure(String message, UnaryOperator<TemplateCommand> values) {
    Exception e = assertThrows(Exception.class, () -> render(values));
    assertTrue(e.getMessage().contains(message), e.getMessage());
  }

  static String env(Container container, String name) {
    return container.getEnv().stream().filter(e -> e.getName().equals(name)).findFirst().orElseThrow().getValue();
  }

}
