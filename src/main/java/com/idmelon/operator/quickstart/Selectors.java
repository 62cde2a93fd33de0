package com.idmelon.operator.quickstart;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Arrays;
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

  /** Fields every kind can be selected by. */
  private static final Map<String, Function<JsonNode, String>> COMMON = Map.of(
      "metadata.name", o -> o.path("metadata").path("name").asText(""),
      "metadata.namespace", o -> o.path("metadata").path("namespace").asText(""));

  /** Further fields, by resource (plural, core group), as the API server registers them. */
  private static final Map<String, Map<String, Function<JsonNode, String>>> BY_RESOURCE = Map.of(
      "events", Map.ofEntries(
          Map.entry("involvedObject.kind", o -> o.path("involvedObject").path("kind").asText("")),
          Map.entry("involvedObject.namespace", o -> o.path("involvedObject").path("namespace").asText("")),
          Map.entry("involvedObject.name", o -> o.path("involvedObject").path("name").asText("")),
          Map.entry("involvedObject.uid", o -> o.path("involvedObject").path("uid").asText("")),
          Map.entry("involvedObject.apiVersion", o -> o.path("involvedObject").path("apiVersion").asText("")),
          Map.entry("involvedObject.resourceVersion",
              o -> o.path("involvedObject").path("resourceVersion").asText("")),
          Map.entry("involvedObject.fieldPath", o -> o.path("involvedObject").path("fieldPath").asText("")),
          Map.entry("reason", o -> o.path("reason").asText("")),
          Map.entry("reportingComponent", o -> o.path("reportingComponent").asText("")),
          Map.entry("source", o -> o.path("source").path("component").asText("")),
          Map.entry("type", o -> o.path("type").asText(""))),
      "secrets", Map.of("type", o -> o.path("type").asText("")),
      "namespaces", Map.of("status.phase", o -> o.path("status").path("phase").asText("")));

  private Selectors() {
  }

  /** A {@code labelSelector}: {@code a=b}, {@code a==b}, {@code a!=b}, {@code a}, {@code !a}, {@code a in (x,y)}, {@code a notin (x)}. */
  public static Predicate<JsonNode> labels(String selector) {
    if (selector == null || selector.isBlank()) {
      return o -> true;
    }
    List<Predicate<JsonNode>> requirements = new ArrayList<>();
    for (String requirement : splitOutsideParentheses(selector)) {
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
   * A {@code fieldSelector} for resource {@code plural} (core group names; custom resources know only
   * {@code metadata.name} and {@code metadata.namespace}): {@code f=v}, {@code f==v}, {@code f!=v}, comma-separated.
   */
  public static Predicate<JsonNode> fields(String group, String plural, String selector) {
    if (selector == null || selector.isBlank()) {
      return o -> true;
    }
    Map<String, Function<JsonNode, String>> known = group.isEmpty() ? BY_RESOURCE.getOrDefault(plural, Map.of()) : Map.of();
    List<Predicate<JsonNode>> requirements = new ArrayList<>();
    for (String requirement : selector.split(",")) {
      Matcher equality = EQUALITY.matcher(requirement.trim());
      if (!equality.matches()) {
        throw new IllegalArgumentException("invalid selector: '" + selector + "'; can't understand '" + requirement + "'");
      }
      String field = equality.group(1);
      Function<JsonNode, String> value = COMMON.containsKey(field) ? COMMON.get(field) : known.get(field);
      if (value == null) {
        throw new IllegalArgumentException("field label not supported: " + field);
      }
      String expected = equality.group(3).trim();
      boolean equal = !equality.group(2).equals("!=");
      requirements.add(o -> value.apply(o).equals(expected) == equal);
    }
    return o -> requirements.stream().allMatch(r -> r.test(o));
  }

  /** Whether {@code fieldSelector} selects by anything but {@code metadata.name} (all fabric8's mock understands). */
  public static boolean needsFiltering(String fieldSelector) {
    if (fieldSelector == null || fieldSelector.isBlank()) {
      return false;
    }
    return Arrays.stream(fieldSelector.split(",")).map(String::trim)
        .anyMatch(r -> !r.startsWith("metadata.name=") || r.startsWith("metadata.name!="));
  }

  private static List<String> splitOutsideParentheses(String selector) {
    List<String> parts = new ArrayList<>();
    int depth = 0;
    StringBuilder current = new StringBuilder();
    for (char c : selector.toCharArray()) {
      if (c == '(') {
        depth++;
      } else if (c == ')') {
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
}
