package com.idmelon.operator.quickstart.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.idmelon.operator.quickstart.ResourcePath;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What an API server checks on every object whatever its kind (apimachinery's ValidateObjectMeta: name, label and
 * annotation keys and values, the annotations' total size, finalizer names, no finalizer added to an object being
 * deleted), and on Secrets and ConfigMaps (key names, size, base64), with its messages. Written apart from the
 * operator's own checks on purpose: the operator's writes are checked by a second, independent reading of the rules.
 */
final class MetadataValidation {
  private static final String QUALIFIED_NAME_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
  private static final Pattern QUALIFIED_NAME = Pattern.compile("^" + QUALIFIED_NAME_FMT + "$");
  private static final String DNS1123_SUBDOMAIN_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
  private static final Pattern DNS1123_SUBDOMAIN = Pattern.compile("^" + DNS1123_SUBDOMAIN_FMT + "$");
  private static final String DNS1123_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
  private static final Pattern DNS1123_LABEL = Pattern.compile("^" + DNS1123_LABEL_FMT + "$");
  private static final String LABEL_VALUE_FMT = "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?";
  private static final Pattern LABEL_VALUE = Pattern.compile("^" + LABEL_VALUE_FMT + "$");
  private static final String CONFIG_KEY_FMT = "[-._a-zA-Z0-9]+";
  private static final Pattern CONFIG_KEY = Pattern.compile("^" + CONFIG_KEY_FMT + "$");
  private static final int TOTAL_ANNOTATION_SIZE = 256 * 1024;
  private static final int MAX_SECRET_SIZE = 1024 * 1024;
  private static final Set<String> STANDARD_FINALIZERS = Set.of("kubernetes", "orphan", "foregroundDeletion");

  private MetadataValidation() {
  }

  /** The errors of {@code object} (its old state {@code old}, null on create) as the API server reports them. */
  static List<FieldError> validate(ResourcePath resource, ObjectNode object, JsonNode old) {
    List<FieldError> errors = new ArrayList<>();
    JsonNode metadata = object.path("metadata");
    if (old == null && resource.group().isEmpty()) {
      name(resource.plural().equals("namespaces"), metadata.path("name").asText(""), errors);
    }
    labels(metadata.path("labels"), errors);
    annotations(metadata.path("annotations"), errors);
    finalizers(metadata.path("finalizers"), old == null ? null : old.path("metadata"), metadata, errors);
    if (resource.group().isEmpty() && resource.subresource() == null) {
      if (resource.plural().equals("secrets")) {
        secret(object, errors);
      } else if (resource.plural().equals("configmaps")) {
        configMap(object, errors);
      }
    }
    return errors;
  }

  private static void name(boolean label, String name, List<FieldError> errors) {
    if (name.isEmpty()) {
      return; // generateName, or the mock's own "name or generateName is required"
    }
    if (label ? name.length() > 63 : name.length() > 253) {
      errors.add(FieldError.invalid("metadata.name", Go.quote(name), "must be no more than " + (label ? 63 : 253) + " characters"));
    }
    if (label && !DNS1123_LABEL.matcher(name).matches()) {
      errors.add(FieldError.invalid("metadata.name", Go.quote(name), "a lowercase RFC 1123 label must consist of lower case"
          + " alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name', "
          + " or '123-abc', regex used for validation is '" + DNS1123_LABEL_FMT + "')"));
    } else if (!label && !DNS1123_SUBDOMAIN.matcher(name).matches()) {
      errors.add(FieldError.invalid("metadata.name", Go.quote(name), subdomainMessage("a lowercase RFC 1123 subdomain")));
    }
  }

  private static String subdomainMessage(String what) {
    return what + " must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an"
        + " alphanumeric character (e.g. 'example.com', regex used for validation is '" + DNS1123_SUBDOMAIN_FMT + "')";
  }

  private static void labels(JsonNode labels, List<FieldError> errors) {
    for (Map.Entry<String, JsonNode> label : fields(labels)) {
      qualifiedName("metadata.labels", label.getKey(), label.getKey(), errors);
      String value = label.getValue().asText("");
      if (value.length() > 63) {
        errors.add(FieldError.invalid("metadata.labels", Go.quote(value), "must be no more than 63 characters"));
      }
      if (!LABEL_VALUE.matcher(value).matches()) {
        errors.add(FieldError.invalid("metadata.labels", Go.quote(value), "a valid label must be an empty string or consist of"
            + " alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g."
            + " 'MyValue',  or 'my_value',  or '12345', regex used for validation is '" + LABEL_VALUE_FMT + "')"));
      }
    }
  }

  private static void annotations(JsonNode annotations, List<FieldError> errors) {
    long size = 0;
    for (Map.Entry<String, JsonNode> annotation : fields(annotations)) {
      qualifiedName("metadata.annotations", annotation.getKey().toLowerCase(Locale.ROOT), annotation.getKey(), errors);
      size += annotation.getKey().length() + annotation.getValue().asText("").length(); // Go: len() of strings, bytes
      size += utf8Extra(annotation.getKey()) + utf8Extra(annotation.getValue().asText(""));
    }
    if (size > TOTAL_ANNOTATION_SIZE) {
      errors.add(FieldError.tooLong("metadata.annotations", TOTAL_ANNOTATION_SIZE));
    }
  }

  private static long utf8Extra(String text) {
    return text.getBytes(StandardCharsets.UTF_8).length - text.length();
  }

