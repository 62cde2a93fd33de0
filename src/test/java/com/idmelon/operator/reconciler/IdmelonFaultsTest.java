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
      assertTrue(limited <= 2, "a 429 stops everyone, not only its ApiKey: " + limited + " requests were refused");
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
