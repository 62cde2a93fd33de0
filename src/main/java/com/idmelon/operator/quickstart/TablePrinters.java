package com.idmelon.operator.quickstart;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.regex.Pattern;

/**
 * The columns and cells of the API server's table convertors: a CRD version's {@code additionalPrinterColumns}
 * (apiextensions-apiserver's tableconvertor), the built-in printers of the kinds a quick-start user lists (Secrets,
 * ConfigMaps, Namespaces, Events, ServiceAccounts, Leases; k8s {@code pkg/printers/internalversion}), and the default
 * convertor (Name, Created At) for every other kind.
 */
final class TablePrinters {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final String NAME_DOC = "Name must be unique within a namespace. Is required when creating resources, "
      + "although some resources may allow a client to request the generation of an appropriate name automatically. "
      + "Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. "
      + "More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names";
  private static final String CREATED_DOC = "CreationTimestamp is a timestamp representing the server time when this "
      + "object was created. It is not guaranteed to be set in happens-before order across separate operations. "
      + "Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. "
      + "Read-only. Null for lists. More info: "
      + "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";
  private static final Column NAME = new Column("Name", "string", "name", NAME_DOC, 0);
  private static final Column AGE = new Column("Age", "string", "", CREATED_DOC, 0);

  private TablePrinters() {
  }

  /** One {@code columnDefinitions} entry. */
  record Column(String name, String type, String format, String description, int priority) {
    ObjectNode toJson() {
      ObjectNode column = JSON.objectNode();
      column.put("name", name).put("type", type).put("format", format).put("description", description)
          .put("priority", priority);
      return column;
    }
  }

  /**
   * How one kind is printed.
   *
   * @param emptyRowsNull whether an empty list has {@code "rows": null} (the default convertor) rather than []
   */
  record Printer(List<Column> columns, BiFunction<JsonNode, Instant, List<JsonNode>> cells, boolean emptyRowsNull) {
  }

  /** The printer of a resource: its CRD's columns if it is a custom resource, a built-in printer, or the default. */
  static Printer forResource(ResourcePath path, CrdCatalog crds) {
    var crd = crds.find(path.group(), path.plural());
    if (crd.isPresent()) {
      JsonNode columns = crd.get().version(path.version()).map(v -> v.path("additionalPrinterColumns"))
          .orElse(JSON.arrayNode());
      return customResource(columns);
    }
    String resource = path.group().isEmpty() ? path.plural() : path.plural() + "." + path.group();
    return switch (resource) {
      case "secrets" -> new Printer(List.of(NAME,
          column("Type", "Used to facilitate programmatic handling of secret data. More info: "
              + "https://kubernetes.io/docs/concepts/configuration/secret/#secret-types"),
          column("Data", "Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' "
              + "or '.'. The serialized form of the secret data is a base64 encoded string, representing the "
              + "arbitrary (possibly non-string) data value here. Described in "
              + "https://tools.ietf.org/html/rfc4648#section-4"),
          AGE), TablePrinters::secret, false);
      case "configmaps" -> new Printer(List.of(NAME,
          column("Data", "Data contains the configuration data. Each key must consist of alphanumeric characters, "
              + "'-', '_' or '.'. Values with non-UTF-8 byte sequences must use the BinaryData field. The keys stored "
              + "in Data must not overlap with the keys in the BinaryData field, this is enforced during validation "
              + "process."),
          AGE), (o, now) -> List.of(name(o),
              LongNode.valueOf(o.path("data").size() + o.path("binaryData").size()), age(o, now)), false);
      case "namespaces" -> new Printer(List.of(NAME, column("Status", "The status of the namespace"), AGE),
          TablePrinters::namespace, false);
      case "serviceaccounts" -> new Printer(List.of(NAME,
          column("Secrets", "Secrets is a list of the secrets in the same namespace that pods running using this "
              + "ServiceAccount are allowed to use. Pods are only limited to this list if this service account has a "
              + "\"kubernetes.io/enforce-mountable-secrets\" annotation set to \"true\". The "
              + "\"kubernetes.io/enforce-mountable-secrets\" annotation is deprecated since v1.32. Prefer separate "
              + "namespaces to isolate access to mounted secrets. This field should not be used to find "
              + "auto-generated service account token secrets for use outside of pods. Instead, tokens can be "
              + "requested directly using the TokenRequest API, or service account token secrets can be manually "
              + "created. More info: https://kubernetes.io/docs/concepts/configuration/secret"),
          AGE), (o, now) -> List.of(name(o), LongNode.valueOf(o.path("secrets").size()), age(o, now)), false);
      case "leases.coordination.k8s.io" -> new Printer(List.of(NAME,
          column("Holder", "holderIdentity contains the identity of the holder of a current lease. If Coordinated "
              + "Leader Election is used, the holder identity must be equal to the elected LeaseCandidate.metadata.name "
              + "field."),
          AGE), (o, now) -> List.of(name(o), TextNode.valueOf(o.path("spec").path("holderIdentity").asText("")),
              age(o, now)), false);
      case "events", "events.events.k8s.io" -> new Printer(EVENT_COLUMNS, TablePrinters::event, false);
      default -> new Printer(List.of(NAME, new Column("Created At", "date", "", CREATED_DOC, 0)),
          (o, now) -> List.of(name(o), TextNode.valueOf(createdAt(o))), true);
    };
  }

