package com.idmelon.operator.quickstart;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The OpenAPI v3 documents of the embedded API server ({@code /openapi/v3} and one document per group-version), built
 * as kube-apiserver builds them, so that {@code kubectl apply} validates (it sees the {@code fieldValidation}
 * parameter and leaves validation to the server) and {@code kubectl explain} reads the CRDs' descriptions.
 *
 * <p>Custom resources get their CRD's {@code openAPIV3Schema}, with apiVersion, kind and metadata added as
 * apiextensions-apiserver adds them. Built-in kinds are simplified: metadata, Namespace, Secret and ConfigMap have
 * their fields and types; the other built-in kinds an open object. Documents are rebuilt when a CRD changes and are
 * otherwise served from memory.
 */
final class OpenApiDocuments {
  static final String PREFIX = "/openapi/v3";
  private static final ObjectMapper JSON = new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final String SCHEMAS = "#/components/schemas/";
  private static final String META = "io.k8s.apimachinery.pkg.apis.meta.v1.";
  private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withLocale(Locale.US);

  /** The built-in resources the server's discovery lists; their schemas, where simplified ones exist, are in the resource. */
  private static final List<Resource> BUILT_IN = List.of(
      builtIn("", "v1", "Namespace", "namespaces", false, true, "io.k8s.api.core.v1."),
      builtIn("", "v1", "Secret", "secrets", true, false, "io.k8s.api.core.v1."),
      builtIn("", "v1", "ConfigMap", "configmaps", true, false, "io.k8s.api.core.v1."),
      builtIn("", "v1", "Event", "events", true, false, "io.k8s.api.core.v1."),
      builtIn("", "v1", "ServiceAccount", "serviceaccounts", true, false, "io.k8s.api.core.v1."),
      builtIn("apps", "v1", "Deployment", "deployments", true, true, "io.k8s.api.apps.v1."),
      builtIn("apps", "v1", "StatefulSet", "statefulsets", true, true, "io.k8s.api.apps.v1."),
      builtIn("apps", "v1", "DaemonSet", "daemonsets", true, true, "io.k8s.api.apps.v1."),
      builtIn("coordination.k8s.io", "v1", "Lease", "leases", true, false, "io.k8s.api.coordination.v1."),
      builtIn("events.k8s.io", "v1", "Event", "events", true, false, "io.k8s.api.events.v1."),
      builtIn("apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions", false, true,
          "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1."));

  private static final ObjectNode BUILT_IN_SCHEMAS = loadBuiltInSchemas();

  private final CrdCatalog crds;
  private volatile Snapshot snapshot;

  OpenApiDocuments(CrdCatalog crds) {
    this.crds = crds;
  }

  /** One kind served at one group-version, and what its documents say about it. */
  private record Resource(String group, String version, String kind, String listKind, String plural,
      boolean namespaced, boolean status, boolean strategicMerge, String model, JsonNode schema) {
    String groupVersionPath() {
      return group.isEmpty() ? "api/" + version : "apis/" + group + "/" + version;
    }
  }

  private static Resource builtIn(String group, String version, String kind, String plural, boolean namespaced,
      boolean status, String modelPrefix) {
    return new Resource(group, version, kind, kind + "List", plural, namespaced, status, true, modelPrefix + kind,
        null);
  }

  /** A document as served, and its hash: the ETag and the {@code hash} of its URL, as kube-openapi computes it. */
  private record Document(byte[] json, String hash) {
  }

  /** The documents built from one state of the stored CRDs. */
  private record Snapshot(List<CrdCatalog.Crd> source, Map<String, Document> documents, Document discovery,
      String lastModified) {
  }

