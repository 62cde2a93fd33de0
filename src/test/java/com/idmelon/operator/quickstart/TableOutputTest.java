package com.idmelon.operator.quickstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.idmelon.operator.support.Kubectl;
import com.idmelon.operator.support.OperatorHarness;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.MockResponse;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kubectl get} against the embedded API server shows what it shows against a cluster: the server answers
 * kubectl's Table requests with the CRD's printer columns and the built-in printers' columns.
 */
class TableOutputTest {
  /** What kubectl get sends (kubectl -v=8). */
  private static final String KUBECTL_ACCEPT = "application/json;as=Table;v=v1;g=meta.k8s.io,"
      + "application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";
  private static final String APIKEYS = "/apis/idmelon.com/v1alpha1/namespaces/%s/apikeys";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final AtomicInteger NAMESPACES = new AtomicInteger();

  private static EmbeddedKubernetes kubernetes;
  private static CustomResourceDefinition apiKeyCrd;

  @BeforeAll
  static void start() throws IOException {
    kubernetes = OperatorHarness.startKubernetes();
    try (InputStream yaml = Files.newInputStream(Path.of("crds", "apikeys.idmelon.com-v1.yml"))) {
      apiKeyCrd = Serialization.unmarshal(yaml, CustomResourceDefinition.class);
    }
  }

  @AfterAll
  static void stop() {
    kubernetes.close();
  }

  // ---------------------------------------------------------------- over HTTP, as kubectl sends it

  @Test
  void apiKeysAreListedWithTheCrdPrinterColumns() throws Exception {
    String ns = namespace();
    createApiKey(ns, "ready", true, """
        {"keyId": "k-ready", "expiresAt": "2027-06-30T00:00:00Z", "nextRotationAt": "2027-05-30T00:00:00Z",
         "workspace": {"kind": "ClusterWorkspace", "name": "acme"},
         "conditions": [{"type": "Issued", "status": "True"}, {"type": "Ready", "status": "True"}]}""");
    createApiKey(ns, "failing", false, """
        {"conditions": [{"type": "Ready", "status": "False", "reason": "IdmelonUnavailable"}]}""");
    createApiKey(ns, "fresh", false, null);

    JsonNode table = get(APIKEYS.formatted(ns) + "?limit=500", KUBECTL_ACCEPT);

    assertEquals("Table", table.path("kind").asText());
    assertEquals("meta.k8s.io/v1", table.path("apiVersion").asText());
    List<CustomResourceColumnDefinition> printerColumns =
        apiKeyCrd.getSpec().getVersions().get(0).getAdditionalPrinterColumns();
    List<String> expectedNames = new ArrayList<>(List.of("Name"));
    printerColumns.forEach(c -> expectedNames.add(c.getName()));
    assertEquals(expectedNames, texts(table.path("columnDefinitions"), "name"), "Name, then the CRD's columns");
    JsonNode columns = table.path("columnDefinitions");
    assertEquals("name", columns.get(0).path("format").asText());
    for (int i = 0; i < printerColumns.size(); i++) {
      CustomResourceColumnDefinition expected = printerColumns.get(i);
      JsonNode column = columns.get(i + 1);
      assertEquals(expected.getType(), column.path("type").asText(), expected.getName());
      assertEquals(expected.getPriority() == null ? 0 : expected.getPriority(), column.path("priority").asInt(),
          expected.getName());
      assertEquals("Custom resource definition column (in JSONPath format): " + expected.getJsonPath(),
          column.path("description").asText());
    }
    for (String wide : List.of("Workspace", "Next Rotation", "Suspended")) {
      assertEquals(1, column(table, wide).path("priority").asInt(), wide + " is shown by -o wide only");
    }

    assertEquals(List.of("failing", "fresh", "ready"), sortedRowNames(table));
    Map<String, JsonNode> ready = row(table, "ready");
    assertEquals("Admin", ready.get("Type").asText());
    assertEquals("True", ready.get("Ready").asText(), "the Ready condition's status, found by a JSONPath filter");
    assertEquals("2027-06-30T00:00:00Z", ready.get("Expires").asText());
    assertEquals("k-ready", ready.get("Key ID").asText());
    assertTrue(ready.get("Age").asText().matches("\\d+s"), "a date column is sent as an age: " + ready.get("Age"));
    assertEquals("acme", ready.get("Workspace").asText());
    assertEquals("2027-05-30T00:00:00Z", ready.get("Next Rotation").asText());
    assertTrue(ready.get("Suspended").isBoolean(), "a boolean column's cell is a JSON boolean");
    assertTrue(ready.get("Suspended").booleanValue());

    assertEquals("False", row(table, "failing").get("Ready").asText());
    assertFalse(row(table, "failing").get("Suspended").booleanValue());
    Map<String, JsonNode> fresh = row(table, "fresh");
    for (String empty : List.of("Ready", "Expires", "Key ID", "Workspace", "Next Rotation")) {
      assertTrue(fresh.get(empty).isNull(), empty + " of a key without status is an empty cell: " + fresh);
    }

    JsonNode plain = get(APIKEYS.formatted(ns), "application/json");
    assertEquals(plain.path("metadata").path("resourceVersion").asText(),
        table.path("metadata").path("resourceVersion").asText(), "the list's resourceVersion");
  }

