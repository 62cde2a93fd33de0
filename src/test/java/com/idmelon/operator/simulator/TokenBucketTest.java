package com.idmelon.operator.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The simulator's request limit on a clock the test moves: burst, refill, the wait, and the Retry-After it gives. */
class TokenBucketTest {

  @Test
  void aFullBucketAdmitsItsBurstThenTellsTheWaitForTheNextToken() {
    TokenBucket bucket = new TokenBucket(10, 10, 0);
    for (int i = 0; i < 10; i++) {
      assertEquals(Duration.ZERO, bucket.take(0), "request " + (i + 1) + " of the burst");
    }
    assertEquals(Duration.ofMillis(100), bucket.take(0));
    assertEquals(Duration.ofMillis(40), bucket.take(60_000_000L), "refilled for 60 ms: 40 ms to go");
    assertEquals(Duration.ZERO, bucket.take(100_000_000L), "one token after 100 ms");
    assertEquals(Duration.ofMillis(100), bucket.take(100_000_000L));
  }

  @Test
  void anIdleBucketSavesNoMoreThanItsBurst() {
    TokenBucket bucket = new TokenBucket(10, 3, 0);
    long later = Duration.ofMinutes(5).toNanos();
    for (int i = 0; i < 3; i++) {
      assertEquals(Duration.ZERO, bucket.take(later));
    }
    assertEquals(Duration.ofMillis(100), bucket.take(later));
  }

  @Test
  void retryAfterIsWholeSecondsRoundedUpAndNeverZero() {
    assertEquals(1, TokenBucket.retryAfterSeconds(Duration.ofMillis(1)));
    assertEquals(1, TokenBucket.retryAfterSeconds(Duration.ofMillis(100)));
    assertEquals(2, TokenBucket.retryAfterSeconds(Duration.ofSeconds(2)));
    assertEquals(3, TokenBucket.retryAfterSeconds(Duration.ofMillis(2001)));
    assertEquals(1, TokenBucket.retryAfterSeconds(Duration.ZERO));
  }
}
