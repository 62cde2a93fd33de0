package com.idmelon.operator.quickstart;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Label and field selectors as an API server reads them ({@code ?labelSelector=}, {@code ?fieldSelector=}), matched
 * against an object's JSON. A selector the server would refuse throws {@link IllegalArgumentException} with the
 * API server's message (answer it as 400 BadRequest).
 */
public final class Selectors {
  private static final Pattern SET_BASED = Pattern.compile("^(!)?\\s*([^\\s!=,()]+)\\s*(?:(in|notin)\\s*\\(([^)]*)\\))?$");
  private static final Pattern EQUALITY = Pattern.compile("^([^\\s!=]+)\\s*(==|!=|=)\\s*(.*)$");

  private static final Function<JsonNode, String> NAME = o -> o.path("metadata").path("name").asText("");
  private static final Function<JsonNode, String> NAMESPACE = o -> o.path("metadata").path("namespace").asText("");

  /** What a kind without field label conversions accepts (the API server's {@code DefaultMetaV1FieldSelectorConversion}). */
  private static final Map<String, Function<JsonNode, String>> DEFAULT = Map.of(
      "metadata.name", NAME, "metadata.namespace", NAMESPACE);

  /** The kinds that register their own field labels, by group and plural, with the objects' values for them. */
  private static final Map<String, Map<String, Function<JsonNode, String>>> BY_RESOURCE = Map.of(
      "/events", fieldsOf(reference("involvedObject"), Map.of(
          "reason", o -> o.path("reason").asText(""),
          "reportingComponent", o -> o.path("reportingComponent").asText(""),
          // the API server falls back to the reporting controller when the event has no source component
          "source", o -> o.path("source").path("component").asText(o.path("reportingComponent").asText("")),
          "type", o -> o.path("type").asText(""))),
      "events.k8s.io/events", fieldsOf(reference("regarding"), Map.of(
          "reason", o -> o.path("reason").asText(""),
          "reportingController", o -> o.path("reportingController").asText(""),
          "type", o -> o.path("type").asText(""))),
      "/secrets", fieldsOf(Map.of("type", o -> o.path("type").asText(""))),
      "/namespaces", Map.of("metadata.name", NAME, "status.phase", o -> o.path("status").path("phase").asText("")));

  /** The fields of an object reference ({@code involvedObject}, {@code regarding}) events can be selected by. */
  private static Map<String, Function<JsonNode, String>> reference(String field) {
    Map<String, Function<JsonNode, String>> fields = new HashMap<>();
    for (String part : List.of("kind", "namespace", "name", "uid", "apiVersion", "resourceVersion", "fieldPath")) {
      fields.put(field + "." + part, o -> o.path(field).path(part).asText(""));
    }
    return fields;
  }

  /** {@link #DEFAULT} and {@code more}. */
  @SafeVarargs
  private static Map<String, Function<JsonNode, String>> fieldsOf(Map<String, Function<JsonNode, String>>... more) {
    Map<String, Function<JsonNode, String>> fields = new HashMap<>(DEFAULT);
    Arrays.stream(more).forEach(fields::putAll);
    return Map.copyOf(fields);
  }

  private Selectors() {
  }

  /** A {@code labelSelector}: {@code a=b}, {@code a==b}, {@code a!=b}, {@code a}, {@code !a}, {@code a in (x,y)}, {@code a notin (x)}. */
  public static Predicate<JsonNode> labels(String selector) {
    if (selector == null || selector.isBlank()) {
      return o -> true;
    }
    List<Predicate<JsonNode>> requirements = new ArrayList<>();
    for (String requirement : terms(selector, true)) {
      requirements.add(label(requirement.trim(), selector));
    }
    return o -> requirements.stream().allMatch(r -> r.test(o));
  }

  private static Predicate<JsonNode> label(String requirement, String selector) {
    Matcher equality = EQUALITY.matcher(requirement);
    if (equality.matches()) {
      String key = equality.group(1);
      String value = equality.group(3).trim();
      boolean equal = !equality.group(2).equals("!=");
      return o -> {
        JsonNode label = o.path("metadata").path("labels").path(key);
        return equal ? label.isTextual() && label.asText().equals(value) : !(label.isTextual() && label.asText().equals(value));
      };
    }
    Matcher set = SET_BASED.matcher(requirement);
    if (set.matches() && (set.group(1) == null || set.group(3) == null)) {
      String key = set.group(2);
      boolean negated = set.group(1) != null;
      if (set.group(3) == null) {
        return o -> o.path("metadata").path("labels").has(key) != negated;
      }
      Set<String> values = Set.copyOf(Arrays.stream(set.group(4).split(",")).map(String::trim).toList());
      boolean in = set.group(3).equals("in");
      return o -> {
        JsonNode label = o.path("metadata").path("labels").path(key);
        boolean member = label.isTextual() && values.contains(label.asText());
        return in ? member : !member;
      };
    }
    throw new IllegalArgumentException("unable to parse requirement: " + requirement + " in selector " + selector);
  }

  /**
   * A {@code fieldSelector} for a built-in resource (core group and the groups this server serves) or a namespaced
   * custom resource; see {@link #fields(String, String, boolean, boolean, String)}.
   */
  public static Predicate<JsonNode> fields(String group, String plural, String selector) {
    return fields(group, plural, !group.isEmpty() && !BUILT_IN_GROUPS.contains(group), true, selector);
  }