  /**
   * Answers a GET of {@code /openapi/...}: the discovery document, a group-version's document, a redirect to the
   * current hash, or 404 (also for {@code /openapi/v2}, which this server does not serve).
   */
  MockResponse answer(RecordedRequest request, String path) {
    Snapshot current = current();
    if (path.equals(PREFIX) || path.equals(PREFIX + "/")) {
      return serve(request, current.discovery(), current.lastModified());
    }
    Document document = path.startsWith(PREFIX + "/") ? current.documents().get(path.substring(PREFIX.length() + 1)) : null;
    if (document == null) {
      return new MockResponse().setResponseCode(404).addHeader("Content-Type", "text/plain; charset=utf-8")
          .addHeader("X-Content-Type-Options", "nosniff").setBody("404 page not found\n");
    }
    if (!acceptsJson(request.getHeader("Accept"))) {
      return new MockResponse().setResponseCode(406).addHeader("Vary", "Accept");
    }
    String hash = hash(request);
    if (hash != null && !hash.isEmpty() && !hash.equals(document.hash())) {
      String location = serverRelativeUrl(path.substring(PREFIX.length() + 1), document.hash());
      return new MockResponse().setResponseCode(301).addHeader("Vary", "Accept")
          .addHeader("Content-Type", "text/html; charset=utf-8").addHeader("Location", location)
          .setBody("<a href=\"" + location + "\">Moved Permanently</a>.\n\n");
    }
    MockResponse response = serve(request, document, current.lastModified());
    response.addHeader("Vary", "Accept");
    // Go's HTTP server sends Date; HTTP caches (kubectl's) need it to count Expires as fresh
    response.addHeader("Date", HTTP_DATE.format(ZonedDateTime.now(ZoneOffset.UTC)));
    if (hash != null && !hash.isEmpty()) {
      // as kube-openapi's handler: a hashed URL never changes, so clients may keep it for a year
      response.addHeader("Cache-Control", "public, immutable");
      response.addHeader("Expires", HTTP_DATE.format(ZonedDateTime.now(ZoneOffset.UTC).plusYears(1)));
    }
    return response;
  }

