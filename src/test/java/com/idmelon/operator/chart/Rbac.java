package com.idmelon.operator.chart;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The chart's RBAC as the API server applies it to the operator's service account: only roles bound to that account
 * count, a RoleBinding grants in its own namespace, a ClusterRoleBinding everywhere, and resourceNames admit a request
 * only when it names its object (in the path, or for list and watch by a {@code metadata.name} field selector).
 */
record Rbac(List<Grant> grants) {

  /** One request as the API server's authorizer sees it; {@code namespace} and {@code name} may be null. */
  record Request(String namespace, String group, String resource, String verb, String name) {
    /** "group/resource[/subresource]:verb", the unit the chart's rules are compared in. */
    String permission() {
      return (group.isEmpty() ? "" : group + "/") + resource + ":" + verb;
    }

    /** The request's attributes, or null for requests RBAC does not govern (discovery, self-reviews). */
    static Request of(RecordedRequest request) {
      String[] pathAndQuery = request.getPath().split("\\?", 2);
      String query = pathAndQuery.length > 1 ? pathAndQuery[1] : "";
      String[] parts = pathAndQuery[0].replaceAll("^/", "").split("/");
      int index;
      String group;
      if (parts[0].equals("api")) {
        group = "";
        index = 2;
      } else if (parts[0].equals("apis") && parts.length > 3) {
        group = parts[1];
        index = 3;
      } else {
        return null; // discovery, /version
      }
      if (group.equals("authorization.k8s.io")) {
        return null; // self-reviews need no permission
      }
      String namespace = null;
      if (parts.length > index + 1 && parts[index].equals("namespaces")) {
        namespace = parts[index + 1];
        index += 2;
      }
      if (parts.length <= index) {
        return null;
      }
      String resource = parts[index];
      String name = parts.length > index + 1 ? parts[index + 1] : null;
      if (parts.length > index + 2) {
        resource += "/" + parts[index + 2];
      }
      String verb = switch (request.getMethod()) {
        case "GET" -> name != null ? "get" : parameter(query, "watch").filter(w -> w.equals("true") || w.equals("1"))
            .isPresent() ? "watch" : "list";
        case "POST" -> "create";
        case "PUT" -> "update";
        case "PATCH" -> "patch";
        case "DELETE" -> name != null ? "delete" : "deletecollection";
        default -> request.getMethod().toLowerCase();
      };
      if (name == null && (verb.equals("list") || verb.equals("watch"))) {
        // the API server takes the name of a list or watch from an exact metadata.name field selector
        name = parameter(query, "fieldSelector").flatMap(Request::exactName).orElse(null);
      }
      return new Request(namespace, group, resource, verb, name);
    }

    private static Optional<String> parameter(String query, String key) {
      for (String pair : query.split("&")) {
        String[] keyValue = pair.split("=", 2);
        if (keyValue[0].equals(key) && keyValue.length == 2) {
          return Optional.of(URLDecoder.decode(keyValue[1], StandardCharsets.UTF_8));
        }
      }
      return Optional.empty();
    }

    private static Optional<String> exactName(String fieldSelector) {
      for (String term : fieldSelector.split(",")) {
        for (String operator : List.of("==", "=")) {
          if (term.startsWith("metadata.name" + operator)) {
            return Optional.of(term.substring(("metadata.name" + operator).length()));
          }
        }
      }
      return Optional.empty();
    }
  }

  /** A rule and where it applies: in {@code namespace}, or everywhere when it is null. */
  record Grant(String namespace, PolicyRule rule) {
    boolean allows(Request request) {
      if (namespace != null && !namespace.equals(request.namespace())) {
        return false;
      }
      if (!rule.getApiGroups().contains(request.group()) || !rule.getResources().contains(request.resource())
          || !rule.getVerbs().contains(request.verb())) {
        return false;
      }
      // create and deletecollection carry no name to match: a rule with resourceNames never admits them
      List<String> names = rule.getResourceNames();
      return names == null || names.isEmpty()
          || request.name() != null && names.contains(request.name());
    }
  }

  /** The grants of the rendered chart to the service account {@code namespace/serviceAccount}. */
  static Rbac of(List<HasMetadata> chart, String namespace, String serviceAccount) {
    List<Grant> grants = new ArrayList<>();
    ChartTest.ofKind(chart, ClusterRoleBinding.class).filter(b -> binds(b.getSubjects(), namespace, serviceAccount))
        .forEach(b -> rules(chart, b.getRoleRef(), null).forEach(r -> grants.add(new Grant(null, r))));
    ChartTest.ofKind(chart, RoleBinding.class).filter(b -> binds(b.getSubjects(), namespace, serviceAccount))
        .forEach(b -> rules(chart, b.getRoleRef(), b.getMetadata().getNamespace())
            .forEach(r -> grants.add(new Grant(b.getMetadata().getNamespace(), r))));
    return new Rbac(grants);
  }

  boolean allows(Request request) {
    return grants.stream().anyMatch(g -> g.allows(request));
  }

  private static boolean binds(List<Subject> subjects, String namespace, String serviceAccount) {
    return subjects.stream().anyMatch(s -> s.getKind().equals("ServiceAccount") && s.getName().equals(serviceAccount)
        && namespace.equals(s.getNamespace()));
  }

  private static List<PolicyRule> rules(List<HasMetadata> chart, RoleRef ref, String bindingNamespace) {
    if (ref.getKind().equals("ClusterRole")) {
      return ChartTest.ofKind(chart, ClusterRole.class).filter(r -> r.getMetadata().getName().equals(ref.getName()))
          .findFirst().orElseThrow(() -> new AssertionError("unbound ClusterRole " + ref.getName())).getRules();
    }
    return ChartTest.ofKind(chart, Role.class).filter(r -> r.getMetadata().getName().equals(ref.getName())
            && r.getMetadata().getNamespace().equals(bindingNamespace))
        .findFirst().orElseThrow(() -> new AssertionError("no Role " + bindingNamespace + "/" + ref.getName()))
        .getRules();
  }
}
