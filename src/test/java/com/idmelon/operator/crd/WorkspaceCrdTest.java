package com.idmelon.operator.crd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The Workspace and ClusterWorkspace CRDs' CEL rules, and ApiKey's workspaceRef immutability, without a server. */
class WorkspaceCrdTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  /** CEL reserved words that Kubernetes escapes as __word__ in property names. */
  private static final Set<String> RESERVED = Set.of("namespace", "package", "import", "in", "as", "break", "const",
      "continue", "else", "for", "function", "if", "let", "loop", "return", "var", "void", "while");
  private static final CelCompiler CEL = CelCompilerFactory.standardCelCompilerBuilder()
      .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
      .addVar("self", SimpleType.DYN)
      .addVar("oldSelf", SimpleType.DYN)
      .build();
  private static final CelRuntime RUNTIME = CelRuntimeFactory.standardCelRuntimeBuilder().build();

  private static List<String> rules(String crd, String... path) throws IOException {
    JsonNode node = YAML.readTree(Path.of("crds", crd + ".idmelon.com-v1.yml").toFile())
        .path("spec").path("versions").get(0).path("schema").path("openAPIV3Schema");
    for (String part : path) {
      node = node.path("properties").path(part);
    }
    List<String> rules = new ArrayList<>();
    node.path("x-kubernetes-validations").forEach(r -> rules.add(r.path("rule").asText()));
    return rules;
  }

  private static boolean holds(List<String> rules, String selfYaml, String oldSelfYaml) throws Exception {
    boolean all = true;
    for (String rule : rules) {
      Map<String, Object> vars = new HashMap<>();
      vars.put("self", cel(YAML.readTree(selfYaml)));
      vars.put("oldSelf", cel(YAML.readTree(oldSelfYaml)));
      all &= (Boolean) RUNTIME.createProgram(CEL.compile(rule).getAst()).eval(vars);
    }
    return all;
  }

  private static boolean spec(String crd, String yaml) throws Exception {
    return holds(rules(crd, "spec"), yaml, yaml);
  }

  private static Object cel(JsonNode node) {
    if (node.isObject()) {
      Map<String, Object> map = new LinkedHashMap<>();
      node.fields().forEachRemaining(f -> map.put(RESERVED.contains(f.getKey()) ? "__" + f.getKey() + "__" : f.getKey(),
          cel(f.getValue())));
      return map;
    }
    if (node.isArray()) {
      List<Object> list = new ArrayList<>();
      node.forEach(n -> list.add(cel(n)));
      return list;
    }
    return node.isIntegralNumber() ? (Object) node.asLong() : node.isBoolean() ? (Object) node.asBoolean() : node.asText();
  }

  @Test
  void exactlyOneOfRegionAndBaseUrl() throws Exception {
    for (String crd : List.of("workspaces", "clusterworkspaces")) {
      String secret = crd.equals("workspaces") ? "{name: s}" : "{name: s, namespace: ops}";
      assertTrue(spec(crd, "{region: EU, adminKeySecretRef: " + secret + "}"));
      assertTrue(spec(crd, "{baseUrl: 'https://skm.idmelon.acme.com', adminKeySecretRef: " + secret + "}"));
      assertFalse(spec(crd, "{region: EU, baseUrl: 'https://x', adminKeySecretRef: " + secret + "}"), "both");
      assertFalse(spec(crd, "{adminKeySecretRef: " + secret + "}"), "neither");
    }
  }

  @Test
  void theSecretsNamespaceIsRequiredOnAClusterWorkspaceAndRefusedOnAWorkspace() throws Exception {
    assertFalse(spec("clusterworkspaces", "{region: US, adminKeySecretRef: {name: s}}"));
    assertFalse(spec("workspaces", "{region: US, adminKeySecretRef: {name: s, namespace: other}}"));
  }

  @Test
  void allowedNamespacesExistOnlyOnClusterWorkspaces() throws IOException {
    JsonNode workspace = YAML.readTree(Path.of("crds", "workspaces.idmelon.com-v1.yml").toFile())
        .path("spec").path("versions").get(0).path("schema").path("openAPIV3Schema").path("properties").path("spec");
    assertTrue(workspace.path("properties").path("allowedNamespaces").isMissingNode(),
        "a Workspace serves its own namespace only: the field is not in its schema");
    JsonNode cluster = YAML.readTree(Path.of("crds", "clusterworkspaces.idmelon.com-v1.yml").toFile())
        .path("spec").path("versions").get(0).path("schema").path("openAPIV3Schema").path("properties").path("spec");
    assertFalse(cluster.path("properties").path("allowedNamespaces").isMissingNode());
  }

  @Test
  void maxLifetimeIsAPositiveDuration() throws Exception {
    List<String> rules = rules("clusterworkspaces", "spec", "keyPolicy", "maxLifetime");
    assertEquals(1, rules.size());
    assertTrue(holds(rules, "'2160h'", "'2160h'"));
    assertFalse(holds(rules, "'0s'", "'0s'"));
  }

  @Test
  void theScopesShortNamesAndCategoryAreTheContracts() throws IOException {
    for (String[] kind : new String[][] {{"workspaces", "Namespaced", "ws"}, {"clusterworkspaces", "Cluster", "cws"}}) {
      JsonNode crd = YAML.readTree(Path.of("crds", kind[0] + ".idmelon.com-v1.yml").toFile()).path("spec");
      assertEquals(kind[1], crd.path("scope").asText());
      assertEquals(kind[2], crd.path("names").path("shortNames").get(0).asText());
      assertEquals("idmelon", crd.path("names").path("categories").get(0).asText());
      assertTrue(crd.path("versions").get(0).path("subresources").has("status"));
    }
  }

  @Test
  void anApiKeysWorkspaceRefIsImmutableIncludingAddingOrRemovingIt() throws Exception {
    List<String> rules = rules("apikeys", "spec");
    String base = "name: x, type: Clients";
    String eu = "{" + base + ", workspaceRef: {kind: ClusterWorkspace, name: eu}}";
    String us = "{" + base + ", workspaceRef: {kind: ClusterWorkspace, name: us}}";
    String none = "{" + base + "}";
    assertTrue(holds(rules, eu, eu));
    assertTrue(holds(rules, none, none));
    assertFalse(holds(rules, us, eu), "changed");
    assertFalse(holds(rules, eu, none), "added");
    assertFalse(holds(rules, none, eu), "removed");
  }
}
