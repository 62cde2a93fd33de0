package com.idmelon.operator.reconciler;

import com.idmelon.operator.crd.v1alpha1.ApiKey;
import com.idmelon.operator.crd.v1alpha1.ApiKeySpec;
import com.idmelon.operator.crd.v1alpha1.RestartTarget;
import com.idmelon.operator.crd.v1alpha1.RotationStrategy;
import com.idmelon.operator.crd.v1alpha1.SecretTemplate;
import com.idmelon.operator.idmelon.KeyType;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks a spec against the rules of the CRD schema again, so that a manifest that slipped past the API server
 * (an older CRD, a disabled validation) is reported on the status and never reaches IDmelon. Pure: no I/O.
 */
public final class SpecValidator {
  private static final Pattern DNS_SUBDOMAIN = Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$");

  /** A label value, or the name part of a label or annotation key (Kubernetes' qualified name). */
  private static final Pattern QUALIFIED_NAME = Pattern.compile("^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$");
  /**
   * The API server refuses annotations whose keys and values add up to more than 256 KiB; the operator's own
   * annotations on the Secret need a little of it.
   */
  private static final int MAX_ANNOTATIONS_BYTES = 256 * 1024 - 4 * 1024;

  private SpecValidator() {}

  /**
   * The first violation, as a message that names the field; empty when the spec is valid.
   *
   * @param issuedType the type of the key already issued (from its Secret), or null before the first issue
   * @param firstIssue whether no key has been issued yet (an expiresAt in the past is rejected only then)
   */
  public static Optional<String> validate(ApiKey apiKey, KeyType issuedType, boolean firstIssue, Instant now) {
    ApiKeySpec spec = apiKey.getSpec();
    if (spec == null) {
      return Optional.of("spec is required");
    }
    if (spec.unreadable() != null) {
      return Optional.of(spec.unreadable());
    }
    if (spec.getName() == null || spec.getName().isBlank() || spec.getName().length() > 100) {
      return Optional.of("spec.name must be 1 to 100 characters");
    }
    if (spec.getName().codePoints().anyMatch(com.idmelon.operator.crd.v1alpha1.Conditions::unprintable)) {
      return Optional.of("spec.name must not contain control characters or line breaks");
    }
    if (spec.getType() == null) {
      return Optional.of("spec.type is required: Admin, SharedMobile or Clients");
    }
    if (issuedType != null && issuedType != spec.getType()) {
      return Optional.of("spec.type is immutable: the key was issued as " + issuedType + "; create a new ApiKey for "
          + spec.getType());
    }
    if (spec.getExpiresAt() != null && spec.getDuration() != null) {
      return Optional.of("spec.expiresAt and spec.duration are mutually exclusive: set at most one");
    }
    if (spec.getExpiresAt() != null) {
      Instant expiresAt;
      try {
        expiresAt = OffsetDateTime.parse(spec.getExpiresAt()).toInstant();
      } catch (DateTimeParseException e) {
        return Optional.of("spec.expiresAt " + UserText.quoted(spec.getExpiresAt()) + " is not an RFC 3339 timestamp such as 2027-06-30T00:00:00Z");
      }
      if (firstIssue && !expiresAt.isAfter(now)) {
        return Optional.of("spec.expiresAt " + spec.getExpiresAt() + " is in the past: a key cannot be issued already expired");
      }
    }
    Duration duration = null;
    if (spec.getDuration() != null) {
      Optional<String> bad = durationProblem("spec.duration", spec.getDuration());
      if (bad.isPresent()) {
        return bad;
      }
      duration = GoDuration.parse(spec.getDuration());
    }
    if (spec.getRenewBefore() != null) {
      if (duration == null) {
        return Optional.of("spec.renewBefore needs spec.duration");
      }
      Optional<String> bad = durationProblem("spec.renewBefore", spec.getRenewBefore());
      if (bad.isPresent()) {
        return bad;
      }
      if (GoDuration.parse(spec.getRenewBefore()).compareTo(duration) >= 0) {
        return Optional.of("spec.renewBefore must be shorter than spec.duration");
      }
    }
    if (spec.getSecretName() != null
        && (spec.getSecretName().length() > 253 || !DNS_SUBDOMAIN.matcher(spec.getSecretName()).matches())) {
      return Optional.of("spec.secretName " + UserText.quoted(spec.getSecretName()) + " is not a valid Secret name");
    }
    Optional<String> template = templateProblem(spec.getSecretTemplate());
    if (template.isPresent()) {
      return template;
    }
    if (spec.getRotation() != null) {
      if (spec.getRotation().getStrategy() == RotationStrategy.Reset && !spec.getType().canReset()) {
        return Optional.of("spec.rotation.strategy Reset needs type Admin: only Admin keys can be reset, use Replace");
      }
      if (spec.getRotation().getGracePeriod() != null) {
        Optional<String> bad = durationProblem("spec.rotation.gracePeriod", spec.getRotation().getGracePeriod());
        if (bad.isPresent()) {
          return bad;
        }
      }
      if (spec.getRotation().getEvery() != null) {
        Optional<String> bad = durationProblem("spec.rotation.every", spec.getRotation().getEvery());
        if (bad.isPresent()) {
          return bad;
        }
        if (GoDuration.parse(spec.getRotation().getEvery()).compareTo(KeyTimes.MIN_ROTATION_INTERVAL) < 0) {
          return Optional.of("spec.rotation.every must be at least 1h");
        }
      }
    }
    return restartTargetsProblem(spec.getRestartTargets());
  }

