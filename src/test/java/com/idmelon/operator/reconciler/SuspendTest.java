package com.idmelon.operator.reconciler;

import static com.idmelon.operator.support.OperatorHarness.apiKey;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.idmelon.operator.crd.v1alpha1.ApiKey;
import com.idmelon.operator.crd.v1alpha1.Conditions;
import com.idmelon.operator.crd.v1alpha1.Rotation;
import com.idmelon.operator.idmelon.KeyType;
import com.idmelon.operator.support.MovableClock;
import com.idmelon.operator.support.OperatorHarness;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * spec.suspend freezes an ApiKey during an incident: nothing issued, rotated, renewed or repaired, expiry still
 * reported, deletion as usual; what fell due meanwhile is done once after resuming.
 */
class SuspendTest {
  private static final MovableClock CLOCK = new MovableClock(Instant.parse("2026-11-27T12:00:00Z"));
  @RegisterExtension
  static final OperatorHarness harness = OperatorHarness.shared(CLOCK);

  private static void suspend(String ns, String name, boolean suspend) {
    OperatorHarness.retryOnConflict(() -> harness.client.resources(ApiKey.class).inNamespace(ns).withName(name)
        .edit(k -> {
          k.getSpec().setSuspend(suspend);
          return k;
        }));
  }

  private static Optional<Condition> suspended(String ns, String name) {
    return harness.get(ns, name).getStatus().condition(Conditions.SUSPENDED);
  }

  @Test
  void everyTriggerWaitsWhileSuspendedAndIsActedOnOnceAfterResuming() {
    String ns = harness.newNamespace();
    ApiKey wanted = apiKey(ns, "frozen", KeyType.Admin);
    wanted.getSpec().setDuration("2160h");
    Rotation rotation = new Rotation();
    rotation.setEvery("720h");
    wanted.getSpec().setRotation(rotation);
    harness.create(wanted);
    ApiKey issued = harness.awaitReady(ns, "frozen", true, Reasons.ISSUED);

    suspend(ns, "frozen", true);
    await().atMost(10, TimeUnit.SECONDS).until(() -> suspended(ns, "frozen").isPresent());
    harness.simulator().clearRequests();
    // a reset annotation, a deleted Secret, a scheduled rotation and a renewal all fall due
    OperatorHarness.retryOnConflict(() -> harness.client.resources(ApiKey.class).inNamespace(ns).withName("frozen").edit(k -> {
      k.getMetadata().getAnnotations().put(ApiKey.RESET_ANNOTATION, "incident-1");
      return k;
    }));
    harness.client.secrets().inNamespace(ns).withName("frozen").delete();
    CLOCK.advance(Duration.ofDays(61)); // past the schedule (30 days) and the renewal (60 days)
    OperatorHarness.retryOnConflict(() -> harness.client.resources(ApiKey.class).inNamespace(ns).withName("frozen").edit(k -> {
      k.getMetadata().getAnnotations().put("example.com/touch", "1");
      return k;
    }));
    await().atMost(10, TimeUnit.SECONDS).until(() -> suspended(ns, "frozen")
        .map(c -> c.getMessage().contains("reset annotation changed to 'incident-1'")).orElse(false));
    harness.awaitSettled();
    ApiKey frozen = harness.get(ns, "frozen");
    assertEquals("True", suspended(ns, "frozen").orElseThrow().getStatus());
    assertEquals(issued.getStatus().getFingerprint(), frozen.getStatus().getFingerprint(), "nothing rotated");
    assertEquals(Optional.empty(), Optional.ofNullable(harness.client.secrets().inNamespace(ns).withName("frozen").get()),
        "nothing repaired");
    assertTrue(harness.simulator().requests().stream().noneMatch(r -> r.isMutating()), "no IDmelon call");

    // expiry is still reported: a renewing key that is not renewed becomes ExpiringSoon, then Expired
    CLOCK.advance(Duration.ofDays(25));
    harness.touch(ns, "frozen");
    harness.awaitReady(ns, "frozen", true, Reasons.EXPIRING_SOON);

    suspend(ns, "frozen", false);
    // one Replace serves them all: a Reset would keep the expiry that the renewal must move
    ApiKey resumed = harness.awaitReady(ns, "frozen", true, Reasons.REPLACED);
    harness.awaitSettled();
    resumed = harness.get(ns, "frozen");
    assertEquals("incident-1", resumed.getStatus().getLastReset());
    assertTrue(suspended(ns, "frozen").isEmpty(), "the Suspended condition is gone");
    assertEquals(1L, harness.simulator().counts().getOrDefault("reset", 0L)
        + harness.simulator().counts().getOrDefault("create", 0L), "all that fell due is one rotation");
    assertTrue(Instant.parse(resumed.getStatus().getNextRotationAt()).isAfter(CLOCK.instant().plus(Duration.ofDays(29))),
        "the schedule restarts from it");
    harness.assertOneWorkingKey(ns, "frozen");
  }