  private static Column column(String name, String description) {
    return new Column(name, "string", "", description, 0);
  }

  // ---------------------------------------------------------------- custom resources

  /**
   * apiextensions-apiserver's convertor: Name, then each printer column (Age if the version declares none). A column
   * whose JSONPath does not parse ends the list, as the API server keeps the columns it parsed before it.
   */
  private static Printer customResource(JsonNode printerColumns) {
    List<Column> columns = new ArrayList<>(List.of(NAME));
    List<JsonPath> paths = new ArrayList<>();
    if (printerColumns.isEmpty()) {
      columns.add(new Column("Age", "date", "", CREATED_DOC, 0));
      paths.add(JsonPath.column(".metadata.creationTimestamp"));
    }
    for (JsonNode definition : printerColumns) {
      String jsonPath = definition.path("jsonPath").asText();
      try {
        paths.add(JsonPath.column(jsonPath));
      } catch (IllegalArgumentException unparsable) {
        break;
      }
      String description = definition.path("description").asText("");
      columns.add(new Column(definition.path("name").asText(), definition.path("type").asText(),
          definition.path("format").asText(""),
          description.isEmpty() ? "Custom resource definition column (in JSONPath format): " + jsonPath : description,
          definition.path("priority").asInt(0)));
    }
    List<Column> custom = List.copyOf(columns.subList(1, columns.size()));
    return new Printer(List.copyOf(columns), (object, now) -> {
      List<JsonNode> cells = new ArrayList<>(List.of(name(object)));
      for (int i = 0; i < paths.size(); i++) {
        cells.add(customCell(paths.get(i), custom.get(i).type(), object, now));
      }
      return cells;
    }, false);
  }

  private static JsonNode customCell(JsonPath path, String type, JsonNode object, Instant now) {
    List<List<JsonNode>> results;
    try {
      results = path.find(object);
    } catch (JsonPath.EvaluationException e) {
      return NullNode.getInstance();
    }
    if (results.isEmpty() || results.get(0).isEmpty()) {
      return NullNode.getInstance();
    }
    JsonNode value = results.get(0).get(0); // the first result only, as the API server
    if (type.equals("string")) {
      return TextNode.valueOf(JsonPath.text(value));
    }
    if (value.isNull()) {
      return NullNode.getInstance();
    }
    boolean integer = value.isIntegralNumber() && value.canConvertToLong();
    return switch (type) {
      case "integer" -> integer ? LongNode.valueOf(value.longValue())
          : value.isNumber() ? LongNode.valueOf((long) value.doubleValue()) : NullNode.getInstance();
      case "number" -> value.isNumber() ? number(value.doubleValue()) : NullNode.getInstance();
      case "boolean" -> value.isBoolean() ? BooleanNode.valueOf(value.booleanValue()) : NullNode.getInstance();
      case "date" -> value.isTextual() ? TextNode.valueOf(dateCell(value.textValue(), now)) : NullNode.getInstance();
      default -> NullNode.getInstance();
    };
  }

