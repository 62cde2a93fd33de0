package com.idmelon.operator.quickstart;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.idmelon.operator.support.Kubectl;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Deleting an owner deletes, orphans or waits for its dependents as a cluster's garbage collector does. */
class GarbageCollectorTest {
  private static final AtomicInteger NAMESPACES = new AtomicInteger();
  private static final Duration COLLECTED = Duration.ofSeconds(10);
  private static EmbeddedKubernetes kubernetes;
  private static KubernetesClient client;

  @BeforeAll
  static void start() {
    kubernetes = EmbeddedKubernetes.start(0);
    client = kubernetes.newClient();
  }

  @AfterAll
  static void stop() {
    client.close();
    kubernetes.close();
  }

  @Test
  void deletingAnOwnerDeletesItsDependentsAndWatchesSeeThemGo() {
    String ns = namespace();
    ConfigMap owner = configMap(ns, "owner");
    secret(ns, "dependent", List.of(ownedBy(owner)), List.of());
    List<String> seen = new CopyOnWriteArrayList<>();
    try (Watch watch = client.secrets().inNamespace(ns).watch(new Watcher<>() {
      @Override
      public void eventReceived(Action action, Secret secret) {
        seen.add(action + " " + secret.getMetadata().getName());
      }

      @Override
      public void onClose(WatcherException cause) {
      }
    })) {
      awaitCollectorCaughtUp(ns);
      assertNotNull(secretNamed(ns, "dependent"), "a dependent stays while its owner lives");

      client.resource(owner).delete();

      await().atMost(COLLECTED).until(() -> secretNamed(ns, "dependent") == null);
      await().atMost(COLLECTED).until(() -> seen.contains("DELETED dependent"));
    }
  }

  @Test
  void aDependentWithAFinalizerIsMarkedAndStaysUntilItsFinalizerGoes() {
    String ns = namespace();
    ConfigMap owner = configMap(ns, "owner");
    secret(ns, "held", List.of(ownedBy(owner)), List.of("example.com/hold"));

    client.resource(owner).delete();

    await().atMost(COLLECTED).until(() -> secretNamed(ns, "held").getMetadata().getDeletionTimestamp() != null);
    release(client.secrets().inNamespace(ns).withName("held"));
    await().atMost(COLLECTED).until(() -> secretNamed(ns, "held") == null);
  }

  @Test
  void deletionCascadesDownAChainOfOwners() {
    String ns = namespace();
    ConfigMap top = configMap(ns, "top");
    ConfigMap middle = client.resource(new ConfigMapBuilder().withNewMetadata().withName("middle").withNamespace(ns)
        .withOwnerReferences(ownedBy(top)).endMetadata().build()).create();
    secret(ns, "bottom", List.of(ownedBy(middle)), List.of());

    client.resource(top).delete();

    await().atMost(COLLECTED).until(() -> secretNamed(ns, "bottom") == null);
    assertNull(client.configMaps().inNamespace(ns).withName("middle").get());
  }

  @Test
  void aDependentOfSeveralOwnersGoesWithTheLastOfThem() {
    String ns = namespace();
    ConfigMap first = configMap(ns, "first");
    ConfigMap second = configMap(ns, "second");
    secret(ns, "shared", List.of(ownedBy(first), ownedBy(second)), List.of());

    client.resource(first).delete();
    await().atMost(COLLECTED).until(() -> secretNamed(ns, "shared").getMetadata().getOwnerReferences().size() == 1);
    assertEquals(second.getMetadata().getUid(),
        secretNamed(ns, "shared").getMetadata().getOwnerReferences().get(0).getUid(),
        "the reference to the deleted owner is removed, the other kept");

    client.resource(second).delete();
    await().atMost(COLLECTED).until(() -> secretNamed(ns, "shared") == null);
  }

