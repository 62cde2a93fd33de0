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

  /** The shortest spec.rotation.every accepted. */
  static final Duration MIN_ROTATION_INTERVAL = Duration.ofHours(1);
  /** The most a scheduled rotation is moved, to spread keys created together: a twentieth of the interval at most. */
  static final Duration MAX_ROTATION_JITTER = Duration.ofHours(1);

  /**
   * With spec.rotation.every: the last rotation (else the issue) plus the interval plus this ApiKey's own jitter;
   * else null. Computed from the status alone, so a restart or a downtime changes nothing: after a downtime the
   * rotation is simply due, once.
   */
  static Instant rotationTime(ApiKeySpec spec, ApiKeyStatus status, String uid) {
    if (spec.getRotation() == null || spec.getRotation().getEvery() == null) {
      return null;
    }
    Instant last = parse(status.getLastRotatedAt() != null ? status.getLastRotatedAt() : status.getIssuedAt());
    if (last == null) {
      return null;
    }
    Duration every = GoDuration.parse(spec.getRotation().getEvery());
    return seconds(last.plus(every).plus(jitter(every, uid)));
  }

  /** Whether the key in the Secret was last issued, reset or replaced before {@code moment}. */
  static boolean rotatedBefore(ApiKeyStatus status, Instant moment) {
    return (status.getLastRotatedAt() != null || status.getIssuedAt() != null) && !status.rotatedSince(moment);
  }

  /**
   * A fixed offset per ApiKey (from its uid) in [0, min(every / 20, 1h)): keys created in one apply are rotated over
   * an hour, not in the same second.
   */
  static Duration jitter(Duration every, String uid) {
    long window = Math.min(every.toSeconds() / 20, MAX_ROTATION_JITTER.toSeconds());
    if (window <= 0 || uid == null) {
      return Duration.ZERO;
    }
    long mixed = uid.hashCode() * 0x9E3779B97F4A7C15L;
    return Duration.ofSeconds(Math.floorMod(mixed ^ (mixed >>> 29), window));
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