  /** A float64 cell as Go's JSON writes it: whole numbers without a fraction. */
  private static JsonNode number(double value) {
    if (value == Math.rint(value) && Math.abs(value) < 1e21) {
      return BigIntegerNode.valueOf(new BigDecimal(value).toBigIntegerExact());
    }
    return DoubleNode.valueOf(value);
  }

  /** A {@code date} column: the age, as the API server sends it (kubectl prints the cell as it comes). */
  private static String dateCell(String value, Instant now) {
    if (value.isEmpty() || value.equals("null")) {
      return "<unknown>";
    }
    Instant time = parseTime(value);
    return time == null ? "<invalid>" : humanDuration(Duration.between(time, now));
  }

  // ---------------------------------------------------------------- built-in kinds

  private static List<JsonNode> secret(JsonNode secret, Instant now) {
    // an API server defaults the type to Opaque and merges stringData into data on every write
    String type = secret.path("type").asText("");
    Set<String> keys = new HashSet<>();
    secret.path("data").fieldNames().forEachRemaining(keys::add);
    secret.path("stringData").fieldNames().forEachRemaining(keys::add);
    return List.of(name(secret), TextNode.valueOf(type.isEmpty() ? "Opaque" : type), LongNode.valueOf(keys.size()),
        age(secret, now));
  }

  private static List<JsonNode> namespace(JsonNode namespace, Instant now) {
    // an API server sets the phase: Active on creation, Terminating once deleted
    String phase = namespace.path("status").path("phase").asText("");
    if (phase.isEmpty()) {
      phase = namespace.path("metadata").hasNonNull("deletionTimestamp") ? "Terminating" : "Active";
    }
    return List.of(name(namespace), TextNode.valueOf(phase), age(namespace, now));
  }

  private static final List<Column> EVENT_COLUMNS = List.of(
      column("Last Seen", "The time at which the most recent occurrence of this event was recorded."),
      column("Type", "Type of this event (Normal, Warning), new types could be added in the future"),
      column("Reason", "This should be a short, machine understandable string that gives the reason for the "
          + "transition into the object's current status."),
      column("Object", "The object that this event is about."),
      new Column("Subobject", "string", "", "If referring to a piece of an object instead of an entire object, this "
          + "string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2]. "
          + "For example, if the object reference is to a container within a pod, this would take on a value like: "
          + "\"spec.containers{name}\" (where \"name\" refers to the name of the container that triggered the event) "
          + "or if no container name is specified \"spec.containers[2]\" (container with index 2 in this pod). This "
          + "syntax is chosen only to have some well-defined way of referencing a part of an object.", 1),
      new Column("Source", "string", "", "The component reporting this event. Should be a short machine "
          + "understandable string.", 1),
      column("Message", "A human-readable description of the status of this operation."),
      new Column("First Seen", "string", "", "The time at which the event was first recorded. (Time of server "
          + "receipt is in TypeMeta.)", 1),
      new Column("Count", "string", "", "The number of times this event has occurred.", 1),
      new Column("Name", "string", "name", NAME_DOC, 1));

  /** An Event of core/v1 or events.k8s.io/v1 (its fields renamed), as the API server's wide event printer. */
  private static List<JsonNode> event(JsonNode event, Instant now) {
    boolean eventsApi = event.path("apiVersion").asText().startsWith("events.k8s.io/");
    JsonNode involved = event.path(eventsApi ? "regarding" : "involvedObject");
    JsonNode source = event.path(eventsApi ? "deprecatedSource" : "source");
    String first = since(event.path(eventsApi ? "deprecatedFirstTimestamp" : "firstTimestamp"), now);
    if (first == null) {
      first = orUnknown(since(event.path("eventTime"), now));
    }
    String last = since(event.path(eventsApi ? "deprecatedLastTimestamp" : "lastTimestamp"), now);
    if (last == null) {
      last = first;
    }
    long count = event.path(eventsApi ? "deprecatedCount" : "count").asLong(0);
    JsonNode series = event.path("series");
    if (series.isObject()) {
      last = orUnknown(since(series.path("lastObservedTime"), now));
      count = series.path("count").asLong(0);
    } else if (count == 0) {
      count = 1; // singleton events have no count in the new API
    }
    String kind = involved.path("kind").asText("").toLowerCase(Locale.ROOT);
    String involvedName = involved.path("name").asText("");
    String target = involvedName.isEmpty() ? kind : kind + "/" + involvedName;
    String component = firstNonEmpty(source.path("component").asText(""),
        event.path(eventsApi ? "reportingController" : "reportingComponent").asText(""));
    String instance = firstNonEmpty(source.path("host").asText(""), event.path("reportingInstance").asText(""));
    String message = event.path(eventsApi ? "note" : "message").asText("").strip();
    return List.of(TextNode.valueOf(last), text(event, "type"), text(event, "reason"), TextNode.valueOf(target),
        TextNode.valueOf(involved.path("fieldPath").asText("")),
        TextNode.valueOf(instance.isEmpty() ? component : component + ", " + instance),
        TextNode.valueOf(message), TextNode.valueOf(first), LongNode.valueOf(count), name(event));
  }

