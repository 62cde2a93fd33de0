package com.idmelon.operator.quickstart.admission;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One node of a CRD version's structural schema, read once from {@code openAPIV3Schema}: everything admission
 * checks at this node (type, bounds, enum, pattern compiled as Go would, list type, default, CEL rules compiled).
 */
final class Schema {
  final String type;
  final boolean nullable;
  final boolean preserveUnknownFields;
  final boolean intOrString;
  final boolean embeddedResource;
  /** Properties in the schema's order; null when the schema declares none. */
  final Map<String, Schema> properties;
  /** {@code additionalProperties} as a schema, or null. */
  final Schema additionalProperties;
  /** {@code additionalProperties: false}. */
  final boolean additionalPropertiesForbidden;
  final Schema items;
  final List<String> required;
  final List<JsonNode> enumValues;
  final String pattern;
  final Pattern regexp;
  final String patternError;
  final Long minLength;
  final Long maxLength;
  final Long minItems;
  final Long maxItems;
  final Long minProperties;
  final Long maxProperties;
  final JsonNode minimum;
  final JsonNode maximum;
  final boolean exclusiveMinimum;
  final boolean exclusiveMaximum;
  final JsonNode multipleOf;
  final String format;
  final JsonNode defaultValue;
  /** atomic (default), set or map. */
  final String listType;
  final List<String> listMapKeys;
  /** granular (default) or atomic. */
  final String mapType;
  final List<CelRule> rules;
  /** Whether this node or one below carries CEL rules. */
  final boolean rulesBelow;

  Schema(JsonNode node) {
    type = node.path("type").asText("");
    nullable = node.path("nullable").asBoolean(false);
    preserveUnknownFields = node.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
    intOrString = node.path("x-kubernetes-int-or-string").asBoolean(false);
    embeddedResource = node.path("x-kubernetes-embedded-resource").asBoolean(false);
    if (node.path("properties").isObject()) {
      Map<String, Schema> props = new LinkedHashMap<>();
      node.path("properties").fields().forEachRemaining(f -> props.put(f.getKey(), new Schema(f.getValue())));
      properties = Collections.unmodifiableMap(props);
    } else {
      properties = null;
    }
    JsonNode additional = node.path("additionalProperties");
    additionalProperties = additional.isObject() ? new Schema(additional) : null;
    additionalPropertiesForbidden = additional.isBoolean() && !additional.asBoolean();
    items = node.path("items").isObject() ? new Schema(node.path("items")) : null;
    required = strings(node.path("required"));
    List<JsonNode> values = new ArrayList<>();
    node.path("enum").forEach(values::add);
    enumValues = List.copyOf(values);
    pattern = node.hasNonNull("pattern") ? node.path("pattern").asText() : null;
    StringBuilder error = new StringBuilder();
    regexp = pattern == null ? null : Go.regexp(pattern, error).orElse(null);
    patternError = error.length() == 0 ? null : error.toString();
    minLength = number(node, "minLength");
    maxLength = number(node, "maxLength");
    minItems = number(node, "minItems");
    maxItems = number(node, "maxItems");
    minProperties = number(node, "minProperties");
    maxProperties = number(node, "maxProperties");
    minimum = node.hasNonNull("minimum") ? node.get("minimum") : null;
    maximum = node.hasNonNull("maximum") ? node.get("maximum") : null;
    exclusiveMinimum = node.path("exclusiveMinimum").asBoolean(false);
    exclusiveMaximum = node.path("exclusiveMaximum").asBoolean(false);
    multipleOf = node.hasNonNull("multipleOf") ? node.get("multipleOf") : null;
    format = node.path("format").asText("");
    defaultValue = node.has("default") ? node.get("default") : null;
    listType = node.path("x-kubernetes-list-type").asText("atomic");
    listMapKeys = strings(node.path("x-kubernetes-list-map-keys"));
    mapType = node.path("x-kubernetes-map-type").asText("granular");
    List<CelRule> compiled = new ArrayList<>();
    node.path("x-kubernetes-validations").forEach(v -> compiled.add(new CelRule(v)));
    rules = List.copyOf(compiled);
    boolean below = !rules.isEmpty()
        || (items != null && items.rulesBelow)
        || (additionalProperties != null && additionalProperties.rulesBelow);
    if (properties != null) {
      for (Schema property : properties.values()) {
        below |= property.rulesBelow;
      }
    }
    rulesBelow = below;
  }

  /** The schema of {@code key} under this object: a property, else additionalProperties, else null. */
  Schema child(String key) {
    if (properties != null) {
      Schema property = properties.get(key);
      if (property != null) {
        return property;
      }
    }
    return additionalProperties;
  }

  /** What {@link #forEachRule} calls: a rule, the schema path it sits at and its index there. */
  interface RuleVisitor {
    void visit(String path, int index, CelRule rule);
  }

  /** Calls {@code visitor} with every rule at and below this node. */
  void forEachRule(String path, RuleVisitor visitor) {
    for (int i = 0; i < rules.size(); i++) {
      visitor.visit(path, i, rules.get(i));
    }
    if (properties != null) {
      properties.forEach((k, s) -> s.forEachRule(path + ".properties[" + k + "]", visitor));
    }
    if (additionalProperties != null) {
      additionalProperties.forEachRule(path + ".additionalProperties", visitor);
    }
    if (items != null) {
      items.forEachRule(path + ".items", visitor);
    }
  }

  private static Long number(JsonNode node, String field) {
    return node.path(field).isNumber() ? node.path(field).asLong() : null;
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return List.copyOf(out);
  }
}
