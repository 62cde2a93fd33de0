package com.idmelon.operator.quickstart;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Answers {@code kubectl get} as an API server does: when the Accept header asks for a {@code meta.k8s.io} Table
 * ({@code application/json;as=Table;v=v1;g=meta.k8s.io}), a GET of a collection or of one object is answered with a
 * Table (column definitions, one row of cells per object, the object per {@code includeObject}) instead of the
 * object(s). What a user sees in {@code kubectl get apikeys} are then the CRD's printer columns.
 */
public final class TableOutput {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final CrdCatalog crds;
  private final Clock clock;

  public TableOutput(CrdCatalog crds) {
    this(crds, Clock.systemUTC());
  }

  TableOutput(CrdCatalog crds, Clock clock) {
    this.crds = crds;
    this.clock = clock;
  }

  /** Whether {@code accept} asks for a Table (its first clause this server can answer is a Table). */
  public static boolean wanted(String accept) {
    return tableVersion(accept).isPresent();
  }

  /**
   * The {@code meta.k8s.io} version of the Table that {@code accept} asks for ("v1" or "v1beta1"), or empty for the
   * plain object: the first clause this server can answer decides, as in the API server's content negotiation
   * (clauses for other encodings or for other conversions, such as PartialObjectMetadata, are skipped).
   */
  static Optional<String> tableVersion(String accept) {
    if (accept == null) {
      return Optional.empty();
    }
    for (String clause : accept.split(",")) {
      String[] parts = clause.split(";");
      String mediaType = parts[0].strip().toLowerCase(Locale.ROOT);
      if (!mediaType.equals("application/json") && !mediaType.equals("application/*") && !mediaType.equals("*/*")) {
        continue;
      }
      String as = null;
      String group = null;
      String version = null;
      boolean refused = false;
      for (int i = 1; i < parts.length; i++) {
        String[] pair = parts[i].split("=", 2);
        String key = pair[0].strip();
        String value = pair.length == 2 ? pair[1].strip() : "";
        switch (key) {
          case "as" -> as = value;
          case "g" -> group = value;
          case "v" -> version = value;
          case "q" -> refused = value.matches("0(\\.0*)?");
          default -> {
          }
        }
      }
      if (refused) {
        continue;
      }
      if (as == null) {
        return Optional.empty();
      }
      if (as.equals("Table") && "meta.k8s.io".equals(group) && ("v1".equals(version) || "v1beta1".equals(version))) {
        return Optional.of(version);
      }
    }
    return Optional.empty();
  }

  /**
   * The store's answer to a request, converted to a Table if the request is a GET of resources that asks for one;
   * any other answer (errors included) unchanged. Called without the store's lock held.
   */
  public MockResponse answer(RecordedRequest request, MockResponse response) {
    if (!"GET".equals(request.getMethod()) || response.code() != 200 || response.getBody() == null) {
      return response;
    }
    Optional<String> version = tableVersion(request.getHeader("Accept"));
    Optional<ResourcePath> path = ResourcePath.parse(request.getPath());
    if (version.isEmpty() || path.isEmpty() || path.get().watch()
        || (path.get().subresource() != null && !path.get().subresource().equals("status"))) {
      return response;
    }
    Optional<MockResponse> refusal = refusal(path.get());
    if (refusal.isPresent()) {
      return refusal.get();
    }
    JsonNode body;
    try {
      body = JSON.readTree(response.getBody().getBytes());
    } catch (IOException e) {
      return response;
    }
    boolean list = path.get().name() == null;
    if (!body.isObject() || (list && !body.path("items").isArray())) {
      return response;
    }
    ObjectNode table = table(path.get(), version.get(), body, list, true);
    return new MockResponse().setResponseCode(200).addHeader("Content-Type", "application/json")
        .setBody(table.toString());
  }

