package com.idmelon.operator.reconciler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.idmelon.operator.crd.v1alpha1.ApiKeySpec;
import com.idmelon.operator.crd.v1alpha1.ApiKeyStatus;
import com.idmelon.operator.crd.v1alpha1.Rotation;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The time rules of a key at IDmelon's precision: whole seconds, UTC. */
class KeyTimesTest {
  private static final Instant NOW = Instant.parse("2026-11-27T12:00:00.750Z");

  private static ApiKeySpec spec(String expiresAt, String duration, String renewBefore) {
    ApiKeySpec spec = new ApiKeySpec();
    spec.setExpiresAt(expiresAt);
    spec.setDuration(duration);
    spec.setRenewBefore(renewBefore);
    return spec;
  }

  private static ApiKeyStatus expiring(String expiresAt) {
    ApiKeyStatus status = new ApiKeyStatus();
    status.setExpiresAt(expiresAt);
    return status;
  }

  @Test
  void aFixedExpiryIsIssuedInWholeSecondsUtc() {
    assertEquals(Instant.parse("2030-03-14T09:26:53Z"),
        KeyTimes.expiryFor(spec("2030-03-14T11:26:53.589+02:00", null, null), NOW));
  }

  @Test
  void aDurationCountsFromNowInWholeSeconds() {
    assertEquals(Instant.parse("2026-11-27T13:30:00Z"), KeyTimes.expiryFor(spec(null, "1h30m", null), NOW));
  }

  @Test
  void noExpiryMeansNone() {
    assertNull(KeyTimes.expiryFor(spec(null, null, null), NOW));
    assertFalse(KeyTimes.expiryChanged(spec(null, null, null), expiring("2030-01-01T00:00:00Z")));
  }

  @Test
  void anExpiryChangesOnlyToAnotherSecond() {
    assertFalse(KeyTimes.expiryChanged(spec("2030-03-14T09:26:53.999Z", null, null), expiring("2030-03-14T09:26:53Z")));
    assertTrue(KeyTimes.expiryChanged(spec("2030-03-14T09:26:54Z", null, null), expiring("2030-03-14T09:26:53Z")));
    assertTrue(KeyTimes.expiryChanged(spec("2030-03-14T09:26:53Z", null, null), expiring(null)),
        "a never-expiring key asked to expire");
  }

  @Test
  void renewalDefaultsToAThirdBeforeTheEnd() {
    assertEquals(Instant.parse("2026-12-01T00:00:00Z"),
        KeyTimes.renewalTime(spec(null, "72h", null), expiring("2026-12-02T00:00:00Z")));
  }

  @Test
  void renewBeforeSetsTheRenewalTime() {
    assertEquals(Instant.parse("2026-12-01T22:00:00Z"),
        KeyTimes.renewalTime(spec(null, "72h", "2h"), expiring("2026-12-02T00:00:00Z")));
  }

  @Test
  void onlyDurationKeysAreRenewed() {
    assertNull(KeyTimes.renewalTime(spec("2026-12-02T00:00:00Z", null, null), expiring("2026-12-02T00:00:00Z")));
    assertFalse(KeyTimes.renewalDue(spec(null, null, null), expiring("2020-01-01T00:00:00Z"), NOW));
  }

  @Test
  void renewalIsDueFromItsInstantOn() {
    ApiKeySpec spec = spec(null, "3h", null);
    assertTrue(KeyTimes.renewalDue(spec, expiring("2026-11-27T13:00:00Z"), Instant.parse("2026-11-27T12:00:00Z")));
    assertFalse(KeyTimes.renewalDue(spec, expiring("2026-11-27T13:00:00Z"), Instant.parse("2026-11-27T11:59:59Z")));
  }

  @Test
  void theGracePeriodDefaultsToZero() {
    assertEquals(Duration.ZERO, KeyTimes.gracePeriod(spec(null, null, null)));
    ApiKeySpec withGrace = spec(null, null, null);
    Rotation rotation = new Rotation();
    rotation.setGracePeriod("10m");
    withGrace.setRotation(rotation);
    assertEquals(Duration.ofMinutes(10), KeyTimes.gracePeriod(withGrace));
  }