  @Test
  void rowsCarryTheObjectsMetadataUnlessAskedForMoreOrLess() throws Exception {
    String ns = namespace();
    createApiKey(ns, "k", true, "{\"keyId\": \"k-1\"}");
    JsonNode stored = get(APIKEYS.formatted(ns) + "/k", "application/json");

    JsonNode metadata = get(APIKEYS.formatted(ns), KUBECTL_ACCEPT).path("rows").get(0).path("object");
    assertEquals("PartialObjectMetadata", metadata.path("kind").asText());
    assertEquals("meta.k8s.io/v1", metadata.path("apiVersion").asText());
    assertEquals(stored.path("metadata"), metadata.path("metadata"));
    assertEquals(List.of("apiVersion", "kind", "metadata"), fieldNames(metadata));

    JsonNode none = get(APIKEYS.formatted(ns) + "?includeObject=None", KUBECTL_ACCEPT).path("rows").get(0);
    assertTrue(none.has("object") && none.path("object").isNull(), "None: the row has no object");

    JsonNode whole = get(APIKEYS.formatted(ns) + "?includeObject=Object", KUBECTL_ACCEPT).path("rows").get(0);
    assertEquals(stored, whole.path("object"), "Object: the whole object (kubectl --sort-by asks for it)");

    HttpResponse<String> bad = send(APIKEYS.formatted(ns) + "?includeObject=All", KUBECTL_ACCEPT);
    assertEquals(400, bad.statusCode());
    JsonNode status = JSON.readTree(bad.body());
    assertEquals("BadRequest", status.path("reason").asText());
    assertEquals("Unable to convert to Table as requested: includeObject: Invalid value: \"All\": "
        + "must be 'Metadata', 'Object', 'None', or empty", status.path("message").asText());
  }

  @Test
  void oneObjectIsATableWithOneRow() throws Exception {
    String ns = namespace();
    createApiKey(ns, "one", false, "{\"keyId\": \"k-one\"}");
    createApiKey(ns, "other", false, null);
    JsonNode stored = get(APIKEYS.formatted(ns) + "/one", "application/json");

    JsonNode table = get(APIKEYS.formatted(ns) + "/one", KUBECTL_ACCEPT);

    assertEquals("Table", table.path("kind").asText());
    assertEquals(1, table.path("rows").size());
    assertEquals("k-one", row(table, "one").get("Key ID").asText());
    assertEquals(stored.path("metadata").path("resourceVersion").asText(),
        table.path("metadata").path("resourceVersion").asText(), "the object's resourceVersion");
    assertEquals(404, send(APIKEYS.formatted(ns) + "/missing", KUBECTL_ACCEPT).statusCode(),
        "a missing object stays a 404");
  }

  @Test
  void secretsShowTheirTypeAndHowManyKeysTheyHold() throws Exception {
    String ns = namespace();
    post("/api/v1/namespaces/" + ns + "/secrets", """
        {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "credentials"},
         "type": "kubernetes.io/basic-auth", "data": {"username": "YQ==", "password": "Yg=="}}""");
    post("/api/v1/namespaces/" + ns + "/secrets", """
        {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "untyped"}, "data": {"key": "YQ=="}}""");

    JsonNode table = get("/api/v1/namespaces/" + ns + "/secrets?limit=500", KUBECTL_ACCEPT);

    assertEquals(List.of("Name", "Type", "Data", "Age"), texts(table.path("columnDefinitions"), "name"));
    assertEquals("kubernetes.io/basic-auth", row(table, "credentials").get("Type").asText());
    assertEquals(2, row(table, "credentials").get("Data").asInt());
    assertEquals("Opaque", row(table, "untyped").get("Type").asText(), "the type an API server defaults to");
    assertEquals(1, row(table, "untyped").get("Data").asInt());
    assertTrue(row(table, "untyped").get("Age").asText().matches("\\d+s"));
  }

