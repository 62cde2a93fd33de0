package com.idmelon.operator.crd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The committed CRD's schema and CEL rules, checked without an API server: every example validates, and every rule
 * accepts what DESIGN.md allows and refuses what it forbids.
 */
class CrdSchemaTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static JsonNode version;
  private static JsonSchema schema;
  /** Every x-kubernetes-validations rule, by the schema path it sits on ("spec", "spec.type"). */
  private static final Map<String, List<String>> RULES = new LinkedHashMap<>();
  private static final CelCompiler CEL = CelCompilerFactory.standardCelCompilerBuilder()
      .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
      .addVar("self", SimpleType.DYN)
      .addVar("oldSelf", SimpleType.DYN)
      .build();
  private static final CelRuntime RUNTIME = CelRuntimeFactory.standardCelRuntimeBuilder().build();

  @BeforeAll
  static void load() throws IOException {
    JsonNode crd = YAML.readTree(Path.of("crds", "apikeys.idmelon.com-v1.yml").toFile());
    version = crd.path("spec").path("versions").get(0);
    JsonNode openApi = version.path("schema").path("openAPIV3Schema");
    schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(openApi);
    collectRules(openApi, "");
  }

  private static void collectRules(JsonNode node, String path) {
    for (JsonNode rule : node.path("x-kubernetes-validations")) {
      RULES.computeIfAbsent(path, k -> new ArrayList<>()).add(rule.path("rule").asText());
    }
    Iterator<Map.Entry<String, JsonNode>> properties = node.path("properties").fields();
    while (properties.hasNext()) {
      Map.Entry<String, JsonNode> property = properties.next();
      collectRules(property.getValue(), path.isEmpty() ? property.getKey() : path + "." + property.getKey());
    }
  }

  @Test
  void crdHasTheNamesColumnsAndStatusSubresourceOfTheContract() throws IOException {
    JsonNode crd = YAML.readTree(Path.of("crds", "apikeys.idmelon.com-v1.yml").toFile());
    assertEquals("idmelon.com", crd.path("spec").path("group").asText());
    assertEquals("v1alpha1", version.path("name").asText());
    assertEquals("Namespaced", crd.path("spec").path("scope").asText());
    assertEquals("ak", crd.path("spec").path("names").path("shortNames").get(0).asText());
    assertEquals("idmelon", crd.path("spec").path("names").path("categories").get(0).asText());
    assertTrue(version.path("subresources").has("status"));
    List<String> columns = new ArrayList<>();
    version.path("additionalPrinterColumns").forEach(c -> columns.add(c.path("name").asText()));
    assertEquals(Set.of("Type", "Ready", "Expires", "Key ID", "Age", "Workspace", "Next Rotation", "Suspended"),
        Set.copyOf(columns));
    JsonNode root = version.path("schema").path("openAPIV3Schema");
    for (JsonNode described : List.of(root, root.path("properties").path("spec"), root.path("properties").path("status"))) {
      assertFalse(described.path("description").asText().isBlank(), "kubectl explain describes apikey, .spec and .status");
    }
    JsonNode spec = version.path("schema").path("openAPIV3Schema").path("properties").path("spec");
    spec.path("properties").fields().forEachRemaining(f ->
        assertFalse(f.getValue().path("description").asText().isBlank(), "kubectl explain describes spec." + f.getKey()));
  }

  @Test
  void everyExampleValidatesAgainstTheSchemaAndItsRules() throws Exception {
    List<Path> examples;
    try (Stream<Path> files = Files.list(Path.of("examples"))) {
      examples = files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    assertTrue(examples.size() >= 3);
    for (Path example : examples) {
      List<JsonNode> documents = YAML.readValues(YAML.getFactory().createParser(example.toFile()), JsonNode.class)
          .readAll();
      assertTrue(documents.stream().anyMatch(d -> d.path("kind").asText().equals("ApiKey")), example + ": an ApiKey");
      for (JsonNode object : documents) {
        if (object.path("kind").asText().equals("ApiKey")) {
          assertValid(example, object);
        }
      }
    }
  }

  private static void assertValid(Path example, JsonNode object) {
    assertEquals(Set.of(), schema.validate(object), example + " validates");
    for (Map.Entry<String, List<String>> rules : RULES.entrySet()) {
      JsonNode self = at(object, rules.getKey());
      if (self.isMissingNode()) {
        continue;
      }
      for (String rule : rules.getValue()) {
        assertTrue(eval(rule, self, self), example + " passes " + rule);
      }
    }
  }

  @Test
  void schemaRefusesWrongTypesLengthsAndPatterns() throws IOException {
    assertInvalid("type: Root", "type");
    assertInvalid("name: ''", "name");
    assertInvalid("name: " + "x".repeat(101), "name");
    assertInvalid("duration: 90 days", "duration");
    assertInvalid("expiresAt: next year", "expiresAt");
    assertInvalid("secretName: Bad_Name", "secretName");
    assertInvalid("deletionPolicy: Forget", "deletionPolicy");
    assertInvalid("rotation: {strategy: Rotate}", "strategy");
    Set<ValidationMessage> missingType = schema.validate(YAML.readTree("{spec: {name: x}}"));
    assertFalse(missingType.isEmpty(), "type is required");
  }

  @Test
  void expiresAtAndDurationAreMutuallyExclusive() throws IOException {
    assertFalse(specRules("{name: x, type: Admin, expiresAt: '2030-01-01T00:00:00Z', duration: 720h}"));
    assertTrue(specRules("{name: x, type: Admin, expiresAt: '2030-01-01T00:00:00Z'}"));
    assertTrue(specRules("{name: x, type: Admin, duration: 720h}"));
    assertTrue(specRules("{name: x, type: Admin}"));
  }

  @Test
  void renewBeforeNeedsALongerDuration() throws IOException {
    assertFalse(specRules("{name: x, type: Admin, renewBefore: 24h}"));
    assertFalse(specRules("{name: x, type: Admin, duration: 24h, renewBefore: 24h}"));
    assertFalse(specRules("{name: x, type: Admin, duration: 24h, renewBefore: 1440m1s}"));
    assertTrue(specRules("{name: x, type: Admin, duration: 2160h, renewBefore: 360h}"));
    assertTrue(specRules("{name: x, type: Admin, duration: 1h30m, renewBefore: 30m}"));
  }

  @Test
  void resetStrategyNeedsAnAdminKey() throws IOException {
    assertFalse(specRules("{name: x, type: Clients, rotation: {strategy: Reset}}"));
    assertFalse(specRules("{name: x, type: SharedMobile, rotation: {strategy: Reset}}"));
    assertTrue(specRules("{name: x, type: Admin, rotation: {strategy: Reset}}"));
    assertTrue(specRules("{name: x, type: Clients, rotation: {strategy: Replace, gracePeriod: 10m}}"));
    assertTrue(specRules("{name: x, type: Admin, rotation: {gracePeriod: 10m}}"));
  }

  @Test
  void secretTemplateDataMayNotSetTheDefaultKeysNorHaveMoreThan32() throws Exception {
    List<String> rules = RULES.get("spec.secretTemplate.data");
    assertEquals(1, rules.size());
    for (String taken : new String[] {"apiKey", "keyId", "type", "expiresAt"}) {
      JsonNode data = YAML.readTree("{" + taken + ": x, OTHER: y}");
      assertFalse(eval(rules.get(0), data, data), taken);
    }
    JsonNode fine = YAML.readTree("{IDMELON_API_KEY: '{{apiKey}}', name: '{{name}}'}");
    assertTrue(eval(rules.get(0), fine, fine));
    StringBuilder many = new StringBuilder("secretTemplate: {data: {");
    for (int i = 0; i < 33; i++) {
      many.append("k").append(i).append(": x, ");
    }
    assertInvalid(many.append("}}").toString(), "32");
  }

  @Test
  void restartTargetsAreWorkloadsOfTheThreeKindsEachNamedOnce() throws Exception {
    assertInvalid("restartTargets: [{kind: Job, name: nightly}]", "kind");
    assertInvalid("restartTargets: [{kind: Deployment, name: Web_1}]", "name");
    assertInvalid("restartTargets: [{kind: Deployment}]", "name");
    StringBuilder seventeen = new StringBuilder("restartTargets: [");
    for (int i = 0; i < 17; i++) {
      seventeen.append(i == 0 ? "" : ", ").append("{kind: Deployment, name: w").append(i).append('}');
    }
    assertInvalid(seventeen.append(']').toString(), "16");
    List<String> rules = RULES.get("spec.restartTargets");
    assertEquals(1, rules.size());
    JsonNode twice = YAML.readTree("[{kind: Deployment, name: web}, {kind: StatefulSet, name: db},"
        + " {kind: Deployment, name: web}]");
    assertFalse(eval(rules.get(0), twice, twice));
    JsonNode distinct = YAML.readTree("[{kind: Deployment, name: web}, {kind: StatefulSet, name: web},"
        + " {kind: DaemonSet, name: agent}]");
    assertTrue(eval(rules.get(0), distinct, distinct));
  }

  @Test
  void typeIsImmutable() throws Exception {
    List<String> rules = RULES.get("spec.type");
    assertEquals(1, rules.size());
    assertFalse(eval(rules.get(0), YAML.readTree("Clients"), YAML.readTree("Admin")));
    assertTrue(eval(rules.get(0), YAML.readTree("Admin"), YAML.readTree("Admin")));
  }

  private static boolean specRules(String specYaml) throws IOException {
    JsonNode spec = YAML.readTree(specYaml);
    ObjectNode object = YAML.createObjectNode();
    object.set("spec", spec);
    assertEquals(Set.of(), schema.validate(object), "the schema itself accepts " + specYaml);
    boolean all = true;
    for (String rule : RULES.get("spec")) {
      all &= eval(rule, spec, spec);
    }
    return all;
  }

  private static void assertInvalid(String specField, String expectedInMessage) throws IOException {
    JsonNode object = YAML.readTree("{spec: {name: ok, type: Admin, " + specField + "}}");
    Set<ValidationMessage> messages = schema.validate(object);
    assertFalse(messages.isEmpty(), specField + " is refused");
    assertTrue(messages.stream().anyMatch(m -> m.getMessage().contains(expectedInMessage)), messages.toString());
  }

  private static JsonNode at(JsonNode object, String path) {
    JsonNode node = object;
    for (String part : path.split("\\.")) {
      node = node.path(part);
    }
    return node;
  }

  private static boolean eval(String rule, JsonNode self, JsonNode oldSelf) {
    try {
      CelAbstractSyntaxTree ast = CEL.compile(rule).getAst();
      Map<String, Object> vars = new HashMap<>();
      vars.put("self", toCel(self));
      vars.put("oldSelf", toCel(oldSelf));
      return (Boolean) RUNTIME.createProgram(ast).eval(vars);
    } catch (Exception e) {
      throw new AssertionError("CEL rule " + rule + " failed to evaluate: " + e.getMessage(), e);
    }
  }

  private static Object toCel(JsonNode node) {
    if (node.isObject()) {
      Map<String, Object> map = new LinkedHashMap<>();
      node.fields().forEachRemaining(f -> map.put(f.getKey(), toCel(f.getValue())));
      return map;
    }
    if (node.isArray()) {
      List<Object> list = new ArrayList<>();
      node.forEach(n -> list.add(toCel(n)));
      return list;
    }
    if (node.isIntegralNumber()) {
      return node.asLong();
    }
    if (node.isBoolean()) {
      return node.asBoolean();
    }
    return node.asText();
  }
}
