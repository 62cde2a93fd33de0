package com.idmelon.operator.quickstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.idmelon.operator.support.Kubectl;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded API server admits custom resources as a Kubernetes 1.32 cluster does: what the committed CRDs'
 * schemas and CEL rules refuse is answered 422 with the API server's Status, nothing stored; unknown fields are
 * pruned (or refused, or warned about, by fieldValidation) and defaults applied, and the answer is the object as
 * stored.
 */
class AdmissionTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String APIKEYS = "/apis/idmelon.com/v1alpha1/namespaces/default/apikeys";
  private static final String NOT_CHECKED = "<nil>: Invalid value: \"null\": some validation rules were not checked"
      + " because the object was invalid; correct the existing errors to complete validation";

  private static EmbeddedKubernetes kubernetes;
  private static KubernetesClient client;
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws IOException {
    kubernetes = EmbeddedKubernetes.start(0);
    for (String file : new String[] {"apikeys", "workspaces", "clusterworkspaces"}) {
      try (InputStream crd = Files.newInputStream(Path.of("crds", file + ".idmelon.com-v1.yml"))) {
        kubernetes.installCrd(crd);
      }
    }
    kubernetes.installCrd(stream(WIDGETS));
    client = kubernetes.newClient();
  }

  @AfterAll
  static void stop() {
    client.close();
    kubernetes.close();
  }

  /** A small CRD with defaults, a map, list types and a rule, for what the committed CRDs do not use. */
  private static final String WIDGETS = """
      apiVersion: apiextensions.k8s.io/v1
      kind: CustomResourceDefinition
      metadata: {name: widgets.example.com}
      spec:
        group: example.com
        names: {kind: Widget, plural: widgets, singular: widget}
        scope: Namespaced
        versions:
        - name: v1
          served: true
          storage: true
          subresources: {status: {}}
          schema:
            openAPIV3Schema:
              type: object
              properties:
                spec:
                  type: object
                  properties:
                    size: {type: integer, default: 3, minimum: 1, maximum: 10}
                    ratio: {type: number}
                    mode: {type: string, enum: [Fast, Slow], default: Fast}
                    port: {x-kubernetes-int-or-string: true}
                    code: {type: string, pattern: '^\\p{Alpha}+$'}
                    limits:
                      type: object
                      default: {}
                      properties:
                        cpu: {type: string, default: 100m}
                    tags:
                      type: array
                      x-kubernetes-list-type: set
                      items: {type: string}
                    ports:
                      type: array
                      x-kubernetes-list-type: map
                      x-kubernetes-list-map-keys: [name]
                      items:
                        type: object
                        required: [name]
                        properties:
                          name: {type: string}
                          number: {type: integer}
                    extra:
                      type: object
                      x-kubernetes-preserve-unknown-fields: true
                    labels:
                      type: object
                      maxProperties: 2
                      additionalProperties: {type: string}
                  x-kubernetes-validations:
                  - rule: "self.size <= 5 || self.mode == 'Slow'"
                    messageExpression: "'size ' + string(self.size) + ' needs mode Slow'"
                    fieldPath: .size
                  - rule: "!has(self.ratio) || self.ratio < 1.0"
                status:
                  type: object
                  properties:
                    phase: {type: string, enum: [Ready, Failed]}
      """;

  @Test
  void everyExampleIsAccepted() throws IOException {
    List<Path> examples = new ArrayList<>();
    for (String dir : new String[] {"examples", "examples/operations", "examples/workspaces"}) {
      try (Stream<Path> files = Files.list(Path.of(dir))) {
        files.filter(p -> p.toString().endsWith(".yaml")).sorted().forEach(examples::add);
      }
    }
    assertTrue(examples.size() >= 10, examples.toString());
    int admitted = 0;
    for (Path example : examples) {
      for (JsonNode document : YAML.readValues(YAML.getFactory().createParser(example.toFile()), JsonNode.class)
          .readAll()) {
        if (!document.path("apiVersion").asText().startsWith("idmelon.com/")) {
          continue;
        }
        GenericKubernetesResource resource = JSON.treeToValue(document, GenericKubernetesResource.class);
        resource.getMetadata().setName(resource.getMetadata().getName() + "-" + admitted);
        client.resource(resource).create();
        admitted++;
      }
    }
    assertTrue(admitted >= 12, "ApiKeys, Workspaces and a ClusterWorkspace: " + admitted);
  }

  @Test
  void anUnsupportedEnumValueIsAnsweredWithTheApiServersStatusAndNothingIsStored() throws Exception {
    HttpResponse<String> response = post(APIKEYS, apiKey("bad-type", "name: x, type: Root"));

    assertEquals(422, response.statusCode());
    String unsupported = "Unsupported value: \\\"Root\\\": supported values: \\\"Admin\\\", \\\"Clients\\\","
        + " \\\"SharedMobile\\\"";
    assertEquals("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
        + "\"message\":\"ApiKey.idmelon.com \\\"bad-type\\\" is invalid: [spec.type: " + unsupported + ", "
        + NOT_CHECKED.replace("\"", "\\\"") + "]\",\"reason\":\"Invalid\","
        + "\"details\":{\"name\":\"bad-type\",\"group\":\"idmelon.com\",\"kind\":\"ApiKey\",\"causes\":["
        + "{\"reason\":\"FieldValueNotSupported\",\"message\":\"" + unsupported + "\",\"field\":\"spec.type\"},"
        + "{\"reason\":\"FieldValueInvalid\",\"message\":\"Invalid value: \\\"null\\\": some validation rules were"
        + " not checked because the object was invalid; correct the existing errors to complete validation\","
        + "\"field\":\"<nil>\"}]},\"code\":422}", response.body());
    assertEquals(404, get(APIKEYS + "/bad-type").statusCode(), "nothing stored");
  }

  @Test
  void theFabric8ClientRaisesTheStatusWithCode422() {
    KubernetesClientException refused = assertThrows(KubernetesClientException.class,
        () -> client.resource(resource(apiKey("long-name", "name: " + "n".repeat(101) + ", type: Admin"))).create());

    assertEquals(422, refused.getCode());
    assertEquals("Invalid", refused.getStatus().getReason());
    assertEquals("ApiKey.idmelon.com \"long-name\" is invalid: [spec.name: Too long: may not be more than 100 bytes, "
        + NOT_CHECKED + "]", refused.getStatus().getMessage());
    assertEquals("FieldValueTooLong", refused.getStatus().getDetails().getCauses().get(0).getReason());
    assertEquals("spec.name", refused.getStatus().getDetails().getCauses().get(0).getField());
  }

  @Test
  void schemaErrorsReadAsTheApiServerWritesThem() throws Exception {
    assertRefused(apiKey("pattern", "name: x, type: Admin, secretName: Bad_Name"), "spec.secretName: Invalid value:"
        + " \"Bad_Name\": spec.secretName in body should match"
        + " '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$'");
    assertRefused(apiKey("required", "name: x"), "[spec.type: Required value, " + NOT_CHECKED + "]");
    StringBuilder targets = new StringBuilder("name: x, type: Clients, restartTargets: [");
    for (int i = 0; i < 17; i++) {
      targets.append(i == 0 ? "" : ", ").append("{kind: Deployment, name: w").append(i).append('}');
    }
    assertRefused(apiKey("targets", targets.append(']').toString()),
        "[spec.restartTargets: Too many: 17: must have at most 16 items, " + NOT_CHECKED + "]");
    assertRefused(apiKey("wrong-type", "name: x, type: Admin, suspend: 'yes'"), "[spec.suspend: Invalid value:"
        + " \"string\": spec.suspend in body must be of type boolean: \"string\", " + NOT_CHECKED + "]");
    assertRefused(apiKey("Bad_Name", "name: x, type: Admin"), "metadata.name: Invalid value: \"Bad_Name\": a"
        + " lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must"
        + " start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is"
        + " '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");
  }

  @Test
  void celRulesRefuseWithTheirMessageAtTheirNode() throws Exception {
    assertRefused(apiKey("both", "name: x, type: Admin, expiresAt: '2030-01-01T00:00:00Z', duration: 720h"),
        "spec: Invalid value: \"object\": expiresAt and duration are mutually exclusive: set at most one");
    assertRefused(apiKey("reset", "name: x, type: Clients, rotation: {strategy: Reset}, duration: 1h,"
            + " renewBefore: 2h"),
        "[spec: Invalid value: \"object\": renewBefore must be shorter than duration, spec: Invalid value:"
            + " \"object\": rotation.strategy Reset needs type Admin: only Admin keys can be reset]");
    assertRefused(apiKey("twice", "name: x, type: Clients, restartTargets: [{kind: Deployment, name: web},"
        + " {kind: Deployment, name: web}]"), "spec.restartTargets: Invalid value: \"array\": restartTargets must"
        + " not name the same workload twice");
    assertRefused(apiKey("data", "name: x, type: Clients, secretTemplate: {data: {apiKey: x}}"),
        "spec.secretTemplate.data: Invalid value: \"object\": data cannot set apiKey, keyId, type or expiresAt: the"
            + " operator writes those keys itself");
  }

  @Test
  void transitionRulesRefuseChangingWhatIsImmutable() throws Exception {
    assertEquals(201, post(APIKEYS, apiKey("immutable",
        "name: x, type: Admin, workspaceRef: {kind: ClusterWorkspace, name: default}")).statusCode());

    GenericKubernetesResource key = client.genericKubernetesResources("idmelon.com/v1alpha1", "ApiKey")
        .inNamespace("default").withName("immutable").get();
    KubernetesClientException refused = assertThrows(KubernetesClientException.class,
        () -> client.genericKubernetesResources("idmelon.com/v1alpha1", "ApiKey").inNamespace("default")
            .withName("immutable").edit(k -> {
              spec(k).put("workspaceRef", Map.of("kind", "ClusterWorkspace", "name", "eu"));
              spec(k).put("type", "Clients");
              return k;
            }));
    assertEquals(422, refused.getCode());
    assertEquals("ApiKey.idmelon.com \"immutable\" is invalid: [spec: Invalid value: \"object\": workspaceRef is"
        + " immutable: create a new ApiKey to use another workspace, spec.type: Invalid value: \"string\": type is"
        + " immutable]", refused.getStatus().getMessage());
    assertEquals(key.getMetadata().getResourceVersion(), client.genericKubernetesResources("idmelon.com/v1alpha1",
        "ApiKey").inNamespace("default").withName("immutable").get().getMetadata().getResourceVersion(),
        "nothing stored");

    GenericKubernetesResource renamed = client.genericKubernetesResources("idmelon.com/v1alpha1", "ApiKey")
        .inNamespace("default").withName("immutable").edit(k -> {
          spec(k).put("name", "y");
          return k;
        });
    assertEquals("y", spec(renamed).get("name"), "a change the rules allow is stored");
  }

  @Test
  void workspaceAndClusterWorkspaceRulesApply() throws Exception {
    assertRefused("/apis/idmelon.com/v1alpha1/namespaces/default/workspaces", """
        {"apiVersion":"idmelon.com/v1alpha1","kind":"Workspace","metadata":{"name":"team"},
         "spec":{"region":"EU","adminKeySecretRef":{"name":"admin","namespace":"elsewhere"}}}""",
        "spec: Invalid value: \"object\": adminKeySecretRef.namespace is not allowed on a Workspace: it reads the"
            + " Secret in its own namespace");
    assertRefused("/apis/idmelon.com/v1alpha1/clusterworkspaces", """
        {"apiVersion":"idmelon.com/v1alpha1","kind":"ClusterWorkspace","metadata":{"name":"shared"},
         "spec":{"region":"EU","baseUrl":"https://idmelon.example.com","adminKeySecretRef":{"name":"admin"}}}""",
        "[spec: Invalid value: \"object\": adminKeySecretRef.namespace is required on a ClusterWorkspace, spec:"
            + " Invalid value: \"object\": set exactly one of region and baseUrl]");
    assertRefused("/apis/idmelon.com/v1alpha1/clusterworkspaces", """
        {"apiVersion":"idmelon.com/v1alpha1","kind":"ClusterWorkspace","metadata":{"name":"shared"},
         "spec":{"region":"US","adminKeySecretRef":{"name":"admin","namespace":"ops"},
                 "keyPolicy":{"maxLifetime":"0s"}}}""",
        "spec.keyPolicy.maxLifetime: Invalid value: \"string\": maxLifetime must be a positive duration");
  }

  @Test
  void aKeyNamePrefixWithAControlCharacterIsRefusedAndAnyOtherAccepted() throws Exception {
    String workspaces = "/apis/idmelon.com/v1alpha1/namespaces/default/workspaces";
    assertEquals(201, post(workspaces, workspace("prefixed", "k8s-prod/")).statusCode());
    assertRefused(workspaces, workspace("tabbed", "k8s\tprod/"), "spec.keyNamePrefix: Invalid value: \"k8s\\tprod/\":"
        + " spec.keyNamePrefix in body should match '^[^\\x00-\\x1F\\x7F]*$'");
  }

  private static String workspace(String name, String keyNamePrefix) throws IOException {
    return JSON.writeValueAsString(Map.of("apiVersion", "idmelon.com/v1alpha1", "kind", "Workspace",
        "metadata", Map.of("name", name), "spec", Map.of("region", "EU", "keyNamePrefix", keyNamePrefix,
            "adminKeySecretRef", Map.of("name", "admin"))));
  }

  @Test
  void statusWritesAreValidatedToo() throws Exception {
    assertEquals(201, post(APIKEYS, apiKey("status", "name: x, type: Admin")).statusCode());
    GenericKubernetesResource key = client.genericKubernetesResources("idmelon.com/v1alpha1", "ApiKey")
        .inNamespace("default").withName("status").get();
    key.setAdditionalProperty("status", Map.of("keyId", "k1", "pending", Map.of("type", "Root")));

    KubernetesClientException refused = assertThrows(KubernetesClientException.class,
        () -> client.resource(key).updateStatus());
    assertEquals(422, refused.getCode());
    assertEquals("ApiKey.idmelon.com \"status\" is invalid: [status.pending.type: Unsupported value: \"Root\":"
        + " supported values: \"Admin\", \"Clients\", \"SharedMobile\", " + NOT_CHECKED + "]",
        refused.getStatus().getMessage());

    key.setAdditionalProperty("status", Map.of("keyId", "k1", "pending", Map.of("type", "Admin")));
    GenericKubernetesResource stored = client.resource(key).updateStatus();
    assertEquals("k1", ((Map<?, ?>) stored.getAdditionalProperties().get("status")).get("keyId"));
  }

  @Test
  void anObjectPlantedWithoutAdmissionCanStillBeEditedAndDeleted() throws Exception {
    try (EmbeddedKubernetes.AdmissionOff off = kubernetes.withoutAdmission()) {
      assertEquals(201, post(APIKEYS, apiKey("planted", "name: x, type: Root, extra: kept")).statusCode());
    }
    assertEquals(422, post(APIKEYS, apiKey("refused-again", "name: x, type: Root")).statusCode(),
        "admission is back on");
    GenericKubernetesResource planted = client.genericKubernetesResources("idmelon.com/v1alpha1", "ApiKey")
        .inNamespace("default").withName("planted").get();
    assertEquals("kept", spec(planted).get("extra"), "stored as sent");

    GenericKubernetesResource edited = client.genericKubernetesResources("idmelon.com/v1alpha1", "ApiKey")
        .inNamespace("default").withName("planted").edit(k -> {
          k.getMetadata().setFinalizers(List.of("idmelon.com/finalizer"));
          return k;
        });
    assertEquals(List.of("idmelon.com/finalizer"), edited.getMetadata().getFinalizers());
    GenericKubernetesResource suspended = client.genericKubernetesResources("idmelon.com/v1alpha1", "ApiKey")
        .inNamespace("default").withName("planted").edit(k -> {
          spec(k).put("suspend", true);
          return k;
        });
    assertEquals("Root", spec(suspended).get("type"), "an unchanged invalid value is ratcheted");
    client.resource(suspended).delete();
    assertNotNull(client.genericKubernetesResources("idmelon.com/v1alpha1", "ApiKey").inNamespace("default")
        .withName("planted").get().getMetadata().getDeletionTimestamp(), "the deletion mark is stored");
  }

  @Test
  void defaultsAreAppliedAndUnknownFieldsPrunedWithAWarning() throws Exception {
    HttpResponse<String> created = post("/apis/example.com/v1/namespaces/default/widgets", widget("plain",
        "{\"foo\":1,\"labels\":{\"a\":\"b\"},\"extra\":{\"anything\":{\"goes\":true}},"
            + "\"ports\":[{\"name\":\"http\",\"number\":80,\"bar\":2}]}"));

    assertEquals(201, created.statusCode(), created.body());
    assertEquals(List.of("299 - \"unknown field \\\"spec.foo\\\"\"",
        "299 - \"unknown field \\\"spec.ports[0].bar\\\"\""), created.headers().allValues("Warning"));
    JsonNode spec = JSON.readTree(created.body()).path("spec");
    assertEquals("{\"labels\":{\"a\":\"b\"},\"extra\":{\"anything\":{\"goes\":true}},"
        + "\"ports\":[{\"name\":\"http\",\"number\":80}],\"size\":3,\"mode\":\"Fast\",\"limits\":{\"cpu\":\"100m\"}}",
        spec.toString(), "the answer is the object as stored");
    assertEquals(spec, JSON.readTree(get("/apis/example.com/v1/namespaces/default/widgets/plain").body())
        .path("spec"));
  }

  @Test
  void aStatusWriteIsPrunedAndValidatedAsTheStatusSubresource() throws Exception {
    String widget = "/apis/example.com/v1/namespaces/default/widgets/stat";
    assertEquals(201, post("/apis/example.com/v1/namespaces/default/widgets", widget("stat", "{}")).statusCode());
    String stored = get(widget).body();

    HttpResponse<String> refused = send(HttpRequest.newBuilder(uri(widget + "/status"))
        .PUT(HttpRequest.BodyPublishers.ofString(stored.replaceFirst("}$", ",\"status\":{\"phase\":\"Gone\"}}")))
        .header("Content-Type", "application/json").build());
    assertEquals(422, refused.statusCode());
    assertEquals("Widget.example.com \"stat\" is invalid: [status.phase: Unsupported value: \"Gone\": supported"
        + " values: \"Ready\", \"Failed\", " + NOT_CHECKED + "]", JSON.readTree(refused.body()).path("message")
        .asText());

    HttpResponse<String> written = send(HttpRequest.newBuilder(uri(widget + "/status"))
        .PUT(HttpRequest.BodyPublishers.ofString(stored.replaceFirst("}$",
            ",\"status\":{\"phase\":\"Ready\",\"junk\":1}}")))
        .header("Content-Type", "application/json").build());
    assertEquals(200, written.statusCode(), written.body());
    assertEquals(List.of("299 - \"unknown field \\\"status.junk\\\"\""), written.headers().allValues("Warning"));
    assertEquals("{\"phase\":\"Ready\"}", JSON.readTree(written.body()).path("status").toString());
  }

  @Test
  void fieldValidationStrictRefusesUnknownFieldsAndIgnorePrunesThemSilently() throws Exception {
    String widgets = "/apis/example.com/v1/namespaces/default/widgets";
    HttpResponse<String> strict = post(widgets + "?fieldManager=kubectl-client-side-apply&fieldValidation=Strict",
        widget("strict", "{\"foo\":1,\"bar\":{\"x\":1}}"));
    assertEquals(400, strict.statusCode());
    assertEquals("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":"
        + "\"Widget in version \\\"v1\\\" cannot be handled as a Widget: strict decoding error: unknown field"
        + " \\\"spec.bar\\\", unknown field \\\"spec.foo\\\"\",\"reason\":\"BadRequest\",\"code\":400}", strict.body());
    assertEquals(404, get(widgets + "/strict").statusCode());

    HttpResponse<String> ignored = post(widgets + "?fieldValidation=Ignore", widget("ignored", "{\"foo\":1}"));
    assertEquals(201, ignored.statusCode());
    assertEquals(List.of(), ignored.headers().allValues("Warning"));
    assertFalse(JSON.readTree(ignored.body()).path("spec").has("foo"));

    HttpResponse<String> patched = send(HttpRequest.newBuilder(uri(widgets + "/ignored?fieldValidation=Strict"))
        .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"spec\":{\"baz\":1}}"))
        .header("Content-Type", "application/merge-patch+json").build());
    assertEquals(422, patched.statusCode());
    JsonNode status = JSON.readTree(patched.body());
    String message = status.path("message").asText();
    assertTrue(message.startsWith(" \"\" is invalid: patch: Invalid value: \"{"), message);
    assertTrue(message.endsWith("\": strict decoding error: unknown field \"spec.baz\""), message);
    assertEquals("patch", status.path("details").path("causes").get(0).path("field").asText());
    assertFalse(JSON.readTree(get(widgets + "/ignored").body()).path("spec").has("baz"), "nothing stored");
  }

  @Test
  void schemaKeywordsTheCommittedCrdsDoNotUseAreChecked() throws Exception {
    String widgets = "/apis/example.com/v1/namespaces/default/widgets";
    assertRefused(widgets, widget("bounds", "{\"size\":11,\"ratio\":2.5,\"port\":true}"),
        "[spec.size: Invalid value: 11: spec.size in body should be less than or equal to 10, spec.port: Invalid"
            + " value: \"boolean\": spec.port in body must be of type integer,string: \"boolean\", " + NOT_CHECKED
            + "]");
    assertRefused(widgets, widget("sets", "{\"tags\":[\"a\",\"b\",\"a\"],\"ports\":[{\"name\":\"x\"},"
        + "{\"name\":\"x\",\"number\":1}],\"labels\":{\"a\":\"1\",\"b\":\"2\",\"c\":\"3\"}}"),
        "[spec.labels: Too many: 3: must have at most 2 items, spec.tags[2]: Duplicate value: \"a\","
            + " spec.ports[1]: Duplicate value: map[string]interface {}{\"name\":\"x\"}, " + NOT_CHECKED + "]");
    assertRefused(widgets, widget("rule", "{\"size\":7,\"ratio\":1.5}"),
        "[spec.size: Invalid value: \"object\": size 7 needs mode Slow, spec: Invalid value: \"object\": failed rule:"
            + " !has(self.ratio) || self.ratio < 1.0]");
    assertRefused(widgets, widget("regexp", "{\"code\":\"abc\"}"), "spec.code: Invalid value: \"abc\": spec.code in"
        + " body should match '^\\p{Alpha}+$, but pattern is invalid: error parsing regexp: invalid character class"
        + " range: `\\p{Alpha}`'");
    assertEquals(201, post(widgets, widget("int-or-string", "{\"port\":\"http\",\"size\":7,\"mode\":\"Slow\"}"))
        .statusCode());
  }

  @Test
  void aCrdWhoseRulesDoNotCompileIsRefused() throws Exception {
    HttpResponse<String> response = post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
        JSON.writeValueAsString(YAML.readTree(WIDGETS.replace("widgets.example.com", "gadgets.example.com")
            .replace("widgets", "gadgets").replace("Widget", "Gadget").replace("widget", "gadget")
            .replace("!has(self.ratio) || self.ratio < 1.0", "self.ratio <"))));

    assertEquals(422, response.statusCode(), response.body());
    String message = JSON.readTree(response.body()).path("message").asText();
    assertTrue(message.startsWith("CustomResourceDefinition.apiextensions.k8s.io \"gadgets.example.com\" is invalid:"
        + " spec.validation.openAPIV3Schema.properties[spec].x-kubernetes-validations[1].rule: Invalid value:"
        + " apiextensions.ValidationRule{Rule:\"self.ratio <\""), message);
    assertTrue(message.contains("compilation failed: "), message);
    assertEquals(404, get("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gadgets.example.com")
        .statusCode());
  }

  @Test
  void kubectlApplyPrintsTheRefusalAndFails(@TempDir Path dir) throws IOException {
    assumeTrue(Kubectl.available());
    Kubectl kubectl = new Kubectl(kubernetes, dir);
    Path bad = Files.writeString(dir.resolve("bad.yaml"), """
        apiVersion: idmelon.com/v1alpha1
        kind: ApiKey
        metadata: {name: kubectl-bad, namespace: default}
        spec: {name: x, type: Root}
        """);
    Kubectl.Result refused = kubectl.run("apply", "--validate=false", "-f", bad.toString());
    assertEquals(1, refused.exitCode(), refused.toString());
    assertEquals("The ApiKey \"kubectl-bad\" is invalid: \n* spec.type: Unsupported value: \"Root\": supported"
        + " values: \"Admin\", \"Clients\", \"SharedMobile\"\n* " + NOT_CHECKED + "\n", refused.err(),
        refused.toString());

    Path both = Files.writeString(dir.resolve("both.yaml"), """
        apiVersion: idmelon.com/v1alpha1
        kind: ApiKey
        metadata: {name: kubectl-both, namespace: default}
        spec: {name: x, type: Admin, expiresAt: '2030-01-01T00:00:00Z', duration: 720h}
        """);
    Kubectl.Result rule = kubectl.run("apply", "--validate=false", "-f", both.toString());
    assertEquals(1, rule.exitCode(), rule.toString());
    assertEquals("The ApiKey \"kubectl-both\" is invalid: spec: Invalid value: \"object\": expiresAt and duration are"
        + " mutually exclusive: set at most one\n", rule.err(), rule.toString());
  }

  private static void assertRefused(String yamlObject, String errors) throws Exception {
    assertRefused(APIKEYS, yamlObject, errors);
  }

  private static void assertRefused(String collection, String object, String errors) throws Exception {
    HttpResponse<String> response = post(collection, object);
    assertEquals(422, response.statusCode(), response.body());
    JsonNode status = JSON.readTree(response.body());
    String name = JSON.readTree(object).path("metadata").path("name").asText();
    String kind = JSON.readTree(object).path("kind").asText();
    String group = JSON.readTree(object).path("apiVersion").asText().split("/")[0];
    assertEquals(kind + "." + group + " \"" + name + "\" is invalid: " + errors, status.path("message").asText());
    assertEquals(404, get(collection + "/" + name).statusCode(), "nothing stored");
  }

  /** An ApiKey as JSON, {@code spec} given as flow YAML. */
  private static String apiKey(String name, String spec) throws IOException {
    return JSON.writeValueAsString(YAML.readTree("{apiVersion: idmelon.com/v1alpha1, kind: ApiKey, metadata: {name: "
        + name + ", namespace: default}, spec: {" + spec + "}}"));
  }

  private static String widget(String name, String specJson) {
    return "{\"apiVersion\":\"example.com/v1\",\"kind\":\"Widget\",\"metadata\":{\"name\":\"" + name
        + "\",\"namespace\":\"default\"},\"spec\":" + specJson + "}";
  }

  private static GenericKubernetesResource resource(String json) throws IOException {
    return JSON.readValue(json, GenericKubernetesResource.class);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> spec(GenericKubernetesResource resource) {
    return (Map<String, Object>) resource.getAdditionalProperties().get("spec");
  }

  private static URI uri(String path) {
    return URI.create(kubernetes.url() + path);
  }

  /** A POST as kubectl sends it. */
  private static HttpResponse<String> post(String path, String json) throws Exception {
    return send(HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.ofString(json))
        .header("Content-Type", "application/json").header("Accept", "application/json")
        .header("User-Agent", "kubectl/v1.32.0 (linux/amd64) kubernetes/70d3cc9").build());
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return send(HttpRequest.newBuilder(uri(path)).GET().header("Accept", "application/json").build());
  }

  private static HttpResponse<String> send(HttpRequest request) throws Exception {
    return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
  }

  private static InputStream stream(String text) {
    return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
  }
}
