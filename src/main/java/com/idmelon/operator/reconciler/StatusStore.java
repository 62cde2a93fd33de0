package com.idmelon.operator.reconciler;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.idmelon.operator.crd.v1alpha1.ApiKey;
import com.idmelon.operator.crd.v1alpha1.ApiKeyStatus;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import java.util.Map;
import java.util.Objects;

/**
 * The ApiKey as the API server has it, and the operator's writes to it: the status (only when something changed), and
 * the finalizer with the Issue marker annotation ({@link IssueMarker}). Every write filters its own event, so it
 * triggers no reconcile that would find nothing to do.
 */
final class StatusStore {
  /** The operator's finalizer: deleting an ApiKey waits until its keys are revoked. */
  static final String FINALIZER = "apikeys.idmelon.com/finalizer";
  private static final int CONFLICT_ATTEMPTS = 3;

  private final Context<ApiKey> context;
  /** The last version the operator read or wrote; its own writes do not count as changes made by someone else. */
  private ApiKey own;
  private ApiKey latest;

  StatusStore(ApiKey apiKey, Context<ApiKey> context) {
    this.latest = apiKey;
    this.own = apiKey;
    this.context = context;
  }

  void save(ApiKeyStatus status) {
    JsonNode wanted = Serialization.jsonMapper().valueToTree(status);
    if (wanted.equals(Serialization.jsonMapper().valueToTree(latest.getStatus()))) {
      return;
    }
    ApiKeyStatus copy = copy(status);
    latest = context.resourceOperations().jsonPatchPrimaryStatus(latest, r -> {
      r.setStatus(copy);
      return r;
    });
  }

  /** Adds the finalizer if it is missing (the status holds a key, and someone removed it). */
  void ensureFinalizer() {
    if (!latest.hasFinalizer(FINALIZER)) {
      patchMetadata(null);
    }
  }

  /**
   * Records an Issue marker: the annotation and, if missing, the finalizer, in one merge patch of the ApiKey's
   * metadata, conditional on its resourceVersion (so the finalizer list written is the server's own plus ours). A
   * conflict with someone else's edit of the metadata is retried on a fresh read; an edit of the spec or a deletion
   * meanwhile throws {@link ChangedMeanwhileException}: nothing is called, and the reconcile starts again.
   */
  void markIssue(String marker) {
    patchMetadata(marker);
  }

  /**
   * Removes the Issue marker annotation: the call it announced was refused, so it made nothing, and a marker left
   * open would have the next attempt sweep IDmelon for keys of that name. A write on that failure path only.
   */
  void closeIssue() {
    ObjectNode patch = Serialization.jsonMapper().createObjectNode();
    patch.putObject("metadata").putObject("annotations").putNull(IssueMarker.ANNOTATION);
    ApiKey written = context.resourceOperations().resourcePatch(latest,
        r -> context.getClient().resource(r).patch(PatchContext.of(PatchType.JSON_MERGE), patch.toString()),
        context.eventSourceRetriever().getControllerEventSource());
    latest = written;
    own = written;
  }

  private void patchMetadata(String marker) {
    ApiKey base = latest;
    for (int attempt = 1; ; attempt++) {
      ObjectNode patch = Serialization.jsonMapper().createObjectNode();
      ObjectNode metadata = patch.putObject("metadata");
      metadata.put("resourceVersion", base.getMetadata().getResourceVersion());
      ArrayNode finalizers = metadata.putArray("finalizers");
      if (base.getMetadata().getFinalizers() != null) {
        base.getMetadata().getFinalizers().forEach(finalizers::add);
      }
      if (!base.hasFinalizer(FINALIZER)) {
        finalizers.add(FINALIZER);
      }
      if (marker != null) {
        metadata.putObject("annotations").put(IssueMarker.ANNOTATION, marker);
      }
      ApiKey from = base;
      try {
        ApiKey written = context.resourceOperations().resourcePatch(from,
            // on the object itself: by name, fabric8 would read it from the server first
            r -> context.getClient().resource(r).patch(PatchContext.of(PatchType.JSON_MERGE), patch.toString()),
            context.eventSourceRetriever().getControllerEventSource());
        latest = written;
        own = written;
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() == 404) {
          throw new ChangedMeanwhileException(); // deleted meanwhile: its delete event comes next
        }
        if (e.getCode() != 409 || attempt >= CONFLICT_ATTEMPTS) {
          throw e;
        }
      }
      ApiKey fresh = context.getClient().resources(ApiKey.class).inNamespace(base.getMetadata().getNamespace())
          .withName(base.getMetadata().getName()).get();
      if (fresh == null || fresh.isMarkedForDeletion()
          || !Objects.equals(fresh.getMetadata().getUid(), base.getMetadata().getUid())
          || !Objects.equals(fresh.getMetadata().getGeneration(), base.getMetadata().getGeneration())
          || !Objects.equals(resetOf(fresh), resetOf(base))
          || !Serialization.jsonMapper().valueToTree(fresh.getStatus())
              .equals(Serialization.jsonMapper().valueToTree(base.getStatus()))) {
        throw new ChangedMeanwhileException();
      }
      base = fresh;
    }
  }

  private static String resetOf(ApiKey apiKey) {
    Map<String, String> annotations = apiKey.getMetadata().getAnnotations();
    return annotations == null ? null : annotations.get(ApiKey.RESET_ANNOTATION);
  }

  /**
   * True when the ApiKey changed between the version this reconcile read (or last wrote itself) and the one its
   * status patch returned (an edit of the spec or annotations raced the reconcile): the operator's cache now holds
   * the newer version, so the edit's own event may be dropped as stale, and the caller must look again.
   */
  boolean changedMeanwhile() {
    if (latest == own) {
      return false;
    }
    return !Objects.equals(latest.getMetadata().getGeneration(), own.getMetadata().getGeneration())
        || !Objects.equals(CacheTrim.annotationsAsCached(latest), CacheTrim.annotationsAsCached(own))
        || !Objects.equals(latest.getMetadata().getDeletionTimestamp(), own.getMetadata().getDeletionTimestamp());
  }

  static ApiKeyStatus copy(ApiKeyStatus status) {
    return status == null ? null : Serialization.jsonMapper().convertValue(status, ApiKeyStatus.class);
  }

  /** The ApiKey changed in a way that matters (spec, reset annotation, status, deletion) while it was being marked. */
  static final class ChangedMeanwhileException extends RuntimeException {
    ChangedMeanwhileException() {
      super("the ApiKey changed while the operator was about to issue its key", null, false, false);
    }
  }
}
