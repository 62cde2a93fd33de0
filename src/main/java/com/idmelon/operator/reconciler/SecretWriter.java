package com.idmelon.operator.reconciler;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.idmelon.operator.crd.v1alpha1.ApiKey;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.Optional;

/**
 * Reads managed Secrets from the label-scoped informer cache and writes them, never touching a Secret this ApiKey
 * does not own. Each write is put into the cache at once, so the next reconcile sees it even before the watch does.
 */
final class SecretWriter {
  private final KubernetesClient client;
  private final InformerEventSource<Secret, ApiKey> cache;
  private final java.util.function.Consumer<Secret> written;

  /** @param written told about every Secret written (a workspace may read its Admin key from it) */
  SecretWriter(KubernetesClient client, InformerEventSource<Secret, ApiKey> cache,
      java.util.function.Consumer<Secret> written) {
    this.client = client;
    this.cache = cache;
    this.written = written;
  }

  /** The Secret of that name if it carries the managed-by label (others are not cached; see {@link #create}). */
  Optional<Secret> find(String namespace, String name) {
    return cache.get(new ResourceID(name, namespace));
  }

  /**
   * Reads the Secret from the API server, bypassing the cache: for the rare case where it looks missing because
   * someone removed our label, so that it is recognised as ours instead of being taken for someone else's.
   */
  Optional<Secret> read(String namespace, String name) {
    return Optional.ofNullable(client.secrets().inNamespace(namespace).withName(name).get());
  }

  /**
   * Creates the Secret; if one of that name already exists (unlabelled, so not in our cache), it is left untouched
   * and a {@link SecretConflictException} is thrown.
   */
  Secret create(ApiKey owner, Secret desired) {
    try {
      // its own event is filtered: the reconcile that writes it already knows, no second one is needed
      Secret created = cache.eventFilteringUpdateAndCacheResource(desired, d -> client.resource(d).create());
      written.accept(created);
      return created;
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        throw SecretConflictException.of(owner, desired.getMetadata().getName());
      }
      throw e;
    }
  }

  /**
   * Merge-patches an owned Secret to {@code desired}: labels and annotations are added or updated (others' are kept),
   * the data keys are set, and data keys the operator manages but no longer wants (expiresAt, keys a template no
   * longer names) are removed.
   */
  Secret patch(Secret existing, Secret desired) {
    ObjectNode patch = Serialization.jsonMapper().valueToTree(desired);
    ObjectNode metadata = (ObjectNode) patch.get("metadata");
    metadata.remove("resourceVersion");
    metadata.remove("namespace");
    metadata.remove("name");
    if (desired.getData() != null && existing.getData() != null) {
      ObjectNode data = patch.has("data") ? (ObjectNode) patch.get("data") : patch.putObject("data");
      for (String key : existing.getData().keySet()) {
        if (ManagedSecret.EXPIRES_AT.equals(key) && !desired.getData().containsKey(key)) {
          data.putNull(key);
        }
      }
    }
    SecretData.dropUnwanted(existing, desired, patch);
    // on the object itself: by name, fabric8 would read it from the server first
    Secret updated = cache.eventFilteringUpdateAndCacheResource(existing,
        e -> client.resource(e).patch(PatchContext.of(PatchType.JSON_MERGE), patch.toString()));
    written.accept(updated);
    return updated;
  }

  /**
   * The managed Secrets (in the cache, so labelled) that {@code owner} owns under another name than {@code keep}:
   * copies left behind by a change of spec.secretName.
   */
  java.util.List<Secret> ownedElsewhere(ApiKey owner, String keep) {
    return cache.list(owner.getMetadata().getNamespace(),
            s -> ManagedSecret.isOwnedBy(s, owner) && !s.getMetadata().getName().equals(keep))
        .toList();
  }

  /** Deletes a Secret this ApiKey owns (used when spec.secretName moves the key to another Secret). */
  void delete(Secret existing) {
    client.resource(existing).delete();
  }
}
