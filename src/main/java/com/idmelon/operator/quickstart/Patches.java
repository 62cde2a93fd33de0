package com.idmelon.operator.quickstart;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Patches as an API server applies them, where fabric8's mock differs. JSON merge patches follow RFC 7386 (a
 * {@code null} removes a key; the mock kept it as null). Strategic merge patches ({@code kubectl apply} sends them for every built-in kind), for the kinds where a strategic
 * merge patch means what a JSON merge patch means: maps merged, {@code null} removes a key, and no list of theirs
 * is merged by key. fabric8's mock knows only JSON merge and JSON patches. Other kinds (a Deployment's containers
 * are merged by name) are refused with 415 rather than patched wrong.
 */
final class Patches {
  private static final String CONTENT_TYPE = "application/strategic-merge-patch+json";
  /** Core kinds whose strategic merge patch equals a merge patch (directives aside). */
  private static final Set<String> MERGEABLE = Set.of("secrets", "configmaps", "namespaces");

  private Patches() {
  }

  /**
   * The request as a JSON merge patch if it is a strategic merge patch of a kind where both mean the same, the request
   * itself if it is no strategic merge patch, or null if it is one this server cannot apply.
   */
  static RecordedRequest asMergePatch(RecordedRequest request) {
    String contentType = request.getHeader("Content-Type");
    if (contentType == null || !contentType.startsWith(CONTENT_TYPE)) {
      return request;
    }
    Optional<ResourcePath> path = ResourcePath.parse(request.getPath());
    if (path.isEmpty() || !path.get().group().isEmpty() || !MERGEABLE.contains(path.get().plural())) {
      return null;
    }
    try {
      JsonNode patch = Serialization.jsonMapper().readTree(request.getBody().getBytes());
      withoutDirectives(patch);
      byte[] body = Serialization.jsonMapper().writeValueAsBytes(patch);
      return new RecordedRequest(request.getHttpVersion(), request.method(), request.getPath(),
          request.getHeaders().newBuilder().set("Content-Type", "application/merge-patch+json").build(),
          new Buffer(body));
    } catch (IOException e) {
      return null;
    }
  }

  /** The API server's answer to a patch type it does not support for a resource. */
  static MockResponse unsupported(RecordedRequest request) {
    return unsupported(request, "application/json-patch+json, application/merge-patch+json");
  }

  /** 415 for a body in an encoding the server does not read for this path; {@code accepted}: what it reads. */
  static MockResponse unsupported(RecordedRequest request, String accepted) {
    String type = Optional.ofNullable(request.getHeader("Content-Type")).orElse("");
    return new MockResponse().setResponseCode(415).addHeader("Content-Type", "application/json")
        .setBody(Serialization.asJson(new StatusBuilder().withStatus("Failure").withCode(415)
            .withReason("UnsupportedMediaType")
            .withMessage(com.idmelon.operator.crd.v1alpha1.Conditions.boundedMessage(
                "the body of the request was in an unknown format - accepted media types include: " + accepted
                + " (not " + type + " for " + request.getPath().split("\\?", 2)[0]
                + " on this embedded API server)"))
            .build()));
  }

  /** {@code patch} applied to {@code target} as RFC 7386 says; {@code target} may be changed and is returned. */
  static JsonNode mergePatch(JsonNode target, JsonNode patch) {
    if (!patch.isObject()) {
      return patch;
    }
    ObjectNode result = target instanceof ObjectNode object ? object : JsonNodeFactory.instance.objectNode();
    for (Iterator<java.util.Map.Entry<String, JsonNode>> fields = patch.fields(); fields.hasNext();) {
      java.util.Map.Entry<String, JsonNode> field = fields.next();
      if (field.getValue().isNull()) {
        result.remove(field.getKey());
      } else {
        result.set(field.getKey(), mergePatch(result.get(field.getKey()), field.getValue()));
      }
    }
    return result;
  }

  /** Removes {@code $patch}, {@code $retainKeys}, {@code $setElementOrder/...} and the other directives. */
  private static void withoutDirectives(JsonNode node) {
    if (node instanceof ObjectNode object) {
      List<String> directives = new ArrayList<>();
      for (Iterator<String> names = object.fieldNames(); names.hasNext();) {
        String name = names.next();
        if (name.startsWith("$")) {
          directives.add(name);
        }
      }
      object.remove(directives);
      object.forEach(Patches::withoutDirectives);
    }
  }
}