  /**
   * A {@code fieldSelector} for resource {@code plural} of {@code group} ("" for the core group): {@code f=v},
   * {@code f==v}, {@code f!=v}, comma-separated, with {@code \\}, {@code \,} and {@code \=} escapes in values.
   * Custom resources ({@code customResource}) know {@code metadata.name}, and {@code metadata.namespace} when
   * namespaced; built-in kinds the field labels the API server registers for them.
   */
  public static Predicate<JsonNode> fields(String group, String plural, boolean customResource, boolean namespaced,
      String selector) {
    if (selector == null || selector.isBlank()) {
      return o -> true;
    }
    Map<String, Function<JsonNode, String>> known;
    String unsupported;
    if (customResource) {
      known = namespaced ? DEFAULT : Map.of("metadata.name", NAME);
      unsupported = "field label not supported: %s";
    } else {
      known = BY_RESOURCE.get(group + "/" + plural);
      unsupported = known == null
          ? "\"%s\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\""
          : "field label not supported: %s";
      known = known == null ? DEFAULT : known;
    }
    // the API server parses the sorted terms, then converts each field label: parse errors first, then the first
    // unsupported label in that order
    List<String> terms = new ArrayList<>(terms(selector, false));
    terms.sort(null);
    List<String[]> parsed = new ArrayList<>();
    for (String term : terms) {
      if (term.isEmpty()) {
        continue;
      }
      int at = operatorAt(term);
      if (at < 0) {
        throw new IllegalArgumentException("invalid selector: '" + selector + "'; can't understand '" + term + "'");
      }
      String operator = term.startsWith("!=", at) ? "!=" : term.startsWith("==", at) ? "==" : "=";
      parsed.add(new String[] {term.substring(0, at), operator, unescape(term.substring(at + operator.length()))});
    }
    List<Predicate<JsonNode>> requirements = new ArrayList<>();
    for (String[] term : parsed) {
      Function<JsonNode, String> value = known.get(term[0]);
      if (value == null) {
        throw new IllegalArgumentException(unsupported.formatted(term[0]));
      }
      String expected = term[2];
      boolean equal = !term[1].equals("!=");
      requirements.add(o -> value.apply(o).equals(expected) == equal);
    }
    return o -> requirements.stream().allMatch(r -> r.test(o));
  }

  /** Groups of built-in kinds this server serves; any other group is a custom resource's. */
  private static final Set<String> BUILT_IN_GROUPS =
      Set.of("apps", "coordination.k8s.io", "events.k8s.io", "apiextensions.k8s.io", "authorization.k8s.io");

  /** Where the first operator ({@code !=}, {@code ==}, {@code =}) of a field selector term starts, or -1. */
  private static int operatorAt(String term) {
    for (int i = 0; i < term.length(); i++) {
      if (term.startsWith("!=", i) || term.charAt(i) == '=') {
        return i;
      }
    }
    return -1;
  }

  /**
   * Splits a selector into its comma-separated terms: not at an escaped comma ({@code \\,}, field selectors) nor
   * inside parentheses ({@code in (a,b)}, label selectors).
   */
  private static List<String> terms(String selector, boolean parenthesized) {
    List<String> parts = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    int depth = 0;
    for (int i = 0; i < selector.length(); i++) {
      char c = selector.charAt(i);
      if (c == '\\' && !parenthesized && i + 1 < selector.length()) {
        current.append(c).append(selector.charAt(++i));
        continue;
      }
      if (parenthesized && c == '(') {
        depth++;
      } else if (parenthesized && c == ')') {
        depth--;
      }
      if (c == ',' && depth == 0) {
        parts.add(current.toString());
        current.setLength(0);
      } else {
        current.append(c);
      }
    }
    parts.add(current.toString());
    return parts;
  }

  private static String unescape(String value) {
    StringBuilder out = new StringBuilder();
    boolean escaped = false;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (escaped) {
        if (c != '\\' && c != ',' && c != '=') {
          throw new IllegalArgumentException("invalid field selector: invalid escape sequence: \\" + c);
        }
        out.append(c);
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == ',' || c == '=') {
        // Go prints the rune as its number
        throw new IllegalArgumentException("invalid field selector: unescaped character in value: " + (int) c);
      } else {
        out.append(c);
      }
    }
    if (escaped) {
      throw new IllegalArgumentException("invalid field selector: invalid escape sequence: \\");
    }
    return out.toString();
  }

  /**
   * Whether fabric8's mock would get {@code fieldSelector} wrong: it understands equality on {@code metadata.name}
   * only, and turns any other field into an attribute no object has.
   */
  public static boolean needsFiltering(String fieldSelector) {
    if (fieldSelector == null || fieldSelector.isBlank()) {
      return false;
    }
    return terms(fieldSelector, false).stream().anyMatch(r -> !MOCK_NAME_FIELD.matcher(r).matches());
  }

  /** Whether fabric8's mock would get {@code labelSelector} wrong: it knows {@code k=v}, {@code k!=v}, {@code k}, {@code !k}. */
  public static boolean labelsNeedFiltering(String labelSelector) {
    if (labelSelector == null || labelSelector.isBlank()) {
      return false;
    }
    return Arrays.stream(labelSelector.split(",", -1)).anyMatch(r -> !MOCK_LABEL.matcher(r).matches());
  }

  // the forms fabric8's KubernetesAttributesExtractor parses; values it cannot parse it drops, selecting everything
  private static final Pattern MOCK_NAME_FIELD = Pattern.compile("metadata\\.name(==|=)[a-zA-Z0-9-_.]+");
  private static final Pattern MOCK_LABEL =
      Pattern.compile("[a-zA-Z0-9-_./]+((==|=|!=)[a-zA-Z0-9-_.]+)?|![a-zA-Z0-9-_./]+");
}
