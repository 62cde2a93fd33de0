package com.idmelon.operator.reconciler;

import static com.idmelon.operator.support.OperatorHarness.apiKey;
import static com.idmelon.operator.support.OperatorHarness.data;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.idmelon.operator.crd.v1alpha1.ApiKey;
import com.idmelon.operator.idmelon.KeyType;
import com.idmelon.operator.simulator.IdmelonSimulator;
import com.idmelon.operator.support.OperatorHarness;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Keys deleted or expired in the IDmelon panel are noticed by one shared list call per poll interval. */
class KeyInventoryTest {
  private static final Duration POLL = Duration.ofSeconds(1);
  private OperatorHarness harness;

  @BeforeEach
  void start() throws Exception {
    harness = new OperatorHarness(null, o -> o.withPollInterval(POLL));
  }

  @AfterEach
  void stop() throws Exception {
    harness.close();
  }

  @Test
  void keyDeletedInThePanelIsReissued() {
    String ns = harness.newNamespace();
    harness.create(apiKey(ns, "panel-deleted", KeyType.Admin));
    String oldId = harness.awaitReady(ns, "panel-deleted", true, Reasons.ISSUED).getStatus().getKeyId();

    assertTrue(harness.simulator().panelDelete(oldId));
    await().atMost(15, TimeUnit.SECONDS).until(() -> !oldId.equals(harness.get(ns, "panel-deleted").getStatus().getKeyId()));
    ApiKey reissued = harness.awaitReady(ns, "panel-deleted", true, Reasons.REPLACED);
    assertTrue(harness.simulator().authenticate(data(harness.secret(ns, "panel-deleted"), "apiKey")).isPresent());
    assertEquals(1, harness.simulator().keys().stream().filter(k -> k.name().equals("Key panel-deleted")).count());
    assertTrue(harness.events(ns, "panel-deleted").stream().anyMatch(e -> e.getReason().equals("KeyGone")),
        "a KeyGone event");
    assertEquals(reissued.getStatus().getKeyId(), harness.simulator().keys().stream()
        .filter(k -> k.name().equals("Key panel-deleted")).findFirst().orElseThrow().id());
  }

  @Test
  void keyExpiredInThePanelIsReplaced() {
    String ns = harness.newNamespace();
    harness.create(apiKey(ns, "panel-expired", KeyType.Clients));
    String oldId = harness.awaitReady(ns, "panel-expired", true, Reasons.ISSUED).getStatus().getKeyId();

    harness.simulator().panelExpire(oldId);
    harness.awaitReady(ns, "panel-expired", true, Reasons.REPLACED);
    assertTrue(harness.simulator().authenticate(data(harness.secret(ns, "panel-expired"), "apiKey")).isPresent());
    await().atMost(10, TimeUnit.SECONDS).until(() -> harness.simulator().key(oldId).isEmpty());
  }

  @Test
  void manySettledApiKeysCostOneListPerPollIntervalAndNothingElse() throws Exception {
    String ns = harness.newNamespace();
    int count = 30;
    for (int i = 0; i < count; i++) {
      harness.create(apiKey(ns, "steady-" + i, KeyType.Clients));
    }
    for (int i = 0; i < count; i++) {
      harness.awaitReady(ns, "steady-" + i, true, Reasons.ISSUED);
    }
    harness.awaitSettled(); // the reconciles caused by the operator's own status writes are over
    harness.drainKubernetesRequests();
    harness.simulator().clearRequests();
    long started = System.nanoTime();

    Thread.sleep(POLL.multipliedBy(4).toMillis()); // the window measured: four poll intervals of a settled operator

    double intervals = (System.nanoTime() - started) / (double) POLL.toNanos();
    List<String> writes = harness.drainKubernetesRequests().stream()
        .filter(r -> !r.getMethod().equals("GET")).map(r -> r.getMethod() + " " + r.getPath()).toList();
    List<IdmelonSimulator.Request> calls = harness.simulator().requests();
    assertEquals(List.of(), writes, "no Kubernetes write in the steady state");
    assertEquals(List.of(), calls.stream().filter(IdmelonSimulator.Request::isMutating).toList(), "no IDmelon change");
    long lists = calls.stream().filter(r -> r.method().equals("GET") && r.path().equals(harness.simulator().keysPath())).count();
    assertEquals(calls.size(), lists, "only list calls, no per-ApiKey read: " + calls);
    assertTrue(lists >= 2, "the inventory polls: " + lists);
    assertTrue(lists <= Math.ceil(intervals), lists + " lists in " + intervals + " poll intervals");
  }
}
