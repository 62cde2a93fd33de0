package com.idmelon.operator.idmelon;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Paces one workspace's requests to the rate IDmelon admits, so that onboarding many keys uses the limit instead of
 * bouncing off it. The rate is learned from 429s: each 429 to a request sent after the previous one says the
 * workspace's bucket was empty at that moment, so the requests IDmelon admitted between two such 429s, divided by
 * the time between them, is the rate it refills at (a lower bound: exact while the operator had work waiting and the
 * bucket never overflowed). Requests are then spaced at that rate, raised by {@link #GROWTH} for every second of
 * demand without a 429, which finds a raised limit, drains a bucket saved up during a Retry-After, and brings the next
 * 429, and so the next measure, every few seconds of sustained load. Until two 429s were seen, and again after
 * {@link #FORGET_AFTER} without one, requests are not spaced at all.
 *
 * <p>A request takes a turn ({@link #take}): the next free slot, never before a running Retry-After ends. A turn
 * close enough is waited for by the caller (requests queue rather than fail); a farther one is refused, and the
 * caller comes back when it is due. Real (monotonic) time: this paces calls and decides nothing about keys.
 */
final class RequestPace {
  /** How much faster the pace gets for each second of demand without a 429. */
  static final double GROWTH = 1.1;
  /** A learned rate not confirmed by a 429 for this long is dropped: the limit may have been raised. */
  static final Duration FORGET_AFTER = Duration.ofSeconds(60);
  /** Below this the measure is noise (a workspace allowing less than a request a minute is not served anyway). */
  private static final double MIN_PER_SECOND = 1.0 / 60;

  private final LongSupplier nanoTime;
  private long emptyAt = Long.MIN_VALUE; // nanoTime of the last 429 that was a measure
  private long admittedThen;
  private long admitted;
  private long grownAt;
  private double perSecond; // 0: not known, not spaced
  private long nextFree = Long.MIN_VALUE;

  RequestPace(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
  }

  /** A turn to send: granted, at {@code delay} from now (reserved), or refused, due in {@code delay}. */
  record Turn(boolean granted, Duration delay) {}

  long now() {
    return nanoTime.getAsLong();
  }

  /**
   * Takes the next turn if it is at most {@code maxWait} away; {@code closedFor} is what remains of a Retry-After.
   * A refused turn reserves nothing.
   */
  synchronized Turn take(Duration maxWait, Duration closedFor) {
    long now = now();
    forgetIfStale(now);
    long at = Math.max(now + Math.max(0, closedFor.toNanos()), nextFree);
    if (at - now > maxWait.toNanos()) {
      return new Turn(false, Duration.ofNanos(at - now));
    }
    if (perSecond > 0) {
      if (now - grownAt >= 1_000_000_000L) {
        perSecond *= GROWTH;
        grownAt = now;
      }
      nextFree = at + (long) (1e9 / perSecond);
    }
    return new Turn(true, Duration.ofNanos(at - now));
  }

  /** IDmelon answered (anything but 429): the request spent a token. */
  synchronized void admitted() {
    admitted++;
  }

  /** IDmelon answered 429 to a request sent at {@code sentAt} ({@link #now()}). */
  synchronized void limited(long sentAt) {
    long now = now();
    if (emptyAt != Long.MIN_VALUE && sentAt <= emptyAt) {
      return; // sent before the last 429 was known: the same empty bucket, not a new measure
    }
    // nothing admitted in between measures nothing: the Retry-After alone says when to come back
    if (emptyAt != Long.MIN_VALUE && now > emptyAt && admitted > admittedThen) {
      perSecond = Math.max(MIN_PER_SECOND, (admitted - admittedThen) / ((now - emptyAt) / 1e9));
      grownAt = now;
    }
    emptyAt = now;
    admittedThen = admitted;
  }

  /** Requests a second the pace lets through; 0 while it does not know the limit. */
  synchronized double perSecond() {
    return perSecond;
  }

  private void forgetIfStale(long now) {
    if (emptyAt != Long.MIN_VALUE && now - emptyAt > FORGET_AFTER.toNanos()) {
      emptyAt = Long.MIN_VALUE;
      perSecond = 0;
      nextFree = Long.MIN_VALUE;
    }
  }
}