  @Test
  void theCallWindowCoversSkewTimeoutAndLateCompletion() {
    Instant started = Instant.parse("2026-11-27T12:00:00Z");
    Duration timeout = Duration.ofSeconds(30);
    assertTrue(KeyTimes.inCallWindow(started.minus(Duration.ofMinutes(2)), started, timeout), "skew before");
    assertFalse(KeyTimes.inCallWindow(started.minus(Duration.ofMinutes(2)).minusSeconds(1), started, timeout));
    Instant last = started.plus(timeout).plus(Duration.ofMinutes(3));
    assertTrue(KeyTimes.inCallWindow(last, started, timeout), "timeout + late completion + skew");
    assertFalse(KeyTimes.inCallWindow(last.plusSeconds(1), started, timeout));
    assertFalse(KeyTimes.inCallWindow(null, started, timeout), "a key without a creation time is never provable");
  }

  @Test
  void aLongerRequestTimeoutWidensTheCallWindow() {
    Instant started = Instant.parse("2026-11-27T12:00:00Z");
    Instant late = started.plus(Duration.ofMinutes(10));
    assertFalse(KeyTimes.inCallWindow(late, started, Duration.ofSeconds(30)));
    assertTrue(KeyTimes.inCallWindow(late, started, Duration.ofMinutes(10)));
  }

  @Test
  void untilIsNeverNegativeAndNullWithoutAnInstant() {
    assertEquals(Duration.ZERO, KeyTimes.until(NOW.minusSeconds(5), NOW));
    assertEquals(Duration.ofMillis(5001), KeyTimes.until(NOW.plusSeconds(5), NOW));
    assertNull(KeyTimes.until(null, NOW));
  }

  @Test
  void earliestIgnoresAMissingInstant() {
    Instant a = Instant.parse("2026-01-01T00:00:00Z");
    Instant b = Instant.parse("2026-01-02T00:00:00Z");
    assertEquals(a, KeyTimes.earliest(a, b));
    assertEquals(a, KeyTimes.earliest(b, a));
    assertEquals(b, KeyTimes.earliest(null, b));
    assertEquals(a, KeyTimes.earliest(a, null));
  }

  @Test
  void formatWritesWholeSecondsUtcAndParseReadsAnyOffset() {
    assertEquals("2026-11-27T12:00:00Z", KeyTimes.format(NOW));
    assertEquals(Instant.parse("2030-03-14T09:26:53Z"), KeyTimes.parse("2030-03-14T11:26:53+02:00"));
    assertNull(KeyTimes.format(null));
    assertNull(KeyTimes.parse(null));
  }

  @Test
  void theScheduleCountsFromTheLastRotationWithAFixedJitterPerApiKey() {
    ApiKeySpec spec = new ApiKeySpec();
    Rotation rotation = new Rotation();
    rotation.setEvery("720h");
    spec.setRotation(rotation);
    ApiKeyStatus status = new ApiKeyStatus();
    status.setIssuedAt("2026-11-01T00:00:00Z");
    Instant first = KeyTimes.rotationTime(spec, status, "uid-a");
    Instant base = Instant.parse("2026-12-01T00:00:00Z");
    assertTrue(!first.isBefore(base) && first.isBefore(base.plusSeconds(3600)), "within the hour after: " + first);
    assertEquals(first, KeyTimes.rotationTime(spec, status, "uid-a"), "the same every time: from the status alone");
    status.setLastRotatedAt("2026-11-20T00:00:00Z");
    assertEquals(first.plus(Duration.ofDays(19)), KeyTimes.rotationTime(spec, status, "uid-a"));
    java.util.Set<Instant> spread = new java.util.HashSet<>();
    for (int i = 0; i < 100; i++) {
      spread.add(KeyTimes.rotationTime(spec, status, java.util.UUID.randomUUID().toString()));
    }
    assertTrue(spread.size() > 90, "keys created together are spread: " + spread.size() + " distinct times");
    rotation.setEvery("2h");
    status.setLastRotatedAt("2026-11-20T00:00:00Z");
    Instant shortOne = KeyTimes.rotationTime(spec, status, "uid-a");
    assertTrue(shortOne.isBefore(Instant.parse("2026-11-20T02:06:00Z")), "a twentieth of a short interval at most");
    spec.setRotation(null);
    assertEquals(null, KeyTimes.rotationTime(spec, status, "uid-a"));
  }
}
