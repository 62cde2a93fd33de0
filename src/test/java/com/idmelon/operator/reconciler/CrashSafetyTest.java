package com.idmelon.operator.reconciler;

import static com.idmelon.operator.support.OperatorHarness.apiKey;
import static com.idmelon.operator.support.OperatorHarness.data;
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
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The operator dies at each step of issuing, resetting and replacing a key; a new operator then finds the pieces.
 * Counted at the simulator: exactly one live key per ApiKey, none leaked, and the Secret's value works.
 */
class CrashSafetyTest {
  @RegisterExtension
  static final OperatorHarness harness = OperatorHarness.shared(Clock.systemUTC());


  private static void crashThenRestart(DieAt dieAt, Runnable trigger) throws InterruptedException {
    harness.stopOperator();
    harness.startOperator(dieAt);
    trigger.run();
    dieAt.awaitDeath();
    harness.stopOperator();
    harness.startOperator(Checkpoints.NONE);
  }

  private static List<SimulatedKey> keysNamed(String name) {
    return harness.simulator().keys().stream().filter(k -> k.name().equals("Key " + name)).toList();
  }

  @ParameterizedTest
  @EnumSource(value = Point.class, names = {"PENDING_RECORDED", "IDMELON_ANSWERED", "SECRET_WRITTEN", "STATUS_WRITTEN"})
  void crashWhileIssuingLeavesOneKey(Point point) throws Exception {
    String ns = harness.newNamespace();
    String name = "issue-" + point.name().toLowerCase().replace('_', '-');
    crashThenRestart(new DieAt(point, name), () -> harness.create(apiKey(ns, name, KeyType.Clients)));

    harness.awaitReady(ns, name, true, Reasons.ISSUED);
    await().atMost(10, TimeUnit.SECONDS).untilAsserted(() -> harness.assertOneWorkingKey(ns, name));
  }

  @ParameterizedTest
  @EnumSource(value = Point.class, names = {"PENDING_RECORDED", "IDMELON_ANSWERED", "SECRET_WRITTEN", "STATUS_WRITTEN"})
  void crashWhileResettingLeavesOneWorkingKey(Point point) throws Exception {
    String ns = harness.newNamespace();
    String name = "reset-" + point.name().toLowerCase().replace('_', '-');
    harness.create(apiKey(ns, name, KeyType.Admin));
    harness.awaitReady(ns, name, true, Reasons.ISSUED);
    String oldValue = data(harness.secret(ns, name), "apiKey");

    crashThenRestart(new DieAt(point, name), () -> annotate(ns, name, "crash-" + point));

    await().atMost(20, TimeUnit.SECONDS).until(() -> ("crash-" + point).equals(harness.get(ns, name).getStatus().getLastReset())
        && harness.ready(ns, name).map(c -> c.getStatus().equals("True")).orElse(false));
    await().atMost(10, TimeUnit.SECONDS).untilAsserted(() -> harness.assertOneWorkingKey(ns, name));
    assertTrue(harness.simulator().authenticate(oldValue).isEmpty(), "the old value was reset away");
  }

  @ParameterizedTest
  @EnumSource(value = Point.class, names = {"PENDING_RECORDED", "IDMELON_ANSWERED", "SECRET_WRITTEN", "STATUS_WRITTEN"})
  void crashWhileReplacingLeavesOneKey(Point point) throws Exception {
    String ns = harness.newNamespace();
    String name = "replace-" + point.name().toLowerCase().replace('_', '-');
    harness.create(apiKey(ns, name, KeyType.SharedMobile));
    String oldId = harness.awaitReady(ns, name, true, Reasons.ISSUED).getStatus().getKeyId();

    crashThenRestart(new DieAt(point, name), () -> annotate(ns, name, "crash-" + point));

    await().atMost(20, TimeUnit.SECONDS).until(() -> ("crash-" + point).equals(harness.get(ns, name).getStatus().getLastReset())
        && !oldId.equals(harness.get(ns, name).getStatus().getKeyId()));
    await().atMost(10, TimeUnit.SECONDS).untilAsserted(() -> harness.assertOneWorkingKey(ns, name));
  }

  @ParameterizedTest
  @EnumSource(value = Point.class, names = {"PENDING_RECORDED", "IDMELON_ANSWERED"})
  void apiKeyDeletedAfterACrashMidCreateLeavesNoKey(Point point) throws Exception {
    String ns = harness.newNamespace();
    String name = "deleted-" + point.name().toLowerCase().replace('_', '-');
    DieAt dieAt = new DieAt(point, name);
    harness.stopOperator();
    harness.startOperator(dieAt);
    harness.create(apiKey(ns, name, KeyType.Clients));
    dieAt.awaitDeath();
    harness.stopOperator();
    // deleted while no operator runs: only the finalizer keeps it until the next operator cleans up
    harness.client.resources(ApiKey.class).inNamespace(ns).withName(name).delete();
    harness.startOperator(Checkpoints.NONE);

    await().atMost(20, TimeUnit.SECONDS).until(() -> harness.get(ns, name) == null);
    assertEquals(List.of(), keysNamed(name), "the key of the interrupted create is not leaked");
  }

  private static void annotate(String ns, String name, String value) {
    harness.client.resources(ApiKey.class).inNamespace(ns).withName(name).edit(k -> {
      k.getMetadata().getAnnotations().put(ApiKey.RESET_ANNOTATION, value);
      return k;
    });
  }
}
