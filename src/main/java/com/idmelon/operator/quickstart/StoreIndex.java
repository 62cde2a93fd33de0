package com.idmelon.operator.quickstart;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.server.mock.KubernetesAttributesExtractor;
import io.fabric8.kubernetes.client.server.mock.crud.KubernetesCrudPersistence;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.crud.Attribute;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.crud.AttributeType;
import io.fabric8.mockwebserver.crud.Value;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * fabric8's store (a map from each object's attributes to its JSON) indexed by object name: a read, write or
 * conflict check of one named object looks at the few stored objects of that name, where fabric8 scans the whole map
 * for each (about 10 ms a request once it holds 20,000 objects, on the server's one event loop).
 *
 * <p>Kept in step with the map by {@link ApiServerDispatcher#processEvent}, under the store's write lock, and read
 * under the store's read or write lock only. It answers exactly what fabric8's scan answers: the first stored entry
 * whose attributes match the query, in the map's order (among objects of one name: their order of last write).
 */
final class StoreIndex {
  private final KubernetesAttributesExtractor extractor;
  private final Map<String, List<AttributeSet>> byName = new HashMap<>();

  StoreIndex(KubernetesAttributesExtractor extractor) {
    this.extractor = extractor;
  }

  /** The one name a query asks for, or null where only a scan answers it (no name, a wildcard, a selector). */
  static String exactName(AttributeSet query) {
    Attribute name = query.getAttribute(KubernetesAttributesExtractor.NAME);
    if (name == null || name.getType() != AttributeType.WITH || name.getValues().size() != 1) {
      return null;
    }
    String value = name.getValues().get(0).toString();
    return value == null || value.equals("*") ? null : value;
  }

  /** As fabric8's {@code findResource}: the first stored entry matching {@code query}, which asks for {@code name}. */
  Map.Entry<AttributeSet, String> find(Map<AttributeSet, String> store, String name, AttributeSet query) {
    for (AttributeSet key : byName.getOrDefault(name, List.of())) {
      if (key.matches(query)) {
        String value = store.get(key);
        if (value != null) {
          return new AbstractMap.SimpleImmutableEntry<>(key, value);
        }
      }
    }
    return null;
  }

  /** Every stored entry matching {@code query}, which asks for {@code name}, in the store's order. */
  List<Map.Entry<AttributeSet, String>> findAll(Map<AttributeSet, String> store, String name, AttributeSet query) {
    List<Map.Entry<AttributeSet, String>> found = new ArrayList<>(1);
    for (AttributeSet key : byName.getOrDefault(name, List.of())) {
      String value = key.matches(query) ? store.get(key) : null;
      if (value != null) {
        found.add(new AbstractMap.SimpleImmutableEntry<>(key, value));
      }
    }
    return found;
  }

  /**
   * fabric8's DELETE of one stored object (its {@code processDelete}, private there): removed if it has no
   * finalizers, else marked for deletion with a new resourceVersion (once).
   */
  static void delete(KubernetesCrudPersistence store, String path, AttributeSet query, Map.Entry<AttributeSet, String> entry) {
    GenericKubernetesResource resource = Serialization.unmarshal(entry.getValue(), GenericKubernetesResource.class);
    if (resource.getFinalizers().isEmpty()) {
      store.processEvent(path, query, entry.getKey(), null, null);
    } else if (!resource.isMarkedForDeletion()) {
      resource.getMetadata().setDeletionTimestamp(ZonedDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS)
          .format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
      resource.getMetadata().setResourceVersion(String.valueOf(store.requestResourceVersion()));
      store.processEvent(path, query, entry.getKey(), resource, Serialization.asJson(resource));
    }
  }

  /** The key fabric8's {@code processEvent} stores {@code newState} under (computed as it computes it), or null. */
  AttributeSet keyOf(AttributeSet pathAttributes, GenericKubernetesResource resource, String newState) {
    if (newState == null) {
      return null;
    }
    AttributeSet key = resource != null ? extractor.extract(resource) : extractor.fromResource(newState);
    return key.containsKey(KubernetesAttributesExtractor.PLURAL) ? key : AttributeSet.merge(pathAttributes, key);
  }

  /** The store replaced the entry of {@code removed} (null: none) with one of {@code added} (null: none). */
  void changed(AttributeSet removed, AttributeSet added) {
    if (removed != null) {
      for (String name : names(removed)) {
        List<AttributeSet> keys = byName.get(name);
        if (keys != null && keys.remove(removed) && keys.isEmpty()) {
          byName.remove(name);
        }
      }
    }
    if (added != null) {
      for (String name : names(added)) {
        List<AttributeSet> keys = byName.computeIfAbsent(name, n -> new ArrayList<>(2));
        if (!keys.contains(added)) {
          keys.add(added);
        }
      }
    }
  }

  void clear() {
    byName.clear();
  }

  private static List<String> names(AttributeSet key) {
    Attribute name = key.getAttribute(KubernetesAttributesExtractor.NAME);
    return name == null ? List.of() : name.getValues().stream().map(Value::toString).toList();
  }
}
