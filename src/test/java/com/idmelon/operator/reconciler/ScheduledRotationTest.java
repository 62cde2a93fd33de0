package com.idmelon.operator.reconciler;

import static com.idmelon.operator.support.OperatorHarness.apiKey;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.idmelon.operator.crd.v1alpha1.ApiKey;
import com.idmelon.operator.crd.v1alpha1.Rotation;
import com.idmelon.operator.idmelon.KeyType;
import com.idmelon.operator.support.MovableClock;
import com.idmelon.operator.support.OperatorHarness;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * spec.rotation.every, with the clock moved: due once per interval and not a second before, one catch-up rotation
 * after a downtime, and many keys due together rotated a few at a time per workspace.
 */
class ScheduledRotationTest {
  private static final MovableClock CLOCK = new MovableClock(Instant.parse("2026-11-27T12:00:00Z"));
  @RegisterExtension
  static final OperatorHarness harness = OperatorHarness.shared(CLOCK);

  private static ApiKey every(String ns, String name, KeyType type, String interval) {
    ApiKey apiKey = apiKey(ns, name, type);
    Rotation rotation = new Rotation();
    rotation.setEvery(interval);
    apiKey.getSpec().setRotation(rotation);
    return apiKey;
  }

  @Test
  void anAdminKeyIsResetOncePerIntervalAndNotASecondBefore() {
    String ns = harness.newNamespace();
    harness.create(every(ns, "monthly", KeyType.Admin, "720h"));
    ApiKey issued = harness.awaitReady(ns, "monthly", true, Reasons.ISSUED);
    Instant due = Instant.parse(issued.getStatus().getNextRotationAt());
    Instant issuedAt = Instant.parse(issued.getStatus().getIssuedAt());
    assertTrue(!due.isBefore(issuedAt.plus(Duration.ofHours(720)))
        && due.isBefore(issuedAt.plus(Duration.ofHours(721))), "720h after the issue, within its jitter: " + due);

    CLOCK.advance(Duration.between(CLOCK.instant(), due).minusSeconds(1));
    harness.touch(ns, "monthly");
    assertEquals(issued.getStatus().getFingerprint(), harness.get(ns, "monthly").getStatus().getFingerprint(),
        "not a second before");

    CLOCK.advance(Duration.ofSeconds(1));
    harness.touch(ns, "monthly");
    ApiKey reset = harness.awaitReady(ns, "monthly", true, Reasons.RESET);
    assertEquals(issued.getStatus().getKeyId(), reset.getStatus().getKeyId(), "an Admin key is reset in place");
    assertNotEquals(issued.getStatus().getFingerprint(), reset.getStatus().getFingerprint());
    Duration jitter = Duration.between(issuedAt.plus(Duration.ofHours(720)), due); // this ApiKey's own, fixed
    assertEquals(due.plus(Duration.ofHours(720)).plus(jitter), Instant.parse(reset.getStatus().getNextRotationAt()),
        "the next one an interval after this one");
    harness.awaitSettled();
    harness.touch(ns, "monthly");
    assertEquals(reset.getStatus().getFingerprint(), harness.get(ns, "monthly").getStatus().getFingerprint(),
        "once per interval");
    harness.assertOneWorkingKey(ns, "monthly");
  }

  @Test
  void afterADowntimeOfThreeIntervalsTheKeyIsRotatedOnceNotThreeTimes() {
    String ns = harness.newNamespace();
    harness.create(every(ns, "weekly", KeyType.Clients, "168h"));
    ApiKey issued = harness.awaitReady(ns, "weekly", true, Reasons.ISSUED);
    harness.stopOperator();
    CLOCK.advance(Duration.ofDays(22));
    harness.simulator().clearRequests();
    harness.startOperator(Checkpoints.NONE);
    await().atMost(30, TimeUnit.SECONDS).until(() ->
        !issued.getStatus().getKeyId().equals(harness.get(ns, "weekly").getStatus().getKeyId()));
    harness.awaitSettled();
    ApiKey rotated = harness.get(ns, "weekly");
    assertEquals(1L, harness.simulator().counts().getOrDefault("create", 0L), "one catch-up rotation");
    assertTrue(Instant.parse(rotated.getStatus().getNextRotationAt()).isAfter(CLOCK.instant().plus(Duration.ofDays(6))),
        "the schedule restarts from the catch-up: " + rotated.getStatus().getNextRotationAt());
    harness.assertOneWorkingKey(ns, "weekly");
  }

  @Test
  void manyKeysDueTogetherAreRotatedAFewAtATimeInTheirWorkspace() {
    String ns = harness.newNamespace();
    List<String> names = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      names.add("hourly-" + i);
      harness.create(every(ns, "hourly-" + i, KeyType.Admin, "1h"));
    }
    List<String> fingerprints = new ArrayList<>();
    for (String name : names) {
      fingerprints.add(harness.awaitReady(ns, name, true, Reasons.ISSUED).getStatus().getFingerprint());
    }
    harness.simulator().faults().latency(Duration.ofMillis(150), Duration.ofMillis(150));
    try {
      harness.simulator().clearRequests();
      CLOCK.advance(Duration.ofHours(2)); // every one is due, jitter included
      for (String name : names) { // all at once: the operator sees twelve due rotations together
        OperatorHarness.retryOnConflict(() -> harness.client.resources(ApiKey.class).inNamespace(ns).withName(name).edit(k -> {
          k.getMetadata().getAnnotations().put("example.com/touch", "burst");
          return k;
        }));
      }
      await().atMost(60, TimeUnit.SECONDS).until(() -> names.stream().allMatch(name ->
          !fingerprints.get(names.indexOf(name)).equals(harness.get(ns, name).getStatus().getFingerprint())));
      harness.awaitSettled();
      assertEquals(12L, harness.simulator().counts().getOrDefault("reset", 0L), "each key exactly once");
      assertTrue(harness.simulator().maxInFlight() <= 2,
          "at most 2 at once in the workspace, saw " + harness.simulator().maxInFlight());
    } finally {
      harness.simulator().faults().clear();
    }
  }
}
