package com.idmelon.operator.reconciler;

import com.idmelon.operator.crd.v1alpha1.ApiKey;
import com.idmelon.operator.crd.v1alpha1.SecretTemplate;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * What the operator's caches keep of the objects they watch: only the fields it reads. A namespace user can hang
 * megabytes of annotations, labels or data on an ApiKey or on a Secret the operator manages; the cache must not grow
 * with them. The trimming happens in the informers' stores, on the object just read from the watch, before it is
 * kept or handed to anyone.
 *
 * <p>Safe because the operator never writes an object back from its cache: status and finalizers go out as JSON
 * patches computed between two copies of the same trimmed object, Secrets as merge patches of the desired state.
 */
public final class CacheTrim {
  /** Annotations under this prefix are the operator's own contract (the reset annotation): kept. */
  private static final String OURS = "idmelon.com/";
  /** A value of ours longer than this is not one the operator wrote or reads as such. */
  private static final int MAX_OWN_VALUE = 4096;

  /**
   * On unless the JVM runs with {@code -Didmelon.cache.untrimmed=true}: a switch for measuring what trimming saves
   * (bench/), not a setting.
   */
  public static final boolean ENABLED = !Boolean.getBoolean("idmelon.cache.untrimmed");

  private CacheTrim() {}

  /**
   * An ApiKey as the reconciler reads it: no managed fields, no labels, only the {@code idmelon.com/} annotations, and
   * a long reset value replaced by the digest the status records for it (so a change is still seen as a change).
   */
  public static ApiKey apiKey(ApiKey apiKey) {
    ObjectMeta meta = apiKey.getMetadata();
    meta.setManagedFields(null);
    meta.setLabels(null);
    Map<String, String> annotations = meta.getAnnotations();
    if (annotations != null) {
      String reset = apiKey.resetRequest();
      Map<String, String> kept = new LinkedHashMap<>();
      annotations.forEach((key, value) -> {
        if (key.equals(ApiKey.RESET_ANNOTATION)) {
          kept.put(key, reset == null ? "" : reset);
        } else if (key.startsWith(OURS) && value != null && value.length() <= MAX_OWN_VALUE) {
          kept.put(key, value);
        }
      });
      meta.setAnnotations(kept.isEmpty() ? null : kept);
    }
    return apiKey;
  }

  /** The annotations of an ApiKey as its cached copy holds them, for comparing a fresh read with the cache. */
  static Map<String, String> annotationsAsCached(ApiKey apiKey) {
    ApiKey copy = new ApiKey();
    copy.setMetadata(new ObjectMeta());
    copy.getMetadata().setAnnotations(apiKey.getMetadata().getAnnotations() == null ? null
        : new LinkedHashMap<>(apiKey.getMetadata().getAnnotations()));
    return apiKey(copy).getMetadata().getAnnotations();
  }

  /**
   * A managed Secret as drift detection reads it: no managed fields; the data the operator writes (the default keys
   * and those of the owner's secretTemplate.data); its own
   * annotations, the managed-by label, and the labels and annotations the owning ApiKey's secretTemplate names (its
   * owner looked up in the ApiKey cache; an owner not cached yet keeps none, so the template looks unapplied and is
   * patched once, which is harmless).
   */
  public static Secret secret(Secret secret, Function<Secret, Optional<SecretTemplate>> templateOf) {
    ObjectMeta meta = secret.getMetadata();
    meta.setManagedFields(null);
    Optional<SecretTemplate> template = templateOf.apply(secret);
    Set<String> labelKeys = template.map(SecretTemplate::getLabels).map(Map::keySet).orElse(Set.of());
    Set<String> annotationKeys = template.map(SecretTemplate::getAnnotations).map(Map::keySet).orElse(Set.of());
    Set<String> dataKeys = template.map(SecretTemplate::getData).map(Map::keySet).orElse(Set.of());
    meta.setLabels(keep(meta.getLabels(), key -> key.equals(ManagedSecret.MANAGED_BY_LABEL) || labelKeys.contains(key)));
    meta.setAnnotations(keep(meta.getAnnotations(), key -> key.startsWith(OURS) || annotationKeys.contains(key)));
    if (meta.getAnnotations() != null) {
      meta.getAnnotations().entrySet().removeIf(e -> e.getKey().startsWith(OURS)
          && (e.getValue() == null || e.getValue().length() > maxOwnValue(e.getKey())));
    }
    secret.setData(keep(secret.getData(), key -> ManagedSecret.DATA_KEYS.contains(key) || dataKeys.contains(key)));
    boundData(secret, ManagedSecret.DATA_KEYS::contains); // templated values are bounded by the template's limits
    secret.setStringData(null);
    return secret;
  }

