package com.idmelon.operator.quickstart.admission;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.idmelon.operator.quickstart.CrdCatalog;
import com.idmelon.operator.quickstart.ResourcePath;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Admission of custom resources as a Kubernetes 1.32 API server does it, for every kind whose CRD is stored:
 * decoding (unknown fields pruned, refused or warned about by {@code ?fieldValidation=}, defaults applied), then
 * validation (type meta, metadata.name, OpenAPI schema, list types, CEL rules) on create, update, patch and status
 * writes, with ratcheting of unchanged values on update. A refused write throws {@link AdmissionException} under
 * the store's lock, before anything is stored; {@link #serve} turns it into the API server's answer.
 *
 * <p>Schemas and CEL rules are compiled once per CRD version and resourceVersion. A CRD whose rules do not compile
 * is refused.
 */
public final class Admission {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CRD_GROUP = "apiextensions.k8s.io";
  private static final Pattern DNS1123_SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  private static final String DNS1123_SUBDOMAIN_MESSAGE = "a lowercase RFC 1123 subdomain must consist of lower"
      + " case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g."
      + " 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
  private static final String NOT_CHECKED = "some validation rules were not checked because the object was invalid;"
      + " correct the existing errors to complete validation";

  /** The request being served on this thread: what a write needs to know of it, and what it leaves for the answer. */
  private static final ThreadLocal<Exchange> EXCHANGE = new ThreadLocal<>();

  private final CrdCatalog crds;
  private final Map<String, Schema> schemas = new ConcurrentHashMap<>();
  private volatile boolean enforced = true;

  public Admission(CrdCatalog crds) {
    this.crds = crds;
  }

  /** Whether writes are admitted as a cluster admits them (the default), or stored as sent. */
  public void enforce(boolean enforced) {
    this.enforced = enforced;
  }

  public boolean enforced() {
    return enforced;
  }

  private static final class Exchange {
    final String method;
    final List<String> warnings = new ArrayList<>();
    /** The object as stored, where admission changed what the handler answers (pruned, defaulted). */
    String stored;

    Exchange(String method) {
      this.method = method;
    }
  }

  /**
   * Serves {@code request} with {@code next} (the store): a refused write is answered with its Status; the
   * answer to an admitted one carries the object as stored and the API server's {@code Warning} headers.
   */
  public MockResponse serve(RecordedRequest request, Supplier<MockResponse> next) {
    Exchange exchange = new Exchange(request.getMethod());
    EXCHANGE.set(exchange);
    try {
      MockResponse response;
      try {
        response = next.get();
      } catch (AdmissionException refused) {
        response = new MockResponse().setResponseCode(refused.code())
            .addHeader("Content-Type", "application/json").setBody(refused.body());
      }
      if (exchange.stored != null && response.code() >= 200 && response.code() < 300
          && response.getBody() != null && response.getBody().size() > 0) {
        response.setBody(exchange.stored);
      }
      for (String warning : exchange.warnings) {
        response.addHeader("Warning", "299 - \"" + warning.replace("\\", "\\\\").replace("\"", "\\\"") + "\"");
      }
      return response;
    } finally {
      EXCHANGE.remove();
    }
  }

  /**
   * Admits a change of the store (called under its write lock, before the change is stored).
   *
   * @param path the request's path, with its query
   * @param oldState the stored object, or null on create
   * @param newState the object to store, or null for a removal
   * @return what to store: {@code newState}, or the object pruned and defaulted
   * @throws AdmissionException when the API server would refuse the write
   */
  public String admit(String path, String oldState, String newState) {
    if (newState == null) {
      return newState;
    }
    Optional<ResourcePath> parsed = ResourcePath.parse(path);
    if (parsed.isEmpty()) {
      return newState;
    }
    ResourcePath resource = parsed.get();
    if (resource.group().isEmpty() && resource.plural().equals("secrets") && resource.subresource() == null
        && newState.contains("\"stringData\"")) {
      return stored(withStringDataInData(newState));
    }
    if (!enforced) {
      return newState;
    }
    if (read(newState) instanceof ObjectNode written) {
      List<FieldError> metadataErrors =
          MetadataValidation.validate(resource, written, oldState == null ? null : read(oldState));
      if (!metadataErrors.isEmpty()) {
        throw AdmissionException.invalid(resource.group(), written.path("kind").asText(""),
            written.path("metadata").path("name").asText(""), metadataErrors);
      }
    }
    if (resource.group().equals(CRD_GROUP) && resource.plural().equals("customresourcedefinitions")) {
      admitDefinition(newState);
      return newState;
    }
    if (resource.group().isEmpty()) {
      return newState; // built-in kinds: no CRD
    }
    Optional<CrdCatalog.Crd> crd = crds.find(resource.group(), resource.plural());
    if (crd.isEmpty()) {
      return newState;
    }
    Schema root = schema(crd.get(), resource.version());
    if (root == null) {
      return newState;
    }
    if (!(read(newState) instanceof ObjectNode object)) {
      return newState;
    }
    JsonNode old = oldState == null ? null : read(oldState);
    if (old != null && sameBesidesMetadata(old, object)) {
      return newState; // finalizers, labels, deletion marks: nothing the schema governs changed
    }
    boolean changed = decode(resource, object, newState, root, crd.get());
    List<FieldError> errors = validate(resource, crd.get(), root, object, old);
    if (!errors.isEmpty()) {
      throw AdmissionException.invalid(crd.get().group(), crd.get().kind(),
          object.path("metadata").path("name").asText(""), errors);
    }
    if (!changed) {
      return newState;
    }
    return stored(object.toString());
  }

