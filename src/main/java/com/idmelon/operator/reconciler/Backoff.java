package com.idmelon.operator.reconciler;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with jitter per resource, without a limit on attempts: an outage of IDmelon is waited out,
 * never given up on. The delay doubles from {@code initial} to {@code max}; each is drawn between half and all of it.
 */
public final class Backoff {
  private final Duration initial;
  private final Duration max;
  private final Map<String, Integer> attempts = new ConcurrentHashMap<>();

  public Backoff(Duration initial, Duration max) {
    this.initial = initial;
    this.max = max;
  }

  /** The delay before the next attempt for {@code key}, counting this failure. */
  public Duration next(String key) {
    int attempt = attempts.merge(key, 1, Integer::sum);
    long ceiling = initial.toMillis() << Math.min(attempt - 1, 20);
    long capped = Math.min(Math.max(ceiling, 1), max.toMillis());
    long jittered = capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1);
    return Duration.ofMillis(jittered);
  }

  /** The longest delay: also the most a Retry-After may make the operator wait. */
  public Duration max() {
    return max;
  }

  public void reset(String key) {
    attempts.remove(key);
  }

  /** Forgets {@code key} and every {@code key/...} (a resource that is gone: its own backoffs must not stay). */
  public void forget(String key) {
    attempts.keySet().removeIf(k -> k.equals(key) || k.startsWith(key + "/"));
  }
}
