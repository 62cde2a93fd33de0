package com.idmelon.operator.quickstart.admission;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.stream.Collectors;

/**
 * One field-level validation error, printed as Kubernetes 1.32 prints a {@code field.Error}
 * ({@code k8s.io/apimachinery/pkg/util/validation/field}): {@code <field>: <Type>[: <value>][: <detail>]}.
 *
 * @param field the field path ({@code spec.restartTargets[0].name}); "{@code <nil>}" for a nil path
 * @param value what {@code BadValue} holds, already rendered as Go prints it ({@code "Root"}, {@code 17},
 *     {@code null}); {@link #OMITTED} when the body shows no value
 */
public record FieldError(Type type, String field, String value, String detail) {
  /** A value the message leaves out. */
  public static final String OMITTED = "\0omitted";

  /** {@code field.ErrorType}: the cause reason of the Status, and the words the message starts with. */
  public enum Type {
    NOT_FOUND("FieldValueNotFound", "Not found"),
    REQUIRED("FieldValueRequired", "Required value"),
    DUPLICATE("FieldValueDuplicate", "Duplicate value"),
    INVALID("FieldValueInvalid", "Invalid value"),
    NOT_SUPPORTED("FieldValueNotSupported", "Unsupported value"),
    FORBIDDEN("FieldValueForbidden", "Forbidden"),
    TOO_LONG("FieldValueTooLong", "Too long"),
    TOO_MANY("FieldValueTooMany", "Too many"),
    INTERNAL("InternalError", "Internal error"),
    TYPE_INVALID("FieldValueTypeInvalid", "Invalid value");

    final String reason;
    final String words;

    Type(String reason, String words) {
      this.reason = reason;
      this.words = words;
    }

    public String reason() {
      return reason;
    }
  }

  public static FieldError required(String field, String detail) {
    return new FieldError(Type.REQUIRED, field, OMITTED, detail);
  }

  public static FieldError forbidden(String field, String detail) {
    return new FieldError(Type.FORBIDDEN, field, OMITTED, detail);
  }

  public static FieldError invalid(String field, String value, String detail) {
    return new FieldError(Type.INVALID, field, value, detail);
  }

  public static FieldError typeInvalid(String field, String value, String detail) {
    return new FieldError(Type.TYPE_INVALID, field, value, detail);
  }

  public static FieldError duplicate(String field, String value) {
    return new FieldError(Type.DUPLICATE, field, value, "");
  }

  /** {@code field.NotSupported}: the supported values quoted, in the schema's order. */
  public static FieldError notSupported(String field, String value, List<String> supported) {
    String detail = supported.isEmpty() ? ""
        : "supported values: " + supported.stream().map(Go::quote).collect(Collectors.joining(", "));
    return new FieldError(Type.NOT_SUPPORTED, field, value, detail);
  }

  /** {@code field.TooLong} (1.32: bytes, the value left out). */
  public static FieldError tooLong(String field, long max) {
    return new FieldError(Type.TOO_LONG, field, OMITTED,
        max >= 0 ? "may not be more than " + max + " bytes" : "value is too long");
  }

  /** {@code field.TooMany}: the actual count as the value. */
  public static FieldError tooMany(String field, long actual, long max) {
    return new FieldError(Type.TOO_MANY, field, actual >= 0 ? Long.toString(actual) : OMITTED,
        max >= 0 ? "must have at most " + max + " items" : "has too many items");
  }

  /** The message without the field: what a Status cause carries. */
  public String body() {
    String body = switch (type) {
      case REQUIRED, FORBIDDEN, TOO_LONG, INTERNAL -> type.words;
      default -> OMITTED.equals(value) ? type.words : type.words + ": " + value;
    };
    return detail.isEmpty() ? body : body + ": " + detail;
  }

  @Override
  public String toString() {
    return field + ": " + body();
  }

  /** Go's rendering of a JSON value as a {@code BadValue}: strings quoted, numbers and booleans plain. */
  static String render(JsonNode value) {
    if (value == null || value.isNull() || value.isMissingNode()) {
      return "\"null\"";
    }
    if (value.isTextual()) {
      return Go.quote(value.asText());
    }
    if (value.isNumber()) {
      return Go.number(value);
    }
    if (value.isBoolean()) {
      return Boolean.toString(value.asBoolean());
    }
    return Go.goSyntax(value);
  }
}
