package com.idmelon.operator.quickstart.admission;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A write the API server refuses, with the {@code Status} it answers: thrown under the store's lock before
 * anything is stored, answered by the dispatcher.
 */
public final class AdmissionException extends RuntimeException {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private final int code;
  private final ObjectNode status;

  private AdmissionException(int code, ObjectNode status) {
    super(status.path("message").asText(), null, false, false);
    this.code = code;
    this.status = status;
  }

  /**
   * 422 Invalid as {@code errors.NewInvalid} builds it: {@code <Kind>.<group> "<name>" is invalid: <errors>}, one
   * error as is, several as {@code [a, b]} (repeated messages once), a cause per error.
   */
  static AdmissionException invalid(String group, String kind, String name, List<FieldError> errors) {
    Set<String> messages = new LinkedHashSet<>();
    errors.forEach(e -> messages.add(e.toString()));
    String qualifiedKind = group.isEmpty() ? kind : kind + "." + group; // schema.GroupKind.String()
    String aggregate = messages.size() == 1 ? messages.iterator().next() : "[" + String.join(", ", messages) + "]";
    ObjectNode status = status("Invalid", 422,
        qualifiedKind + " " + Go.quote(name) + " is invalid" + (messages.isEmpty() ? "" : ": " + aggregate));
    ObjectNode details = JSON.objectNode();
    if (!name.isEmpty()) {
      details.put("name", name);
    }
    if (!group.isEmpty()) {
      details.put("group", group);
    }
    if (!kind.isEmpty()) {
      details.put("kind", kind);
    }
    ArrayNode causes = details.putArray("causes");
    for (FieldError e : errors) {
      causes.addObject().put("reason", e.type().reason()).put("message", e.body()).put("field", e.field());
    }
    status.remove("code");
    status.set("details", details);
    status.put("code", 422);
    return new AdmissionException(422, status);
  }

  /**
   * 422 Invalid for a request option with a value the API server does not support, as its handlers refuse one
   * ({@code field.NotSupported} of the {@code []string} sent, in {@code <Kind>.meta.k8s.io ""}), e.g.
   * {@code PatchOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: []string{"Some"}: supported values: "All"}.
   */
  public static AdmissionException unsupportedOption(String optionsKind, String field, List<String> values,
      List<String> supported) {
    String value = "[]string{" + String.join(", ", values.stream().map(Go::quote).toList()) + "}";
    return invalid("meta.k8s.io", optionsKind, "", List.of(FieldError.notSupported(field, value, supported)));
  }

  /** 400 BadRequest with {@code message}. */
  static AdmissionException badRequest(String message) {
    return new AdmissionException(400, status("BadRequest", 400, message));
  }

  private static ObjectNode status(String reason, int code, String message) {
    ObjectNode status = JSON.objectNode();
    status.put("kind", "Status");
    status.put("apiVersion", "v1");
    status.putObject("metadata");
    status.put("status", "Failure");
    status.put("message", message);
    status.put("reason", reason);
    status.put("code", code);
    return status;
  }

  public int code() {
    return code;
  }

  /** The Status as JSON. */
  public String body() {
    return status.toString();
  }
}
