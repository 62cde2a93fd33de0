package com.idmelon.operator.quickstart;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.mockwebserver.http.MockResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The CustomResourceDefinitions stored in the embedded API server, parsed once per change: what Table output,
 * admission and OpenAPI discovery read (printer columns, schemas, CEL rules, names, scope).
 */
public final class CrdCatalog {
  private static final String CRDS = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Function<String, MockResponse> get;
  private volatile List<Crd> crds;
  /** Counts invalidations: a list read before one must not be kept after it. */
  private final java.util.concurrent.atomic.AtomicLong changes = new java.util.concurrent.atomic.AtomicLong();

  /** @param get answers a GET of a path from the store (the dispatcher's {@code handleGet}) */
  CrdCatalog(Function<String, MockResponse> get) {
    this.get = get;
  }

  /** Forgets what was parsed; the next lookup reads the store again. Called on every change of a CRD. */
  synchronized void invalidate() {
    changes.incrementAndGet();
    crds = null;
  }

  /** Every stored CRD. */
  public List<Crd> all() {
    List<Crd> known = crds;
    if (known == null) {
      long seen = changes.get();
      known = load();
      synchronized (this) {
        // a CRD changed while this list was read: answer it, but do not keep it for later lookups
        if (changes.get() == seen) {
          crds = known;
        }
      }
    }
    return known;
  }

  /** The CRD serving {@code group}'s {@code plural}, if one is stored. */
  public Optional<Crd> find(String group, String plural) {
    return all().stream().filter(c -> c.group().equals(group) && c.plural().equals(plural)).findFirst();
  }

  /** The CRD of a resource path (any version the CRD declares), if one is stored. */
  public Optional<Crd> find(ResourcePath path) {
    return find(path.group(), path.plural());
  }

  private List<Crd> load() {
    MockResponse response = get.apply(CRDS);
    List<Crd> parsed = new ArrayList<>();
    if (response.code() != 200 || response.getBody() == null) {
      return parsed;
    }
    try {
      for (JsonNode item : JSON.readTree(response.getBody().getBytes()).path("items")) {
        parsed.add(new Crd(item));
      }
    } catch (IOException e) {
      throw new IllegalStateException("stored CustomResourceDefinitions are not JSON", e);
    }
    return List.copyOf(parsed);
  }

  /** One CRD as stored: {@code definition} is the whole object; do not modify it. */
  public record Crd(JsonNode definition) {
    public String name() {
      return definition.path("metadata").path("name").asText();
    }

    public String group() {
      return definition.path("spec").path("group").asText();
    }

    public String kind() {
      return definition.path("spec").path("names").path("kind").asText();
    }

    public String plural() {
      return definition.path("spec").path("names").path("plural").asText();
    }

    public boolean namespaced() {
      return "Namespaced".equals(definition.path("spec").path("scope").asText());
    }

    /** The {@code spec.versions[]} entry named {@code version}, if declared. */
    public Optional<JsonNode> version(String version) {
      for (JsonNode v : definition.path("spec").path("versions")) {
        if (v.path("name").asText().equals(version)) {
          return Optional.of(v);
        }
      }
      return Optional.empty();
    }

    /** The served versions' names, storage version first. */
    public List<String> versions() {
      List<String> names = new ArrayList<>();
      for (JsonNode v : definition.path("spec").path("versions")) {
        if (v.path("served").asBoolean(true)) {
          if (v.path("storage").asBoolean(false)) {
            names.add(0, v.path("name").asText());
          } else {
            names.add(v.path("name").asText());
          }
        }
      }
      return names;
    }

    /** {@code openAPIV3Schema} of {@code version}, or a missing node. */
    public JsonNode schema(String version) {
      return version(version).map(v -> v.path("schema").path("openAPIV3Schema"))
          .orElse(com.fasterxml.jackson.databind.node.MissingNode.getInstance());
    }
  }
}
