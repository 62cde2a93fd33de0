package com.idmelon.operator.quickstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.idmelon.operator.support.Kubectl;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Lists are selected by field and label selectors as an API server selects them: kubectl describe finds events. */
class ListSelectionTest {
  private static final String KUBECTL = "kubectl/v1.32.4 (linux/amd64) kubernetes/4cb5f07";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static EmbeddedKubernetes kubernetes;
  private static KubernetesClient client;
  private static String uid;

  @BeforeAll
  static void start() throws IOException {
    kubernetes = EmbeddedKubernetes.start(0);
    client = kubernetes.newClient();
    for (String crd : List.of("apikeys", "clusterworkspaces")) {
      try (InputStream yaml = Files.newInputStream(Path.of("crds", crd + ".idmelon.com-v1.yml"))) {
        kubernetes.installCrd(yaml);
      }
    }
    GenericKubernetesResource apiKey = client.resource(new GenericKubernetesResourceBuilder()
        .withApiVersion("idmelon.com/v1alpha1").withKind("ApiKey")
        .withNewMetadata().withName("x").withNamespace("default").endMetadata()
        .withAdditionalProperties(Map.of("spec", Map.of("name", "x", "type", "Admin", "secretName", "x"))).build()).create();
    uid = apiKey.getMetadata().getUid();
    event("x.1", "x", uid, "Issued", "Normal", "key issued for x");
    event("y.1", "y", "other-uid", "Rotated", "Warning", "key rotated for y");
    for (String tier : List.of("web", "db", "cache")) {
      client.resource(new ConfigMapBuilder().withNewMetadata().withName(tier).withNamespace("default")
          .addToLabels("tier", tier).endMetadata().build()).create();
    }
  }

  @AfterAll
  static void stop() {
    client.close();
    kubernetes.close();
  }

  @Test
  void kubectlDescribesAnApiKeyWithItsEventsOnly() throws Exception {
    // the request kubectl describe apikey x sends for the events
    HttpResponse<String> response = get("/api/v1/namespaces/default/events?fieldSelector="
        + encode("involvedObject.name=x,involvedObject.namespace=default,involvedObject.kind=ApiKey,"
            + "involvedObject.uid=" + uid) + "&limit=500", "application/vnd.kubernetes.protobuf,application/json");

    assertEquals(200, response.statusCode());
    assertEquals("application/json", response.headers().firstValue("Content-Type").orElse(""),
        "without it client-go reads the list as protobuf and kubectl shows no events");
    JsonNode list = JSON.readTree(response.body());
    assertEquals(List.of("x.1"), names(list));
    assertEquals("EventList", list.path("kind").asText(), "a typed client refuses any other kind");
    assertFalse(list.path("metadata").path("resourceVersion").asText().isEmpty());
  }

  @Test
  void kubectlGetEventsSelectsByInvolvedObjectAndReason() throws Exception {
    assertEquals(List.of("x.1"), names(listed("/api/v1/namespaces/default/events", "involvedObject.name=x")));
    assertEquals(List.of("y.1"), names(listed("/api/v1/namespaces/default/events", "involvedObject.name!=x")));
    assertEquals(List.of("y.1"), names(listed("/api/v1/events", "reason=Rotated,type=Warning")));
    assertEquals(List.of("x.1", "y.1"), names(listed("/api/v1/events", "source=idmelon-apikey-operator")));
    assertEquals(List.of("x"), names(listed("/apis/idmelon.com/v1alpha1/apikeys", "metadata.namespace=default")));
  }

  @Test
  void anUnsupportedFieldIsRefusedAsAnApiServerRefusesIt() throws Exception {
    assertBadRequest("/api/v1/namespaces/default/events", "spec.color=red", "field label not supported: spec.color");
    assertBadRequest("/api/v1/namespaces/default/configmaps", "data.a=b",
        "\"data.a\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\"");
    assertBadRequest("/apis/idmelon.com/v1alpha1/namespaces/default/apikeys", "spec.secretName=x",
        "field label not supported: spec.secretName");
    assertBadRequest("/apis/idmelon.com/v1alpha1/clusterworkspaces", "metadata.namespace=default",
        "field label not supported: metadata.namespace");
    assertBadRequest("/api/v1/namespaces/default/events", "involvedObject.name",
        "invalid selector: 'involvedObject.name'; can't understand 'involvedObject.name'");
  }

  @Test
  void setBasedLabelSelectorsSelect() throws Exception {
    assertEquals(List.of("db", "web"), names(JSON.readTree(get("/api/v1/namespaces/default/configmaps?labelSelector="
        + encode("tier in (web,db)"), "application/json").body())));
    assertEquals(List.of("cache"), names(JSON.readTree(get("/api/v1/namespaces/default/configmaps?labelSelector="
        + encode("tier notin (web, db)"), "application/json").body())));
  }

  @Test
  void realKubectlDescribeShowsTheApiKeysEvents(@TempDir Path dir) {
    assumeTrue(Kubectl.available());
    Kubectl kubectl = new Kubectl(kubernetes, dir);

    Kubectl.Result described = kubectl.run("describe", "apikey", "x");
    assertEquals(0, described.exitCode(), described::toString);
    assertTrue(described.out().contains("key issued for x"), described::toString);
    assertFalse(described.out().contains("key rotated for y"), described::toString);

    Kubectl.Result events = kubectl.run("get", "events", "--field-selector", "involvedObject.name=x", "-o", "name");
    assertEquals("event/x.1", events.out().strip(), events::toString);
  }

  private static JsonNode listed(String path, String fieldSelector) throws IOException, InterruptedException {
    HttpResponse<String> response = get(path + "?fieldSelector=" + encode(fieldSelector), "application/json");
    assertEquals(200, response.statusCode(), response::body);
    return JSON.readTree(response.body());
  }

  private static void assertBadRequest(String path, String fieldSelector, String message) throws Exception {
    HttpResponse<String> response = get(path + "?fieldSelector=" + encode(fieldSelector), "application/json");
    assertEquals(400, response.statusCode(), response::body);
    JsonNode status = JSON.readTree(response.body());
    assertEquals("Status", status.path("kind").asText());
    assertEquals("Failure", status.path("status").asText());
    assertEquals("BadRequest", status.path("reason").asText());
    assertEquals(400, status.path("code").asInt());
    assertEquals(message, status.path("message").asText());
  }

  private static HttpResponse<String> get(String pathAndQuery, String accept) throws IOException, InterruptedException {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(kubernetes.url() + pathAndQuery))
        .header("Accept", accept).header("User-Agent", KUBECTL).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private static List<String> names(JsonNode list) {
    List<String> names = new ArrayList<>();
    list.path("items").forEach(i -> names.add(i.path("metadata").path("name").asText()));
    names.sort(null);
    return names;
  }

  private static String encode(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8);
  }

  private static void event(String name, String involved, String involvedUid, String reason, String type,
      String message) {
    client.v1().events().inNamespace("default").resource(new EventBuilder()
        .withNewMetadata().withName(name).withNamespace("default").endMetadata()
        .withNewInvolvedObject().withApiVersion("idmelon.com/v1alpha1").withKind("ApiKey").withName(involved)
        .withNamespace("default").withUid(involvedUid).endInvolvedObject()
        .withReason(reason).withMessage(message).withType(type)
        .withLastTimestamp(Instant.now().toString())
        .withNewSource().withComponent("idmelon-apikey-operator").endSource()
        .build()).create();
  }
}
