package com.idmelon.operator.reconciler;

import com.idmelon.operator.crd.v1alpha1.ApiKey;
import com.idmelon.operator.crd.v1alpha1.SecretTemplate;
import com.idmelon.operator.idmelon.KeyType;
import com.idmelon.operator.idmelon.SecretValue;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The Secret an ApiKey owns, built and read without I/O.
 *
 * <p>Besides the data keys of the contract, the operator annotates the Secret with the fingerprint of the value it
 * wrote. After an interrupted call, that tells whether the new value reached the Secret; which key the value
 * belongs to is never taken from the Secret (a namespace user can write it) but confirmed with IDmelon (see
 * {@link KeyOwnership}).
 */
public final class ManagedSecret {
  public static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
  public static final String MANAGED_BY = "idmelon-apikey-operator";
  public static final String SELECTOR = MANAGED_BY_LABEL + "=" + MANAGED_BY;
  public static final String FINGERPRINT_ANNOTATION = "idmelon.com/fingerprint";
  /** Annotation keys under this prefix are the operator's: a secretTemplate may not set them. */
  public static final String RESERVED_PREFIX = "idmelon.com/";

  public static final String API_KEY = "apiKey";
  public static final String KEY_ID = "keyId";
  public static final String TYPE = "type";
  public static final String EXPIRES_AT = "expiresAt";
  /** The data keys the operator writes, the only ones it reads back. */
  static final java.util.Set<String> DATA_KEYS = java.util.Set.of(API_KEY, KEY_ID, TYPE, EXPIRES_AT);

  /** What a Secret claims the operator published into it: evidence of a value, never of a key's identity. */
  public record Published(String keyId, KeyType type, String fingerprint) {}

  private ManagedSecret() {}

  /**
   * The whole Secret for a value: the default keys, and the keys of {@code secretTemplate.data} rendered from the same
   * fields, so that they always change in the same write.
   *
   * @param keyName the key's name in IDmelon, for templates
   */
  public static Secret build(ApiKey owner, String keyId, KeyType type, Instant expiresAt, SecretValue value,
      String keyName) {
    Map<String, String> data = new LinkedHashMap<>();
    data.put(API_KEY, encode(value.reveal()));
    data.put(KEY_ID, encode(keyId));
    data.put(TYPE, encode(type.name()));
    if (expiresAt != null) {
      data.put(EXPIRES_AT, encode(expiresAt.toString()));
    }
    Map<String, String> annotations = desiredAnnotations(owner);
    annotations.put(FINGERPRINT_ANNOTATION, value.fingerprint());
    Map<String, String> templates = SecretData.templatesOf(owner);
    if (!templates.isEmpty()) {
      SecretData.render(templates, new SecretData.Values(value, keyId, type, expiresAt, keyName))
          .forEach((key, rendered) -> data.put(key, encode(rendered)));
      annotations.put(SecretData.RECORD_ANNOTATION, SecretData.record(templates));
    }
    return new SecretBuilder()
        .withNewMetadata()
        .withName(owner.secretName())
        .withNamespace(owner.getMetadata().getNamespace())
        .withLabels(desiredLabels(owner))
        .withAnnotations(annotations)
        .withOwnerReferences(ownerReference(owner))
        .endMetadata()
        .withType("Opaque")
        .withData(data)
        .build();
  }

  /** Labels the Secret must carry: managed-by plus {@code secretTemplate.labels}. */
  public static Map<String, String> desiredLabels(ApiKey owner) {
    Map<String, String> labels = new LinkedHashMap<>();
    SecretTemplate template = owner.getSpec().getSecretTemplate();
    if (template != null && template.getLabels() != null) {
      labels.putAll(template.getLabels());
    }
    labels.put(MANAGED_BY_LABEL, MANAGED_BY);
    return labels;
  }

  /** Annotations from {@code secretTemplate.annotations} (the operator's own are added when a value is written). */
  public static Map<String, String> desiredAnnotations(ApiKey owner) {
    Map<String, String> annotations = new LinkedHashMap<>();
    SecretTemplate template = owner.getSpec().getSecretTemplate();
    if (template != null && template.getAnnotations() != null) {
      annotations.putAll(template.getAnnotations());
    }
    return annotations;
  }

  /** True when the template's labels and annotations are all on the Secret with the same values. */
  public static boolean templateApplied(Secret secret, ApiKey owner) {
    return contains(secret.getMetadata().getLabels(), desiredLabels(owner))
        && contains(secret.getMetadata().getAnnotations(), desiredAnnotations(owner));
  }

  public static OwnerReference ownerReference(ApiKey owner) {
    return new OwnerReferenceBuilder()
        .withApiVersion(owner.getApiVersion())
        .withKind(owner.getKind())
        .withName(owner.getMetadata().getName())
        .withUid(owner.getMetadata().getUid())
        .withController(true)
        .withBlockOwnerDeletion(true)
        .build();
  }

  public static boolean isOwnedBy(Secret secret, ApiKey owner) {
    return secret.getMetadata().getOwnerReferences() != null
        && secret.getMetadata().getOwnerReferences().stream()
            .anyMatch(ref -> Objects.equals(ref.getUid(), owner.getMetadata().getUid()));
  }

  /** The fingerprint of the value now in the Secret's {@code apiKey}, or empty when it holds none. */
  public static Optional<String> actualFingerprint(Secret secret) {
    String encoded = secret.getData() == null ? null : secret.getData().get(API_KEY);
    if (encoded == null || encoded.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(SecretValue.fingerprintOf(Base64.getDecoder().decode(encoded)));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /**
   * What this Secret claims the operator published: present only when the value in {@code apiKey} matches the
   * fingerprint annotation the operator writes with it. A namespace user can forge all of it.
   */
  public static Optional<Published> published(Secret secret) {
    Map<String, String> annotations = secret.getMetadata().getAnnotations();
    String written = annotations == null ? null : annotations.get(FINGERPRINT_ANNOTATION);
    Optional<String> actual = actualFingerprint(secret);
    String keyId = decoded(secret, KEY_ID);
    String type = decoded(secret, TYPE);
    if (written == null || actual.isEmpty() || !written.equals(actual.get()) || keyId == null || type == null) {
      return Optional.empty();
    }
    KeyType keyType;
    try {
      keyType = KeyType.valueOf(type);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    return Optional.of(new Published(keyId, keyType, written));
  }

  /** A data field other than the secret value, decoded. */
  public static String decoded(Secret secret, String key) {
    String encoded = secret.getData() == null ? null : secret.getData().get(key);
    if (encoded == null) {
      return null;
    }
    try {
      return new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static boolean contains(Map<String, String> actual, Map<String, String> wanted) {
    if (wanted.isEmpty()) {
      return true;
    }
    return actual != null && wanted.entrySet().stream().allMatch(e -> e.getValue().equals(actual.get(e.getKey())));
  }

  private static String encode(String value) {
    return Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
  }
}