  private static String firstNonEmpty(String first, String second) {
    return first.isEmpty() ? second : first;
  }

  private static String orUnknown(String age) {
    return age == null ? "<unknown>" : age;
  }

  private static TextNode text(JsonNode object, String field) {
    return TextNode.valueOf(object.path(field).asText(""));
  }

  // ---------------------------------------------------------------- shared cells

  private static JsonNode name(JsonNode object) {
    return TextNode.valueOf(object.path("metadata").path("name").asText(""));
  }

  /** The Age cell of the built-in printers: {@code <unknown>} without a creation time. */
  private static JsonNode age(JsonNode object, Instant now) {
    return TextNode.valueOf(orUnknown(since(object.path("metadata").path("creationTimestamp"), now)));
  }

  /** How long ago a timestamp was, or null if it is not set. */
  private static String since(JsonNode timestamp, Instant now) {
    if (!timestamp.isTextual() || timestamp.textValue().isEmpty()) {
      return null;
    }
    Instant time = parseTime(timestamp.textValue());
    return time == null ? "<invalid>" : humanDuration(Duration.between(time, now));
  }

  /** The default convertor's Created At: RFC 3339 in UTC, whole seconds; Go's zero time if unset. */
  private static String createdAt(JsonNode object) {
    JsonNode created = object.path("metadata").path("creationTimestamp");
    Instant time = created.isTextual() ? parseTime(created.textValue()) : null;
    return DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(
        (time == null ? Instant.parse("0001-01-01T00:00:00Z") : time).atOffset(ZoneOffset.UTC)
            .withNano(0));
  }

  private static final Pattern RFC3339 =
      Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})");

  /** A timestamp as Go's {@code time.Parse(time.RFC3339, ...)} reads it, or null. */
  static Instant parseTime(String value) {
    if (!RFC3339.matcher(value).matches()) {
      return null;
    }
    try {
      return OffsetDateTime.parse(value).toInstant();
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /** k8s.io/apimachinery's {@code duration.HumanDuration}: ~2-3 significant figures, e.g. 5m30s, 3h10m, 12d. */
  static String humanDuration(Duration d) {
    long seconds = d.getSeconds() + (d.isNegative() && d.getNano() > 0 ? 1 : 0); // truncated toward zero, as Go
    if (seconds < -1) {
      return "<invalid>";
    } else if (seconds < 0) {
      return "0s";
    } else if (seconds < 60 * 2) {
      return seconds + "s";
    }
    long minutes = seconds / 60;
    if (minutes < 10) {
      return units(minutes, "m", seconds % 60, "s");
    } else if (minutes < 60 * 3) {
      return minutes + "m";
    }
    long hours = seconds / 3600;
    if (hours < 8) {
      return units(hours, "h", minutes % 60, "m");
    } else if (hours < 48) {
      return hours + "h";
    } else if (hours < 24 * 8) {
      return units(hours / 24, "d", hours % 24, "h");
    } else if (hours < 24 * 365 * 2) {
      return (hours / 24) + "d";
    } else if (hours < 24 * 365 * 8) {
      return units(hours / 24 / 365, "y", (hours / 24) % 365, "d");
    }
    return (hours / 24 / 365) + "y";
  }

  /** "3h" or "3h10m": the minor unit only when it is not zero. */
  private static String units(long major, String majorUnit, long minor, String minorUnit) {
    return minor == 0 ? major + majorUnit : major + majorUnit + minor + minorUnit;
  }
}