  @Test
  void configMapsShowHowManyKeysTheyHold() throws Exception {
    String ns = namespace();
    post("/api/v1/namespaces/" + ns + "/configmaps", """
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings"},
         "data": {"a": "1", "b": "2"}, "binaryData": {"c": "YQ=="}}""");

    JsonNode table = get("/api/v1/namespaces/" + ns + "/configmaps", KUBECTL_ACCEPT);

    assertEquals(List.of("Name", "Data", "Age"), texts(table.path("columnDefinitions"), "name"));
    assertEquals(3, row(table, "settings").get("Data").asInt(), "data and binaryData keys");
  }

  @Test
  void eventsShowWhenWhatAndAboutWhich() throws Exception {
    String ns = namespace();
    post("/api/v1/namespaces/" + ns + "/events", """
        {"apiVersion": "v1", "kind": "Event", "metadata": {"name": "k.1"},
         "involvedObject": {"kind": "ApiKey", "name": "k", "namespace": "%s"},
         "type": "Warning", "reason": "IssueFailed", "message": "  IDmelon answered 503\\n",
         "source": {"component": "apikey-operator"}, "count": 3,
         "firstTimestamp": "%s", "lastTimestamp": "%s"}""".formatted(ns, Instant.now().minusSeconds(600),
        Instant.now().minusSeconds(30)));

    JsonNode table = get("/api/v1/namespaces/" + ns + "/events", KUBECTL_ACCEPT);

    JsonNode columns = table.path("columnDefinitions");
    assertEquals(List.of("Last Seen", "Type", "Reason", "Object", "Message"), IntStream.range(0, columns.size())
        .filter(i -> columns.get(i).path("priority").asInt() == 0).mapToObj(i -> columns.get(i).path("name").asText())
        .toList(), "what kubectl get events shows");
    assertEquals(List.of("Subobject", "Source", "First Seen", "Count", "Name"), IntStream.range(0, columns.size())
        .filter(i -> columns.get(i).path("priority").asInt() == 1).mapToObj(i -> columns.get(i).path("name").asText())
        .toList(), "what -o wide adds");
    Map<String, JsonNode> event = cells(table, table.path("rows").get(0));
    assertTrue(event.get("Last Seen").asText().matches("3\\ds"), event.get("Last Seen").asText());
    assertEquals("10m", event.get("First Seen").asText());
    assertEquals("Warning", event.get("Type").asText());
    assertEquals("IssueFailed", event.get("Reason").asText());
    assertEquals("apikey/k", event.get("Object").asText());
    assertEquals("IDmelon answered 503", event.get("Message").asText());
    assertEquals("apikey-operator", event.get("Source").asText());
    assertEquals(3, event.get("Count").asInt());
    assertEquals("k.1", event.get("Name").asText());
  }

  @Test
  void namespacesShowTheirPhase() throws Exception {
    String ns = namespace();
    post("/api/v1/namespaces", "{\"apiVersion\": \"v1\", \"kind\": \"Namespace\", \"metadata\": {\"name\": \"%s\"}}"
        .formatted(ns));

    JsonNode table = get("/api/v1/namespaces/" + ns, KUBECTL_ACCEPT);

    assertEquals(List.of("Name", "Status", "Age"), texts(table.path("columnDefinitions"), "name"));
    assertEquals("Active", row(table, ns).get("Status").asText());
  }

  @Test
  void otherKindsShowNameAndCreationTime() throws Exception {
    JsonNode table = get("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", KUBECTL_ACCEPT);

    assertEquals(List.of("Name", "Created At"), texts(table.path("columnDefinitions"), "name"));
    assertEquals("date", table.path("columnDefinitions").get(1).path("type").asText());
    JsonNode crd = get("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/apikeys.idmelon.com",
        "application/json");
    assertEquals(Instant.parse(crd.path("metadata").path("creationTimestamp").asText()).toString(),
        row(table, "apikeys.idmelon.com").get("Created At").asText());
  }

