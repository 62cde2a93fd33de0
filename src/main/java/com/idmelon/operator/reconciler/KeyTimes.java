package com.idmelon.operator.reconciler;

import com.idmelon.operator.crd.v1alpha1.ApiKeySpec;
import com.idmelon.operator.crd.v1alpha1.ApiKeyStatus;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;

/**
 * The time rules of a key, in one place and at one precision: IDmelon's expiry is whole seconds, so every expiry
 * (the spec's, IDmelon's answer, the status) is compared truncated to the second in UTC. Pure: no clock of its own.
 */
final class KeyTimes {
  /** A fixed expiry closer than this makes Ready's reason ExpiringSoon. */
  static final Duration EXPIRING_SOON = Duration.ofDays(7);
  /** IDmelon's clock and ours may differ by this much. */
  static final Duration CLOCK_SKEW = Duration.ofMinutes(2);
  /** A server may finish a call after the client stopped waiting; this much is allowed for it. */
  static final Duration LATE_COMPLETION = Duration.ofMinutes(1);

  private KeyTimes() {}

  /** The expiry a key issued now gets: the fixed spec.expiresAt, now + spec.duration, or none; whole seconds. */
  static Instant expiryFor(ApiKeySpec spec, Instant now) {
    if (spec.getExpiresAt() != null) {
      return wantedExpiry(spec);
    }
    if (spec.getDuration() != null) {
      return seconds(now.plus(GoDuration.parse(spec.getDuration())));
    }
    return null;
  }

  /** spec.expiresAt as IDmelon keeps it (whole seconds, UTC), or null without a fixed expiry. */
  static Instant wantedExpiry(ApiKeySpec spec) {
    return spec.getExpiresAt() == null ? null : seconds(OffsetDateTime.parse(spec.getExpiresAt()).toInstant());
  }

  /** True when spec.expiresAt names another second than the expiry of the key in the Secret. */
  static boolean expiryChanged(ApiKeySpec spec, ApiKeyStatus status) {
    Instant wanted = wantedExpiry(spec);
    if (wanted == null) {
      return false;
    }
    Instant current = parse(status.getExpiresAt());
    return current == null || !wanted.equals(seconds(current));
  }

  /** With spec.duration: expiry minus renewBefore (default a third of the duration); else null. */
  static Instant renewalTime(ApiKeySpec spec, ApiKeyStatus status) {
    Instant expiresAt = parse(status.getExpiresAt());
    if (spec.getDuration() == null || expiresAt == null) {
      return null;
    }
    Duration duration = GoDuration.parse(spec.getDuration());
    Duration before = spec.getRenewBefore() != null ? GoDuration.parse(spec.getRenewBefore()) : duration.dividedBy(3);
    return seconds(expiresAt.minus(before));
  }

  static boolean renewalDue(ApiKeySpec spec, ApiKeyStatus status, Instant now) {
    Instant renewAt = renewalTime(spec, status);
    return renewAt != null && !renewAt.isAfter(now);
  }

  /** How long a replaced key keeps working: spec.rotation.gracePeriod, default zero. */
  static Duration gracePeriod(ApiKeySpec spec) {
    return spec.getRotation() == null || spec.getRotation().getGracePeriod() == null
        ? Duration.ZERO
        : GoDuration.parse(spec.getRotation().getGracePeriod());
  }

  /**
   * Whether a key IDmelon says it created at {@code createdAt} can come from a call whose pending marker was written
   * at {@code startedAt}: the call answers within the request timeout, the server may finish a little later, and
   * the two clocks may differ. The window follows the client's timeout, so a longer timeout widens it.
   */
  static boolean inCallWindow(Instant createdAt, Instant startedAt, Duration requestTimeout) {
    return createdAt != null && startedAt != null
        && !createdAt.isBefore(startedAt.minus(CLOCK_SKEW))
        && !createdAt.isAfter(startedAt.plus(requestTimeout).plus(LATE_COMPLETION).plus(CLOCK_SKEW));
  }

  /** The delay until {@code next} (null: none), never negative. */
  static Duration until(Instant next, Instant now) {
    if (next == null) {
      return null;
    }
    Duration delay = Duration.between(now, next);
    return delay.isNegative() ? Duration.ZERO : delay.plusMillis(1);
  }

  static Instant earliest(Instant a, Instant b) {
    if (a == null) {
      return b;
    }
    return b == null || a.isBefore(b) ? a : b;
  }

  static Instant seconds(Instant instant) {
    return instant == null ? null : instant.truncatedTo(ChronoUnit.SECONDS);
  }

  /** RFC 3339 in UTC, whole seconds: how every time is written into status and Secrets. */
  static String format(Instant instant) {
    return instant == null ? null : seconds(instant).toString();
  }

  static Instant parse(String timestamp) {
    return timestamp == null ? null : OffsetDateTime.parse(timestamp).toInstant();
  }
}