  /** The {@code hash} query parameter, or null. */
  private static String hash(RecordedRequest request) {
    String uri = request.getPath() == null ? "" : request.getPath();
    int question = uri.indexOf('?');
    for (String pair : question < 0 ? new String[0] : uri.substring(question + 1).split("&")) {
      if (pair.startsWith("hash=")) {
        return java.net.URLDecoder.decode(pair.substring("hash=".length()), StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  private static MockResponse serve(RecordedRequest request, Document document, String lastModified) {
    String etag = "\"" + document.hash() + "\"";
    if (etag.equals(request.getHeader("If-None-Match"))) {
      return new MockResponse().setResponseCode(304).addHeader("Etag", etag).addHeader("Last-Modified", lastModified);
    }
    return new MockResponse().setResponseCode(200).addHeader("Content-Type", "application/json").addHeader("Etag", etag)
        .addHeader("Last-Modified", lastModified).setBody(new String(document.json(), StandardCharsets.UTF_8));
  }

  /** Whether an Accept header admits JSON (the only format served here; kube-apiserver also serves protobuf). */
  static boolean acceptsJson(String accept) {
    if (accept == null || accept.isBlank()) {
      return true;
    }
    for (String clause : accept.split(",")) {
      String mediaType = clause.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
      if (mediaType.equals("*/*") || mediaType.equals("application/*") || mediaType.equals("application/json")) {
        return true;
      }
    }
    return false;
  }

  private Snapshot current() {
    List<CrdCatalog.Crd> source = crds.all();
    Snapshot known = snapshot;
    if (known != null && known.source() == source) {
      return known;
    }
    Snapshot built = build(source);
    snapshot = built;
    return built;
  }

  private static Snapshot build(List<CrdCatalog.Crd> source) {
    Map<String, List<Resource>> byGroupVersion = new TreeMap<>();
    for (Resource resource : BUILT_IN) {
      byGroupVersion.computeIfAbsent(resource.groupVersionPath(), k -> new ArrayList<>()).add(resource);
    }
    for (CrdCatalog.Crd crd : source) {
      for (String version : crd.versions()) {
        Resource resource = fromCrd(crd, version);
        byGroupVersion.computeIfAbsent(resource.groupVersionPath(), k -> new ArrayList<>()).add(resource);
      }
    }
    Map<String, Document> documents = new LinkedHashMap<>();
    ObjectNode paths = NODES.objectNode();
    byGroupVersion.forEach((groupVersion, resources) -> {
      Document document = document(groupDocument(resources));
      documents.put(groupVersion, document);
      paths.putObject(groupVersion).put("serverRelativeURL", serverRelativeUrl(groupVersion, document.hash()));
    });
    ObjectNode discovery = NODES.objectNode();
    discovery.set("paths", paths);
    return new Snapshot(source, Map.copyOf(documents), document(discovery),
        HTTP_DATE.format(ZonedDateTime.now(ZoneOffset.UTC)));
  }

  private static Resource fromCrd(CrdCatalog.Crd crd, String version) {
    JsonNode names = crd.definition().path("spec").path("names");
    JsonNode declared = crd.version(version).orElseThrow();
    boolean status = declared.path("subresources").has("status");
    return new Resource(crd.group(), version, crd.kind(), names.path("listKind").asText(crd.kind() + "List"),
        crd.plural(), crd.namespaced(), status, false, modelName(crd.group(), version, crd.kind()),
        crd.schema(version));
  }

  /** The schema name apiextensions-apiserver gives a custom kind: the group's domain reversed, then version and kind. */
  static String modelName(String group, String version, String kind) {
    List<String> parts = new ArrayList<>(List.of(group.split("\\.")));
    java.util.Collections.reverse(parts);
    return String.join(".", parts) + "." + version + "." + kind;
  }

  static String serverRelativeUrl(String groupVersion, String hash) {
    return PREFIX + "/" + groupVersion + "?hash=" + URLEncoder.encode(hash, StandardCharsets.UTF_8);
  }

  private static Document document(JsonNode node) {
    try {
      byte[] json = JSON.writeValueAsBytes(JSON.treeToValue(node, Object.class));
      return new Document(json, HexFormat.of().withUpperCase().formatHex(MessageDigest.getInstance("SHA-512").digest(json)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-512 is part of every JRE", e);
    }
  }

  private static ObjectNode groupDocument(List<Resource> resources) {
    ObjectNode document = NODES.objectNode();
    document.put("openapi", "3.0.0");
    boolean custom = resources.stream().anyMatch(r -> r.schema() != null);
    document.putObject("info").put("title", custom ? "Kubernetes CRD Swagger" : "Kubernetes")
        .put("version", custom ? "v0.1.0" : "unversioned");
    ObjectNode paths = document.putObject("paths");
    ObjectNode schemas = document.putObject("components").putObject("schemas");
    for (Resource resource : resources) {
      schemas.set(resource.model(), kindSchema(resource));
      schemas.set(listModel(resource), listSchema(resource));
      ResourcePaths.add(paths, resource);
    }
    addReferencedSchemas(document, schemas);
    return document;
  }

  /** Adds the schemas the document refers to (ObjectMeta, Status, NamespaceSpec, ...), and those they refer to. */
  private static void addReferencedSchemas(JsonNode document, ObjectNode schemas) {
    java.util.Deque<String> wanted = new java.util.ArrayDeque<>();
    references(document, wanted);
    while (!wanted.isEmpty()) {
      String name = wanted.pop();
      if (!schemas.has(name) && BUILT_IN_SCHEMAS.has(name)) {
        JsonNode schema = BUILT_IN_SCHEMAS.get(name).deepCopy();
        schemas.set(name, schema);
        references(schema, wanted);
      }
    }
  }

  private static void references(JsonNode node, java.util.Deque<String> names) {
    JsonNode ref = node.get("$ref");
    if (ref != null && ref.isTextual() && ref.asText().startsWith(SCHEMAS)) {
      names.add(ref.asText().substring(SCHEMAS.length()));
    }
    node.forEach(child -> references(child, names));
  }

  private static String listModel(Resource resource) {
    return resource.model().substring(0, resource.model().lastIndexOf('.') + 1) + resource.listKind();
  }

  private static ObjectNode kindSchema(Resource resource) {
    ObjectNode schema;
    if (resource.schema() != null) {
      schema = resource.schema().isObject() ? (ObjectNode) resource.schema().deepCopy() : NODES.objectNode();
      if (!resource.schema().isObject() || schema.isEmpty()) {
        // a CRD without a schema: an object, nothing said about its fields (as apiextensions-apiserver does)
        return withGvk(NODES.objectNode().put("type", "object"), resource, resource.kind());
      }
    } else if (BUILT_IN_SCHEMAS.has(resource.model())) {
      schema = BUILT_IN_SCHEMAS.get(resource.model()).deepCopy();
    } else {
      schema = NODES.objectNode().put("description", resource.kind() + " (schema not published by this server)")
          .put("type", "object").put("x-kubernetes-preserve-unknown-fields", true);
    }
    schema.put("type", "object");
    ObjectNode properties = schema.with("properties");
    properties.set("apiVersion", typeMeta("apiVersion"));
    properties.set("kind", typeMeta("kind"));
    properties.set("metadata", ref(META + "ObjectMeta",
        "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"));
    return withGvk(schema, resource, resource.kind());
  }

  private static ObjectNode listSchema(Resource resource) {
    ObjectNode schema = NODES.objectNode();
    schema.put("description", resource.listKind() + " is a list of " + resource.kind());
    schema.put("type", "object");
    schema.putArray("required").add("items");
    ObjectNode properties = schema.putObject("properties");
    properties.set("apiVersion", typeMeta("apiVersion"));
    ObjectNode items = properties.putObject("items");
    items.put("description", "List of " + resource.plural()
        + ". More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md");
    items.put("type", "array");
    items.putObject("items").set("allOf", NODES.arrayNode().add(NODES.objectNode().put("$ref", SCHEMAS + resource.model())));
    properties.set("kind", typeMeta("kind"));
    properties.set("metadata", ref(META + "ListMeta",
        "Standard list metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds"));
    return withGvk(schema, resource, resource.listKind());
  }

  private static ObjectNode withGvk(ObjectNode schema, Resource resource, String kind) {
    ArrayNode gvk = schema.putArray("x-kubernetes-group-version-kind");
    gvk.addObject().put("group", resource.group()).put("kind", kind).put("version", resource.version());
    return schema;
  }

  private static ObjectNode typeMeta(String field) {
    String description = field.equals("apiVersion")
        ? "APIVersion defines the versioned schema of this representation of an object. Servers should convert"
            + " recognized schemas to the latest internal value, and may reject unrecognized values. More info:"
            + " https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources"
        : "Kind is a string value representing the REST resource this object represents. Servers may infer this"
            + " from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info:"
            + " https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds";
    return NODES.objectNode().put("description", description).put("type", "string");
  }

  /** A property that is another schema: {@code allOf} around the {@code $ref}, so that its description survives. */
  static ObjectNode ref(String model, String description) {
    ObjectNode property = NODES.objectNode();
    if (description != null) {
      property.put("description", description);
    }
    property.putObject("default");
    property.putArray("allOf").addObject().put("$ref", SCHEMAS + model);
    return property;
  }

  private static ObjectNode loadBuiltInSchemas() {
    try (InputStream in = EmbeddedKubernetes.classpath("openapi/builtin-schemas.json")) {
      ObjectNode schemas = (ObjectNode) JSON.readTree(in);
      schemas.remove("_comment");
      return schemas;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The {@code paths} of one resource, with the operations, parameters and extensions kubectl reads. */
  private static final class ResourcePaths {
    private static final String FIELD_VALIDATION = "fieldValidation instructs the server on how to handle objects in"
        + " the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore: This"
        + " will ignore any unknown fields that are silently dropped from the object, and will ignore all but the"
        + " last duplicate field that the decoder encounters. - Warn: This will send a warning via the standard"
        + " warning response header for each unknown field that is dropped from the object, and for each duplicate"
        + " field that is encountered. The request will still succeed if there are no other errors, and will only"
        + " persist the last of any duplicate fields. This is the default in v1.23+ - Strict: This will fail the"
        + " request with a BadRequest error if any unknown fields would be dropped from the object, or if any"
        + " duplicate fields are present. The error returned from the server will contain all unknown and"
        + " duplicate fields encountered.";
    private static final Map<String, String[]> QUERY = Map.ofEntries(
        Map.entry("pretty", new String[] {"string", "If 'true', then the output is pretty printed."}),
        Map.entry("dryRun", new String[] {"string", "When present, indicates that modifications should not be"
            + " persisted. Valid values are: - All: all dry run stages will be processed"}),
        Map.entry("fieldManager", new String[] {"string", "fieldManager is a name associated with the actor or entity"
            + " that is making these changes."}),
        Map.entry("fieldValidation", new String[] {"string", FIELD_VALIDATION}),
        Map.entry("force", new String[] {"boolean", "Force is going to \"force\" Apply requests. It means user will"
            + " re-acquire conflicting fields owned by other people. Must be unset for non-apply patch requests."}),
        Map.entry("allowWatchBookmarks", new String[] {"boolean", "allowWatchBookmarks requests watch events with type"
            + " \"BOOKMARK\"."}),
        Map.entry("continue", new String[] {"string", "The continue option should be set when retrieving more results"
            + " from the server."}),
        Map.entry("fieldSelector", new String[] {"string", "A selector to restrict the list of returned objects by"
            + " their fields. Defaults to everything."}),
        Map.entry("labelSelector", new String[] {"string", "A selector to restrict the list of returned objects by"
            + " their labels. Defaults to everything."}),
        Map.entry("limit", new String[] {"integer", "limit is a maximum number of responses to return for a list"
            + " call."}),
        Map.entry("resourceVersion", new String[] {"string", "resourceVersion sets a constraint on what resource"
            + " versions a request may be served from."}),
        Map.entry("resourceVersionMatch", new String[] {"string", "resourceVersionMatch determines how resourceVersion"
            + " is applied to list calls."}),
        Map.entry("sendInitialEvents", new String[] {"boolean", "`sendInitialEvents=true` may be set together with"
            + " `watch=true`: the watch stream begins with synthetic events of the state of all objects."}),
        Map.entry("timeoutSeconds", new String[] {"integer", "Timeout for the list/watch call."}),
        Map.entry("watch", new String[] {"boolean", "Watch for changes to the described resources and return them as"
            + " a stream of add, update, and remove notifications."}),
        Map.entry("gracePeriodSeconds", new String[] {"integer", "The duration in seconds before the object should be"
            + " deleted."}),
        Map.entry("orphanDependents", new String[] {"boolean", "Deprecated: please use the PropagationPolicy."}),
        Map.entry("propagationPolicy", new String[] {"string", "Whether and how garbage collection will be performed."}));
    private static final List<String> LIST = List.of("allowWatchBookmarks", "continue", "fieldSelector",
        "labelSelector", "limit", "resourceVersion", "resourceVersionMatch", "sendInitialEvents", "timeoutSeconds",
        "watch");
    private static final List<String> WRITE = List.of("dryRun", "fieldManager", "fieldValidation");
    private static final List<String> PATCH = List.of("dryRun", "fieldManager", "fieldValidation", "force");
    private static final List<String> DELETE = List.of("dryRun", "gracePeriodSeconds", "orphanDependents",
        "propagationPolicy");

    static void add(ObjectNode paths, Resource r) {
      String base = "/" + r.groupVersionPath() + "/";
      String collection = base + (r.namespaced() ? "namespaces/{namespace}/" : "") + r.plural();
      String status = "/{name}/status";
      if (r.namespaced()) {
        ObjectNode all = pathItem(paths, base + r.plural(), r, false);
        all.set("get", operation(r, "list", "list", "ForAllNamespaces", listModel(r), LIST, null));
      }
      ObjectNode list = pathItem(paths, collection, r, false);
      list.set("get", operation(r, "list", "list", "", listModel(r), LIST, null));
      list.set("post", operation(r, "post", "create", "", r.model(), WRITE, "*/*"));
      List<String> deleteCollection = new ArrayList<>(DELETE);
      deleteCollection.addAll(LIST);
      list.set("delete", operation(r, "deletecollection", "deletecollection", "", META + "Status", deleteCollection,
          "delete"));
      ObjectNode item = pathItem(paths, collection + "/{name}", r, true);
      item.set("get", operation(r, "get", "read", "", r.model(), List.of(), null));
      item.set("put", operation(r, "put", "replace", "", r.model(), WRITE, "*/*"));
      item.set("delete", operation(r, "delete", "delete", "", META + "Status", DELETE, "delete"));
      item.set("patch", operation(r, "patch", "patch", "", r.model(), PATCH, "patch"));
      if (r.status()) {
        ObjectNode sub = pathItem(paths, collection + status, r, true);
        sub.set("get", operation(r, "get", "read", "Status", r.model(), List.of(), null));
        sub.set("put", operation(r, "put", "replace", "Status", r.model(), WRITE, "*/*"));
        sub.set("patch", operation(r, "patch", "patch", "Status", r.model(), PATCH, "patch"));
      }
    }

    private static ObjectNode pathItem(ObjectNode paths, String path, Resource r, boolean named) {
      ObjectNode item = paths.putObject(path);
      ArrayNode parameters = item.putArray("parameters");
      if (named) {
        parameters.add(parameter("name", "path", "string", "name of the " + r.kind()).put("required", true));
      }
      if (path.contains("{namespace}")) {
        parameters.add(parameter("namespace", "path", "string",
            "object name and auth scope, such as for teams and projects").put("required", true));
      }
      parameters.add(query("pretty"));
      return item;
    }

    /**
     * @param body null (no request body), "patch" (the patch types), "delete" (DeleteOptions), else the object
     */
    private static ObjectNode operation(Resource r, String action, String verb, String suffix, String responseModel,
        List<String> parameters, String body) {
      ObjectNode operation = NODES.objectNode();
      String tag = tag(r);
      operation.putArray("tags").add(tag);
      operation.put("description", description(r, verb, suffix));
      String scope = r.namespaced() && !suffix.equals("ForAllNamespaces") ? "Namespaced" : "";
      operation.put("operationId", verb + operationGroup(r) + scope + r.kind() + suffix);
      if (!parameters.isEmpty()) {
        ArrayNode array = operation.putArray("parameters");
        parameters.forEach(name -> array.add(query(name)));
      }
      if (body != null) {
        ObjectNode content = operation.putObject("requestBody").putObject("content");
        switch (body) {
          case "patch" -> {
            List<String> types = new ArrayList<>(List.of("application/apply-patch+yaml", "application/json-patch+json",
                "application/merge-patch+json"));
            if (r.strategicMerge()) {
              types.add("application/strategic-merge-patch+json");
            }
            types.forEach(t -> content.putObject(t).putObject("schema").put("$ref", SCHEMAS + META + "Patch"));
            operation.with("requestBody").put("required", true);
          }
          case "delete" -> content.putObject("*/*").putObject("schema").put("$ref", SCHEMAS + META + "DeleteOptions");
          default -> {
            content.putObject("*/*").putObject("schema").put("$ref", SCHEMAS + r.model());
            operation.with("requestBody").put("required", true);
          }
        }
      }
      ObjectNode responses = operation.putObject("responses");
      responses.set("200", response("OK", responseModel, action.equals("list")));
      switch (action) {
        case "post" -> {
          responses.set("201", response("Created", responseModel, false));
          responses.set("202", response("Accepted", responseModel, false));
        }
        case "put", "patch" -> responses.set("201", response("Created", responseModel, false));
        case "delete" -> responses.set("202", response("Accepted", responseModel, false));
        default -> {
        }
      }
      responses.putObject("401").put("description", "Unauthorized");
      operation.put("x-kubernetes-action", action);
      operation.putObject("x-kubernetes-group-version-kind").put("group", r.group()).put("version", r.version())
          .put("kind", r.kind());
      return operation;
    }

    private static ObjectNode response(String description, String model, boolean stream) {
      ObjectNode response = NODES.objectNode().put("description", description);
      ObjectNode content = response.putObject("content");
      List<String> types = stream ? List.of("application/json", "application/json;stream=watch", "application/yaml")
          : List.of("application/json", "application/yaml");
      types.forEach(t -> content.putObject(t).putObject("schema").put("$ref", SCHEMAS + model));
      return response;
    }

    private static ObjectNode query(String name) {
      String[] typeAndDescription = QUERY.get(name);
      return parameter(name, "query", typeAndDescription[0], typeAndDescription[1]);
    }

    private static ObjectNode parameter(String name, String in, String type, String description) {
      ObjectNode parameter = NODES.objectNode().put("name", name).put("in", in).put("description", description);
      parameter.putObject("schema").put("type", type).put("uniqueItems", true);
      return parameter;
    }

    private static String description(Resource r, String verb, String suffix) {
      String sub = suffix.equals("Status") ? " status of" : "";
      return switch (verb) {
        case "list" -> "list or watch objects of kind " + r.kind();
        case "create" -> "create a " + r.kind();
        case "deletecollection" -> "delete collection of " + r.kind();
        case "read" -> "read" + sub + " the specified " + r.kind();
        case "replace" -> "replace" + sub + " the specified " + r.kind();
        case "patch" -> "partially update" + sub + " the specified " + r.kind();
        default -> "delete a " + r.kind();
      };
    }

    /** {@code core_v1}, {@code idmelonCom_v1alpha1}, {@code coordination_v1}: as kube-apiserver tags operations. */
    private static String tag(Resource r) {
      String group = operationGroupName(r);
      return Character.toLowerCase(group.charAt(0)) + group.substring(1) + "_" + r.version();
    }

    private static String operationGroup(Resource r) {
      String version = r.version();
      return operationGroupName(r) + Character.toUpperCase(version.charAt(0)) + version.substring(1);
    }

    private static String operationGroupName(Resource r) {
      if (r.group().isEmpty()) {
        return "Core";
      }
      StringBuilder name = new StringBuilder();
      for (String part : r.group().replaceAll("\\.k8s\\.io$", "").split("[.-]")) {
        if (!part.isEmpty()) {
          name.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
        }
      }
      return name.toString();
    }
  }
}