  @Test
  void foregroundDeletionKeepsTheOwnerVisibleUntilItsBlockingDependentsAreGone() {
    String ns = namespace();
    ConfigMap owner = configMap(ns, "owner");
    OwnerReference blocking = new OwnerReferenceBuilder(ownedBy(owner)).withBlockOwnerDeletion(true).build();
    secret(ns, "blocker", List.of(blocking), List.of("example.com/hold"));
    secret(ns, "plain", List.of(ownedBy(owner)), List.of());

    client.configMaps().inNamespace(ns).withName("owner").withPropagationPolicy(DeletionPropagation.FOREGROUND)
        .delete();

    ConfigMap deleting = client.configMaps().inNamespace(ns).withName("owner").get();
    assertNotNull(deleting.getMetadata().getDeletionTimestamp());
    assertTrue(deleting.getMetadata().getFinalizers().contains("foregroundDeletion"));
    await().atMost(COLLECTED).until(() -> secretNamed(ns, "plain") == null);
    await().atMost(COLLECTED).until(() -> secretNamed(ns, "blocker").getMetadata().getDeletionTimestamp() != null);
    awaitCollectorCaughtUp(ns);
    assertNotNull(client.configMaps().inNamespace(ns).withName("owner").get(), "the owner waits for its blocker");

    release(client.secrets().inNamespace(ns).withName("blocker"));
    await().atMost(COLLECTED).until(() -> client.configMaps().inNamespace(ns).withName("owner").get() == null);
  }

  @Test
  void orphanDeletionAsKubectlSendsItLeavesTheDependentsWithoutTheirOwner() throws Exception {
    String ns = namespace();
    ConfigMap owner = configMap(ns, "owner");
    ConfigMap other = configMap(ns, "other");
    secret(ns, "orphan", List.of(ownedBy(owner), ownedBy(other)), List.of());

    // kubectl delete configmap owner --cascade=orphan
    HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder()
        .uri(URI.create(kubernetes.url() + "/api/v1/namespaces/" + ns + "/configmaps/owner"))
        .header("Content-Type", "application/json")
        .header("User-Agent", "kubectl/v1.32.4 (linux/amd64) kubernetes/4cb5f07")
        .method("DELETE", HttpRequest.BodyPublishers.ofString(
            "{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\",\"propagationPolicy\":\"Orphan\"}"))
        .build(), HttpResponse.BodyHandlers.ofString());

