package com.idmelon.operator.quickstart;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.idmelon.operator.support.CommittedCrds;
import com.idmelon.operator.support.Kubectl;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Server-side dry run ({@code ?dryRun=All}: {@code kubectl diff}, {@code kubectl apply --dry-run=server}, fabric8's
 * {@code dryRun()}) as an API server serves it: admitted and answered as the write would be, but nothing stored,
 * watched, versioned or collected. Requests are sent as kubectl sends them (its query, headers and bodies, seen with
 * {@code kubectl -v=8 diff}).
 */
class DryRunTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String APIKEYS = "/apis/idmelon.com/v1alpha1/namespaces/default/apikeys";
  private static final ResourceDefinitionContext APIKEY = new ResourceDefinitionContext.Builder()
      .withGroup("idmelon.com").withVersion("v1alpha1").withPlural("apikeys").withKind("ApiKey").withNamespaced(true)
      .build();
  private static final String MANIFEST = """
      {"apiVersion":"idmelon.com/v1alpha1","kind":"ApiKey","metadata":{"name":"ci","namespace":"default",
      "finalizers":["apikeys.idmelon.com/finalizer"]},"spec":{"name":"CI","type":"Admin","deletionPolicy":"Delete"}}""";

  private final HttpClient http = HttpClient.newHttpClient();
  private EmbeddedKubernetes kubernetes;
  private KubernetesClient client;
  private final List<AutoCloseable> watches = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    kubernetes = CommittedCrds.serverWith("apikeys.idmelon.com-v1.yml");
    client = kubernetes.newClient();
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable watch : watches) {
      watch.close();
    }
    client.close();
    kubernetes.close();
  }

  @Test
  void aDryRunPatchAnswersThePatchedObjectButStoresWatchesAndVersionsNothing() throws Exception {
    String stored = send("POST", APIKEYS, "application/json", MANIFEST).body();
    String version = JSON.readTree(stored).path("metadata").path("resourceVersion").asText();
    Events events = watchFrom(version);

    // kubectl diff of an edited manifest: its three-way patch, conditional on the version it read
    HttpResponse<String> answered = send("PATCH", APIKEYS + "/ci?dryRun=All&fieldManager=kubectl-client-side-apply",
        "application/merge-patch+json",
        "{\"metadata\":{\"resourceVersion\":\"" + version + "\"},\"spec\":{\"deletionPolicy\":\"Retain\",\"x\":1}}");

    assertEquals(200, answered.statusCode(), answered.body());
    JsonNode wouldBe = JSON.readTree(answered.body());
    assertEquals("Retain", wouldBe.path("spec").path("deletionPolicy").asText(), "the answer is the patched object");
    assertFalse(wouldBe.path("spec").has("x"), "as admission would store it: pruned");
    assertEquals(List.of("299 - \"unknown field \\\"spec.x\\\"\""), answered.headers().allValues("Warning"));
    assertEquals(2, wouldBe.path("metadata").path("generation").asInt(), "a spec change: the next generation");
    assertEquals(version, wouldBe.path("metadata").path("resourceVersion").asText(), "no version spent");
    assertEquals(stored, get(APIKEYS + "/ci").body(), "nothing stored");

    HttpResponse<String> stale = send("PATCH", APIKEYS + "/ci?dryRun=All", "application/merge-patch+json",
        "{\"metadata\":{\"resourceVersion\":\"1\"},\"spec\":{\"deletionPolicy\":\"Retain\"}}");
    assertEquals(409, stale.statusCode(), "a stale precondition conflicts, as the write would\n" + stale.body());

    GenericKubernetesResource next = client.genericKubernetesResources(APIKEY).inNamespace("default").withName("ci")
        .edit(r -> {
          r.getMetadata().setLabels(Map.of("after", "dry-runs"));
          return r;
        });
    assertEquals(Long.parseLong(version) + 1, Long.parseLong(next.getMetadata().getResourceVersion()),
        "the next real write takes the next version: the dry runs took none");
    events.awaitOnly(next.getMetadata().getResourceVersion());
  }

  @Test
  void aDryRunCreateAnswers201WithTheObjectAsItWouldBeStoredAndLeavesNone() throws Exception {
    Events events = watchFrom(client.genericKubernetesResources(APIKEY).inNamespace("default").list().getMetadata()
        .getResourceVersion());

    HttpResponse<String> answered = send("POST", APIKEYS + "?dryRun=All&fieldManager=kubectl-client-side-apply",
        "application/json", MANIFEST.replace("\"type\":\"Admin\"", "\"type\":\"Admin\",\"x\":1"));

    assertEquals(201, answered.statusCode(), answered.body());
    JsonNode wouldBe = JSON.readTree(answered.body());
    assertEquals("CI", wouldBe.path("spec").path("name").asText());
    assertFalse(wouldBe.path("spec").has("x"), "pruned by admission");
    assertEquals(1, answered.headers().allValues("Warning").size(), answered.headers().toString());
    assertFalse(wouldBe.path("metadata").path("uid").asText().isEmpty(), "the uid it would get");
    assertEquals(1, wouldBe.path("metadata").path("generation").asInt());
    assertFalse(wouldBe.path("metadata").has("resourceVersion"), "nothing written: no version");
    assertEquals(404, get(APIKEYS + "/ci").statusCode(), "nothing stored");

    GenericKubernetesResource viaClient = client.genericKubernetesResources(APIKEY)
        .resource(Serialization.unmarshal(MANIFEST, GenericKubernetesResource.class)).dryRun().create();
    assertEquals("ci", viaClient.getMetadata().getName(), "fabric8's dryRun() is answered the object");
    assertEquals(List.of(), client.genericKubernetesResources(APIKEY).inNamespace("default").list().getItems());

    HttpResponse<String> created = send("POST", APIKEYS, "application/json", MANIFEST);
    assertEquals(201, created.statusCode(), "the name is free: the dry runs left nothing\n" + created.body());
    events.awaitOnly(JSON.readTree(created.body()).path("metadata").path("resourceVersion").asText());
    assertEquals(409, send("POST", APIKEYS + "?dryRun=All", "application/json", MANIFEST).statusCode(),
        "a dry-run create of an existing name conflicts, as the create would");
  }

  @Test
  void aDryRunDeleteAnswersWhatTheDeleteWouldDoAndDeletesNothing() throws Exception {
    String held = send("POST", APIKEYS, "application/json", MANIFEST).body();
    String free = send("POST", APIKEYS, "application/json",
        MANIFEST.replace("\"ci\"", "\"free\"").replace("\"finalizers\":[\"apikeys.idmelon.com/finalizer\"]",
            "\"finalizers\":[]")).body();
    Events events = watchFrom(JSON.readTree(free).path("metadata").path("resourceVersion").asText());

    // kubectl delete --dry-run=server sends DeleteOptions in the body
    HttpResponse<String> marked = send("DELETE", APIKEYS + "/ci", "application/json",
        "{\"propagationPolicy\":\"Background\",\"dryRun\":[\"All\"]}");
    assertEquals(200, marked.statusCode(), marked.body());
    JsonNode wouldBe = JSON.readTree(marked.body());
    assertFalse(wouldBe.path("metadata").path("deletionTimestamp").asText().isEmpty(),
        "answered as the finalizer would hold it: marked for deletion");
    assertEquals(JSON.readTree(held).path("metadata").path("resourceVersion"),
        wouldBe.path("metadata").path("resourceVersion"));
    assertEquals(held, get(APIKEYS + "/ci").body(), "still there, unmarked");

    HttpResponse<String> gone = send("DELETE", APIKEYS + "/free?dryRun=All", null, null);
    assertEquals(200, gone.statusCode(), gone.body());
    assertEquals("free", JSON.readTree(gone.body()).path("metadata").path("name").asText());
    client.genericKubernetesResources(APIKEY).inNamespace("default").withName("free").dryRun().delete();
    assertEquals(free, get(APIKEYS + "/free").body(), "still there");

    GenericKubernetesResource next = client.genericKubernetesResources(APIKEY).inNamespace("default").withName("free")
        .edit(r -> {
          r.getMetadata().setLabels(Map.of("after", "dry-runs"));
          return r;
        });
    events.awaitOnly(next.getMetadata().getResourceVersion());
  }

  @Test
  void aDryRunAdmissionRefusesIsAnsweredTheWritesOwn422() throws Exception {
    send("POST", APIKEYS, "application/json", MANIFEST);
    String invalid = "{\"spec\":{\"type\":\"Root\"}}";

    HttpResponse<String> dryRun = send("PATCH", APIKEYS + "/ci?dryRun=All", "application/merge-patch+json", invalid);
    HttpResponse<String> write = send("PATCH", APIKEYS + "/ci", "application/merge-patch+json", invalid);

    assertEquals(422, dryRun.statusCode(), dryRun.body());
    assertEquals(write.statusCode(), dryRun.statusCode());
    assertEquals(JSON.readTree(write.body()), JSON.readTree(dryRun.body()), "the same Status");
    assertTrue(dryRun.body().contains("spec.type: Unsupported value: \\\"Root\\\""), dryRun.body());
    HttpResponse<String> create = send("POST", APIKEYS + "?dryRun=All", "application/json",
        MANIFEST.replace("\"ci\"", "\"other\"").replace("\"Admin\"", "\"Root\""));
    assertEquals(422, create.statusCode(), create.body());
  }

  @Test
  void aDryRunValueOtherThanAllIsRefusedAsTheApiServersOptionValidationRefusesIt() throws Exception {
    send("POST", APIKEYS, "application/json", MANIFEST);

    HttpResponse<String> patch = send("PATCH", APIKEYS + "/ci?dryRun=Some", "application/merge-patch+json",
        "{\"spec\":{\"deletionPolicy\":\"Retain\"}}");
    HttpResponse<String> create = send("POST", APIKEYS + "?dryRun=All&dryRun=", "application/json",
        MANIFEST.replace("\"ci\"", "\"other\""));
    HttpResponse<String> delete = send("DELETE", APIKEYS + "/ci", "application/json", "{\"dryRun\":[\"all\"]}");

    assertEquals(422, patch.statusCode(), patch.body());
    assertEquals(JSON.readTree("""
        {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",
         "message":"PatchOptions.meta.k8s.io \\"\\" is invalid: dryRun: Unsupported value: []string{\\"Some\\"}: supported values: \\"All\\"",
         "reason":"Invalid","details":{"group":"meta.k8s.io","kind":"PatchOptions","causes":[{"reason":"FieldValueNotSupported",
         "message":"Unsupported value: []string{\\"Some\\"}: supported values: \\"All\\"","field":"dryRun"}]},"code":422}"""),
        JSON.readTree(patch.body()));
    assertEquals(422, create.statusCode(), create.body());
    assertTrue(create.body().contains("CreateOptions.meta.k8s.io \\\"\\\" is invalid: dryRun: Unsupported value:"
        + " []string{\\\"All\\\", \\\"\\\"}"), create.body());
    assertEquals(422, delete.statusCode(), delete.body());
    assertTrue(delete.body().contains("DeleteOptions.meta.k8s.io"), delete.body());

    JsonNode after = JSON.readTree(get(APIKEYS + "/ci").body());
    assertEquals("Delete", after.path("spec").path("deletionPolicy").asText(), "nothing written");
    assertTrue(after.path("metadata").path("deletionTimestamp").isMissingNode(), "nor deleted");
    assertEquals(404, get(APIKEYS + "/other").statusCode());
  }

  @Test
  void kubectlDiffAndServerSideDryRunsOfANewApiKeyLeaveNoApiKey(@TempDir Path dir) throws Exception {
    assumeTrue(Kubectl.available(), "kubectl is not installed here");
    Kubectl kubectl = new Kubectl(kubernetes, dir);
    Path file = dir.resolve("apikey.json");
    Files.writeString(file, MANIFEST);

    Kubectl.Result diff = kubectl.run("diff", "-f", file.toString());
    assertEquals(1, diff.exitCode(), "a new object is a difference\n" + diff);
    assertTrue(diff.out().contains("\n+  name: ci\n"), diff.out());
    Kubectl.Result apply = kubectl.run("apply", "--dry-run=server", "-f", file.toString());
    assertEquals("apikey.idmelon.com/ci created (server dry run)\n", apply.out(), apply.toString());
    Kubectl.Result create = kubectl.run("create", "--dry-run=server", "-f", file.toString(), "-o", "name");
    assertEquals("apikey.idmelon.com/ci\n", create.out(), create.toString());

    assertEquals(404, get(APIKEYS + "/ci").statusCode(), "nothing stored");
    assertEquals("apikey.idmelon.com/ci created\n", kubectl.run("apply", "-f", file.toString()).out());
    Kubectl.Result delete = kubectl.run("delete", "--dry-run=server", "-f", file.toString());
    assertEquals("apikey.idmelon.com \"ci\" deleted (server dry run)\n", delete.out(), delete.toString());
    assertFalse(get(APIKEYS + "/ci").body().contains("\"deletionTimestamp\""), "not even marked for deletion");
  }

  /** What the fabric8 client's watch (WebSocket) and kubectl's (plain HTTP) see of ApiKeys after a version. */
  private final class Events {
    final List<String> fabric8 = new CopyOnWriteArrayList<>();
    final List<String> kubectl = new CopyOnWriteArrayList<>();

    /** Waits for the event of {@code version} on both watches and checks it is the only one. */
    void awaitOnly(String version) {
      String expected = "(MODIFIED|ADDED) " + version;
      await().atMost(Duration.ofSeconds(10)).until(() -> fabric8.size() >= 1 && kubectl.size() >= 1);
      assertEquals(1, fabric8.size(), "fabric8's watch: " + fabric8);
      assertEquals(1, kubectl.size(), "kubectl's watch: " + kubectl);
      assertTrue(fabric8.get(0).matches(expected), fabric8.toString());
      assertTrue(kubectl.get(0).matches(expected), kubectl.toString());
    }
  }

  private Events watchFrom(String version) {
    Events events = new Events();
    Watch watch = client.genericKubernetesResources(APIKEY).inNamespace("default")
        .watch(new ListOptionsBuilder().withResourceVersion(version).build(), new Watcher<>() {
          @Override
          public void eventReceived(Action action, GenericKubernetesResource resource) {
            String at = resource.getMetadata().getResourceVersion();
            // fabric8's mock starts a watch with every stored object as ADDED, whatever version it asks for
            if (action != Action.ADDED || at == null || !at.matches("[0-9]+")
                || Long.parseLong(at) > Long.parseLong(version)) {
              events.fabric8.add(action + " " + at);
            }
          }

          @Override
          public void onClose(WatcherException cause) {
          }
        });
    watches.add(watch::close);
    CompletableFuture<HttpResponse<Stream<String>>> lines = http.sendAsync(
        HttpRequest.newBuilder(URI.create(kubernetes.url() + APIKEYS + "?watch=true&resourceVersion=" + version))
            .header("Accept", "application/json").header("User-Agent", "kubectl/v1.32.0 (linux/amd64)").build(),
        HttpResponse.BodyHandlers.ofLines());
    lines.thenAccept(response -> response.body().forEach(line -> {
      JsonNode event = read(line);
      if (!event.path("type").asText().equals("BOOKMARK")) {
        events.kubectl.add(event.path("type").asText() + " "
            + event.path("object").path("metadata").path("resourceVersion").asText());
      }
    }));
    watches.add(() -> lines.cancel(true));
    watches.add(() -> lines.thenAccept(response -> response.body().close()));
    return events;
  }

  private static JsonNode read(String line) {
    try {
      return JSON.readTree(line);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private HttpResponse<String> get(String path) throws Exception {
    return send("GET", path, null, null);
  }

  /** A request as kubectl sends it. */
  private HttpResponse<String> send(String method, String path, String contentType, String body) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(kubernetes.url() + path))
        .header("Accept", "application/json").header("User-Agent", "kubectl/v1.32.0 (linux/amd64)")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
