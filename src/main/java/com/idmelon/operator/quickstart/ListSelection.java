package com.idmelon.operator.quickstart;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.MockResponse;
import java.io.IOException;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Lists selected by {@code fieldSelector} and {@code labelSelector} as an API server selects them, where fabric8's
 * mock cannot: it matches a field selector on {@code metadata.name} only (so {@code kubectl describe} found no
 * events) and ignores set-based label requirements ({@code in}, {@code notin}). Unsupported field labels and
 * selectors that do not parse are refused with 400 BadRequest, as an API server refuses them.
 */
final class ListSelection {
  private static final String FIELD_SELECTOR = "fieldSelector";
  private static final String LABEL_SELECTOR = "labelSelector";

  private ListSelection() {
  }

  /**
   * The answer to a GET of {@code uri} when it lists a collection with selectors this class must apply, else
   * empty (the store answers as it is).
   *
   * @param store answers a GET from the store, without selection
   */
  static Optional<MockResponse> answer(String uri, CrdCatalog crds, Function<String, MockResponse> store) {
    if (uri == null || !uri.contains("Selector=")) {
      return Optional.empty();
    }
    ResourcePath path = ResourcePath.parse(uri).orElse(null);
    if (path == null || path.name() != null || path.subresource() != null || path.watch()) {
      return Optional.empty();
    }
    String fieldSelector = path.param(FIELD_SELECTOR);
    String labelSelector = path.param(LABEL_SELECTOR);
    Predicate<JsonNode> selected;
    try {
      Predicate<JsonNode> fields = crds.find(path)
          .map(crd -> Selectors.fields(path.group(), path.plural(), true, crd.namespaced(), fieldSelector))
          .orElseGet(() -> Selectors.fields(path.group(), path.plural(), fieldSelector));
      selected = fields.and(Selectors.labels(labelSelector));
    } catch (IllegalArgumentException e) {
      return Optional.of(badRequest(e.getMessage()));
    }
    if (!Selectors.needsFiltering(fieldSelector) && !Selectors.labelsNeedFiltering(labelSelector)) {
      return Optional.empty();
    }
    MockResponse response = store.apply(withoutSelectors(uri));
    if (response.code() != 200 || response.getBody() == null) {
      return Optional.of(response);
    }
    try {
      JsonNode list = Serialization.jsonMapper().readTree(response.getBody().getBytes());
      if (list instanceof ObjectNode object && list.path("items") instanceof ArrayNode items) {
        if ("List".equals(object.path("kind").asText()) && items.size() > 0) {
          // fabric8's mock answers every list as a "List": client-go's typed clients (kubectl describe reads the
          // events with one) refuse it for an EventList
          object.put("kind", items.get(0).path("kind").asText() + "List");
        }
        ArrayNode kept = object.putArray("items");
        items.forEach(item -> {
          if (selected.test(item)) {
            kept.add(item);
          }
        });
        // without a Content-Type, client-go reads the body as protobuf (and kubectl describe lists no events)
        response.setHeader("Content-Type", "application/json")
            .setBody(Serialization.jsonMapper().writeValueAsString(object));
      }
      return Optional.of(response);
    } catch (IOException e) {
      return Optional.of(response);
    }
  }

  private static String withoutSelectors(String uri) {
    String[] pathAndQuery = uri.split("\\?", 2);
    String query = Arrays.stream(pathAndQuery[1].split("&"))
        .filter(p -> !p.startsWith(FIELD_SELECTOR + "=") && !p.startsWith(LABEL_SELECTOR + "="))
        .collect(Collectors.joining("&"));
    return query.isEmpty() ? pathAndQuery[0] : pathAndQuery[0] + "?" + query;
  }

  private static MockResponse badRequest(String message) {
    return new MockResponse().setResponseCode(400).addHeader("Content-Type", "application/json")
        .setBody(Serialization.asJson(new StatusBuilder().withNewMetadata().endMetadata().withStatus("Failure")
            .withMessage(message).withReason("BadRequest").withCode(400).build()));
  }
}