  /** The record of templated keys lists up to 32 names of up to 253 characters; any other value of ours is short. */
  private static int maxOwnValue(String annotation) {
    return annotation.equals(SecretData.RECORD_ANNOTATION)
        ? SecretData.MAX_KEYS * (SecretData.MAX_KEY_NAME + 1) : MAX_OWN_VALUE;
  }

  /**
   * Any other cached object (workspaces, namespaces): no managed fields, only the operator's annotations (a long
   * reset value as the digest a status records).
   */
  public static <T extends HasMetadata> T metadataOnly(T object) {
    ObjectMeta meta = object.getMetadata();
    meta.setManagedFields(null);
    meta.setAnnotations(keep(meta.getAnnotations(), key -> key.startsWith(OURS)));
    if (meta.getAnnotations() != null) {
      meta.getAnnotations().computeIfPresent(ApiKey.RESET_ANNOTATION, (k, v) -> {
        String recorded = ApiKey.recordedReset(v);
        return recorded == null ? "" : recorded;
      });
      meta.getAnnotations().entrySet().removeIf(e -> e.getValue() == null || e.getValue().length() > MAX_OWN_VALUE);
    }
    return object;
  }

  /** The longest data value kept in a cache: a key or an id is far shorter; anything longer cannot be one. */
  static final int MAX_DATA_VALUE = 64 * 1024;

  /**
   * A Secret holding a workspace's Admin key: only that entry (none when it is implausibly large), its name and
   * version.
   */
  public static Secret onlyData(Secret secret, String key) {
    ObjectMeta meta = secret.getMetadata();
    meta.setManagedFields(null);
    meta.setAnnotations(null);
    meta.setLabels(null);
    meta.setOwnerReferences(null);
    secret.setData(keep(secret.getData(), key::equals));
    boundData(secret, k -> true);
    secret.setStringData(null);
    return secret;
  }

  /** Data values beyond {@link #MAX_DATA_VALUE} are emptied: a value the operator reads is never that long. */
  private static void boundData(Secret secret, java.util.function.Predicate<String> which) {
    if (secret.getData() != null) {
      secret.getData().replaceAll((k, v) -> which.test(k) && v != null && v.length() > MAX_DATA_VALUE ? "" : v);
    }
  }

  private static Map<String, String> keep(Map<String, String> map, java.util.function.Predicate<String> key) {
    if (map == null) {
      return null;
    }
    Map<String, String> kept = new LinkedHashMap<>();
    map.forEach((k, v) -> {
      if (key.test(k)) {
        kept.put(k, v);
      }
    });
    return kept.isEmpty() ? null : kept;
  }

  /** An informer store that trims every object before keeping it (and before the informer hands it on). */
  public static final class Store<T extends HasMetadata> implements ItemStore<T> {
    private final BasicItemStore<T> delegate = new BasicItemStore<>(Cache::metaNamespaceKeyFunc);
    private final UnaryOperator<T> trim;

    public Store(UnaryOperator<T> trim) {
      this.trim = trim;
    }

    @Override
    public String getKey(T object) {
      return delegate.getKey(object);
    }

    @Override
    public T put(String key, T object) {
      return delegate.put(key, trim.apply(object));
    }

    @Override
    public T remove(String key) {
      return delegate.remove(key);
    }

    @Override
    public Stream<String> keySet() {
      return delegate.keySet();
    }

    @Override
    public Stream<T> values() {
      return delegate.values();
    }

    @Override
    public int size() {
      return delegate.size();
    }

    @Override
    public T get(String key) {
      return delegate.get(key);
    }
  }
}