  /** What will be stored, also answered to the request that wrote it. */
  private static String stored(String stored) {
    Exchange exchange = EXCHANGE.get();
    if (exchange != null) {
      exchange.stored = stored;
    }
    return stored;
  }

  /**
   * A Secret's {@code stringData} merged into its {@code data} (base64; stringData wins), as the API server does on
   * every write: stringData is write-only and never stored.
   */
  static String withStringDataInData(String secret) {
    if (!(read(secret) instanceof ObjectNode object) || !(object.remove("stringData") instanceof ObjectNode strings)) {
      return secret;
    }
    strings.fields().forEachRemaining(e -> {
      if (!e.getValue().isTextual()) {
        throw AdmissionException.badRequest("Secret in version \"v1\" cannot be handled as a Secret: json: cannot"
            + " unmarshal " + e.getValue().getNodeType().name().toLowerCase(java.util.Locale.ROOT)
            + " into Go struct field Secret.stringData of type string");
      }
    });
    ObjectNode data = object.path("data") instanceof ObjectNode existing ? existing : object.putObject("data");
    strings.fields().forEachRemaining(e -> data.put(e.getKey(),
        java.util.Base64.getEncoder().encodeToString(e.getValue().asText().getBytes(java.nio.charset.StandardCharsets.UTF_8))));
    return object.toString();
  }

  /**
   * Prunes and defaults {@code object}; answers whether that changed it. A status write takes only the status
   * from the request: the rest is the stored object, which is left as it is.
   */
  private static boolean decode(ResourcePath resource, ObjectNode object, String sent, Schema root,
      CrdCatalog.Crd crd) {
    boolean statusWrite = "status".equals(resource.subresource());
    Schema status = root.child("status");
    if (statusWrite && (status == null || !object.has("status"))) {
      return false;
    }
    List<String> unknown = statusWrite ? Decoding.prune(object.get("status"), status, "status")
        : Decoding.prune(object, root);
    if (!unknown.isEmpty()) {
      List<String> messages = unknown.stream().map(f -> "unknown field \"" + f + "\"").toList();
      String directive = resource.param("fieldValidation");
      Exchange exchange = EXCHANGE.get();
      if ("Strict".equals(directive)) {
        String strict = "strict decoding error: " + String.join(", ", messages);
        if (exchange != null && "PATCH".equals(exchange.method)) {
          throw AdmissionException.invalid("", "", "",
              List.of(FieldError.invalid("patch", Go.quote(sent), strict)));
        }
        throw AdmissionException.badRequest(crd.kind() + " in version " + Go.quote(resource.version())
            + " cannot be handled as a " + crd.kind() + ": " + strict);
      }
      if (!"Ignore".equals(directive) && exchange != null) {
        exchange.warnings.addAll(messages);
      }
    }
    boolean defaulted = statusWrite ? Decoding.applyDefaults(object.get("status"), status)
        : Decoding.applyDefaults(object, root);
    return defaulted || !unknown.isEmpty();
  }