  @Test
  void aReplacedKeyStillDiesAtTheEndOfItsGracePeriodWhileSuspended() {
    String ns = harness.newNamespace();
    ApiKey graceful = apiKey(ns, "graceful", KeyType.Clients);
    Rotation rotation = new Rotation();
    rotation.setGracePeriod("1h");
    graceful.getSpec().setRotation(rotation);
    harness.create(graceful);
    String oldKey = harness.awaitReady(ns, "graceful", true, Reasons.ISSUED).getStatus().getKeyId();
    OperatorHarness.retryOnConflict(() -> harness.client.resources(ApiKey.class).inNamespace(ns).withName("graceful").edit(k -> {
      k.getMetadata().getAnnotations().put(ApiKey.RESET_ANNOTATION, "r1");
      return k;
    }));
    harness.awaitReady(ns, "graceful", true, Reasons.REPLACED);
    assertTrue(harness.simulator().key(oldKey).isPresent(), "the old key lives through its grace period");
    suspend(ns, "graceful", true);
    await().atMost(10, TimeUnit.SECONDS).until(() -> suspended(ns, "graceful").isPresent());
    CLOCK.advance(Duration.ofMinutes(61));
    harness.touch(ns, "graceful");
    await().atMost(10, TimeUnit.SECONDS).until(() -> harness.simulator().key(oldKey).isEmpty());
    assertTrue(harness.get(ns, "graceful").getStatus().retiringOrEmpty().isEmpty());
  }

  @Test
  void aSuspendedNewApiKeyIssuesNothingAndDeletingASuspendedOneStillRevokes() {
    String ns = harness.newNamespace();
    ApiKey paused = apiKey(ns, "paused", KeyType.Clients);
    paused.getSpec().setSuspend(true);
    harness.create(paused);
    ApiKey waiting = harness.awaitReady(ns, "paused", false, Reasons.SUSPENDED);
    assertNull(waiting.getStatus().getKeyId());
    assertTrue(suspended(ns, "paused").orElseThrow().getMessage().contains("no key was issued yet"));

    harness.create(apiKey(ns, "live", KeyType.Clients));
    String keyId = harness.awaitReady(ns, "live", true, Reasons.ISSUED).getStatus().getKeyId();
    suspend(ns, "live", true);
    await().atMost(10, TimeUnit.SECONDS).until(() -> suspended(ns, "live").isPresent());
    harness.client.resources(ApiKey.class).inNamespace(ns).withName("live").delete();
    await().atMost(15, TimeUnit.SECONDS).until(() -> harness.simulator().key(keyId).isEmpty());
    harness.client.resources(ApiKey.class).inNamespace(ns).withName("paused").delete();
    await().atMost(15, TimeUnit.SECONDS).until(() ->
        harness.client.resources(ApiKey.class).inNamespace(ns).list().getItems().isEmpty());
  }
}
