package com.idmelon.operator.quickstart.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the API server does to a custom resource while decoding it, before validation: unknown fields pruned
 * ({@code pruning.PruneWithOptions}, their paths collected for fieldValidation), defaults applied
 * ({@code structuraldefaulting.Default}) and nulls of non-nullable fields without a default dropped.
 */
final class Decoding {
  private static final Set<String> META_FIELDS = Set.of("apiVersion", "kind", "metadata");

  private Decoding() {
  }

  /**
   * Prunes {@code object} (a whole resource) in place.
   *
   * @return the pruned fields' paths, sorted ({@code spec.foo}, {@code spec.list[0].bar})
   */
  static List<String> prune(ObjectNode object, Schema root) {
    List<String> unknown = new ArrayList<>();
    pruneObject(object, root, "", true, unknown);
    Collections.sort(unknown);
    return unknown;
  }

  /** Prunes {@code value}, found at {@code path} (e.g. {@code status}), in place; the pruned paths, sorted. */
  static List<String> prune(JsonNode value, Schema s, String path) {
    List<String> unknown = new ArrayList<>();
    prune(value, s, path, unknown);
    Collections.sort(unknown);
    return unknown;
  }

  private static void prune(JsonNode value, Schema s, String path, List<String> unknown) {
    if (s != null && s.preserveUnknownFields) {
      skipPrune(value, s, path, unknown);
    } else if (value instanceof ObjectNode object) {
      pruneObject(object, s, path, s != null && s.embeddedResource, unknown);
    } else if (value instanceof ArrayNode array) {
      for (int i = 0; i < array.size(); i++) {
        prune(array.get(i), s == null ? null : s.items, path + "[" + i + "]", unknown);
      }
    }
  }

  private static void pruneObject(ObjectNode object, Schema s, String path, boolean embedded,
      List<String> unknown) {
    Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> f = fields.next();
      String key = f.getKey();
      if (embedded && META_FIELDS.contains(key)) {
        continue;
      }
      Schema child = s == null ? null : s.child(key);
      if (child != null) {
        prune(f.getValue(), child, join(path, key), unknown);
      } else {
        if (!META_FIELDS.contains(key) || !path.isEmpty()) {
          unknown.add(join(path, key));
        }
        fields.remove();
      }
    }
  }

  private static void skipPrune(JsonNode value, Schema s, String path, List<String> unknown) {
    if (value instanceof ObjectNode object) {
      object.fields().forEachRemaining(f -> {
        if (s.embeddedResource && META_FIELDS.contains(f.getKey())) {
          return;
        }
        Schema child = s.child(f.getKey());
        if (child != null) {
          prune(f.getValue(), child, join(path, f.getKey()), unknown);
        }
      });
    } else if (value instanceof ArrayNode array && s.items != null) {
      for (int i = 0; i < array.size(); i++) {
        skipPrune(array.get(i), s.items, path + "[" + i + "]", unknown);
      }
    }
  }

  private static String join(String path, String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  /**
   * Applies the schema's defaults in place, under objects that exist; then drops nulls nothing accepts.
   *
   * @return whether anything changed
   */
  static boolean applyDefaults(JsonNode value, Schema s) {
    if (s == null) {
      return false;
    }
    boolean changed = false;
    if (value instanceof ObjectNode object) {
      if (s.properties != null) {
        for (Map.Entry<String, Schema> p : s.properties.entrySet()) {
          JsonNode current = object.get(p.getKey());
          Schema ps = p.getValue();
          if (ps.defaultValue != null && (current == null || (current.isNull() && !ps.nullable))) {
            object.set(p.getKey(), ps.defaultValue.deepCopy());
            changed = true;
          }
        }
      }
      Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> f = fields.next();
        Schema child = s.child(f.getKey());
        if (child == null) {
          continue;
        }
        if (f.getValue().isNull() && !child.nullable && child.defaultValue == null) {
          fields.remove();
          changed = true;
        } else {
          changed |= applyDefaults(f.getValue(), child);
        }
      }
    } else if (value instanceof ArrayNode array) {
      for (JsonNode item : array) {
        changed |= applyDefaults(item, s.items);
      }
    }
    return changed;
  }
}
