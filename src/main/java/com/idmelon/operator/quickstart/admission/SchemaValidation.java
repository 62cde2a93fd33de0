package com.idmelon.operator.quickstart.admission;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The OpenAPI part of a custom resource's validation, as kube-openapi's SchemaValidator checks it and
 * apiextensions-apiserver turns its results into field errors ({@code kubeOpenAPIResultToFieldErrors}), with
 * ratcheting: a value equal to its old counterpart is not checked again. Then the list-type invariants
 * ({@code x-kubernetes-list-type} set and map).
 */
final class SchemaValidation {
  private final List<FieldError> errors;
  /** Where the names kube-openapi reports hang: "" for the object, "status" for the status subresource. */
  private final String fieldRoot;

  private SchemaValidation(List<FieldError> errors, String fieldRoot) {
    this.errors = errors;
    this.fieldRoot = fieldRoot;
  }

  /**
   * Appends to {@code errors} what kube-openapi finds in {@code value}.
   *
   * @param fieldRoot the field path the validator's names are relative to ("" or "status")
   * @param old the old value at the same place, null on create
   */
  static void validate(Schema schema, JsonNode value, JsonNode old, String fieldRoot, List<FieldError> errors) {
    new SchemaValidation(errors, fieldRoot).node(schema, value, old, "");
  }

  private String field(String name) {
    String trimmed = name.startsWith(".") ? name.substring(1) : name;
    if (fieldRoot.isEmpty()) {
      return trimmed;
    }
    return trimmed.isEmpty() ? fieldRoot : fieldRoot + "." + trimmed;
  }

  private void invalid(String name, String value, String message) {
    errors.add(FieldError.invalid(field(name), value, message));
  }

  private void node(Schema s, JsonNode value, JsonNode old, String name) {
    if (old != null && old.equals(value)) {
      return; // ratcheting: an unchanged value is not validated again
    }
    if (value == null || value.isNull()) {
      if (!s.type.isEmpty() && !s.nullable) {
        errors.add(FieldError.typeInvalid(field(name), "\"null\"",
            name + " in body must be of type " + s.type + ": \"null\""));
      }
      return;
    }
    String actual = jsonType(value);
    if (!typeMatches(s, value, actual)) {
      String expected = s.intOrString ? "integer,string" : s.type;
      errors.add(FieldError.typeInvalid(field(name), Go.quote(actual),
          name + " in body must be of type " + expected + ": " + Go.quote(actual)));
      return;
    }
    if (value.isTextual()) {
      string(s, value.asText(), name);
    } else if (value.isNumber()) {
      number(s, value, name);
    } else if (value.isArray()) {
      array(s, value, old, name);
    }
    if (!s.enumValues.isEmpty() && !s.enumValues.contains(value) && !numericallyIn(value, s.enumValues)) {
      List<String> supported = new ArrayList<>();
      s.enumValues.forEach(e -> supported.add(e.isTextual() ? e.asText() : e.toString()));
      errors.add(FieldError.notSupported(field(name), FieldError.render(value), supported));
    }
    if (value.isObject()) {
      object(s, value, old, name);
    }
  }

  private static boolean numericallyIn(JsonNode value, List<JsonNode> values) {
    if (!value.isNumber()) {
      return false;
    }
    return values.stream().anyMatch(e -> e.isNumber() && e.decimalValue().compareTo(value.decimalValue()) == 0);
  }

  static String jsonType(JsonNode value) {
    if (value.isTextual()) {
      return "string";
    }
    if (value.isBoolean()) {
      return "boolean";
    }
    if (value.isIntegralNumber()) {
      return "integer";
    }
    if (value.isNumber()) {
      return "number";
    }
    if (value.isArray()) {
      return "array";
    }
    return "object";
  }

  private static boolean typeMatches(Schema s, JsonNode value, String actual) {
    if (s.intOrString) {
      return actual.equals("string") || actual.equals("integer") || isFloatInt(value);
    }
    if (s.type.isEmpty() || s.type.equals(actual)) {
      return true;
    }
    return (s.type.equals("integer") && isFloatInt(value)) || (s.type.equals("number") && actual.equals("integer"));
  }

  private static boolean isFloatInt(JsonNode value) {
    return value.isFloatingPointNumber() && value.asDouble() == Math.rint(value.asDouble());
  }

  private void string(Schema s, String text, String name) {
    long length = text.codePointCount(0, text.length());
    if (s.maxLength != null && length > s.maxLength) {
      errors.add(FieldError.tooLong(field(name), s.maxLength));
    } else if (s.minLength != null && length < s.minLength) {
      invalid(name, Go.quote(text), name + " in body should be at least " + s.minLength + " chars long");
    } else if (s.pattern != null) {
      if (s.regexp == null) {
        invalid(name, Go.quote(text), name + " in body should match '" + s.pattern + ", but pattern is invalid: "
            + s.patternError + "'");
      } else if (!s.regexp.matcher(text).find()) {
        invalid(name, Go.quote(text), name + " in body should match '" + s.pattern + "'");
      }
    }
  }

