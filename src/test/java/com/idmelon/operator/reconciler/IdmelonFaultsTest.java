package com.idmelon.operator.reconciler;

import static com.idmelon.operator.support.OperatorHarness.apiKey;
import static com.idmelon.operator.support.OperatorHarness.data;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.idmelon.operator.idmelon.KeyType;
import com.idmelon.operator.simulator.IdmelonSimulator;
import com.idmelon.operator.support.OperatorHarness;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Rate limits, flaky answers and parallelism, counted at the simulator. */
class IdmelonFaultsTest {

  @Test
  void noRequestReachesIdmelonBeforeItsRetryAfterElapses() throws Exception {
    // one reconcile at a time, so that requests are strictly one after the other
    try (OperatorHarness harness = new OperatorHarness(null, o -> o.withReconcileThreads(1))) {
      String ns = harness.newNamespace();
      harness.simulator().faults().rateLimit(1.0, 2);
      for (int i = 0; i < 4; i++) {
        harness.create(apiKey(ns, "limited-" + i, KeyType.Clients));
      }
      harness.awaitReady(ns, "limited-0", false, Reasons.IDMELON_UNAVAILABLE);
      // a second 429 comes only once the first Retry-After has run out
      await().atMost(10, TimeUnit.SECONDS).until(() -> harness.simulator().requests().stream()
          .filter(r -> r.status() == 429).count() >= 2);
      harness.simulator().faults().clear();
      for (int i = 0; i < 4; i++) {
        harness.awaitReady(ns, "limited-" + i, true, Reasons.ISSUED);
      }

      List<IdmelonSimulator.Request> requests = harness.simulator().requests();
      int limited = 0;
      for (int i = 0; i < requests.size(); i++) {
        if (requests.get(i).status() != 429) {
          continue;
        }
        limited++;
        Instant allowed = requests.get(i).at().plus(Duration.ofSeconds(2));
        for (IdmelonSimulator.Request later : requests.subList(i + 1, requests.size())) {
          assertFalse(later.at().isBefore(allowed), "a request at " + later.at() + " came before " + allowed);
        }
      }
      assertTrue(limited >= 1, "IDmelon did rate-limit");
      // a 429 stops everyone, not only its ApiKey: the next request (and so the next 429) waits its Retry-After
      List<Instant> refused = requests.stream().filter(r -> r.status() == 429).map(IdmelonSimulator.Request::at).toList();
      for (int i = 1; i < refused.size(); i++) {
        assertFalse(refused.get(i).isBefore(refused.get(i - 1).plusSeconds(2)), "429s at " + refused);
      }
    }
  }

  @Test
  void aRequestLimitPacesTheWorkspaceWithoutTouchingAnyApiKeysBackoff() throws Exception {
    // a backoff of ten minutes: an ApiKey whose own backoff a 429 escalated could not be Ready within a minute
    try (OperatorHarness harness = new OperatorHarness(null,
        o -> o.withBackoff(Duration.ofMinutes(10), Duration.ofMinutes(20)))) {
      String ns = harness.newNamespace();
      harness.simulator().faults().requestLimit(4, 4);
      harness.simulator().clearRequests();
      int count = 24;
      for (int i = 0; i < count; i++) {
        harness.create(apiKey(ns, "paced-" + i, KeyType.Clients));
      }
      for (int i = 0; i < count; i++) {
        harness.awaitReady(ns, "paced-" + i, true, Reasons.ISSUED, Duration.ofSeconds(60));
      }
      IdmelonSimulator simulator = harness.simulator();
      assertTrue(simulator.tooManyRequests() >= 1, "the limit was met: the operator's 429 path ran");
      assertEquals(0, simulator.earlyRequests(), "no request arrived before a Retry-After elapsed");
      List<IdmelonSimulator.Request> requests = simulator.requests();
      // what the limit allows: one create per key, and the 429s of learning it, not one per ApiKey and attempt
      long creates = requests.stream().filter(r -> r.method().equals("POST") && r.status() == 201).count();
      assertEquals(count, creates, "one key per ApiKey");
      for (int i = 0; i < count; i++) {
        String name = "Key paced-" + i;
        assertEquals(1, simulator.keys().stream().filter(k -> k.name().equals(name)).count(), name);
      }
      assertTrue(simulator.tooManyRequests() < count, "paced, not bouncing: " + simulator.tooManyRequests()
          + " requests answered 429 for " + count + " ApiKeys");
    }
  }

  @Test
  void flakyIdmelonConvergesWithOneKeyPerApiKey() throws Exception {
    try (OperatorHarness harness = new OperatorHarness()) {
      String ns = harness.newNamespace();
      harness.simulator().faults().latency(Duration.ZERO, Duration.ofMillis(100)).errorRate(0.3).dropRate(0.1);
      for (int i = 0; i < 10; i++) {
        harness.create(apiKey(ns, "flaky-" + i, i % 2 == 0 ? KeyType.Admin : KeyType.SharedMobile));
      }
      // four requests in ten fail, so one key may need many attempts with backoff: converging is the point, not speed
      for (int i = 0; i < 10; i++) {
        harness.awaitReady(ns, "flaky-" + i, true, Reasons.ISSUED, Duration.ofSeconds(90));
      }
      harness.simulator().faults().clear();
      for (int i = 0; i < 10; i++) {
        String name = "flaky-" + i;
        assertEquals(1, harness.simulator().keys().stream().filter(k -> k.name().equals("Key " + name)).count());
        assertTrue(harness.simulator().authenticate(data(harness.secret(ns, name), "apiKey")).isPresent());
      }
    }
  }

  @Test
  void apiKeysAreReconciledInParallelUpToTheLimit() throws Exception {
    try (OperatorHarness harness = new OperatorHarness(null, o -> o.withReconcileThreads(3))) {
      String ns = harness.newNamespace();
      harness.simulator().faults().latency(Duration.ofMillis(300), Duration.ofMillis(300));
      harness.simulator().clearRequests();
      for (int i = 0; i < 9; i++) {
        harness.create(apiKey(ns, "parallel-" + i, KeyType.Clients));
      }
      for (int i = 0; i < 9; i++) {
        harness.awaitReady(ns, "parallel-" + i, true, Reasons.ISSUED);
      }
      int max = harness.simulator().maxInFlight();
      assertTrue(max >= 2, "ApiKeys are reconciled in parallel: " + max);
      assertTrue(max <= 3, "never more than the limit: " + max);
    }
  }
}
