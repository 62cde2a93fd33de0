package com.idmelon.operator.reconciler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.idmelon.operator.crd.v1alpha1.ApiKeySpec;
import com.idmelon.operator.crd.v1alpha1.ApiKeyStatus;
import com.idmelon.operator.crd.v1alpha1.Conditions;
import com.idmelon.operator.idmelon.KeyType;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The Ready condition of an issued key and when the operator looks at it again. */
class ReadinessTest {
  private static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");

  private static ApiKeySpec spec(String duration) {
    ApiKeySpec spec = new ApiKeySpec();
    spec.setName("Key");
    spec.setType(KeyType.Clients);
    spec.setDuration(duration);
    return spec;
  }

  private static ApiKeyStatus status(String expiresAt) {
    ApiKeyStatus status = new ApiKeyStatus();
    status.setKeyId("k_1");
    status.setSecretName("s");
    status.setExpiresAt(expiresAt);
    return status;
  }

  @Test
  void anExpiredKeyIsNotReady() {
    Outcome outcome = Readiness.of(spec(null), status("2026-11-27T12:00:00Z"), null, null, NOW);
    assertFalse(outcome.ready());
    assertEquals(Reasons.EXPIRED, outcome.reason());
    assertNull(outcome.wakeUp(), "nothing more happens by itself");
  }

  @Test
  void aNeverExpiringKeyIsReadyAndAdvisedToExpire() {
    Outcome outcome = Readiness.of(spec(null), status(null), Reasons.ISSUED, null, NOW);
    assertTrue(outcome.ready());
    assertTrue(outcome.message().contains("never expires"), outcome.message());
    assertNull(outcome.wakeUp());
  }

  @Test
  void aFixedExpiryWithinSevenDaysIsExpiringSoonAndWakesAtTheExpiry() {
    Outcome outcome = Readiness.of(spec(null), status("2026-12-01T12:00:00Z"), null, null, NOW);
    assertTrue(outcome.ready());
    assertEquals(Reasons.EXPIRING_SOON, outcome.reason());
    assertEquals(Duration.ofDays(4).plusMillis(1), outcome.wakeUp());
  }

  @Test
  void aFarExpiryWakesWhenExpiringSoonBegins() {
    Outcome outcome = Readiness.of(spec(null), status("2026-12-24T12:00:00Z"), Reasons.ISSUED, null, NOW);
    assertEquals(Reasons.ISSUED, outcome.reason());
    assertEquals(Duration.ofDays(20).plusMillis(1), outcome.wakeUp());
  }

  @Test
  void anExpiryMovedAwayEndsExpiringSoon() {
    ApiKeyStatus status = status("2027-06-01T00:00:00Z");
    Conditions.set(status, Conditions.READY, true, Reasons.EXPIRING_SOON, "m", 1L, NOW);
    assertEquals(Reasons.ISSUED, Readiness.of(spec(null), status, null, null, NOW).reason());
  }

  @Test
  void aRenewedKeyNamesItsRenewalAndWakesForIt() {
    Outcome outcome = Readiness.of(spec("72h"), status("2026-11-30T12:00:00Z"), Reasons.RENEWED, null, NOW);
    assertEquals(Reasons.RENEWED, outcome.reason());
    assertTrue(outcome.message().contains("renewed at 2026-11-29T12:00:00Z"), outcome.message());
    assertEquals(Duration.ofDays(2).plusMillis(1), outcome.wakeUp());
  }

  @Test
  void theNextRetirementWakesEarlierThanTheExpiry() {
    Outcome outcome = Readiness.of(spec(null), status("2027-06-01T00:00:00Z"), null, NOW.plusSeconds(600), NOW);
    assertEquals(Duration.ofSeconds(600).plusMillis(1), outcome.wakeUp());
  }

  @Test
  void withoutAnActionThePreviousReasonStays() {
    ApiKeyStatus status = status(null);
    Conditions.set(status, Conditions.READY, true, Reasons.RESET, "m", 1L, NOW);
    assertEquals(Reasons.RESET, Readiness.of(spec(null), status, null, null, NOW).reason());
    assertEquals(Reasons.REPLACED, Readiness.of(spec(null), status, Reasons.REPLACED, null, NOW).reason());
  }
}