  /**
   * A request whose {@code includeObject} is not one an API server knows is refused with 400 BadRequest, as the API
   * server does before it converts anything (a watch too).
   */
  public static Optional<MockResponse> refusal(ResourcePath path) {
    String include = path.param("includeObject");
    if (include == null || List.of("", "None", "Metadata", "Object").contains(include)) {
      return Optional.empty();
    }
    ObjectNode status = NODES.objectNode();
    status.put("kind", "Status").put("apiVersion", "v1").set("metadata", NODES.objectNode());
    status.put("status", "Failure")
        .put("message", "Unable to convert to Table as requested: includeObject: Invalid value: "
            + NODES.textNode(include) + ": must be 'Metadata', 'Object', 'None', or empty")
        .put("reason", "BadRequest").put("code", 400);
    return Optional.of(new MockResponse().setResponseCode(400).addHeader("Content-Type", "application/json")
        .setBody(status.toString()));
  }

  /**
   * One watch event's object as a Table with one row, as the API server sends it to a watch that asked for Tables
   * ({@code kubectl get -w}): with column definitions in the first event only ({@code withColumnDefinitions}),
   * {@code "columnDefinitions": null} in the others. An object that is not a resource (a Status in an ERROR event)
   * or an {@code accept} that asks for no Table answers {@code object} unchanged.
   */
  public JsonNode watchEventTable(ResourcePath path, String accept, JsonNode object, boolean withColumnDefinitions) {
    Optional<String> version = tableVersion(accept);
    if (version.isEmpty() || "Status".equals(object.path("kind").asText())) {
      return object;
    }
    return table(path, version.get(), object, false, withColumnDefinitions);
  }

  /** A Table of {@code body}: a list ({@code items}) or one object. */
  ObjectNode table(ResourcePath path, String version, JsonNode body, boolean list, boolean withColumnDefinitions) {
    TablePrinters.Printer printer = TablePrinters.forResource(path, crds);
    Instant now = clock.instant();
    String include = path.param("includeObject") == null || path.param("includeObject").isEmpty()
        ? "Metadata" : path.param("includeObject");

    ObjectNode table = NODES.objectNode();
    table.put("kind", "Table").put("apiVersion", "meta.k8s.io/" + version);
    ObjectNode metadata = table.putObject("metadata");
    JsonNode source = body.path("metadata");
    if (!source.path("resourceVersion").asText("").isEmpty()) {
      metadata.put("resourceVersion", source.path("resourceVersion").asText());
    }
    if (list && !source.path("continue").asText("").isEmpty()) {
      metadata.put("continue", source.path("continue").asText());
    }
    if (list && source.path("remainingItemCount").isNumber()) {
      metadata.set("remainingItemCount", source.path("remainingItemCount"));
    }
    if (withColumnDefinitions) {
      ArrayNode columns = table.putArray("columnDefinitions");
      printer.columns().forEach(c -> columns.add(c.toJson()));
    } else {
      table.set("columnDefinitions", NullNode.getInstance());
    }
    List<JsonNode> objects = new ArrayList<>();
    if (list) {
      body.path("items").forEach(objects::add);
    } else {
      objects.add(body);
    }
    if (objects.isEmpty() && printer.emptyRowsNull()) {
      table.set("rows", NullNode.getInstance());
      return table;
    }
    ArrayNode rows = table.putArray("rows");
    for (JsonNode object : objects) {
      ObjectNode row = rows.addObject();
      ArrayNode cells = row.putArray("cells");
      printer.cells().apply(object, now).forEach(cells::add);
      switch (include) {
        case "None" -> row.set("object", NullNode.getInstance());
        case "Object" -> row.set("object", object);
        default -> {
          ObjectNode partial = row.putObject("object");
          partial.put("kind", "PartialObjectMetadata").put("apiVersion", "meta.k8s.io/" + version);
          partial.set("metadata", object.path("metadata").isObject() ? object.path("metadata") : NODES.objectNode());
        }
      }
    }
    return table;
  }
}
