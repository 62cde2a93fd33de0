package com.idmelon.operator.workspace;

import com.idmelon.operator.idmelon.AdminKey;
import com.idmelon.operator.idmelon.AdminKeySource;
import com.idmelon.operator.idmelon.SecretValue;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import com.idmelon.operator.reconciler.CacheTrim;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * A workspace's Admin key, read from one key of one Secret that the operator watches (and caches) alone: an edit of
 * the Secret is used from the next IDmelon call on, and reported to {@code onChange} so the workspace is re-checked.
 */
final class AdminKeySecret implements AdminKey, AutoCloseable {
  private final String namespace;
  private final String name;
  private final String key;
  private final SharedIndexInformer<Secret> informer;
  private volatile Secret latest;

  AdminKeySecret(KubernetesClient kubernetes, String namespace, String name, String key, Runnable onChange) {
    this.namespace = namespace;
    this.name = name;
    this.key = key;
    SharedIndexInformer<Secret> single = kubernetes.secrets().inNamespace(namespace).withName(name).runnableInformer(0);
    if (CacheTrim.ENABLED) {
      // a Workspace's author chooses this Secret: only the Admin key's entry is kept, whatever else it holds
      single.itemStore(new CacheTrim.Store<>(secret -> CacheTrim.onlyData(secret, key)));
    }
    this.informer = single.addEventHandler(new ResourceEventHandler<>() {
      @Override
      public void onAdd(Secret secret) {
        observed(secret);
        onChange.run();
      }

      @Override
      public void onUpdate(Secret old, Secret secret) {
        observed(secret);
        onChange.run();
      }

      @Override
      public void onDelete(Secret secret, boolean unknownFinalState) {
        latest = null;
        onChange.run();
      }
    });
    this.informer.run();
  }

  /** A write the operator made itself (an Admin ApiKey's Secret used as a credential): used at once. */
  void observed(Secret secret) {
    Secret current = latest;
    if (current == null || newer(secret, current)) {
      latest = CacheTrim.onlyData(new io.fabric8.kubernetes.api.model.SecretBuilder(secret).build(), key);
    }
  }

  private static boolean newer(Secret candidate, Secret current) {
    try {
      return Long.parseLong(candidate.getMetadata().getResourceVersion())
          >= Long.parseLong(current.getMetadata().getResourceVersion());
    } catch (NumberFormatException | NullPointerException e) {
      return true; // resource versions are opaque in general: the later event wins
    }
  }

  boolean isFor(String secretNamespace, String secretName) {
    return namespace.equals(secretNamespace) && name.equals(secretName);
  }

  /** Why the key cannot be used, or empty when it can. Never the content. */
  Optional<String> problem() {
    return problem(latest);
  }

  private Optional<String> problem(Secret secret) {
    if (secret == null) {
      return Optional.of("Secret " + namespace + "/" + name + " does not exist");
    }
    String encoded = secret.getData() == null ? null : secret.getData().get(key);
    if (encoded == null || encoded.isBlank()) {
      return Optional.of("Secret " + namespace + "/" + name + " has no key '" + key + "'");
    }
    String value = decode(encoded);
    if (value == null || value.isEmpty()) {
      return Optional.of("Secret " + namespace + "/" + name + " key '" + key + "' is empty or not base64");
    }
    if (!AdminKeySource.fitsAHeader(value)) {
      return Optional.of("Secret " + namespace + "/" + name + " key '" + key
          + "' holds a line break or a character an HTTP header cannot carry");
    }
    return Optional.empty();
  }

  @Override
  public SecretValue get() {
    Secret secret = latest;
    Optional<String> problem = problem(secret);
    if (problem.isPresent()) {
      throw new IllegalStateException("the workspace's admin key is unusable: " + problem.get());
    }
    return SecretValue.of(decode(secret.getData().get(key)));
  }

  private static String decode(String encoded) {
    try {
      return new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8).strip();
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  @Override
  public void close() {
    informer.close();
  }
}