  private static List<FieldError> validate(ResourcePath resource, CrdCatalog.Crd crd, Schema root,
      ObjectNode object, JsonNode old) {
    List<FieldError> errors = new ArrayList<>();
    String kind = object.path("kind").asText("");
    if (!kind.equals(crd.kind())) {
      errors.add(FieldError.invalid("kind", Go.quote(kind), "must be " + crd.kind()));
    }
    String apiVersion = object.path("apiVersion").asText("");
    String expected = crd.group() + "/" + resource.version();
    if (!apiVersion.equals(expected)) {
      errors.add(FieldError.invalid("apiVersion", Go.quote(apiVersion), "must be " + expected));
    }
    if (!errors.isEmpty()) {
      return errors;
    }
    if (old == null) {
      String name = object.path("metadata").path("name").asText("");
      if (name.length() > 253) {
        errors.add(FieldError.invalid("metadata.name", Go.quote(name), "must be no more than 253 characters"));
      }
      if (!DNS1123_SUBDOMAIN.matcher(name).matches()) {
        errors.add(FieldError.invalid("metadata.name", Go.quote(name), DNS1123_SUBDOMAIN_MESSAGE));
      }
    }
    if ("status".equals(resource.subresource())) {
      Schema status = root.child("status");
      if (status != null && object.has("status")) {
        SchemaValidation.validate(status, object.get("status"), old == null ? null : old.get("status"), "status",
            errors);
      }
    } else {
      SchemaValidation.validate(root, object, old, "", errors);
    }
    List<FieldError> listErrors = new ArrayList<>();
    if (old == null || listErrorsIn(root, old).isEmpty()) {
      SchemaValidation.listSetsAndMaps(root, object, "", listErrors);
    }
    errors.addAll(listErrors);
    if (!root.rulesBelow) {
      return errors; // no CEL validator at all: nothing to report as not checked
    }
    if (errors.stream().anyMatch(Admission::blocking)) {
      errors.add(FieldError.invalid("<nil>", "\"null\"", NOT_CHECKED));
    } else {
      CelValidation.validate(root, object, old, "", errors);
    }
    return errors;
  }

  private static List<FieldError> listErrorsIn(Schema root, JsonNode object) {
    List<FieldError> errors = new ArrayList<>();
    SchemaValidation.listSetsAndMaps(root, object, "", errors);
    return errors;
  }

  /** {@code hasBlockingErr}: after these, CEL rules are not evaluated. */
  private static boolean blocking(FieldError e) {
    return switch (e.type()) {
      case NOT_SUPPORTED, REQUIRED, TOO_LONG, TOO_MANY, TYPE_INVALID -> true;
      default -> false;
    };
  }

  private static boolean sameBesidesMetadata(JsonNode old, JsonNode object) {
    if (old.size() != object.size()) {
      return false;
    }
    Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> f = fields.next();
      if (!f.getKey().equals("metadata") && !f.getValue().equals(old.get(f.getKey()))) {
        return false;
      }
    }
    return true;
  }

  /** The compiled schema of {@code crd}'s {@code version}, or null when it declares none. */
  private Schema schema(CrdCatalog.Crd crd, String version) {
    String key = crd.name() + "|" + version + "|" + crd.definition().path("metadata").path("resourceVersion").asText();
    Schema cached = schemas.get(key);
    if (cached != null) {
      return cached;
    }
    JsonNode openApi = crd.schema(version);
    if (!openApi.isObject()) {
      return null;
    }
    schemas.keySet().removeIf(k -> k.startsWith(crd.name() + "|" + version + "|"));
    Schema compiled = new Schema(openApi);
    schemas.put(key, compiled);
    return compiled;
  }

  /** Refuses a CRD whose CEL rules do not compile, as the API server does; compiles its schemas for later. */
  private void admitDefinition(String state) {
    CrdCatalog.Crd crd = new CrdCatalog.Crd(read(state));
    JsonNode versions = crd.definition().path("spec").path("versions");
    List<FieldError> errors = new ArrayList<>();
    for (int i = 0; i < versions.size(); i++) {
      String version = versions.get(i).path("name").asText();
      Schema root = schema(crd, version);
      if (root == null) {
        continue;
      }
      String base = versions.size() == 1 ? "spec.validation.openAPIV3Schema"
          : "spec.versions[" + i + "].schema.openAPIV3Schema";
      root.forEachRule(base, (at, index, rule) -> {
        if (rule.compileError != null) {
          errors.add(FieldError.invalid(at + ".x-kubernetes-validations[" + index + "].rule", goStruct(rule),
              rule.compileError));
        }
      });
    }
    if (!errors.isEmpty()) {
      throw AdmissionException.invalid(CRD_GROUP, "CustomResourceDefinition", crd.name(), errors);
    }
  }

  /** {@code %#v} of the internal ValidationRule, as the API server prints a rule it cannot compile. */
  private static String goStruct(CelRule rule) {
    return "apiextensions.ValidationRule{Rule:" + Go.quote(rule.rule) + ", Message:" + Go.quote(rule.message)
        + ", MessageExpression:" + Go.quote(rule.messageExpression)
        + ", Reason:(*apiextensions.FieldValueErrorReason)(nil), FieldPath:" + Go.quote(rule.fieldPath)
        + ", OptionalOldSelf:(*bool)(nil)}";
  }

  private static JsonNode read(String json) {
    try {
      return JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("the store holds an object that is not JSON", e);
    }
  }
}
