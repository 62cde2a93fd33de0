package com.idmelon.operator.quickstart;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A Kubernetes API request path taken apart: {@code /api/v1/namespaces/default/secrets/s?watch=true} or
 * {@code /apis/idmelon.com/v1alpha1/namespaces/team/apikeys/k/status}. Paths that name no resource (discovery,
 * {@code /openapi/v3}, ...) are not resource paths: {@link #parse} answers empty for them.
 *
 * @param group "" for the core group
 * @param namespace null for cluster-scoped resources and for lists across all namespaces
 * @param name null for collections
 * @param subresource null, "status", "scale", ...
 * @param query the decoded query parameters (the first value of each)
 */
public record ResourcePath(String group, String version, String namespace, String plural, String name,
    String subresource, Map<String, String> query) {

  public static Optional<ResourcePath> parse(String uri) {
    if (uri == null) {
      return Optional.empty();
    }
    String[] pathAndQuery = uri.split("\\?", 2);
    String[] segments = pathAndQuery[0].replaceAll("^/+|/+$", "").split("/");
    String group;
    String version;
    int next;
    if (segments.length >= 3 && segments[0].equals("api")) {
      group = "";
      version = segments[1];
      next = 2;
    } else if (segments.length >= 4 && segments[0].equals("apis")) {
      group = segments[1];
      version = segments[2];
      next = 3;
    } else {
      return Optional.empty();
    }
    int rest = segments.length - next;
    String namespace = null;
    try {
      for (String segment : segments) {
        decode(segment);
      }
    } catch (IllegalArgumentException badEscape) {
      return Optional.empty(); // a path that does not decode names no resource
    }
    if (segments[next].equals("namespaces") && rest >= 3) {
      namespace = decode(segments[next + 1]);
      next += 2;
      rest -= 2;
    }
    if (rest > 3) {
      return Optional.empty();
    }
    String plural = segments[next];
    String name = rest >= 2 ? decode(segments[next + 1]) : null;
    String subresource = rest == 3 ? segments[next + 2] : null;
    return Optional.of(new ResourcePath(group, version, namespace, plural, name, subresource,
        pathAndQuery.length == 2 ? query(pathAndQuery[1]) : Map.of()));
  }

  private static Map<String, String> query(String query) {
    Map<String, String> parameters = new LinkedHashMap<>();
    for (String pair : query.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      String[] keyValue = pair.split("=", 2);
      try {
        parameters.putIfAbsent(decode(keyValue[0]), keyValue.length == 2 ? decode(keyValue[1]) : "");
      } catch (IllegalArgumentException badEscape) {
        // as Go's url.Values, which the API server reads: a pair that does not decode is left out
      }
    }
    return Collections.unmodifiableMap(parameters);
  }

  private static String decode(String text) {
    return URLDecoder.decode(text, StandardCharsets.UTF_8);
  }

  /** {@code group/version}, or {@code version} for the core group. */
  public String groupVersion() {
    return group.isEmpty() ? version : group + "/" + version;
  }

  /** Whether this asks for a watch ({@code ?watch=true} or {@code ?watch=1}). */
  public boolean watch() {
    String watch = query.get("watch");
    return "true".equals(watch) || "1".equals(watch);
  }

  /** A query parameter, or null. */
  public String param(String key) {
    return query.get(key);
  }
}
