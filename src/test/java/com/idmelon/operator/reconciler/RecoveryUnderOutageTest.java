package com.idmelon.operator.reconciler;

import static com.idmelon.operator.support.OperatorHarness.apiKey;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.idmelon.operator.crd.v1alpha1.ApiKey;
import com.idmelon.operator.idmelon.KeyType;
import com.idmelon.operator.reconciler.Checkpoints.Point;
import com.idmelon.operator.simulator.SimulatedKey;
import com.idmelon.operator.support.DieAt;
import com.idmelon.operator.support.OperatorHarness;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The operator dies right after IDmelon created a key, and IDmelon is down when the next operator starts. The
 * pending marker is what lets the clean-up find that key later, so it stays until the clean-up is done: when IDmelon
 * is back there is exactly one live key, none leaked.
 */
class RecoveryUnderOutageTest {
  @RegisterExtension
  static final OperatorHarness harness = OperatorHarness.shared(Clock.systemUTC());


  @AfterEach
  void idmelonBack() {
    harness.simulator().faults().clear();
  }

  private static List<SimulatedKey> keysNamed(String name) {
    return harness.simulator().keys().stream().filter(k -> k.name().equals("Key " + name)).toList();
  }

  /** A marker of an unfinished call: in the status, or a first create's annotation while the status names no key. */
  private static boolean markerOpen(ApiKey apiKey) {
    if (apiKey.getStatus() != null && apiKey.getStatus().getPending() != null) {
      return true;
    }
    return apiKey.getMetadata().getAnnotations().containsKey(IssueMarker.ANNOTATION)
        && (apiKey.getStatus() == null || apiKey.getStatus().getKeyId() == null);
  }

  /**
   * Dies after IDmelon answered {@code trigger}'s call, then starts a new operator while IDmelon is down, and
   * checks the marker over a window of failed attempts.
   */
  private static void crashThenRestartDuringAnOutage(String ns, String name, Runnable trigger) throws Exception {
    DieAt dieAt = new DieAt(Point.IDMELON_ANSWERED, name);
    harness.stopOperator();
    harness.startOperator(dieAt);
    trigger.run();
    dieAt.awaitDeath();
    harness.stopOperator();
    assertTrue(markerOpen(harness.get(ns, name)), "the crash left a pending marker");

    harness.simulator().faults().outage(true);
    harness.simulator().clearRequests();
    harness.startOperator(Checkpoints.NONE);
    await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(25))
        .untilAsserted(() -> assertTrue(markerOpen(harness.get(ns, name)),
            "the marker stays while IDmelon is down"));
    long failed = harness.simulator().requests().stream().filter(r -> r.status() == 503).count();
    assertTrue(failed >= 2, "the new operator tried several times during the outage: " + failed);

    harness.simulator().faults().outage(false);
  }

  @Test
  void crashAfterCreateWhileIssuingThenIdmelonOutageLeavesOneKey() throws Exception {
    String ns = harness.newNamespace();
    String name = "issue-outage";

    crashThenRestartDuringAnOutage(ns, name, () -> harness.create(apiKey(ns, name, KeyType.Clients)));

    harness.awaitReady(ns, name, true, "Issued");
    await().atMost(20, TimeUnit.SECONDS).untilAsserted(() -> harness.assertOneWorkingKey(ns, name));
  }

  @Test
  void crashAfterCreateWhileReplacingThenIdmelonOutageLeavesOneKey() throws Exception {
    String ns = harness.newNamespace();
    String name = "replace-outage";
    harness.create(apiKey(ns, name, KeyType.SharedMobile));
    String oldId = harness.awaitReady(ns, name, true, "Issued").getStatus().getKeyId();

    crashThenRestartDuringAnOutage(ns, name, () ->
        harness.client.resources(ApiKey.class).inNamespace(ns).withName(name).edit(k -> {
          k.getMetadata().getAnnotations().put(ApiKey.RESET_ANNOTATION, "after-outage");
          return k;
        }));

    await().atMost(20, TimeUnit.SECONDS).until(() -> "after-outage".equals(harness.get(ns, name).getStatus().getLastReset())
        && !oldId.equals(harness.get(ns, name).getStatus().getKeyId()));
    await().atMost(20, TimeUnit.SECONDS).untilAsserted(() -> harness.assertOneWorkingKey(ns, name));
    assertEquals(List.of(), keysNamed(name).stream().filter(k -> k.id().equals(oldId)).toList(),
        "the replaced key is deleted");
  }
}