  private void number(Schema s, JsonNode value, String name) {
    BigDecimal n = value.decimalValue();
    String shown = Go.number(value);
    if (s.multipleOf != null && s.multipleOf.decimalValue().signum() > 0
        && n.remainder(s.multipleOf.decimalValue()).signum() != 0) {
      invalid(name, shown, name + " in body should be a multiple of " + Go.number(s.multipleOf));
    }
    if (s.minimum != null) {
      int c = n.compareTo(s.minimum.decimalValue());
      if (c < 0 || (c == 0 && s.exclusiveMinimum)) {
        invalid(name, shown, name + " in body should be greater than " + (s.exclusiveMinimum ? "" : "or equal to ")
            + Go.number(s.minimum));
      }
    }
    if (s.maximum != null) {
      int c = n.compareTo(s.maximum.decimalValue());
      if (c > 0 || (c == 0 && s.exclusiveMaximum)) {
        invalid(name, shown, name + " in body should be less than " + (s.exclusiveMaximum ? "" : "or equal to ")
            + Go.number(s.maximum));
      }
    }
  }

  private void array(Schema s, JsonNode value, JsonNode old, String name) {
    if (s.items != null) {
      Map<List<JsonNode>, JsonNode> oldByKey = s.listType.equals("map") ? mapListByKeys(s, old) : Map.of();
      for (int i = 0; i < value.size(); i++) {
        JsonNode item = value.get(i);
        node(s.items, item, oldByKey.get(mapKeys(s, item)), name + "[" + i + "]");
      }
    }
    if (s.minItems != null && value.size() < s.minItems) {
      invalid(name, Integer.toString(value.size()), name + " in body should have at least " + s.minItems + " items");
    }
    if (s.maxItems != null && value.size() > s.maxItems) {
      errors.add(FieldError.tooMany(field(name), value.size(), s.maxItems));
    }
  }

  private void object(Schema s, JsonNode value, JsonNode old, String name) {
    int keys = value.size();
    if (s.minProperties != null && keys < s.minProperties) {
      invalid(name, Integer.toString(keys), name + " in body should have at least " + s.minProperties
          + " properties");
    }
    if (s.maxProperties != null && keys > s.maxProperties) {
      errors.add(FieldError.tooMany(field(name), keys, s.maxProperties));
    }
    Iterator<Map.Entry<String, JsonNode>> fields = value.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> f = fields.next();
      boolean regular = s.properties != null && s.properties.containsKey(f.getKey());
      if (regular) {
        continue;
      }
      if (s.additionalPropertiesForbidden) {
        invalid(name, Go.quote(f.getKey()), name + "." + f.getKey() + " in body is a forbidden property");
      } else if (s.additionalProperties != null) {
        node(s.additionalProperties, f.getValue(), child(old, f.getKey()), name + "." + f.getKey());
      }
    }
    if (s.properties != null) {
      for (Map.Entry<String, Schema> p : s.properties.entrySet()) {
        JsonNode v = value.get(p.getKey());
        if (v != null) {
          node(p.getValue(), v, child(old, p.getKey()), name.isEmpty() ? p.getKey() : name + "." + p.getKey());
        }
      }
    }
    for (String key : s.required) {
      if (!value.has(key)) {
        errors.add(FieldError.required(field(name + "." + key), ""));
      }
    }
  }

  private static JsonNode child(JsonNode old, String key) {
    return old == null || !old.isObject() ? null : old.get(key);
  }

  /** The old items of a map-type list by their key values, for correlation. */
  static Map<List<JsonNode>, JsonNode> mapListByKeys(Schema s, JsonNode old) {
    if (old == null || !old.isArray() || s.listMapKeys.isEmpty()) {
      return Map.of();
    }
    Map<List<JsonNode>, JsonNode> byKey = new LinkedHashMap<>();
    old.forEach(item -> byKey.putIfAbsent(mapKeys(s, item), item));
    return byKey;
  }

  static List<JsonNode> mapKeys(Schema s, JsonNode item) {
    List<JsonNode> keys = new ArrayList<>(s.listMapKeys.size());
    for (String k : s.listMapKeys) {
      keys.add(item == null ? null : item.get(k));
    }
    return keys;
  }

  /**
   * {@code structurallisttype.ValidateListSetsAndMaps}: items of a set are unique, so are the keys of a map list.
   * Appends {@code spec.x[2]: Duplicate value: ...} for each repetition.
   */
  static void listSetsAndMaps(Schema s, JsonNode value, String path, List<FieldError> errors) {
    if (s == null || value == null) {
      return;
    }
    if (value.isArray()) {
      if (s.listType.equals("set")) {
        Set<JsonNode> seen = new HashSet<>();
        for (int i = 0; i < value.size(); i++) {
          if (!seen.add(value.get(i))) {
            errors.add(FieldError.duplicate(path + "[" + i + "]", FieldError.render(value.get(i))));
          }
        }
      } else if (s.listType.equals("map") && !s.listMapKeys.isEmpty()) {
        Set<List<JsonNode>> seen = new HashSet<>();
        for (int i = 0; i < value.size(); i++) {
          List<JsonNode> keys = mapKeys(s, value.get(i));
          if (!seen.add(keys)) {
            com.fasterxml.jackson.databind.node.ObjectNode shown =
                com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
            for (int k = 0; k < keys.size(); k++) {
              if (keys.get(k) != null) {
                shown.set(s.listMapKeys.get(k), keys.get(k));
              }
            }
            errors.add(FieldError.duplicate(path + "[" + i + "]", Go.goSyntax(shown)));
          }
        }
      }
      for (int i = 0; i < value.size(); i++) {
        listSetsAndMaps(s.items, value.get(i), path + "[" + i + "]", errors);
      }
    } else if (value.isObject()) {
      value.fields().forEachRemaining(f -> listSetsAndMaps(s.child(f.getKey()), f.getValue(),
          path.isEmpty() ? f.getKey() : path + "." + f.getKey(), errors));
    }
  }
}