  private static void finalizers(JsonNode finalizers, JsonNode oldMetadata, JsonNode metadata, List<FieldError> errors) {
    Set<String> before = new HashSet<>();
    if (oldMetadata != null) {
      oldMetadata.path("finalizers").forEach(f -> before.add(f.asText()));
    }
    boolean deleting = oldMetadata != null && oldMetadata.hasNonNull("deletionTimestamp");
    for (JsonNode finalizer : finalizers) {
      String name = finalizer.asText("");
      if (!qualifiedName("metadata.finalizers", name, name, errors)) {
        continue;
      }
      if (!STANDARD_FINALIZERS.contains(name) && !name.contains("/")) {
        errors.add(FieldError.invalid("metadata.finalizers", Go.quote(name),
            "name is neither a standard finalizer name nor is it fully qualified"));
      }
      if (deleting && !before.contains(name)) {
        errors.add(FieldError.forbidden("metadata.finalizers",
            "no new finalizers can be added if the object is being deleted, found new finalizers [\"" + name + "\"]"));
      }
    }
  }

  /** IsQualifiedName: {@code [prefix/]name}, the prefix a DNS subdomain. Answers whether it is one. */
  private static boolean qualifiedName(String field, String checked, String shown, List<FieldError> errors) {
    int before = errors.size();
    String[] parts = checked.split("/", -1);
    String name;
    if (parts.length == 1) {
      name = parts[0];
    } else if (parts.length == 2) {
      String prefix = parts[0];
      name = parts[1];
      if (prefix.isEmpty()) {
        errors.add(FieldError.invalid(field, Go.quote(shown), "prefix part must be non-empty"));
      } else {
        if (prefix.length() > 253) {
          errors.add(FieldError.invalid(field, Go.quote(shown), "prefix part must be no more than 253 characters"));
        }
        if (!DNS1123_SUBDOMAIN.matcher(prefix).matches()) {
          errors.add(FieldError.invalid(field, Go.quote(shown), "prefix part " + subdomainMessage("a lowercase RFC 1123 subdomain")));
        }
      }
    } else {
      errors.add(FieldError.invalid(field, Go.quote(shown), "a qualified name must consist of alphanumeric characters, '-', '_'"
          + " or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or"
          + " '123-abc', regex used for validation is '" + QUALIFIED_NAME_FMT + "') with an optional DNS subdomain"
          + " prefix and '/' (e.g. 'example.com/MyName')"));
      return false;
    }
    if (name.isEmpty()) {
      errors.add(FieldError.invalid(field, Go.quote(shown), "name part must be non-empty"));
    } else {
      if (name.length() > 63) {
        errors.add(FieldError.invalid(field, Go.quote(shown), "name part must be no more than 63 characters"));
      }
      if (!QUALIFIED_NAME.matcher(name).matches()) {
        errors.add(FieldError.invalid(field, Go.quote(shown), "name part must consist of alphanumeric characters, '-', '_' or"
            + " '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or"
            + " '123-abc', regex used for validation is '" + QUALIFIED_NAME_FMT + "')"));
      }
    }
    return errors.size() == before;
  }

  private static void secret(ObjectNode secret, List<FieldError> errors) {
    long size = 0;
    for (Map.Entry<String, JsonNode> entry : fields(secret.path("data"))) {
      configKey("data[" + entry.getKey() + "]", entry.getKey(), errors);
      byte[] value;
      try {
        value = Base64.getDecoder().decode(entry.getValue().asText(""));
      } catch (IllegalArgumentException e) {
        throw AdmissionException.badRequest("Secret in version \"v1\" cannot be handled as a Secret: illegal base64"
            + " data in data[" + entry.getKey() + "]");
      }
      size += value.length;
    }
    if (size > MAX_SECRET_SIZE) {
      errors.add(FieldError.tooLong("data", MAX_SECRET_SIZE));
    }
  }

  private static void configMap(ObjectNode configMap, List<FieldError> errors) {
    long size = 0;
    Set<String> keys = new HashSet<>();
    for (Map.Entry<String, JsonNode> entry : fields(configMap.path("data"))) {
      configKey("data[" + entry.getKey() + "]", entry.getKey(), errors);
      keys.add(entry.getKey());
      size += entry.getKey().length() + entry.getValue().asText("").getBytes(StandardCharsets.UTF_8).length;
    }
    for (Map.Entry<String, JsonNode> entry : fields(configMap.path("binaryData"))) {
      configKey("binaryData[" + entry.getKey() + "]", entry.getKey(), errors);
      if (!keys.add(entry.getKey())) {
        errors.add(FieldError.invalid("data[" + entry.getKey() + "]", Go.quote(entry.getKey()),
            "duplicate of key present in binaryData"));
      }
      size += entry.getKey().length() + entry.getValue().asText("").length() * 3L / 4;
    }
    if (size > MAX_SECRET_SIZE) {
      errors.add(FieldError.tooLong("", MAX_SECRET_SIZE));
    }
  }

  private static void configKey(String field, String key, List<FieldError> errors) {
    if (key.length() > 253) {
      errors.add(FieldError.invalid(field, Go.quote(key), "must be no more than 253 characters"));
    }
    if (!CONFIG_KEY.matcher(key).matches()) {
      errors.add(FieldError.invalid(field, Go.quote(key), "a valid config key must consist of alphanumeric characters, '-', '_'"
          + " or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '"
          + CONFIG_KEY_FMT + "')"));
    }
  }

  private static Iterable<Map.Entry<String, JsonNode>> fields(JsonNode node) {
    if (!(node instanceof ObjectNode object)) {
      return List.of();
    }
    Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
    return () -> fields;
  }
}
