package com.idmelon.operator.quickstart.admission;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cel.common.values.NullValue;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code x-kubernetes-validations} rules of a custom resource, evaluated as apiextensions-apiserver's CEL
 * validator does: each rule at its schema node with {@code self}, transition rules (those reading
 * {@code oldSelf}) only on update where the old value correlates (object fields, and map-type list items by key),
 * property names escaped as Kubernetes escapes them, a failure reported at the rule's node (or its
 * {@code fieldPath}) with the node's schema type as the value.
 */
final class CelValidation {
  private static final Set<String> RESERVED = Set.of("true", "false", "null", "in", "as", "break", "const",
      "continue", "else", "for", "function", "if", "import", "let", "loop", "package", "namespace", "return",
      "var", "void", "while");
  private static final Pattern EXPAND = Pattern.compile("__|[-./]|[^a-zA-Z0-9-./_]");
  private static final Pattern NO_SUCH_KEY = Pattern.compile("key '([^']*)' is not present in map");

  private CelValidation() {
  }

  /**
   * Appends the failures of every rule under {@code s} to {@code errors}.
   *
   * @param old the old value at the same place, null on create or where nothing correlates
   */
  static void validate(Schema s, JsonNode value, JsonNode old, String path, List<FieldError> errors) {
    if (s == null || !s.rulesBelow || value == null || value.isNull()) {
      return;
    }
    boolean unchanged = old != null && old.equals(value);
    if (!s.rules.isEmpty()) {
      rules(s, value, old, unchanged, path, errors);
    }
    if (value.isObject()) {
      value.fields().forEachRemaining(f -> {
        Schema child = s.child(f.getKey());
        if (child != null) {
          JsonNode oldChild = old != null && old.isObject() ? old.get(f.getKey()) : null;
          validate(child, f.getValue(), oldChild, path.isEmpty() ? f.getKey() : path + "." + f.getKey(), errors);
        }
      });
    } else if (value.isArray() && s.items != null && s.items.rulesBelow) {
      Map<List<JsonNode>, JsonNode> oldByKey =
          s.listType.equals("map") ? SchemaValidation.mapListByKeys(s, old) : Map.of();
      for (int i = 0; i < value.size(); i++) {
        JsonNode item = value.get(i);
        JsonNode oldItem = oldByKey.isEmpty() ? null : oldByKey.get(SchemaValidation.mapKeys(s, item));
        validate(s.items, item, oldItem, path + "[" + i + "]", errors);
      }
    }
  }

  private static void rules(Schema s, JsonNode value, JsonNode old, boolean unchanged, String path,
      List<FieldError> errors) {
    Map<String, Object> activation = null;
    String type = Go.quote(s.type);
    for (CelRule rule : s.rules) {
      if (rule.compileError != null) {
        errors.add(FieldError.invalid(path, type, "rule compile error: " + rule.compileError));
        continue;
      }
      if (rule.usesOldSelf && old == null) {
        continue; // a transition rule needs an old value
      }
      if (!rule.usesOldSelf && unchanged) {
        continue; // ratcheting: an unchanged value's errors would be warnings only
      }
      if (activation == null) {
        activation = new HashMap<>(4);
        activation.put("self", toCel(value, s));
        if (old != null) {
          activation.put("oldSelf", toCel(old, s));
        }
      }
      Object result = rule.evaluate(activation);
      if (Boolean.TRUE.equals(result)) {
        continue;
      }
      if (result instanceof CelRule.EvaluationError error) {
        String message = error.message();
        if (message != null && message.contains("No matching overload")) {
          errors.add(FieldError.invalid(path, type, "'no such overload': call arguments did not match a supported"
              + " operator, function or macro signature for rule: " + rule.errorString()));
        } else {
          errors.add(FieldError.invalid(path, type, goError(message) + " evaluating rule: " + rule.errorString()));
        }
        continue;
      }
      String at = rule.fieldPath.isEmpty() ? path : (path.isEmpty() ? rule.fieldPath
          : rule.fieldPath.startsWith("[") ? path + rule.fieldPath : path + "." + rule.fieldPath);
      String detail = rule.detail(activation);
      errors.add(switch (rule.reason) {
        case "FieldValueForbidden" -> FieldError.forbidden(at, detail);
        case "FieldValueRequired" -> FieldError.required(at, detail);
        case "FieldValueDuplicate" -> FieldError.duplicate(at, type);
        default -> FieldError.invalid(at, type, detail);
      });
    }
  }

  /** cel-java's evaluation errors in cel-go's words where they differ ({@code no such key: x}). */
  private static String goError(String message) {
    if (message == null) {
      return "evaluation error";
    }
    Matcher key = NO_SUCH_KEY.matcher(message);
    if (key.find()) {
      return "no such key: " + key.group(1);
    }
    return message.replaceFirst("^evaluation error(?: at [^:]*:\\d+:\\d+)?: ", "");
  }

  /** A JSON value as CEL sees it under {@code s}: objects with declared properties by their escaped names. */
  static Object toCel(JsonNode value, Schema s) {
    if (value == null || value.isNull()) {
      return NullValue.NULL_VALUE;
    }
    if (value.isObject()) {
      Map<String, Object> map = new LinkedHashMap<>();
      boolean structured = s != null && s.properties != null;
      value.fields().forEachRemaining(f -> {
        Schema child = s == null ? null : s.child(f.getKey());
        if (structured && s.properties.containsKey(f.getKey())) {
          String name = escape(f.getKey());
          if (name != null) {
            map.put(name, toCel(f.getValue(), child));
          }
        } else {
          map.put(f.getKey(), toCel(f.getValue(), child));
        }
      });
      return map;
    }
    if (value.isArray()) {
      List<Object> list = new ArrayList<>(value.size());
      value.forEach(item -> list.add(toCel(item, s == null ? null : s.items)));
      return list;
    }
    if (value.isBoolean()) {
      return value.asBoolean();
    }
    if (value.isNumber()) {
      boolean integer = s != null && (s.type.equals("integer") || s.intOrString);
      if (integer || (value.isIntegralNumber() && (s == null || !s.type.equals("number")))) {
        return value.asLong();
      }
      return value.asDouble();
    }
    return value.asText();
  }

  /**
   * A property name as a CEL identifier ({@code apiserver/pkg/cel.Escape}): reserved words as {@code __word__},
   * {@code __ . - /} as {@code __underscores__ __dot__ __dash__ __slash__}; null when it cannot be escaped.
   */
  static String escape(String ident) {
    if (ident.isEmpty() || Character.isDigit(ident.charAt(0))) {
      return null;
    }
    if (RESERVED.contains(ident)) {
      return "__" + ident + "__";
    }
    Matcher m = EXPAND.matcher(ident);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String replacement = switch (m.group()) {
        case "__" -> "__underscores__";
        case "." -> "__dot__";
        case "-" -> "__dash__";
        case "/" -> "__slash__";
        default -> null;
      };
      if (replacement == null) {
        return null;
      }
      m.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    m.appendTail(out);
    return out.toString();
  }
}
