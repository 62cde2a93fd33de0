package com.idmelon.operator.simulator;

import java.time.Duration;

/**
 * A workspace's request limit as a token bucket: {@code perSecond} tokens a second, at most {@code burst} saved, one
 * spent by every request it admits. Real (monotonic) time: it limits calls, it says nothing about keys.
 */
final class TokenBucket {
  private final double perSecond;
  private final int burst;
  private double tokens;
  private long updatedNanos;

  TokenBucket(double perSecond, int burst, long nowNanos) {
    if (!(perSecond > 0) || burst < 1) {
      throw new IllegalArgumentException("a rate limit needs a rate above 0 and a burst of at least 1");
    }
    this.perSecond = perSecond;
    this.burst = burst;
    this.tokens = burst; // a workspace that was idle has its whole burst
    this.updatedNanos = nowNanos;
  }

  double perSecond() {
    return perSecond;
  }

  int burst() {
    return burst;
  }

  /** Spends a token: {@link Duration#ZERO} when there was one, else how long until the next one (nothing spent). */
  synchronized Duration take(long nowNanos) {
    if (nowNanos > updatedNanos) {
      tokens = Math.min(burst, tokens + (nowNanos - updatedNanos) / 1e9 * perSecond);
      updatedNanos = nowNanos;
    }
    if (tokens >= 1) {
      tokens -= 1;
      return Duration.ZERO;
    }
    return Duration.ofNanos((long) Math.ceil((1 - tokens) / perSecond * 1e9));
  }

  /**
   * The Retry-After for a wait: whole seconds as the header requires, rounded up, so that a client that waits as told
   * finds a token; never 0, which would invite a retry at once into the same empty bucket.
   */
  static long retryAfterSeconds(Duration wait) {
    long seconds = wait.toSeconds() + (wait.toNanosPart() > 0 ? 1 : 0);
    return Math.max(1, seconds);
  }
}
