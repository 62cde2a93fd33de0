package com.idmelon.operator.reconciler;

import static com.idmelon.operator.support.OperatorHarness.apiKey;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.idmelon.operator.crd.v1alpha1.ApiKey;
import com.idmelon.operator.idmelon.KeyType;
import com.idmelon.operator.support.MovableClock;
import com.idmelon.operator.support.OperatorHarness;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** With the clock moved by months, a 90-day key renews at day 60 and not a minute before. */
class MovedClockTest {
  private static final MovableClock CLOCK = new MovableClock(Instant.parse("2026-11-27T12:00:00Z"));
  @RegisterExtension
  static final OperatorHarness harness = OperatorHarness.shared(CLOCK);

  @Test
  void ninetyDayKeyRenewsOneThirdBeforeItsEnd() {
    String ns = harness.newNamespace();
    ApiKey wanted = apiKey(ns, "quarterly", KeyType.Clients);
    wanted.getSpec().setDuration("2160h");
    harness.create(wanted);
    ApiKey issued = harness.awaitReady(ns, "quarterly", true, Reasons.ISSUED);
    assertEquals("2027-02-25T12:00:00Z", issued.getStatus().getExpiresAt());
    assertEquals("2027-01-26T12:00:00Z", issued.getStatus().getRenewalTime(), "default renewBefore: a third");

    CLOCK.advance(Duration.ofDays(60).minusMinutes(1));
    harness.touch(ns, "quarterly");
    assertEquals(issued.getStatus().getKeyId(), harness.get(ns, "quarterly").getStatus().getKeyId(), "not before");

    CLOCK.advance(Duration.ofMinutes(1));
    harness.touch(ns, "quarterly");
    ApiKey renewed = harness.awaitReady(ns, "quarterly", true, Reasons.RENEWED);
    assertEquals("2027-04-26T12:00:00Z", renewed.getStatus().getExpiresAt());
  }
}