  /** IDmelon's 100-character limit on the key's full name, the workspace's prefix included. */
  public static Optional<String> keyNameProblem(ApiKeySpec spec, String prefix) {
    int length = prefix.length() + spec.getName().length();
    return length > 100
        ? Optional.of("spec.name with the workspace's keyNamePrefix " + UserText.quoted(prefix) + " is " + length
            + " characters; IDmelon allows 100")
        : Optional.empty();
  }

  /**
   * What the API server would refuse in the Secret's labels and annotations, or what the operator keeps for itself,
   * and a data template that does not render: checked before any key is issued, so that no key is created for a
   * Secret that cannot be written.
   */
  private static Optional<String> templateProblem(SecretTemplate template) {
    if (template == null) {
      return Optional.empty();
    }
    Map<String, String> labels = template.getLabels() == null ? Map.of() : template.getLabels();
    for (Map.Entry<String, String> label : labels.entrySet()) {
      if (!qualifiedName(label.getKey())) {
        return Optional.of("spec.secretTemplate.labels: " + UserText.quoted(label.getKey())
            + " is not a valid label key (an optional DNS prefix and '/', then at most 63 letters, digits, '-', '_' or '.')");
      }
      String value = label.getValue() == null ? "" : label.getValue();
      if (!value.isEmpty() && (value.length() > 63 || !QUALIFIED_NAME.matcher(value).matches())) {
        return Optional.of("spec.secretTemplate.labels: the value of " + UserText.quoted(label.getKey())
            + " is not a valid label value (at most 63 letters, digits, '-', '_' or '.', starting and ending with a"
            + " letter or digit)");
      }
      if (label.getKey().equals(ManagedSecret.MANAGED_BY_LABEL) || label.getKey().startsWith(ManagedSecret.RESERVED_PREFIX)) {
        return Optional.of("spec.secretTemplate.labels: " + UserText.quoted(label.getKey())
            + " is set by the operator and cannot be templated");
      }
    }
    Map<String, String> annotations = template.getAnnotations() == null ? Map.of() : template.getAnnotations();
    long bytes = 0;
    for (Map.Entry<String, String> annotation : annotations.entrySet()) {
      if (!qualifiedName(annotation.getKey())) {
        return Optional.of("spec.secretTemplate.annotations: " + UserText.quoted(annotation.getKey())
            + " is not a valid annotation key (an optional DNS prefix and '/', then at most 63 letters, digits, '-',"
            + " '_' or '.')");
      }
      if (annotation.getKey().startsWith(ManagedSecret.RESERVED_PREFIX)) {
        return Optional.of("spec.secretTemplate.annotations: " + UserText.quoted(annotation.getKey())
            + " is reserved for the operator (" + ManagedSecret.RESERVED_PREFIX + "*) and cannot be templated");
      }
      // the API server counts UTF-8 bytes
      bytes += utf8Length(annotation.getKey()) + (annotation.getValue() == null ? 0 : utf8Length(annotation.getValue()));
    }
    if (bytes > MAX_ANNOTATIONS_BYTES) {
      return Optional.of("spec.secretTemplate.annotations are " + bytes + " bytes; the API server accepts at most "
          + MAX_ANNOTATIONS_BYTES);
    }
    return SecretData.problem(template);
  }

  /** Kubernetes' rule for label and annotation keys: [DNS-subdomain prefix '/'] name of at most 63 characters. */
  private static long utf8Length(String text) {
    return text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
  }

  private static boolean qualifiedName(String key) {
    if (key == null || key.isEmpty()) {
      return false;
    }
    int slash = key.indexOf('/');
    String name = slash < 0 ? key : key.substring(slash + 1);
    if (slash >= 0) {
      String prefix = key.substring(0, slash);
      if (prefix.isEmpty() || prefix.length() > 253 || !DNS_SUBDOMAIN.matcher(prefix).matches()) {
        return false;
      }
    }
    return name.length() <= 63 && QUALIFIED_NAME.matcher(name).matches();
  }

  /** Each target a workload kind and a valid name, at most {@value ApiKeySpec#RESTART_TARGETS_MAX}, none twice. */
  private static Optional<String> restartTargetsProblem(List<RestartTarget> targets) {
    if (targets == null) {
      return Optional.empty();
    }
    if (targets.size() > ApiKeySpec.RESTART_TARGETS_MAX) {
      return Optional.of("spec.restartTargets lists " + targets.size() + " workloads; at most "
          + ApiKeySpec.RESTART_TARGETS_MAX + " are allowed");
    }
    Set<RestartTarget> seen = new HashSet<>();
    for (int i = 0; i < targets.size(); i++) {
      RestartTarget target = targets.get(i);
      String field = "spec.restartTargets[" + i + "]";
      if (target == null || target.getKind() == null) {
        return Optional.of(field + ".kind is required: Deployment, StatefulSet or DaemonSet");
      }
      if (target.getName() == null || target.getName().length() > 253
          || !DNS_SUBDOMAIN.matcher(target.getName()).matches()) {
        return Optional.of(field + ".name " + UserText.quoted(target.getName()) + " is not a valid workload name");
      }
      if (!seen.add(target)) {
        return Optional.of("spec.restartTargets names " + target + " twice");
      }
    }
    return Optional.empty();
  }

  private static Optional<String> durationProblem(String field, String value) {
    try {
      Duration parsed = GoDuration.parse(value);
      if (parsed.isNegative() || (parsed.isZero() && !field.endsWith("gracePeriod"))) {
        return Optional.of(field + " must be positive");
      }
      return Optional.empty();
    } catch (IllegalArgumentException | ArithmeticException e) {
      return Optional.of(field + " " + UserText.quoted(value) + " is not a duration such as 2160h, 90m or 1h30m");
    }
  }
}
