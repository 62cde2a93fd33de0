package com.idmelon.operator.workspace;

import static com.idmelon.operator.support.OperatorHarness.apiKey;
import static com.idmelon.operator.support.OperatorHarness.data;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.idmelon.operator.crd.v1alpha1.AdminKeySecretRef;
import com.idmelon.operator.crd.v1alpha1.AllowedNamespaces;
import com.idmelon.operator.crd.v1alpha1.ApiKey;
import com.idmelon.operator.crd.v1alpha1.ClusterWorkspace;
import com.idmelon.operator.crd.v1alpha1.KeyPolicy;
import com.idmelon.operator.crd.v1alpha1.Workspace;
import com.idmelon.operator.crd.v1alpha1.WorkspaceRef;
import com.idmelon.operator.crd.v1alpha1.WorkspaceSpec;
import com.idmelon.operator.idmelon.HttpIdmelonClient;
import com.idmelon.operator.idmelon.IssuedKey;
import com.idmelon.operator.idmelon.KeyType;
import com.idmelon.operator.idmelon.SecretValue;
import com.idmelon.operator.quickstart.WorkspaceBootstrap;
import com.idmelon.operator.reconciler.Reasons;
import com.idmelon.operator.simulator.IdmelonSimulator;
import com.idmelon.operator.simulator.SimulatedKey;
import com.idmelon.operator.support.OperatorHarness;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Workspaces as a user meets them: which one an ApiKey uses, the policy before any IDmelon call, readiness and
 * recovery, isolation between workspaces on their own simulators, key name prefixes, credential rotation by a Secret
 * edit, self-rotation through an Admin ApiKey, and deletion when the workspace is gone.
 */
class WorkspacesTest {
  private static final Duration DELETION_WAIT = Duration.ofSeconds(2);

  @RegisterExtension
  static final OperatorHarness harness = OperatorHarness.shared(o -> o.withDeletionWait(DELETION_WAIT));

  private final List<IdmelonSimulator> simulators = new ArrayList<>();

  @AfterEach
  void stopSimulators() {
    simulators.forEach(IdmelonSimulator::close);
  }

  private IdmelonSimulator simulator(SecretValue adminKey) throws IOException {
    IdmelonSimulator simulator = IdmelonSimulator.builder(adminKey).start();
    simulators.add(simulator);
    return simulator;
  }

  private static SecretValue randomKey() {
    return SecretValue.of("admin-" + System.nanoTime());
  }

  private static ClusterWorkspace clusterWorkspace(String name, IdmelonSimulator simulator, SecretValue key,
      Consumer<com.idmelon.operator.crd.v1alpha1.ClusterWorkspaceSpec> adjust) {
    return WorkspaceBootstrap.clusterWorkspace(harness.client, name, simulator.baseUrl().toString(),
        simulator.keysPath(), key, adjust);
  }

  private static ApiKey using(ApiKey apiKey, String kind, String name) {
    apiKey.getSpec().setWorkspaceRef(new WorkspaceRef(kind, name));
    return apiKey;
  }

  private static String readyReason(String kind, String namespace, String name) {
    var workspace = kind.equals(WorkspaceRef.WORKSPACE)
        ? harness.client.resources(Workspace.class).inNamespace(namespace).withName(name).get()
        : harness.client.resources(ClusterWorkspace.class).withName(name).get();
    return workspace == null || workspace.getStatus() == null ? null
        : workspace.getStatus().condition("Ready").map(c -> c.getReason()).orElse(null);
  }

  private static long keyCalls(IdmelonSimulator simulator) {
    return simulator.requests().stream().filter(r -> r.path().startsWith(simulator.keysPath())).count();
  }

  private static long checks(IdmelonSimulator simulator) {
    return simulator.requests().stream().filter(r -> r.path().equals(IdmelonSimulator.STATISTICS_PATH)).count();
  }

  private static long refusals(IdmelonSimulator simulator) {
    return simulator.requests().stream().filter(r -> r.status() == 401).count();
  }

