package com.idmelon.operator.quickstart;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.idmelon.operator.support.Kubectl;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a user does with the real kubectl that waits on a watch: {@code get -w}, {@code wait}, {@code delete}. */
class KubectlWatchTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir
  Path dir;
  private EmbeddedKubernetes kubernetes;
  private KubernetesClient client;
  private Kubectl kubectl;

  @BeforeEach
  void start() throws IOException {
    assumeTrue(Kubectl.available(), "kubectl is not installed here");
    kubernetes = EmbeddedKubernetes.start(0);
    try (DirectoryStream<Path> crds = Files.newDirectoryStream(Path.of("crds"), "*.yml")) {
      for (Path crd : crds) {
        try (InputStream yaml = Files.newInputStream(crd)) {
          kubernetes.installCrd(yaml);
        }
      }
    }
    client = kubernetes.newClient();
    kubectl = new Kubectl(kubernetes, dir);
  }

  @AfterEach
  void stop() {
    if (client != null) {
      client.close();
    }
    if (kubernetes != null) {
      kubernetes.close();
    }
  }

  private Resource<GenericKubernetesResource> apiKey(String name) {
    return client.genericKubernetesResources("idmelon.com/v1alpha1", "ApiKey").inNamespace("default").withName(name);
  }

  private void createApiKey(String name, List<String> finalizers) {
    client.resource(new GenericKubernetesResourceBuilder().withApiVersion("idmelon.com/v1alpha1").withKind("ApiKey")
        .withNewMetadata().withName(name).withNamespace("default").withFinalizers(finalizers).endMetadata()
        .addToAdditionalProperties("spec", Map.of("name", name, "type", "Admin")).build()).create();
  }

  @Test
  void getWatchPrintsAnApiKeyCreatedAfterwards() throws Exception {
    Process watch = kubectl.start("get", "apikeys", "-w", "-o", "name");
    try {
      BlockingQueue<String> lines = new LinkedBlockingQueue<>();
      Thread reader = new Thread(() -> readLines(watch.getInputStream(), lines), "kubectl-get-w");
      reader.setDaemon(true);
      reader.start();
      await().atMost(WAIT).until(() -> kubernetes.watches().openWatches() == 1);

      createApiKey("created-later", List.of());

      assertEquals("apikey.idmelon.com/created-later", lines.poll(WAIT.toSeconds(), TimeUnit.SECONDS));
      assertTrue(watch.isAlive(), "kubectl keeps watching");
    } finally {
      watch.destroy();
      watch.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void getWatchPrintsTheCrdColumnsOnceAndARowPerChange() throws Exception {
    createApiKey("existing", List.of());
    Process watch = kubectl.start("get", "apikeys", "-w");
    try {
      BlockingQueue<String> lines = new LinkedBlockingQueue<>();
      Thread reader = new Thread(() -> readLines(watch.getInputStream(), lines), "kubectl-get-w-table");
      reader.setDaemon(true);
      reader.start();
      String header = lines.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertTrue(header != null && header.matches("NAME\\s+TYPE\\s+READY\\s+EXPIRES\\s+KEY ID\\s+AGE"), "" + header);
      assertTrue(lines.poll(WAIT.toSeconds(), TimeUnit.SECONDS).matches("existing\\s+Admin\\s+.*"));
      await().atMost(WAIT).until(() -> kubernetes.watches().openWatches() == 1);

      createApiKey("created-later", List.of());

      String row = lines.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertTrue(row != null && row.matches("created-later\\s+Admin\\s+.*"), "a row, no second header: " + row);
    } finally {
      watch.destroy();
      watch.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void waitForReadyReturnsOnceTheStatusSaysSo() throws Exception {
    createApiKey("becomes-ready", List.of());
    CompletableFuture<Kubectl.Result> waiting = CompletableFuture.supplyAsync(() ->
        kubectl.run(WAIT, null, "wait", "--for=condition=Ready", "apikey/becomes-ready", "--timeout=30s"));
    await().atMost(WAIT).until(() -> kubernetes.watches().openWatches() == 1);

    apiKey("becomes-ready").editStatus(k -> {
      k.setAdditionalProperty("status", Map.of("conditions", List.of(Map.of("type", "Ready", "status", "True",
          "reason", "KeyIssued", "message", "ready", "lastTransitionTime", "2026-01-01T00:00:00Z"))));
      return k;
    });

    Kubectl.Result result = waiting.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertEquals(0, result.exitCode(), result.toString());
    assertEquals("apikey.idmelon.com/becomes-ready condition met\n", result.out(), result.toString());
  }

  @Test
  void deleteWaitsForTheFinalizerThenExitsCleanly() throws Exception {
    createApiKey("held", List.of("idmelon.com/test-hold"));
    CompletableFuture<Kubectl.Result> deleting = CompletableFuture.supplyAsync(() ->
        kubectl.run(WAIT, null, "delete", "apikey", "held"));
    await().atMost(WAIT).until(() -> apiKey("held").get().getMetadata().getDeletionTimestamp() != null
        && kubernetes.watches().openWatches() == 1);
    assertTrue(!deleting.isDone(), "kubectl waits while the finalizer holds the ApiKey");

    apiKey("held").edit(k -> {
      k.getMetadata().setFinalizers(List.of());
      return k;
    });

    Kubectl.Result result = deleting.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertEquals(0, result.exitCode(), result.toString());
    assertEquals("apikey.idmelon.com \"held\" deleted\n", result.out(), result.toString());
    assertEquals("", result.err(), result.toString());
  }

  @Test
  void deleteWithoutFinalizersExitsCleanly() {
    createApiKey("plain", List.of());

    Kubectl.Result result = kubectl.run(WAIT, null, "delete", "apikey", "plain");

    assertEquals(0, result.exitCode(), result.toString());
    assertEquals("apikey.idmelon.com \"plain\" deleted\n", result.out(), result.toString());
    assertEquals("", result.err(), result.toString());
  }

  private static void readLines(InputStream in, BlockingQueue<String> lines) {
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        lines.add(line);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
