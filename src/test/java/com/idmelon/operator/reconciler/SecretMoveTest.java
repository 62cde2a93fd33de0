package com.idmelon.operator.reconciler;

import static com.idmelon.operator.support.OperatorHarness.apiKey;
import static com.idmelon.operator.support.OperatorHarness.data;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.idmelon.operator.crd.v1alpha1.ApiKey;
import com.idmelon.operator.idmelon.KeyType;
import com.idmelon.operator.quickstart.EmbeddedKubernetes.Fault;
import com.idmelon.operator.simulator.SimulatedKey;
import com.idmelon.operator.support.OperatorHarness;
import io.fabric8.kubernetes.api.model.Secret;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Moving a key to another Secret (a new spec.secretName) finishes even when a step of the move failed once. */
class SecretMoveTest {
  @RegisterExtension
  static final OperatorHarness harness = OperatorHarness.shared(Clock.systemUTC());

  @Test
  void moveWhoseDeleteOfTheOldSecretFailedOnceStillEndsWithOnlyTheNewSecret() {
    String ns = harness.newNamespace();
    harness.create(apiKey(ns, "mover", KeyType.Clients));
    String keyId = harness.awaitReady(ns, "mover", true, "Issued").getStatus().getKeyId();
    String value = data(harness.secret(ns, "mover"), "apiKey");
    Fault refused = harness.kubernetes.failNext(r -> r.getMethod().equals("DELETE")
        && r.getPath().split("\\?", 2)[0].equals("/api/v1/namespaces/" + ns + "/secrets/mover"), 409, "Conflict");

    harness.client.resources(ApiKey.class).inNamespace(ns).withName("mover").edit(k -> {
      k.getSpec().setSecretName("mover-v2");
      return k;
    });

    await().atMost(20, TimeUnit.SECONDS).until(refused::answered);
    await().atMost(20, TimeUnit.SECONDS).untilAsserted(() -> assertTrue(harness.secret(ns, "mover") == null,
        "the old Secret 'mover' is deleted after all"));
    await().atMost(20, TimeUnit.SECONDS).until(() -> "mover-v2".equals(harness.get(ns, "mover").getStatus().getSecretName())
        && harness.ready(ns, "mover").map(c -> c.getStatus().equals("True")).orElse(false));
    Secret moved = harness.secret(ns, "mover-v2");
    assertNotNull(moved, "the new Secret exists");
    String movedValue = data(moved, "apiKey");
    assertEquals(Optional.of(harness.get(ns, "mover").getStatus().getKeyId()),
        harness.simulator().authenticate(movedValue).map(SimulatedKey::id), "the new Secret holds a working value");
    assertEquals(keyId, harness.get(ns, "mover").getStatus().getKeyId(), "a move is not a rotation");
    assertEquals(value, movedValue, "the same value moved");
    assertTrue(harness.simulator().authenticate(value).isPresent());
  }
}