  @Test
  void aClientThatKnowsOnlyV1beta1TablesGetsOne() throws Exception {
    String ns = namespace();
    createApiKey(ns, "k", false, null);

    JsonNode table = get(APIKEYS.formatted(ns), "application/json;as=Table;v=v1beta1;g=meta.k8s.io");

    assertEquals("meta.k8s.io/v1beta1", table.path("apiVersion").asText());
    assertEquals("meta.k8s.io/v1beta1", table.path("rows").get(0).path("object").path("apiVersion").asText());
  }

  @Test
  void clientsThatAskForObjectsGetObjects() throws Exception {
    String ns = namespace();
    createApiKey(ns, "k", false, null);

    for (String accept : new String[] {"application/json", "application/json, */*", null,
        "application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io,application/json"}) {
      JsonNode list = get(APIKEYS.formatted(ns), accept);
      assertFalse("Table".equals(list.path("kind").asText()), accept);
      assertEquals("k", list.path("items").get(0).path("metadata").path("name").asText(), accept);
    }
    assertEquals("ApiKey", get(APIKEYS.formatted(ns) + "/k", "application/json").path("kind").asText());
  }

  // ---------------------------------------------------------------- the converter itself

  @Test
  void watchEventsCarryColumnDefinitionsOnlyWhenAsked() throws Exception {
    String ns = namespace();
    createApiKey(ns, "w", false, "{\"keyId\": \"k-w\"}");
    JsonNode object = get(APIKEYS.formatted(ns) + "/w", "application/json");
    TableOutput tables = new TableOutput(crdsOf(apiKeyCrd));
    ResourcePath watch = ResourcePath.parse(APIKEYS.formatted(ns) + "?watch=true&includeObject=Object").orElseThrow();

    JsonNode first = tables.watchEventTable(watch, KUBECTL_ACCEPT, object, true);
    JsonNode next = tables.watchEventTable(watch, KUBECTL_ACCEPT, object, false);

    assertEquals(expectedColumnCount(), first.path("columnDefinitions").size());
    assertTrue(next.has("columnDefinitions") && next.path("columnDefinitions").isNull(),
        "later events: \"columnDefinitions\": null, as the API server sends them");
    assertEquals(first.path("rows"), next.path("rows"));
    assertEquals(1, next.path("rows").size());
    assertEquals(object, next.path("rows").get(0).path("object"), "includeObject=Object");
    assertEquals(object, tables.watchEventTable(watch, "application/json", object, true), "no Table asked");
    JsonNode status = JSON.readTree("{\"kind\": \"Status\", \"apiVersion\": \"v1\", \"code\": 410}");
    assertEquals(status, tables.watchEventTable(watch, KUBECTL_ACCEPT, status, true), "ERROR events stay Status");
    assertTrue(TableOutput.wanted(KUBECTL_ACCEPT));
    assertFalse(TableOutput.wanted("application/json"));
  }

