package com.idmelon.operator.reconciler;

import static com.idmelon.operator.support.OperatorHarness.apiKey;
import static com.idmelon.operator.support.OperatorHarness.data;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.idmelon.operator.crd.v1alpha1.ApiKey;
import com.idmelon.operator.idmelon.KeyType;
import com.idmelon.operator.simulator.IdmelonSimulator;
import com.idmelon.operator.support.OperatorHarness;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Keys renew themselves before they end, and say when they are about to expire or have expired. */
class ExpiryAndRenewalTest {
  @RegisterExtension
  static final OperatorHarness harness = OperatorHarness.shared(Clock.systemUTC());

  @Test
  void keyWithDurationIsRenewedAtItsRenewalTimeAndNotBefore() {
    String ns = harness.newNamespace();
    ApiKey wanted = apiKey(ns, "renewing", KeyType.Admin);
    wanted.getSpec().setDuration("6s");
    wanted.getSpec().setRenewBefore("3s");
    harness.create(wanted);
    ApiKey first = harness.awaitReady(ns, "renewing", true, Reasons.ISSUED);
    Instant renewalTime = Instant.parse(first.getStatus().getRenewalTime());
    assertEquals(Instant.parse(first.getStatus().getExpiresAt()).minusSeconds(3), renewalTime);
    String firstId = first.getStatus().getKeyId();

    // nobody touches the ApiKey: the operator wakes itself up
    ApiKey renewed = harness.awaitReady(ns, "renewing", true, Reasons.RENEWED);
    assertNotEquals(firstId, renewed.getStatus().getKeyId(), "Admin keys renew by Replace: a new expiry needs a new key");
    Instant renewedAt = harness.simulator().requests().stream()
        .filter(r -> r.method().equals("POST") && r.status() == 201 && r.at().isAfter(Instant.parse(first.getStatus().getIssuedAt())))
        .map(IdmelonSimulator.Request::at).filter(at -> !at.isBefore(renewalTime.minusMillis(999))).findFirst().orElseThrow();
    assertFalse(renewedAt.isBefore(renewalTime), "renewed at " + renewedAt + ", not before " + renewalTime);
    assertTrue(Instant.parse(renewed.getStatus().getExpiresAt()).isAfter(Instant.parse(first.getStatus().getExpiresAt())));
    assertTrue(harness.simulator().authenticate(data(harness.secret(ns, "renewing"), "apiKey")).isPresent());
    await().atMost(10, TimeUnit.SECONDS).until(() -> harness.simulator().key(firstId).isEmpty());
  }

  @Test
  void fixedExpiryPassingMakesTheKeyExpiredUntilANewExpiryIsSet() {
    String ns = harness.newNamespace();
    ApiKey wanted = apiKey(ns, "short-lived", KeyType.Clients);
    Instant expiry = Instant.now().plusSeconds(4).truncatedTo(ChronoUnit.SECONDS);
    wanted.getSpec().setExpiresAt(expiry.toString());
    harness.create(wanted);
    harness.awaitReady(ns, "short-lived", true, Reasons.EXPIRING_SOON);
    String value = data(harness.secret(ns, "short-lived"), "apiKey");

    ApiKey expired = harness.awaitReady(ns, "short-lived", false, Reasons.EXPIRED);
    assertTrue(expired.getStatus().condition("Ready").get().getMessage().contains("spec.expiresAt"));
    assertFalse(Instant.now().isBefore(expiry), "not reported expired before its time");
    assertEquals(value, data(harness.secret(ns, "short-lived"), "apiKey"), "the Secret is left as it is");

    harness.client.resources(ApiKey.class).inNamespace(ns).withName("short-lived").edit(k -> {
      k.getSpec().setExpiresAt("2031-01-01T00:00:00Z");
      return k;
    });
    ApiKey replaced = harness.awaitReady(ns, "short-lived", true, Reasons.REPLACED);
    assertEquals("2031-01-01T00:00:00Z", replaced.getStatus().getExpiresAt());
    assertTrue(harness.simulator().authenticate(data(harness.secret(ns, "short-lived"), "apiKey")).isPresent());
  }

  @Test
  void fixedExpiryWithinSevenDaysIsReportedAsExpiringSoonByTheOperatorsOwnWakeUp() {
    String ns = harness.newNamespace();
    ApiKey wanted = apiKey(ns, "week", KeyType.SharedMobile);
    wanted.getSpec().setExpiresAt(Instant.now().plus(Duration.ofDays(7)).plusSeconds(3).truncatedTo(ChronoUnit.SECONDS).toString());
    harness.create(wanted);
    harness.awaitReady(ns, "week", true, Reasons.ISSUED);
    ApiKey soon = harness.awaitReady(ns, "week", true, Reasons.EXPIRING_SOON);
    assertTrue(soon.getStatus().condition("Ready").get().getMessage().contains("set a later spec.expiresAt"));
  }
}