    assertEquals(200, response.statusCode());
    await().atMost(COLLECTED).until(() -> client.configMaps().inNamespace(ns).withName("owner").get() == null);
    Secret orphan = secretNamed(ns, "orphan");
    assertEquals(List.of(other.getMetadata().getUid()),
        orphan.getMetadata().getOwnerReferences().stream().map(OwnerReference::getUid).toList());
  }

  @Test
  void theOldOrphanDependentsOptionOrphansToo() throws Exception {
    String ns = namespace();
    ConfigMap owner = configMap(ns, "owner");
    secret(ns, "orphan", List.of(ownedBy(owner)), List.of());

    HttpClient.newHttpClient().send(HttpRequest.newBuilder()
        .uri(URI.create(kubernetes.url() + "/api/v1/namespaces/" + ns + "/configmaps/owner?orphanDependents=true"))
        .DELETE().build(), HttpResponse.BodyHandlers.ofString());

    await().atMost(COLLECTED).until(() -> client.configMaps().inNamespace(ns).withName("owner").get() == null);
    awaitCollectorCaughtUp(ns);
    assertTrue(secretNamed(ns, "orphan").getMetadata().getOwnerReferences().isEmpty());
  }

  @Test
  void anOwnerHeldByAFinalizerKeepsItsDependentsUntilItGoes() {
    String ns = namespace();
    ConfigMap owner = client.resource(new ConfigMapBuilder().withNewMetadata().withName("owner").withNamespace(ns)
        .withFinalizers("example.com/hold").endMetadata().build()).create();
    secret(ns, "dependent", List.of(ownedBy(owner)), List.of());

    client.resource(owner).delete();
    awaitCollectorCaughtUp(ns);
    assertNotNull(client.configMaps().inNamespace(ns).withName("owner").get().getMetadata().getDeletionTimestamp());
    assertNotNull(secretNamed(ns, "dependent"), "the owner still exists: its dependents stay");

    release(client.configMaps().inNamespace(ns).withName("owner"));
    await().atMost(COLLECTED).until(() -> secretNamed(ns, "dependent") == null);
  }

  @Test
  void anOwnerInAnotherNamespaceDoesNotResolveSoItsDependentIsCollectedAtOnceAsOnACluster() {
    String ns = namespace();
    String elsewhere = namespace();
    ConfigMap owner = configMap(ns, "owner");
    secret(ns, "beside", List.of(ownedBy(owner)), List.of());
    secret(elsewhere, "across", List.of(ownedBy(owner)), List.of());

    await().atMost(COLLECTED).until(() -> secretNamed(elsewhere, "across") == null);
    awaitCollectorCaughtUp(ns);
    assertNotNull(client.configMaps().inNamespace(ns).withName("owner").get(), "the owner is untouched");
    assertNotNull(secretNamed(ns, "beside"), "a dependent in the owner's namespace stays");
  }

  @Test
  void aDependentWrittenAfterItsOwnerIsGoneIsCollected() {
    String ns = namespace();
    ConfigMap owner = configMap(ns, "owner");
    client.resource(owner).delete();
    awaitCollectorCaughtUp(ns);

    secret(ns, "late", List.of(ownedBy(owner)), List.of());

    await().atMost(COLLECTED).until(() -> secretNamed(ns, "late") == null);
  }

  @Test
  void dependentsOfAClusterScopedOwnerAreCollectedInAnyNamespace() {
    String ns = namespace();
    var owner = client.resource(new NamespaceBuilder().withNewMetadata().withName("owner-" + ns).endMetadata()
        .build()).create();
    secret(ns, "dependent", List.of(ownedBy(owner)), List.of());
    awaitCollectorCaughtUp(ns);
    assertNotNull(secretNamed(ns, "dependent"));

    client.resource(owner).delete();

    await().atMost(COLLECTED).until(() -> secretNamed(ns, "dependent") == null);
  }

  @Test
  void kubectlDeleteWithForegroundCascadeReturnsOnceTheDependentsAndTheOwnerAreGone(@TempDir Path dir) {
    assumeTrue(Kubectl.available());
    String ns = namespace();
    ConfigMap owner = configMap(ns, "owner");
    OwnerReference blocking = new OwnerReferenceBuilder(ownedBy(owner)).withBlockOwnerDeletion(true).build();
    secret(ns, "dependent", List.of(blocking), List.of());

    Kubectl.Result deleted = new Kubectl(kubernetes, dir)
        .run("delete", "configmap", "owner", "-n", ns, "--cascade=foreground");

    assertEquals(0, deleted.exitCode(), deleted::toString);
    assertNull(secretNamed(ns, "dependent"));
    assertNull(client.configMaps().inNamespace(ns).withName("owner").get());
  }

  /**
   * Waits until the collector has handled every change made so far: it handles them in order, so once an owner
   * deleted now has lost its dependent, everything before is done.
   */
  private static void awaitCollectorCaughtUp(String ns) {
    String name = "barrier-" + NAMESPACES.incrementAndGet();
    ConfigMap owner = configMap(ns, name);
    secret(ns, name, List.of(ownedBy(owner)), List.of());
    client.resource(owner).delete();
    await().atMost(COLLECTED).until(() -> secretNamed(ns, name) == null);
  }

  /** Removes the finalizers of an object being deleted, as its controller would. */
  private static <T extends HasMetadata> void release(Resource<T> object) {
    object.edit(o -> {
      o.getMetadata().setFinalizers(List.of());
      return o;
    });
  }

  private static String namespace() {
    return "gc-" + NAMESPACES.incrementAndGet();
  }

  private static ConfigMap configMap(String ns, String name) {
    return client.resource(new ConfigMapBuilder().withNewMetadata().withName(name).withNamespace(ns).endMetadata()
        .build()).create();
  }

  private static Secret secret(String ns, String name, List<OwnerReference> owners, List<String> finalizers) {
    return client.resource(new SecretBuilder().withNewMetadata().withName(name).withNamespace(ns)
        .withOwnerReferences(owners).withFinalizers(finalizers).endMetadata().build()).create();
  }

  private static Secret secretNamed(String ns, String name) {
    return client.secrets().inNamespace(ns).withName(name).get();
  }

  private static OwnerReference ownedBy(HasMetadata owner) {
    return new OwnerReferenceBuilder().withApiVersion(owner.getApiVersion()).withKind(owner.getKind())
        .withName(owner.getMetadata().getName()).withUid(owner.getMetadata().getUid()).build();
  }
}