  @Test
  void customColumnsCoerceValuesToTheirTypeAsTheApiServer() throws Exception {
    CustomResourceDefinition crd = Serialization.unmarshal(Serialization.asJson(apiKeyCrd),
        CustomResourceDefinition.class);
    List<CustomResourceColumnDefinition> columns = new ArrayList<>();
    for (String[] c : new String[][] {{"Int", "integer", ".spec.n"}, {"IntFromFloat", "integer", ".spec.f"},
        {"Num", "number", ".spec.n"}, {"Flag", "boolean", ".spec.flag"}, {"NotFlag", "boolean", ".spec.text"},
        {"Since", "date", ".spec.when"}, {"Bad", "date", ".spec.text"}, {"Obj", "string", ".spec.obj"},
        {"Float", "string", ".spec.f"}, {"Null", "string", ".spec.none"}, {"OutOfRange", "string", ".spec.list[9]"},
        {"First", "string", ".spec.list[*]"}}) {
      CustomResourceColumnDefinition column = new CustomResourceColumnDefinition();
      column.setName(c[0]);
      column.setType(c[1]);
      column.setJsonPath(c[2]);
      columns.add(column);
    }
    crd.getSpec().getVersions().get(0).setAdditionalPrinterColumns(columns);
    Instant now = Instant.parse("2026-01-10T12:00:00Z");
    TableOutput tables = new TableOutput(crdsOf(crd), Clock.fixed(now, ZoneOffset.UTC));
    JsonNode object = JSON.readTree("""
        {"apiVersion": "idmelon.com/v1alpha1", "kind": "ApiKey", "metadata": {"name": "c"},
         "spec": {"n": 7, "f": 2.75, "flag": true, "text": "yes", "when": "2026-01-10T08:50:00Z",
                  "obj": {"z": 1, "a": [true]}, "none": null, "list": ["x", "y"]}}""");

    JsonNode table = tables.watchEventTable(ResourcePath.parse(APIKEYS.formatted("t")).orElseThrow(),
        KUBECTL_ACCEPT, object, true);

    Map<String, JsonNode> cells = cells(table, table.path("rows").get(0));
    assertEquals("7", cells.get("Int").toString());
    assertEquals("2", cells.get("IntFromFloat").toString(), "an integer column truncates a float");
    assertEquals(7.0, cells.get("Num").asDouble());
    assertEquals("true", cells.get("Flag").toString());
    assertTrue(cells.get("NotFlag").isNull(), "a value of the wrong type is an empty cell");
    assertEquals("3h10m", cells.get("Since").asText(), "a date column is the age, computed by the server");
    assertEquals("<invalid>", cells.get("Bad").asText());
    assertEquals("{\"a\":[true],\"z\":1}", cells.get("Obj").asText());
    assertEquals("2.75", cells.get("Float").asText());
    assertEquals("<no value>", cells.get("Null").asText());
    assertTrue(cells.get("OutOfRange").isNull(), "an evaluation error is an empty cell");
    assertEquals("x", cells.get("First").asText(), "only the first of several results");
  }

  @Test
  void agesReadAsKubectlShowsThem() {
    Map<Long, String> expected = Map.of(-5L, "<invalid>", 0L, "0s", 119L, "119s", 125L, "2m5s", 600L, "10m",
        3 * 3600L + 600, "3h10m", 9 * 3600L, "9h", 3 * 86400L + 7200, "3d2h", 30 * 86400L, "30d",
        800 * 86400L, "2y70d");
    expected.forEach((seconds, age) ->
        assertEquals(age, TablePrinters.humanDuration(Duration.ofSeconds(seconds)), seconds + "s"));
  }

  // ---------------------------------------------------------------- with the real kubectl

  @Test
  void kubectlGetApiKeysPrintsTheCrdColumns(@TempDir Path dir) throws Exception {
    assumeTrue(Kubectl.available());
    String ns = namespace();
    createApiKey(ns, "printed", true, """
        {"keyId": "k-printed", "expiresAt": "2027-06-30T00:00:00Z", "nextRotationAt": "2027-05-30T00:00:00Z",
         "workspace": {"kind": "ClusterWorkspace", "name": "acme"}, "conditions": [{"type": "Ready", "status": "True"}]}""");
    Kubectl kubectl = new Kubectl(kubernetes, dir);

    Kubectl.Result get = kubectl.run("get", "apikeys", "-n", ns);
    assertEquals(0, get.exitCode(), get.toString());
    List<String> lines = get.out().lines().toList();
    assertEquals(List.of("NAME", "TYPE", "READY", "EXPIRES", "KEY", "ID", "AGE"), words(lines.get(0)), get.toString());
    assertEquals(List.of("printed", "Admin", "True", "2027-06-30T00:00:00Z", "k-printed"),
        words(lines.get(1)).subList(0, 5), get.toString());

    Kubectl.Result wide = kubectl.run("get", "apikeys", "-n", ns, "-o", "wide");
    assertEquals(0, wide.exitCode(), wide.toString());
    List<String> wideLines = wide.out().lines().toList();
    assertEquals(List.of("NAME", "TYPE", "READY", "EXPIRES", "KEY", "ID", "AGE", "WORKSPACE", "NEXT", "ROTATION",
        "SUSPENDED"), words(wideLines.get(0)), wide.toString());
    assertEquals(List.of("acme", "2027-05-30T00:00:00Z", "true"), words(wideLines.get(1)).subList(6, 9),
        wide.toString());
  }

