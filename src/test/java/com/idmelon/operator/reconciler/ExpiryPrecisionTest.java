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
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A fixed {@code spec.expiresAt} written with fractional seconds or a UTC offset is the same instant as the key's
 * expiry: the key is issued once and not rotated again because the two spellings differ.
 */
class ExpiryPrecisionTest {
  @RegisterExtension
  static final OperatorHarness harness = OperatorHarness.shared(Clock.systemUTC());

  private String ns;

  @BeforeEach
  void freshNamespace() {
    ns = harness.newNamespace();
    harness.simulator().clearRequests();
  }

  @AfterEach
  void removeApiKeys() {
    harness.deleteApiKeys(ns);
  }

  private static List<IdmelonSimulator.Request> creates() {
    return harness.simulator().requests().stream()
        .filter(r -> r.method().equals("POST") && r.path().equals(harness.simulator().keysPath()))
        .toList();
  }

  @ParameterizedTest
  @ValueSource(strings = {"2030-03-14T09:26:53.589Z", "2030-03-14T11:26:53+02:00"})
  void fixedExpiryInAnyRfc3339SpellingIsIssuedOnceAndNeverRotated(String expiresAt) {
    ApiKey wanted = apiKey(ns, "precise", KeyType.Clients);
    wanted.getSpec().setExpiresAt(expiresAt);
    harness.create(wanted);

    await().atMost(20, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(50))
        .until(() -> harness.ready(ns, "precise").map(c -> c.getStatus().equals("True")).orElse(false));
    String keyId = harness.get(ns, "precise").getStatus().getKeyId();
    await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
        .untilAsserted(() -> assertEquals(keyId, harness.get(ns, "precise").getStatus().getKeyId(),
            "the key issued first is still the key after a quiet window"));

    assertEquals(1, creates().size(), "exactly one key created: " + creates());
    assertTrue(harness.events(ns, "precise").stream().noneMatch(e -> "Replaced".equals(e.getReason())),
        "no Replaced event");
    ApiKey settled = harness.get(ns, "precise");
    assertEquals("Issued", settled.getStatus().condition("Ready").orElseThrow().getReason());
    assertEquals("2030-03-14T09:26:53Z", settled.getStatus().getExpiresAt(), "status: whole seconds, UTC");
    assertEquals("2030-03-14T09:26:53Z", data(harness.secret(ns, "precise"), "expiresAt"),
        "Secret: whole seconds, UTC");
  }
}
