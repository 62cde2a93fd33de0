package com.idmelon.operator.reconciler;

import com.idmelon.operator.crd.v1alpha1.ApiKey;
import com.idmelon.operator.crd.v1alpha1.ApiKeySpec;
import com.idmelon.operator.crd.v1alpha1.RotationStrategy;
import com.idmelon.operator.idmelon.KeyType;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Checks a spec against the rules of the CRD schema again, so that a manifest that slipped past the API server
 * (an older CRD, a disabled validation) is reported on the status and never reaches IDmelon. Pure: no I/O.
 */
public final class SpecValidator {
  private static final Pattern DNS_SUBDOMAIN = Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$");

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
        return Optional.of("spec.expiresAt '" + spec.getExpiresAt() + "' is not an RFC 3339 timestamp such as 2027-06-30T00:00:00Z");
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
      return Optional.of("spec.secretName '" + spec.getSecretName() + "' is not a valid Secret name");
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
      return Optional.of(field + " '" + value + "' is not a duration such as 2160h, 90m or 1h30m");
    }
  }
}
