package com.idmelon.operator.quickstart;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Watches over plain HTTP, as kubectl and client-go send them ({@code GET ...?watch=true}, chunked JSON events one per
 * line), answered as an API server answers them.
 */
class HttpWatchTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(10);

  private EmbeddedKubernetes kubernetes;
  private KubernetesClient client;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final List<Watch> watches = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    kubernetes = EmbeddedKubernetes.start(0);
    client = kubernetes.newClient();
  }

  @AfterEach
  void stop() {
    watches.forEach(Watch::close);
    client.close();
    kubernetes.close();
  }

  /** A watch as kubectl opens it, its events read line by line as they arrive. */
  private final class Watch implements AutoCloseable {
    final HttpResponse<InputStream> response;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private volatile boolean ended;

    Watch(String path) throws IOException, InterruptedException {
      HttpRequest request = HttpRequest.newBuilder(URI.create(kubernetes.url() + path))
          .header("Accept", "application/json, */*").header("User-Agent", "kubectl/v1.32.0 (linux/amd64)").GET().build();
      response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
      watches.add(this);
      Thread reader = new Thread(() -> {
        try (Stream<String> stream = new java.io.BufferedReader(
            new java.io.InputStreamReader(response.body(), StandardCharsets.UTF_8)).lines()) {
          stream.forEach(lines::add);
        } catch (RuntimeException e) {
          // closed by the test
        } finally {
          ended = true;
        }
      }, "watch-reader");
      reader.setDaemon(true);
      reader.start();
    }

    /** The next event, failing if none comes in time. */
    JsonNode next() throws Exception {
      String line = lines.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      if (line == null) {
        throw new AssertionError("no event within " + WAIT + (ended ? " (the stream ended)" : ""));
      }
      return JSON.readTree(line);
    }

    /** The next event if one comes within {@code wait}, else null. */
    JsonNode poll(Duration wait) throws Exception {
      String line = lines.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
      return line == null ? null : JSON.readTree(line);
    }

    boolean ended() {
      return ended && lines.isEmpty();
    }

    @Override
    public void close() {
      try {
        response.body().close();
      } catch (IOException e) {
        // already closed
      }
    }
  }

  private ConfigMap configMap(String namespace, String name, Map<String, String> labels) {
    return client.resource(new ConfigMapBuilder().withNewMetadata().withName(name).withNamespace(namespace)
        .withLabels(labels).endMetadata().addToData("k", "v").build()).create();
  }

  private String listResourceVersion(String path) throws Exception {
    HttpResponse<String> list = http.send(HttpRequest.newBuilder(URI.create(kubernetes.url() + path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    return JSON.readTree(list.body()).path("metadata").path("resourceVersion").asText();
  }

  private static String rv(JsonNode event) {
    return event.path("object").path("metadata").path("resourceVersion").asText();
  }

  private static String name(JsonNode event) {
    return event.path("object").path("metadata").path("name").asText();
  }

  private static String encode(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8);
  }

  @Test
  void createUpdateAndDeleteArriveInOrderWithTheirTypesAndResourceVersions() throws Exception {
    ConfigMap existing = configMap("default", "existing", Map.of());
    Watch watch = new Watch("/api/v1/namespaces/default/configmaps?watch=true");

    assertEquals(200, watch.response.statusCode());
    assertEquals("application/json", watch.response.headers().firstValue("Content-Type").orElse(""));
    assertEquals("chunked", watch.response.headers().firstValue("Transfer-Encoding").orElse(""));
    JsonNode replayed = watch.next();
    assertEquals("ADDED", replayed.path("type").asText(), "without a resourceVersion, what exists comes first");
    assertEquals("existing", name(replayed));
    assertEquals(existing.getMetadata().getResourceVersion(), rv(replayed));

    ConfigMap created = configMap("default", "cm", Map.of());
    ConfigMap updated = client.configMaps().inNamespace("default").withName("cm").edit(c -> {
      c.getData().put("k", "changed");
      return c;
    });
    client.configMaps().inNamespace("default").withName("cm").delete();

    JsonNode added = watch.next();
    JsonNode modified = watch.next();
    JsonNode deleted = watch.next();
    assertEquals(List.of("ADDED", "MODIFIED", "DELETED"),
        List.of(added.path("type").asText(), modified.path("type").asText(), deleted.path("type").asText()));
    assertEquals(created.getMetadata().getResourceVersion(), rv(added));
    assertEquals(updated.getMetadata().getResourceVersion(), rv(modified));
    assertEquals("changed", modified.path("object").path("data").path("k").asText());
    assertTrue(Long.parseLong(rv(deleted)) > Long.parseLong(rv(modified)), "a deletion has a version of its own");
    assertEquals("cm", name(deleted));
  }

  @Test
  void resumingFromAListsResourceVersionReplaysNothing() throws Exception {
    configMap("default", "a", Map.of());
    configMap("default", "b", Map.of());
    String listed = listResourceVersion("/api/v1/namespaces/default/configmaps");
    Watch watch = new Watch("/api/v1/namespaces/default/configmaps?resourceVersion=" + listed + "&watch=true");

    configMap("default", "c", Map.of());

    JsonNode first = watch.next();
    assertEquals("ADDED", first.path("type").asText());
    assertEquals("c", name(first), "only what changed after the list");
    assertTrue(Long.parseLong(rv(first)) > Long.parseLong(listed));
  }

  @Test
  void resumingFromAnOlderVersionSendsTheChangesSinceThen() throws Exception {
    ConfigMap a = configMap("default", "a", Map.of());
    configMap("default", "b", Map.of());
    client.configMaps().inNamespace("default").withName("a").delete();
    Watch watch = new Watch("/api/v1/namespaces/default/configmaps?resourceVersion="
        + a.getMetadata().getResourceVersion() + "&watch=true");

    JsonNode b = watch.next();
    JsonNode deleted = watch.next();
    assertEquals("ADDED b", b.path("type").asText() + " " + name(b));
    assertEquals("DELETED a", deleted.path("type").asText() + " " + name(deleted));
  }

  @Test
  void aResourceVersionOlderThanTheHistoryIsExpired() throws Exception {
    kubernetes.watches().setHistoryLimit(2);
    ConfigMap first = configMap("default", "first", Map.of());
    for (int i = 0; i < 4; i++) {
      configMap("default", "later-" + i, Map.of());
    }
    Watch watch = new Watch("/api/v1/namespaces/default/configmaps?resourceVersion="
        + first.getMetadata().getResourceVersion() + "&watch=true");

    JsonNode error = watch.next();
    assertEquals("ERROR", error.path("type").asText());
    JsonNode status = error.path("object");
    assertEquals("Status", status.path("kind").asText());
    assertEquals("Failure", status.path("status").asText());
    assertEquals("Expired", status.path("reason").asText());
    assertEquals(410, status.path("code").asInt());
    assertTrue(status.path("message").asText().matches(
        "too old resource version: " + first.getMetadata().getResourceVersion() + " \\(\\d+\\)"), status.toString());
    await().atMost(WAIT).until(watch::ended);
  }

  @Test
  void watchesThatAllowBookmarksGetThem() throws Exception {
    kubernetes.watches().setBookmarkInterval(Duration.ofMillis(100));
    configMap("default", "a", Map.of());
    String listed = listResourceVersion("/api/v1/namespaces/default/configmaps");
    Watch watch = new Watch("/api/v1/namespaces/default/configmaps?allowWatchBookmarks=true&resourceVersion="
        + listed + "&watch=true");

    JsonNode bookmark = watch.next();
    assertEquals("BOOKMARK", bookmark.path("type").asText());
    assertEquals(JSON.readTree("{\"kind\":\"ConfigMap\",\"apiVersion\":\"v1\",\"metadata\":{\"resourceVersion\":\""
        + listed + "\"}}"), bookmark.path("object"), "only kind, apiVersion and the version reached");

    ConfigMap b = configMap("default", "b", Map.of());
    JsonNode next = watch.next();
    while (next.path("type").asText().equals("BOOKMARK")) {
      next = watch.next();
    }
    assertEquals("ADDED b", next.path("type").asText() + " " + name(next));
    JsonNode later = watch.next();
    assertEquals("BOOKMARK", later.path("type").asText());
    assertEquals(b.getMetadata().getResourceVersion(), rv(later), "bookmarks follow the changes sent");
  }

  @Test
  void watchesWithoutBookmarksGetNone() throws Exception {
    kubernetes.watches().setBookmarkInterval(Duration.ofMillis(50));
    String listed = listResourceVersion("/api/v1/namespaces/default/configmaps");
    Watch watch = new Watch("/api/v1/namespaces/default/configmaps?resourceVersion=" + listed + "&watch=true");

    assertNull(watch.poll(Duration.ofMillis(400)));
  }

  @Test
  void timeoutSecondsEndsTheStreamCleanly() throws Exception {
    Watch watch = new Watch("/api/v1/namespaces/default/configmaps?timeoutSeconds=1&watch=true");

    await().atMost(WAIT).until(watch::ended);
    await().atMost(WAIT).until(() -> kubernetes.watches().openWatches() == 0);
  }

  @Test
  void objectsLeavingALabelSelectionAreDeletedAndEnteringItAdded() throws Exception {
    Watch watch = new Watch("/api/v1/namespaces/default/configmaps?labelSelector=" + encode("app=web")
        + "&watch=true");
    configMap("default", "other", Map.of("app", "db"));
    configMap("default", "web", Map.of("app", "web"));
    JsonNode added = watch.next();
    assertEquals("ADDED web", added.path("type").asText() + " " + name(added), "the other is not selected");

    ConfigMap left = client.configMaps().inNamespace("default").withName("web").edit(c -> {
      c.getMetadata().getLabels().put("app", "db");
      return c;
    });
    JsonNode deleted = watch.next();
    assertEquals("DELETED web", deleted.path("type").asText() + " " + name(deleted));
    assertEquals(left.getMetadata().getResourceVersion(), rv(deleted), "at the version it left the selection");

    client.configMaps().inNamespace("default").withName("other").edit(c -> {
      c.getMetadata().getLabels().put("app", "web");
      return c;
    });
    JsonNode entered = watch.next();
    assertEquals("ADDED other", entered.path("type").asText() + " " + name(entered));
  }

  @Test
  void aFieldSelectorWatchesOneObject() throws Exception {
    configMap("default", "mine", Map.of());
    configMap("default", "yours", Map.of());
    Watch watch = new Watch("/api/v1/namespaces/default/configmaps?fieldSelector="
        + encode("metadata.name=mine") + "&watch=true");
    JsonNode listed = watch.next();
    assertEquals("ADDED mine", listed.path("type").asText() + " " + name(listed));

    client.configMaps().inNamespace("default").withName("yours").delete();
    client.configMaps().inNamespace("default").withName("mine").delete();

    JsonNode deleted = watch.next();
    assertEquals("DELETED mine", deleted.path("type").asText() + " " + name(deleted));
  }

  @Test
  void aBadSelectorIsABadRequestNotAWatch() throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(kubernetes.url()
        + "/api/v1/namespaces/default/configmaps?watch=true&fieldSelector=" + encode("spec.nothing=x"))).GET().build(),
        HttpResponse.BodyHandlers.ofString());

    assertEquals(400, response.statusCode());
    JsonNode status = JSON.readTree(response.body());
    assertEquals("BadRequest", status.path("reason").asText());
    assertEquals("\"spec.nothing\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\"",
        status.path("message").asText(), "as the API server words it for a kind without field labels of its own");
    assertEquals(0, kubernetes.watches().openWatches());
  }

  @Test
  void aWatchAcrossAllNamespacesSeesEachNamespace() throws Exception {
    Watch watch = new Watch("/api/v1/configmaps?watch=true");
    configMap("team-a", "one", Map.of());
    configMap("team-b", "two", Map.of());

    JsonNode one = watch.next();
    JsonNode two = watch.next();
    assertEquals(List.of("team-a/one", "team-b/two"), List.of(
        one.path("object").path("metadata").path("namespace").asText() + "/" + name(one),
        two.path("object").path("metadata").path("namespace").asText() + "/" + name(two)));
  }

  @Test
  void clusterScopedAndCustomResourcesAreWatchedToo() throws Exception {
    kubernetes.installCrd(EmbeddedKubernetes.classpath("META-INF/fabric8/apikeys.idmelon.com-v1.yml"));
    Watch namespaces = new Watch("/api/v1/namespaces?watch=true");
    Watch apiKeys = new Watch("/apis/idmelon.com/v1alpha1/apikeys?watch=true");
    client.resource(new NamespaceBuilder().withNewMetadata().withName("team").endMetadata().build()).create();
    client.resource(new io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder()
        .withApiVersion("idmelon.com/v1alpha1").withKind("ApiKey")
        .withNewMetadata().withName("key").withNamespace("team").endMetadata()
        .addToAdditionalProperties("spec", Map.of("name", "key", "type", "Admin")).build()).create();

    JsonNode namespace = namespaces.next();
    assertEquals("ADDED team Namespace", namespace.path("type").asText() + " " + name(namespace) + " "
        + namespace.path("object").path("kind").asText());
    JsonNode apiKey = apiKeys.next();
    assertEquals("ADDED key ApiKey", apiKey.path("type").asText() + " " + name(apiKey) + " "
        + apiKey.path("object").path("kind").asText());
    assertNull(namespaces.poll(Duration.ofMillis(200)), "a Namespace watch sees no ApiKey");
  }

  @Test
  void aClientThatDisconnectsLeavesNothingBehind() throws Exception {
    Watch watch = new Watch("/api/v1/namespaces/default/configmaps?watch=true&allowWatchBookmarks=true");
    await().atMost(WAIT).until(() -> kubernetes.watches().openWatches() == 1);

    watch.close();
    // the server notices the closed connection when it next writes, or sooner
    configMap("default", "after", Map.of());
    await().atMost(WAIT).until(() -> kubernetes.watches().openWatches() == 0);
  }

  @Test
  void aClientThatStopsReadingIsDroppedWithoutSlowingTheStore() throws Exception {
    kubernetes.watches().setMaxPending(20);
    URI url = URI.create(kubernetes.url());
    try (java.net.Socket stuck = new java.net.Socket(url.getHost(), url.getPort())) {
      stuck.setReceiveBufferSize(4096);
      stuck.getOutputStream().write(("GET /api/v1/namespaces/default/configmaps?watch=true HTTP/1.1\r\n"
          + "Host: " + url.getAuthority() + "\r\nAccept: application/json\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      await().atMost(WAIT).until(() -> kubernetes.watches().openWatches() == 1);

      String large = "x".repeat(64 * 1024);
      long started = System.nanoTime();
      for (int i = 0; i < 200 && kubernetes.watches().openWatches() > 0; i++) {
        client.resource(new ConfigMapBuilder().withNewMetadata().withName("large-" + i).withNamespace("default")
            .endMetadata().addToData("k", large).build()).create();
      }

      await().atMost(WAIT).until(() -> kubernetes.watches().openWatches() == 0);
      assertTrue(Duration.ofNanos(System.nanoTime() - started).compareTo(WAIT) < 0, "the store never waited");
      assertEquals("x", client.resource(new ConfigMapBuilder().withNewMetadata().withName("after").withNamespace(
          "default").endMetadata().addToData("k", "x").build()).create().getData().get("k"), "and still serves");
    }
  }

  @Test
  void aViewChoosesWhatEachWatchSendsOfAnObject() throws Exception {
    List<String> seen = new CopyOnWriteArrayList<>();
    kubernetes.watches().setObjectView((path, accept, object, firstEvent) -> {
      seen.add(path.plural() + " " + accept + " " + firstEvent);
      return JSON.createObjectNode().put("kind", "Row").put("name", object.path("metadata").path("name").asText());
    });
    configMap("default", "a", Map.of());
    Watch watch = new Watch("/api/v1/namespaces/default/configmaps?watch=true");
    configMap("default", "b", Map.of());

    assertEquals("{\"type\":\"ADDED\",\"object\":{\"kind\":\"Row\",\"name\":\"a\"}}", watch.next().toString());
    assertEquals("{\"type\":\"ADDED\",\"object\":{\"kind\":\"Row\",\"name\":\"b\"}}", watch.next().toString());
    assertEquals(List.of("configmaps application/json, */* true", "configmaps application/json, */* false"), seen);
  }

  @Test
  void closingTheServerEndsOpenWatches() throws Exception {
    Watch watch = new Watch("/api/v1/namespaces/default/configmaps?watch=true");
    await().atMost(WAIT).until(() -> kubernetes.watches().openWatches() == 1);

    kubernetes.close();

    await().atMost(WAIT).until(watch::ended);
    assertEquals(0, kubernetes.watches().openWatches());
    kubernetes = EmbeddedKubernetes.start(0); // for stop()
  }

  @Test
  void fabric8WebSocketWatchesAndInformersStillWork() throws Exception {
    BlockingQueue<String> seen = new LinkedBlockingQueue<>();
    try (var watch = client.configMaps().inNamespace("default").watch(new Watcher<>() {
      @Override
      public void eventReceived(Action action, ConfigMap resource) {
        seen.add(action + " " + resource.getMetadata().getName());
      }

      @Override
      public void onClose(WatcherException cause) {
      }
    }); var informer = client.configMaps().inNamespace("default").inform()) {
      configMap("default", "seen", Map.of());

      assertEquals("ADDED seen", seen.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS));
      await().atMost(WAIT).until(() -> informer.getStore().getByKey("default/seen") != null);
      client.configMaps().inNamespace("default").withName("seen").delete();
      assertEquals("DELETED seen", seen.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS));
      await().atMost(WAIT).until(() -> informer.getStore().getByKey("default/seen") == null);
    }
  }
}