  private static void namespace(String name, Map<String, String> labels) {
    harness.client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).withLabels(labels)
        .endMetadata().build()).createOr(NonDeletingOperation::update);
  }

  @Test
  void anApiKeyUsesTheDefaultClusterWorkspaceANamespacedWorkspaceOrANamedOneAndSeesNoOtherKeys() throws IOException {
    String ns = harness.newNamespace();
    SecretValue teamKey = randomKey();
    IdmelonSimulator team = simulator(teamKey);
    harness.client.resource(new SecretBuilder().withNewMetadata().withName("team-key").withNamespace(ns).endMetadata()
        .addToData("adminKey", Base64.getEncoder().encodeToString(teamKey.reveal().getBytes(StandardCharsets.UTF_8)))
        .build()).create();
    Workspace workspace = new Workspace();
    workspace.getMetadata().setName("team");
    workspace.getMetadata().setNamespace(ns);
    WorkspaceSpec spec = new WorkspaceSpec();
    spec.setBaseUrl(team.baseUrl().toString());
    spec.setAdminKeySecretRef(new AdminKeySecretRef("team-key", null, null));
    workspace.setSpec(spec);
    harness.client.resource(workspace).create();

    harness.create(apiKey(ns, "default-one", KeyType.Clients));
    harness.create(using(apiKey(ns, "team-one", KeyType.Clients), WorkspaceRef.WORKSPACE, "team"));
    ApiKey viaDefault = harness.awaitReady(ns, "default-one", true, Reasons.ISSUED);
    ApiKey viaTeam = harness.awaitReady(ns, "team-one", true, Reasons.ISSUED);

    assertEquals(new WorkspaceRef(WorkspaceRef.CLUSTER_WORKSPACE, "default"), viaDefault.getStatus().getWorkspace());
    assertEquals(new WorkspaceRef(WorkspaceRef.WORKSPACE, "team"), viaTeam.getStatus().getWorkspace());
    assertTrue(team.key(viaTeam.getStatus().getKeyId()).isPresent(), "issued by the team's IDmelon");
    assertTrue(harness.simulator().key(viaTeam.getStatus().getKeyId()).isEmpty(), "not by the default one");
    assertTrue(team.key(viaDefault.getStatus().getKeyId()).isEmpty(), "the team's IDmelon never sees the other key");
    assertTrue(team.authenticate(data(harness.secret(ns, "team-one"), "apiKey")).isPresent());
    await().atMost(20, TimeUnit.SECONDS).until(() -> Integer.valueOf(1).equals(harness.client
        .resources(Workspace.class).inNamespace(ns).withName("team").get().getStatus().getApiKeys()));
  }

  @Test
  void aMissingWorkspaceIsReportedAndTheApiKeyRecoversWhenItAppears() throws IOException {
    String ns = harness.newNamespace();
    harness.create(using(apiKey(ns, "early", KeyType.Clients), WorkspaceRef.CLUSTER_WORKSPACE, "late-" + ns));
    ApiKey waiting = harness.awaitReady(ns, "early", false, Reasons.WORKSPACE_NOT_READY);
    assertTrue(waiting.getStatus().condition("Ready").get().getMessage().contains("late-" + ns),
        "the message names the workspace");

    SecretValue key = randomKey();
    clusterWorkspace("late-" + ns, simulator(key), key, s -> { });
    harness.awaitReady(ns, "early", true, Reasons.ISSUED);
  }

  @Test
  void eachPolicyRuleDeniesWithoutAnyIdmelonCallAndAllowsOtherwise() throws IOException {
    String allowed = harness.newNamespace();
    String labelled = harness.newNamespace();
    String other = harness.newNamespace();
    namespace(allowed, Map.of());
    namespace(labelled, Map.of());
    namespace(other, Map.of());
    SecretValue key = randomKey();
    IdmelonSimulator strict = simulator(key);
    String name = "strict-" + allowed;
    clusterWorkspace(name, strict, key, spec -> {
      AllowedNamespaces namespaces = new AllowedNamespaces();
      namespaces.setNames(List.of(allowed));
      namespaces.setSelector(new LabelSelectorBuilder().addToMatchLabels("team", "blue").build());
      spec.setAllowedNamespaces(namespaces);
      KeyPolicy policy = new KeyPolicy();
      policy.setAllowedTypes(List.of(KeyType.Clients));
      policy.setMaxLifetime("720h");
      spec.setKeyPolicy(policy);
    });
    await().atMost(20, TimeUnit.SECONDS).until(() -> "Valid".equals(readyReason("ClusterWorkspace", null, name)));
    strict.clearRequests();

    ApiKey outsider = using(apiKey(other, "outsider", KeyType.Clients), WorkspaceRef.CLUSTER_WORKSPACE, name);
    outsider.getSpec().setDuration("24h");
    harness.create(outsider);
    ApiKey admin = using(apiKey(allowed, "admin", KeyType.Admin), WorkspaceRef.CLUSTER_WORKSPACE, name);
    admin.getSpec().setDuration("24h");
    harness.create(admin);
    ApiKey forever = using(apiKey(allowed, "forever", KeyType.Clients), WorkspaceRef.CLUSTER_WORKSPACE, name);
    harness.create(forever);
    ApiKey tooLong = using(apiKey(allowed, "too-long", KeyType.Clients), WorkspaceRef.CLUSTER_WORKSPACE, name);
    tooLong.getSpec().setDuration("721h");
    harness.create(tooLong);

    assertDenied(other, "outsider", "allowedNamespaces");
    assertDenied(allowed, "admin", "allowedTypes");
    assertDenied(allowed, "forever", "maxLifetime");
    assertDenied(allowed, "too-long", "maxLifetime");
    assertEquals(0, keyCalls(strict), "a denial makes no IDmelon call: " + strict.requests());

    ApiKey fine = using(apiKey(allowed, "fine", KeyType.Clients), WorkspaceRef.CLUSTER_WORKSPACE, name);
    fine.getSpec().setDuration("720h");
    harness.create(fine);
    harness.awaitReady(allowed, "fine", true, Reasons.ISSUED);

    // a namespace labelled later is allowed from then on, without touching the ApiKey
    ApiKey later = using(apiKey(labelled, "later", KeyType.Clients), WorkspaceRef.CLUSTER_WORKSPACE, name);
    later.getSpec().setDuration("24h");
    harness.create(later);
    assertDenied(labelled, "later", "allowedNamespaces");
    namespace(labelled, Map.of("team", "blue"));
    harness.awaitReady(labelled, "later", true, Reasons.ISSUED);
  }

  @Test
  void aTightenedPolicyRevokesNothingStopsRotationsAndDeletionStillRevokes() throws IOException {
    String ns = harness.newNamespace();
    SecretValue key = randomKey();
    IdmelonSimulator idmelon = simulator(key);
    String name = "tightening-" + ns;
    clusterWorkspace(name, idmelon, key, s -> { });
    harness.create(using(apiKey(ns, "existing", KeyType.SharedMobile), WorkspaceRef.CLUSTER_WORKSPACE, name));
    String keyId = harness.awaitReady(ns, "existing", true, Reasons.ISSUED).getStatus().getKeyId();

    ClusterWorkspace tightened = OperatorHarness.retryOnConflict(() -> harness.client.resources(ClusterWorkspace.class)
        .withName(name).edit(w -> {
          KeyPolicy policy = new KeyPolicy();
          policy.setAllowedTypes(List.of(KeyType.Clients));
          w.getSpec().setKeyPolicy(policy);
          return w;
        }));
    await().atMost(20, TimeUnit.SECONDS).until(() -> tightened.getMetadata().getGeneration().equals(harness.client
        .resources(ClusterWorkspace.class).withName(name).get().getStatus().getObservedGeneration()));
    harness.client.resources(ApiKey.class).inNamespace(ns).withName("existing").edit(k -> {
      k.getMetadata().getAnnotations().put(ApiKey.RESET_ANNOTATION, "rotate-now");
      return k;
    });
    ApiKey denied = harness.awaitReady(ns, "existing", false, Reasons.WORKSPACE_DENIED);
    assertTrue(denied.getStatus().condition("Ready").get().getMessage().contains("no longer rotated"));
    assertEquals(keyId, denied.getStatus().getKeyId(), "not rotated");
    assertTrue(idmelon.key(keyId).isPresent(), "not revoked");
    assertTrue(idmelon.authenticate(data(harness.secret(ns, "existing"), "apiKey")).isPresent(), "still works");

    // loosened again: the denial lifts at once and the rotation asked for meanwhile happens, once
    OperatorHarness.retryOnConflict(() -> harness.client.resources(ClusterWorkspace.class).withName(name).edit(w -> {
      w.getSpec().setKeyPolicy(null);
      return w;
    }));
    harness.awaitReady(ns, "existing", true, Reasons.REPLACED);

    harness.client.resources(ApiKey.class).inNamespace(ns).withName("existing").delete();
    await().atMost(20, TimeUnit.SECONDS).until(() -> harness.get(ns, "existing") == null);
    assertEquals(List.of(), idmelon.keys(), "deleting the ApiKey still revokes its key");
  }

  @Test
  void anUnreadableLifetimeUnderAMaxLifetimePolicyIsAnInvalidSpecNotAFailure() throws IOException {
    String ns = harness.newNamespace();
    SecretValue key = randomKey();
    String name = "bounded-" + ns;
    clusterWorkspace(name, simulator(key), key, spec -> {
      KeyPolicy policy = new KeyPolicy();
      policy.setMaxLifetime("24h");
      spec.setKeyPolicy(policy);
    });
    ApiKey garbled = using(apiKey(ns, "garbled", KeyType.Clients), WorkspaceRef.CLUSTER_WORKSPACE, name);
    garbled.getSpec().setExpiresAt("next tuesday");
    assertTrue(harness.plantRefused(garbled).contains("spec.expiresAt"), "a cluster refuses it");
    ApiKey reported = harness.awaitReady(ns, "garbled", false, Reasons.INVALID_SPEC);
    assertTrue(reported.getStatus().condition("Ready").get().getMessage().contains("spec.expiresAt"));
  }

  private static void assertDenied(String ns, String name, String rule) {
    ApiKey denied = harness.awaitReady(ns, name, false, Reasons.WORKSPACE_DENIED);
    String message = denied.getStatus().condition("Ready").get().getMessage();
    assertTrue(message.contains(rule), name + ": " + message);
  }

  @Test
  void aWorkspaceDownForAWhileDoesNotDelayIssuingInAnother() throws IOException {
    String ns = harness.newNamespace();
    SecretValue downKey = randomKey();
    IdmelonSimulator down = simulator(downKey);
    clusterWorkspace("down-" + ns, down, downKey, s -> { });
    SecretValue upKey = randomKey();
    IdmelonSimulator up = simulator(upKey);
    clusterWorkspace("up-" + ns, up, upKey, s -> { });
    await().atMost(20, TimeUnit.SECONDS).until(() -> "Valid".equals(readyReason("ClusterWorkspace", null, "up-" + ns))
        && "Valid".equals(readyReason("ClusterWorkspace", null, "down-" + ns)));

    down.faults().rateLimit(1.0, 60);
    for (int i = 0; i < 3; i++) {
      harness.create(using(apiKey(ns, "slow-" + i, KeyType.Clients), WorkspaceRef.CLUSTER_WORKSPACE, "down-" + ns));
    }
    for (int i = 0; i < 3; i++) {
      harness.awaitReady(ns, "slow-" + i, false, Reasons.IDMELON_UNAVAILABLE);
    }
    for (int i = 0; i < 5; i++) {
      harness.create(using(apiKey(ns, "fast-" + i, KeyType.Clients), WorkspaceRef.CLUSTER_WORKSPACE, "up-" + ns));
    }
    for (int i = 0; i < 5; i++) {
      harness.awaitReady(ns, "fast-" + i, true, Reasons.ISSUED, Duration.ofSeconds(10));
    }
    assertEquals(0, up.requests().stream().filter(r -> r.status() == 429).count(), "the other workspace's 429s stay there");
    assertEquals(5, up.keys().size(), "the fast workspace holds exactly its own keys");
  }

  @Test
  void keyNamePrefixMarksEveryKeyTheOperatorCreatesThere() throws IOException {
    String ns = harness.newNamespace();
    SecretValue key = randomKey();
    IdmelonSimulator prefixed = simulator(key);
    clusterWorkspace("prefixed-" + ns, prefixed, key, s -> s.setKeyNamePrefix("k8s-test/"));
    harness.create(using(apiKey(ns, "named", KeyType.Clients), WorkspaceRef.CLUSTER_WORKSPACE, "prefixed-" + ns));
    ApiKey named = harness.awaitReady(ns, "named", true, Reasons.ISSUED);
    assertEquals("k8s-test/Key named", named.getStatus().getKeyName());
    assertEquals("k8s-test/Key named", prefixed.key(named.getStatus().getKeyId()).orElseThrow().name());
  }

  @Test
  void editingTheWorkspacesSecretSwitchesItsAdminKeyWithoutAFailedCall() throws IOException {
    String ns = harness.newNamespace();
    SecretValue bootstrap = randomKey();
    IdmelonSimulator idmelon = simulator(bootstrap);
    HttpIdmelonClient panel = new HttpIdmelonClient(idmelon.baseUrl(), idmelon.keysPath(), () -> bootstrap,
        Duration.ofSeconds(2), Duration.ofSeconds(5));
    IssuedKey first = panel.create("operator key 1", KeyType.Admin, null);
    IssuedKey second = panel.create("operator key 2", KeyType.Admin, null);
    String name = "rotating-" + ns;
    clusterWorkspace(name, idmelon, first.value(), s -> { });
    harness.create(using(apiKey(ns, "before", KeyType.Clients), WorkspaceRef.CLUSTER_WORKSPACE, name));
    harness.awaitReady(ns, "before", true, Reasons.ISSUED);

    // the checks after creation (the workspace, then its Secret appearing) are done
    await().atMost(20, TimeUnit.SECONDS).until(() -> checks(idmelon) >= 2);
    long before = checks(idmelon);
    harness.client.secrets().inNamespace(WorkspaceBootstrap.SYSTEM_NAMESPACE).withName(name + "-admin-key").edit(s -> {
      s.getData().put("adminKey", Base64.getEncoder().encodeToString(second.value().reveal().getBytes(StandardCharsets.UTF_8)));
      return s;
    });
    // the edit made the operator check the new key before the old one goes
    await().atMost(20, TimeUnit.SECONDS).until(() -> checks(idmelon) > before);
    panel.delete(first.key().id());

    harness.create(using(apiKey(ns, "after", KeyType.Clients), WorkspaceRef.CLUSTER_WORKSPACE, name));
    harness.awaitReady(ns, "after", true, Reasons.ISSUED);
    assertEquals(0, refusals(idmelon), "no IDmelon call failed with 401: " + idmelon.requests());
  }

  @Test
  void aWorkspaceWhoseAdminKeyIsAnAdminApiKeysSecretRotatesItsOwnCredential() throws IOException {
    String ns = harness.newNamespace();
    SecretValue bootstrap = randomKey();
    IdmelonSimulator idmelon = simulator(bootstrap);
    HttpIdmelonClient panel = new HttpIdmelonClient(idmelon.baseUrl(), idmelon.keysPath(), () -> bootstrap,
        Duration.ofSeconds(2), Duration.ofSeconds(5));
    IssuedKey handMade = panel.create("hand-made bootstrap key", KeyType.Admin, null);
    String name = "self-" + ns;
    clusterWorkspace(name, idmelon, handMade.value(), s -> { });
    // 1. an Admin ApiKey from that workspace
    harness.create(using(apiKey(ns, "credential", KeyType.Admin), WorkspaceRef.CLUSTER_WORKSPACE, name));
    harness.awaitReady(ns, "credential", true, Reasons.ISSUED);
    // 2. the workspace now reads its Admin key from that ApiKey's Secret; 3. the hand-made key is deleted
    ClusterWorkspace pointed = OperatorHarness.retryOnConflict(() -> harness.client.resources(ClusterWorkspace.class)
        .withName(name).edit(w -> {
          w.getSpec().setAdminKeySecretRef(new AdminKeySecretRef("credential", ns, "apiKey"));
          return w;
        }));
    // the operator checked the workspace with its new Secret (observed the edited generation) before the old key goes
    await().atMost(20, TimeUnit.SECONDS).until(() -> {
      ClusterWorkspace now = harness.client.resources(ClusterWorkspace.class).withName(name).get();
      return now.getStatus() != null && pointed.getMetadata().getGeneration().equals(now.getStatus().getObservedGeneration())
          && now.getStatus().condition("Ready").map(c -> c.getReason().equals("Valid")).orElse(false);
    });
    panel.delete(handMade.key().id());
    idmelon.clearRequests();

    // the operator resets its own credential: the reset is authenticated by the old value, all later calls by the new
    String before = data(harness.secret(ns, "credential"), "apiKey");
    harness.client.resources(ApiKey.class).inNamespace(ns).withName("credential").edit(k -> {
      k.getMetadata().getAnnotations().put(ApiKey.RESET_ANNOTATION, "rotate-my-own-key");
      return k;
    });
    harness.awaitReady(ns, "credential", true, Reasons.RESET);
    String after = data(harness.secret(ns, "credential"), "apiKey");
    assertTrue(!before.equals(after) && idmelon.authenticate(before).isEmpty(), "the old value is dead");

    harness.create(using(apiKey(ns, "issued-after", KeyType.Clients), WorkspaceRef.CLUSTER_WORKSPACE, name));
    harness.awaitReady(ns, "issued-after", true, Reasons.ISSUED);
    await().atMost(20, TimeUnit.SECONDS).until(() -> "Valid".equals(readyReason("ClusterWorkspace", null, name)));
    assertEquals(0, refusals(idmelon), "no IDmelon call failed with 401: " + idmelon.requests());
  }

  @Test
  void deletingAnApiKeyAfterItsWorkspaceReleasesItWithAWarningNamingTheKey() throws IOException {
    String ns = harness.newNamespace();
    SecretValue key = randomKey();
    IdmelonSimulator idmelon = simulator(key);
    String name = "gone-" + ns;
    clusterWorkspace(name, idmelon, key, s -> { });
    harness.create(using(apiKey(ns, "orphaned", KeyType.Clients), WorkspaceRef.CLUSTER_WORKSPACE, name));
    String keyId = harness.awaitReady(ns, "orphaned", true, Reasons.ISSUED).getStatus().getKeyId();

    harness.client.resources(ClusterWorkspace.class).withName(name).delete();
    harness.client.resources(ApiKey.class).inNamespace(ns).withName("orphaned").delete();
    await().atMost(20, TimeUnit.SECONDS).until(() -> harness.get(ns, "orphaned") == null);
    var warning = harness.events(ns, "orphaned").stream().filter(e -> Reasons.KEY_NOT_REVOKED.equals(e.getReason()))
        .findFirst().orElse(null);
    assertNotNull(warning, "a Warning names the key left in IDmelon");
    assertTrue(warning.getMessage().contains(keyId), warning.getMessage());
    assertTrue(idmelon.key(keyId).isPresent(), "nothing could revoke it");
  }

  @Test
  void aRetainedApiKeyIsDeletedAtOnceEvenWhenItsWorkspaceIsUnusable() throws IOException {
    String ns = harness.newNamespace();
    SecretValue key = randomKey();
    IdmelonSimulator idmelon = simulator(key);
    String name = "broken-" + ns;
    clusterWorkspace(name, idmelon, key, s -> { });
    ApiKey kept = using(apiKey(ns, "kept", KeyType.Clients), WorkspaceRef.CLUSTER_WORKSPACE, name);
    kept.getSpec().setDeletionPolicy(com.idmelon.operator.crd.v1alpha1.DeletionPolicy.Retain);
    harness.create(kept);
    String keyId = harness.awaitReady(ns, "kept", true, Reasons.ISSUED).getStatus().getKeyId();

    // the workspace's spec becomes unusable (the Admin key may not travel over plain http to another host)
    OperatorHarness.retryOnConflict(() -> harness.client.resources(ClusterWorkspace.class).withName(name).edit(w -> {
      w.getSpec().setBaseUrl("http://idmelon.example.com");
      return w;
    }));
    await().atMost(20, TimeUnit.SECONDS).until(() -> "InvalidSpec".equals(readyReason("ClusterWorkspace", null, name)));
    harness.client.resources(ApiKey.class).inNamespace(ns).withName("kept").delete();
    await().atMost(10, TimeUnit.SECONDS).until(() -> harness.get(ns, "kept") == null);
    assertTrue(idmelon.key(keyId).isPresent(), "retained");
  }

  @Test
  void deletingAnApiKeyWhoseWorkspaceIsDownKeepsRetrying() throws IOException {
    String ns = harness.newNamespace();
    SecretValue key = randomKey();
    IdmelonSimulator idmelon = simulator(key);
    String name = "flaky-" + ns;
    clusterWorkspace(name, idmelon, key, s -> { });
    harness.create(using(apiKey(ns, "waiting", KeyType.Clients), WorkspaceRef.CLUSTER_WORKSPACE, name));
    String keyId = harness.awaitReady(ns, "waiting", true, Reasons.ISSUED).getStatus().getKeyId();

    idmelon.faults().outage(true);
    harness.client.resources(ApiKey.class).inNamespace(ns).withName("waiting").delete();
    await().during(DELETION_WAIT.multipliedBy(2)).atMost(DELETION_WAIT.multipliedBy(3))
        .until(() -> harness.get(ns, "waiting") != null);
    idmelon.faults().outage(false);
    await().atMost(20, TimeUnit.SECONDS).until(() -> harness.get(ns, "waiting") == null);
    assertTrue(idmelon.key(keyId).isEmpty(), "revoked once IDmelon answered");
    List<SimulatedKey> left = idmelon.keys();
    assertEquals(List.of(), left);
  }
}