  @Test
  void kubectlGetSecretsPrintsTypeAndData(@TempDir Path dir) throws Exception {
    assumeTrue(Kubectl.available());
    String ns = namespace();
    post("/api/v1/namespaces/" + ns + "/secrets", """
        {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "printed"},
         "type": "kubernetes.io/basic-auth", "data": {"username": "YQ==", "password": "Yg=="}}""");

    Kubectl.Result get = new Kubectl(kubernetes, dir).run("get", "secrets", "-n", ns);

    assertEquals(0, get.exitCode(), get.toString());
    List<String> lines = get.out().lines().toList();
    assertEquals(List.of("NAME", "TYPE", "DATA", "AGE"), words(lines.get(0)), get.toString());
    assertEquals(List.of("printed", "kubernetes.io/basic-auth", "2"), words(lines.get(1)).subList(0, 3));
  }

  // ---------------------------------------------------------------- helpers

  private static String namespace() {
    return "tables-" + NAMESPACES.incrementAndGet();
  }

  /** Creates an ApiKey, then writes its status as the operator does (status subresource); null: no status. */
  private static void createApiKey(String ns, String name, boolean suspend, String status) throws Exception {
    String key = """
        {"apiVersion": "idmelon.com/v1alpha1", "kind": "ApiKey", "metadata": {"name": "%s", "namespace": "%s"},
         "spec": {"type": "Admin", "name": "%s", "suspend": %s}}""".formatted(name, ns, name, suspend);
    JsonNode created = JSON.readTree(post(APIKEYS.formatted(ns), key));
    if (status != null) {
      ((com.fasterxml.jackson.databind.node.ObjectNode) created).set("status", JSON.readTree(status));
      HttpResponse<String> put = HTTP.send(HttpRequest.newBuilder(
              URI.create(kubernetes.url() + APIKEYS.formatted(ns) + "/" + name + "/status"))
          .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(created.toString()))
          .build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, put.statusCode(), put.body());
    }
  }

  private static String post(String path, String body) throws Exception {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(kubernetes.url() + path))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(201, response.statusCode(), response.body());
    return response.body();
  }

  private static HttpResponse<String> send(String path, String accept) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(kubernetes.url() + path)).GET();
    if (accept != null) {
      request.header("Accept", accept);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode get(String path, String accept) throws Exception {
    HttpResponse<String> response = send(path, accept);
    assertEquals(200, response.statusCode(), path + ": " + response.body());
    return JSON.readTree(response.body());
  }

  private static CrdCatalog crdsOf(CustomResourceDefinition crd) {
    String list = "{\"items\": [" + Serialization.asJson(crd) + "]}";
    return new CrdCatalog(path -> new MockResponse().setResponseCode(200).setBody(list));
  }

  private static int expectedColumnCount() {
    return 1 + apiKeyCrd.getSpec().getVersions().get(0).getAdditionalPrinterColumns().size();
  }

  private static List<String> texts(JsonNode array, String field) {
    List<String> texts = new ArrayList<>();
    array.forEach(item -> texts.add(item.path(field).asText()));
    return texts;
  }

  private static List<String> fieldNames(JsonNode object) {
    List<String> names = new ArrayList<>();
    object.fieldNames().forEachRemaining(names::add);
    names.sort(null);
    return names;
  }

  private static JsonNode column(JsonNode table, String name) {
    for (JsonNode column : table.path("columnDefinitions")) {
      if (column.path("name").asText().equals(name)) {
        return column;
      }
    }
    throw new AssertionError("no column " + name + " in " + table.path("columnDefinitions"));
  }

  private static List<String> sortedRowNames(JsonNode table) {
    List<String> names = new ArrayList<>();
    table.path("rows").forEach(r -> names.add(r.path("cells").get(0).asText()));
    names.sort(null);
    return names;
  }

  /** The cells of the row whose Name is {@code name}, by column name. */
  private static Map<String, JsonNode> row(JsonNode table, String name) {
    for (JsonNode row : table.path("rows")) {
      Map<String, JsonNode> cells = cells(table, row);
      if (name.equals(cells.get("Name").asText())) {
        return cells;
      }
    }
    throw new AssertionError("no row " + name + " in " + table);
  }

  private static Map<String, JsonNode> cells(JsonNode table, JsonNode row) {
    JsonNode columns = table.path("columnDefinitions");
    assertEquals(columns.size(), row.path("cells").size(), "one cell per column: " + row);
    Map<String, JsonNode> cells = new java.util.HashMap<>();
    for (int i = 0; i < columns.size(); i++) {
      cells.put(columns.get(i).path("name").asText(), row.path("cells").get(i));
    }
    return cells;
  }

  private static List<String> words(String line) {
    return Arrays.asList(line.trim().split("\\s+"));
  }
}
