package com.idmelon.operator.quickstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Printer-column JSONPath reads objects as Kubernetes' client-go jsonpath does. */
class JsonPathTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNode KEY = json("""
      {"metadata": {"name": "k", "labels": {"app.kubernetes.io/name": "idmelon"}},
       "spec": {"type": "Admin", "suspend": false, "weight": 1.5, "nothing": null},
       "status": {"conditions": [
         {"type": "Issued", "status": "True", "n": 1},
         {"type": "Ready", "status": "False", "n": 2},
         {"type": "Synced", "status": "True", "n": 3, "extra": {"b": 2, "a": "<x>"}}]}}
      """);

  private static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** The texts of the first part's results, as a printer column sees them. */
  private static List<String> texts(String path) {
    return JsonPath.column(path).find(KEY).get(0).stream().map(JsonPath::text).toList();
  }

  @Test
  void fieldsAndMissingKeys() {
    assertEquals(List.of("Admin"), texts(".spec.type"));
    assertEquals(List.of("false"), texts(".spec.suspend"));
    assertEquals(List.of(), texts(".status.keyId"), "a missing key is no result, not an error");
    assertEquals(List.of(), texts(".status.keyId.deeper"));
    assertEquals(List.of("<no value>"), texts(".spec.nothing"), "a JSON null prints as Go's <no value>");
    assertEquals(List.of("idmelon"), texts(".metadata.labels.app\\.kubernetes\\.io/name"), "escaped dots");
    assertEquals(List.of("idmelon"), texts(".metadata.labels['app\\.kubernetes\\.io/name']"), "a quoted key");
    assertEquals(List.of(), texts(".metadata.labels['app.kubernetes.io/name']"),
        "client-go reads a quoted key as a path: its dots must be escaped too");
  }

  @Test
  void filtersPickListItemsByTheirFields() {
    assertEquals(List.of("False"), texts(".status.conditions[?(@.type==\"Ready\")].status"));
    assertEquals(List.of("Ready", "Synced"), texts(".status.conditions[?(@.n>1)].type"));
    assertEquals(List.of("Issued", "Synced"), texts(".status.conditions[?(@.status!='False')].type"));
    assertEquals(List.of("Synced"), texts(".status.conditions[?(@.extra)].type"), "existence");
    assertEquals(List.of(), texts(".status.conditions[?(@.type==\"Gone\")].status"));
    assertEquals(List.of(), texts(".status.missing[?(@.type==\"Ready\")].status"), "a missing list filters nothing");
    assertThrows(JsonPath.EvaluationException.class, () -> texts(".status.conditions[?(@.n==\"1\")].type"),
        "comparing a number with a string is an error in Go templates");
    assertThrows(JsonPath.EvaluationException.class, () -> texts(".spec[?(@.type==\"Ready\")]"),
        "only lists can be filtered");
  }

  @Test
  void indexesSlicesWildcardsAndUnions() {
    assertEquals(List.of("Issued"), texts(".status.conditions[0].type"));
    assertEquals(List.of("Synced"), texts(".status.conditions[-1].type"));
    assertEquals(List.of("Ready", "Synced"), texts(".status.conditions[1:].type"));
    assertEquals(List.of("Issued", "Synced"), texts(".status.conditions[0:3:2].type"));
    assertEquals(List.of("Issued", "Ready", "Synced"), texts(".status.conditions[*].type"));
    assertEquals(List.of("Issued", "Synced"), texts(".status.conditions[0,2].type"));
    assertEquals(List.of("Admin", "false", "1.5", "<no value>"), texts(".spec.*"));
    assertThrows(JsonPath.EvaluationException.class, () -> texts(".status.conditions[5].type"),
        "an index out of bounds is an error (the cell shows nothing)");
    assertThrows(JsonPath.EvaluationException.class, () -> texts(".spec[0]"));
  }

  @Test
  void recursiveDescentFindsFieldsAtAnyDepth() {
    assertEquals(List.of("Admin", "Issued", "Ready", "Synced"), texts("..type"));
  }

  @Test
  void resultsPrintAsGoPrintsThem() {
    assertEquals(List.of("1.5"), texts(".spec.weight"));
    assertEquals(List.of("{\"a\":\"\\u003cx\\u003e\",\"b\":2}"), texts(".status.conditions[2].extra"),
        "objects as Go's compact JSON: keys sorted, HTML escaped");
    assertEquals("1e+06", JsonPath.goFloat(1_000_000d, false));
    assertEquals("123456", JsonPath.goFloat(123_456d, false));
    assertEquals("1e-05", JsonPath.goFloat(0.00001, false));
    assertEquals("1000000", JsonPath.goFloat(1_000_000d, true));
    assertEquals("1e-7", JsonPath.goFloat(0.0000001, true));
  }

  @Test
  void templatesKeepTheirPartsApart() {
    List<List<JsonNode>> parts = JsonPath.parse("name={.metadata.name}").find(KEY);
    assertEquals(2, parts.size());
    assertEquals("name=", parts.get(0).get(0).asText());
    assertEquals("k", parts.get(1).get(0).asText());
  }

  @Test
  void malformedPathsAreRejectedWhenParsed() {
    for (String bad : List.of(".status.conditions[0", ".a[?(@.b==\"c\")", ".a[x]", "....a", ".a #")) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> JsonPath.column(bad), bad + " is not a JSONPath");
      assertTrue(!e.getMessage().isEmpty());
    }
  }
}
