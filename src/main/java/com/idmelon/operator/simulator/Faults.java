package com.idmelon.operator.simulator;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Faults the simulator injects into the API-keys and statistics endpoints: added latency, a share of 5xx answers,
 * a share of 429 answers with Retry-After, a request limit (a token bucket: beyond it 429 with the Retry-After the
 * bucket computes), a share of dropped connections, or a total outage (every call 503).
 * Two faults touch only the API-keys calls: answers lost after the operation was done (the connection drops after
 * the key was created, reset or deleted), and list answers that leave keys out.
 * Settable at start-up (command-line flags) and at run time (the {@code /_simulator/faults} endpoint).
 */
public final class Faults {
  private volatile Duration minLatency = Duration.ZERO;
  private volatile Duration maxLatency = Duration.ZERO;
  private volatile double errorRate;
  private volatile double rateLimitRate;
  private volatile int retryAfterSeconds = 1;
  private volatile double dropRate;
  private volatile boolean outage;
  private volatile boolean refuseCreates;
  private volatile double loseAnswerRate;
  private volatile double listOmitRate;
  private volatile TokenBucket requestLimit;

  /** What to do with one request. */
  public enum Action {
    PASS,
    SERVER_ERROR,
    RATE_LIMIT,
    DROP
  }

  public Faults latency(Duration min, Duration max) {
    this.minLatency = min;
    this.maxLatency = max.compareTo(min) < 0 ? min : max;
    return this;
  }

  public Faults errorRate(double rate) {
    this.errorRate = rate;
    return this;
  }

  public Faults rateLimit(double rate, int retryAfterSeconds) {
    this.rateLimitRate = rate;
    this.retryAfterSeconds = retryAfterSeconds;
    return this;
  }

  /**
   * Limits the workspace's requests (every API call, lists included) to {@code perSecond} with {@code burst} saved
   * up: a request beyond it is answered 429 with a Retry-After of the seconds until the next token, rounded up.
   * A rate of 0 or less lifts the limit; a new limit starts with a full bucket.
   */
  public Faults requestLimit(double perSecond, int burst) {
    this.requestLimit = perSecond > 0 ? new TokenBucket(perSecond, Math.max(1, burst), System.nanoTime()) : null;
    return this;
  }

  /** Spends a token of the request limit: {@link Duration#ZERO} when admitted, else the wait for the next token. */
  Duration takeToken() {
    TokenBucket bucket = requestLimit;
    return bucket == null ? Duration.ZERO : bucket.take(System.nanoTime());
  }

  public Faults dropRate(double rate) {
    this.dropRate = rate;
    return this;
  }

  /**
   * A share of API-keys calls (create, reset, delete, read, list) that the simulator carries out and then drops the
   * connection without answering: what a client sees when the network path dies after the server committed. Unlike
   * {@link #dropRate(double)}, which drops before anything is done.
   */
  public Faults loseAnswerRate(double rate) {
    this.loseAnswerRate = rate;
    return this;
  }

  /**
   * On a list answered 200, the chance that each key is left out of the answer (1.0: an empty list), as a buggy or
   * truncated list would; the keys themselves stay alive.
   */
  public Faults listOmitRate(double rate) {
    this.listOmitRate = rate;
    return this;
  }

  /**
   * Creates answered 403 without creating anything, as a workspace does whose plan allows no more keys (a refusal:
   * IDmelon made nothing).
   */
  public Faults refuseCreates(boolean refuse) {
    this.refuseCreates = refuse;
    return this;
  }

  boolean refusesCreates() {
    return refuseCreates;
  }

  public Faults outage(boolean outage) {
    this.outage = outage;
    return this;
  }

  public Faults clear() {
    return latency(Duration.ZERO, Duration.ZERO).errorRate(0).rateLimit(0, 1).requestLimit(0, 0).dropRate(0).outage(false)
        .loseAnswerRate(0).listOmitRate(0).refuseCreates(false);
  }

  public int retryAfterSeconds() {
    return retryAfterSeconds;
  }

  Duration nextLatency() {
    long min = minLatency.toMillis();
    long max = maxLatency.toMillis();
    return Duration.ofMillis(max <= min ? min : ThreadLocalRandom.current().nextLong(min, max + 1));
  }

  Action next() {
    if (outage) {
      return Action.SERVER_ERROR;
    }
    double roll = ThreadLocalRandom.current().nextDouble();
    if (roll < dropRate) {
      return Action.DROP;
    }
    roll -= dropRate;
    if (roll < errorRate) {
      return Action.SERVER_ERROR;
    }
    roll -= errorRate;
    if (roll < rateLimitRate) {
      return Action.RATE_LIMIT;
    }
    return Action.PASS;
  }

  /** Whether the answer to this API-keys call is to be lost once the operation is done. */
  boolean losesAnswer() {
    double rate = loseAnswerRate;
    return rate > 0 && ThreadLocalRandom.current().nextDouble() < rate;
  }

  /** Whether this key is to be left out of this list answer. */
  boolean omitsFromList() {
    double rate = listOmitRate;
    return rate > 0 && ThreadLocalRandom.current().nextDouble() < rate;
  }

  @Override
  public String toString() {
    return "latency=" + minLatency.toMillis() + ".." + maxLatency.toMillis() + "ms errorRate=" + errorRate
        + " rateLimitRate=" + rateLimitRate + " retryAfter=" + retryAfterSeconds + "s dropRate=" + dropRate
        + " outage=" + outage + " loseAnswerRate=" + loseAnswerRate + " listOmitRate=" + listOmitRate
        + (requestLimit == null ? "" : " requestLimit=" + requestLimit.perSecond() + "/s burst " + requestLimit.burst());
  }
}
