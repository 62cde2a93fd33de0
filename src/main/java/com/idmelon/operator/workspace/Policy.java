package com.idmelon.operator.workspace;

import com.idmelon.operator.crd.v1alpha1.AllowedNamespaces;
import com.idmelon.operator.crd.v1alpha1.ApiKeySpec;
import com.idmelon.operator.crd.v1alpha1.KeyPolicy;
import com.idmelon.operator.crd.v1alpha1.WorkspaceSpecBase;
import com.idmelon.operator.reconciler.GoDuration;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A workspace's policy on who may mint which key: namespace allowed (by name or label, OR'ed), type allowed, lifetime
 * within maxLifetime. Pure: the answer names the rule that denies.
 */
public final class Policy {
  private Policy() {}

  /**
   * Why {@code spec} in {@code namespace} may not use the workspace, or empty when it may.
   *
   * @param namespaceLabels the namespace's labels as the operator last saw them (empty when unknown)
   */
  public static Optional<String> denial(String workspace, WorkspaceSpecBase workspaceSpec, String namespace,
      Map<String, String> namespaceLabels, ApiKeySpec spec, Instant now) {
    AllowedNamespaces allowed = workspaceSpec.allowedNamespaces();
    if (allowed != null && !namespaceAllowed(allowed, namespace, namespaceLabels)) {
      return Optional.of(workspace + " does not allow namespace " + namespace
          + " (spec.allowedNamespaces: neither its names nor its selector match)");
    }
    KeyPolicy policy = workspaceSpec.getKeyPolicy();
    if (policy == null) {
      return Optional.empty();
    }
    List<?> types = policy.getAllowedTypes();
    if (types != null && !types.contains(spec.getType())) {
      return Optional.of(workspace + " does not allow " + spec.getType() + " keys (spec.keyPolicy.allowedTypes: "
          + types + ")");
    }
    if (policy.getMaxLifetime() != null) {
      Duration max = GoDuration.parse(policy.getMaxLifetime());
      Duration lifetime = lifetime(spec, now);
      if (lifetime == null) {
        return Optional.of(workspace + " requires every key to expire within " + policy.getMaxLifetime()
            + " (spec.keyPolicy.maxLifetime): set spec.expiresAt or spec.duration");
      }
      if (lifetime.compareTo(max) > 0) {
        return Optional.of(workspace + " allows keys to live at most " + policy.getMaxLifetime()
            + " (spec.keyPolicy.maxLifetime); this key would live " + hours(lifetime));
      }
    }
    return Optional.empty();
  }

  private static String hours(Duration d) {
    return d.toHours() + "h" + (d.toMinutesPart() == 0 ? "" : d.toMinutesPart() + "m");
  }

  /** How long a key issued now would live: the duration, the time to the fixed expiry, or null (never expires). */
  static Duration lifetime(ApiKeySpec spec, Instant now) {
    if (spec.getDuration() != null) {
      return GoDuration.parse(spec.getDuration());
    }
    if (spec.getExpiresAt() != null) {
      return Duration.between(now, OffsetDateTime.parse(spec.getExpiresAt()).toInstant());
    }
    return null;
  }

  static boolean namespaceAllowed(AllowedNamespaces allowed, String namespace, Map<String, String> labels) {
    if (allowed.getNames() != null && allowed.getNames().contains(namespace)) {
      return true;
    }
    return allowed.getSelector() != null && matches(allowed.getSelector(), labels);
  }

  /** Kubernetes' label selector semantics: every matchLabels entry and every requirement must hold. */
  static boolean matches(LabelSelector selector, Map<String, String> labels) {
    if (selector.getMatchLabels() != null) {
      for (Map.Entry<String, String> wanted : selector.getMatchLabels().entrySet()) {
        if (!wanted.getValue().equals(labels.get(wanted.getKey()))) {
          return false;
        }
      }
    }
    if (selector.getMatchExpressions() != null) {
      for (LabelSelectorRequirement requirement : selector.getMatchExpressions()) {
        String value = labels.get(requirement.getKey());
        List<String> values = requirement.getValues() == null ? List.of() : requirement.getValues();
        boolean holds = switch (requirement.getOperator()) {
          case "In" -> value != null && values.contains(value);
          case "NotIn" -> value == null || !values.contains(value);
          case "Exists" -> value != null;
          case "DoesNotExist" -> value == null;
          default -> false;
        };
        if (!holds) {
          return false;
        }
      }
    }
    return true;
  }
}
