package com.idmelon.operator.reconciler;

import static com.idmelon.operator.support.OperatorHarness.apiKey;
import static com.idmelon.operator.support.OperatorHarness.data;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.idmelon.operator.crd.v1alpha1.ApiKey;
import com.idmelon.operator.idmelon.KeyType;
import com.idmelon.operator.simulator.IdmelonSimulator;
import com.idmelon.operator.simulator.SimulatedKey;
import com.idmelon.operator.support.OperatorHarness;
import io.fabric8.kubernetes.api.model.Secret;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * IDmelon does what was asked and the answer is lost on the way back (the connection drops after the key was
 * created, reset or deleted). Issuing, rotating and deleting many ApiKeys through such answers still ends with
 * exactly one live key per ApiKey, none leaked, and every Secret working.
 */
class LostAnswersTest {
  @RegisterExtension
  static final OperatorHarness harness = OperatorHarness.shared(Clock.systemUTC());

  private static final int COUNT = 15;
  private static final int ROTATIONS = 3;
  private static final KeyType[] TYPES = {KeyType.Admin, KeyType.Clients, KeyType.SharedMobile};
  private static final Duration BOUND = Duration.ofSeconds(90);

  @AfterEach
  void faultsOff() {
    harness.simulator().faults().clear();
  }

  private static IdmelonSimulator idmelon() {
    return harness.simulator();
  }

  private static boolean isReady(ApiKey apiKey) {
    return apiKey != null && apiKey.getStatus() != null
        && apiKey.getStatus().condition("Ready").map(c -> c.getStatus().equals("True")).orElse(false);
  }

  private static List<SimulatedKey> keysNamed(String name) {
    return idmelon().keys().stream().filter(k -> k.name().equals("Key " + name)).toList();
  }

  @Test
  void issuingRotatingAndDeletingThroughLostAnswersLeavesOneWorkingKeyPerApiKey() {
    String ns = harness.newNamespace();
    List<String> names = new ArrayList<>();
    for (int i = 0; i < COUNT; i++) {
      names.add("lost-" + i);
    }
    idmelon().faults().loseAnswerRate(0.3);

    for (int i = 0; i < COUNT; i++) {
      harness.create(apiKey(ns, names.get(i), TYPES[i % TYPES.length]));
    }
    await().atMost(BOUND).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> assertEquals(List.of(),
        names.stream().filter(n -> !isReady(harness.get(ns, n))).toList(), "ApiKeys not Ready yet"));

    // Admin keys are reset, the others replaced; each round waits for every ApiKey to be done
    for (int round = 1; round <= ROTATIONS; round++) {
      String value = "rotate-" + round;
      for (String name : names) {
        harness.client.resources(ApiKey.class).inNamespace(ns).withName(name).edit(k -> {
          k.getMetadata().getAnnotations().put(ApiKey.RESET_ANNOTATION, value);
          return k;
        });
      }
      await().atMost(BOUND).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> assertEquals(List.of(),
          names.stream().filter(n -> {
            ApiKey apiKey = harness.get(ns, n);
            return !isReady(apiKey) || !value.equals(apiKey.getStatus().getLastReset());
          }).toList(), "ApiKeys not yet Ready after rotation " + value));
    }

    List<String> deleted = new ArrayList<>();
    List<String> remaining = new ArrayList<>();
    for (int i = 0; i < COUNT; i++) {
      (i % 2 == 0 ? deleted : remaining).add(names.get(i));
    }
    for (String name : deleted) {
      harness.client.resources(ApiKey.class).inNamespace(ns).withName(name).delete();
    }
    await().atMost(BOUND).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> assertEquals(List.of(),
        deleted.stream().filter(n -> harness.get(ns, n) != null).toList(), "deleted ApiKeys still present"));

    await().atMost(BOUND).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
      Set<String> referenced = new HashSet<>();
      for (String name : remaining) {
        ApiKey apiKey = harness.get(ns, name);
        String keyId = apiKey.getStatus().getKeyId();
        referenced.add(keyId);
        assertNull(apiKey.getStatus().getPending(), name + " has nothing left pending");
        assertEquals(List.of(keyId), keysNamed(name).stream().map(SimulatedKey::id).toList(),
            name + ": exactly one live key, the one its status names");
        Secret secret = harness.secret(ns, name);
        assertEquals(Optional.of(keyId), idmelon().authenticate(data(secret, "apiKey")).map(SimulatedKey::id),
            name + ": the Secret's value is accepted by IDmelon");
      }
      for (String name : deleted) {
        assertEquals(List.of(), keysNamed(name).stream().map(SimulatedKey::id).toList(),
            name + " was deleted: no key of it is left in IDmelon");
      }
      assertEquals(List.of(), idmelon().keys().stream().map(SimulatedKey::id).filter(id -> !referenced.contains(id))
          .toList(), "no key in IDmelon that no ApiKey's status names (none leaked)");
    });
    assertTrue(idmelon().requests().stream().anyMatch(r -> r.status() == 0),
        "some answers were indeed lost after the operation was done");
  }
}
