package com.idmelon.operator.idmelon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** How the pace learns a workspace's limit from its 429s and hands out turns, on a clock the test moves. */
class RequestPaceTest {
  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
  private final RequestPace pace = new RequestPace(nanos::get);

  private void advance(Duration by) {
    nanos.addAndGet(by.toNanos());
  }

  @Test
  void unknownLimitSpacesNothingButARetryAfterIsWaitedFor() {
    assertEquals(new RequestPace.Turn(true, Duration.ZERO), pace.take(Duration.ofSeconds(5), Duration.ZERO));
    assertEquals(new RequestPace.Turn(true, Duration.ZERO), pace.take(Duration.ofSeconds(5), Duration.ZERO));
    assertEquals(new RequestPace.Turn(true, Duration.ofSeconds(1)),
        pace.take(Duration.ofSeconds(5), Duration.ofSeconds(1)), "queued until the Retry-After ends");
    assertEquals(new RequestPace.Turn(false, Duration.ofSeconds(7)),
        pace.take(Duration.ofSeconds(5), Duration.ofSeconds(7)), "too far: refused, with when to come back");
  }

  @Test
  void twoEmptyBucketsGiveTheRateAndTurnsAreSpacedAtIt() {
    pace.limited(nanos.get()); // the bucket was empty here
    advance(Duration.ofSeconds(1));
    for (int i = 0; i < 10; i++) {
      pace.admitted();
    }
    pace.limited(nanos.get()); // and here again: 10 admitted in 1 s
    assertEquals(10, pace.perSecond(), 1e-9);
    Duration interval = Duration.ofMillis(100);
    assertEquals(Duration.ZERO, pace.take(Duration.ofSeconds(5), Duration.ZERO).delay());
    assertEquals(interval, pace.take(Duration.ofSeconds(5), Duration.ZERO).delay());
    assertEquals(interval.multipliedBy(2), pace.take(Duration.ofSeconds(5), Duration.ZERO).delay());
    RequestPace.Turn far = pace.take(interval, Duration.ZERO);
    assertFalse(far.granted(), "the fourth turn is three intervals away");
    assertEquals(interval.multipliedBy(3), far.delay());
    assertEquals(interval.multipliedBy(3), pace.take(Duration.ofSeconds(5), Duration.ZERO).delay(),
        "a refused turn reserved nothing");
  }

  @Test
  void everySecondOfDemandWithoutA429RaisesThePace() {
    pace.limited(nanos.get());
    advance(Duration.ofSeconds(1));
    for (int i = 0; i < 4; i++) {
      pace.admitted();
    }
    pace.limited(nanos.get());
    assertEquals(4, pace.perSecond(), 1e-9);
    advance(Duration.ofSeconds(1));
    pace.take(Duration.ofSeconds(5), Duration.ZERO);
    assertEquals(4 * RequestPace.GROWTH, pace.perSecond(), 1e-9, "a raised limit is found");
    pace.take(Duration.ofSeconds(5), Duration.ZERO);
    assertEquals(4 * RequestPace.GROWTH, pace.perSecond(), 1e-9, "once a second, not once a request");
  }

  @Test
  void a429ToARequestSentBeforeTheLastOneIsNotANewMeasure() {
    long sentEarly = nanos.get();
    pace.limited(sentEarly);
    advance(Duration.ofMillis(20));
    pace.limited(sentEarly); // in flight while the first 429 came back: the same empty bucket
    assertEquals(0, pace.perSecond(), "one measure is not a rate");
  }

  @Test
  void aLearnedRateIsForgottenWhenNo429ConfirmsItForAMinute() {
    pace.limited(nanos.get());
    advance(Duration.ofSeconds(2));
    pace.admitted();
    pace.admitted();
    pace.limited(nanos.get());
    assertTrue(pace.perSecond() > 0);
    advance(RequestPace.FORGET_AFTER.plusSeconds(1));
    assertEquals(Duration.ZERO, pace.take(Duration.ofSeconds(5), Duration.ZERO).delay());
    assertEquals(Duration.ZERO, pace.take(Duration.ofSeconds(5), Duration.ZERO).delay(), "no spacing any more");
    assertEquals(0, pace.perSecond());
  }
}
