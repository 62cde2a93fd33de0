package com.idmelon.operator.reconciler;

import static com.idmelon.operator.support.OperatorHarness.apiKey;
import static com.idmelon.operator.support.OperatorHarness.data;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.idmelon.operator.crd.v1alpha1.ApiKey;
import com.idmelon.operator.idmelon.KeyType;
import com.idmelon.operator.simulator.IdmelonSimulator;
import com.idmelon.operator.simulator.SimulatedKey;
import com.idmelon.operator.support.OperatorHarness;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The key list the inventory polls is a hint, never proof: a list answer that leaves keys out (truncated, buggy)
 * makes the operator create, reset or delete nothing. A key really deleted in IDmelon is still noticed and replaced.
 */
class KeyListTrustTest {
  private static final Duration POLL = Duration.ofMillis(500);

  @RegisterExtension
  static final OperatorHarness harness = OperatorHarness.shared(o -> o.withPollInterval(POLL));

  private static final KeyType[] TYPES = {KeyType.Admin, KeyType.Clients, KeyType.SharedMobile, KeyType.Clients};

  private String ns;

  @BeforeEach
  void freshNamespace() {
    ns = harness.newNamespace();
  }

  @AfterEach
  void cleanUp() {
    harness.simulator().faults().clear();
    harness.deleteApiKeys(ns);
  }

  private static IdmelonSimulator idmelon() {
    return harness.simulator();
  }

  /** Several Ready ApiKeys of mixed types; their key ids by name. */
  private Map<String, String> readyApiKeys() {
    for (int i = 0; i < TYPES.length; i++) {
      harness.create(apiKey(ns, "listed-" + i, TYPES[i]));
    }
    Map<String, String> keyIds = new LinkedHashMap<>();
    for (int i = 0; i < TYPES.length; i++) {
      keyIds.put("listed-" + i, harness.awaitReady(ns, "listed-" + i, true, "Issued").getStatus().getKeyId());
    }
    harness.awaitSettled();
    return keyIds;
  }

  private Map<String, String> currentKeyIds(Map<String, String> names) {
    Map<String, String> current = new LinkedHashMap<>();
    names.keySet().forEach(name -> current.put(name, harness.get(ns, name).getStatus().getKeyId()));
    return current;
  }

  private static long lists() {
    return idmelon().requests().stream()
        .filter(r -> r.method().equals("GET") && r.path().equals(idmelon().keysPath()) && r.status() == 200)
        .count();
  }

  @ParameterizedTest(name = "each key left out with probability {0}")
  @ValueSource(doubles = {1.0, 0.5})
  void listAnswersThatLeaveKeysOutRevokeNothing(double omitRate) {
    Map<String, String> keyIds = readyApiKeys();
    idmelon().clearRequests();

    idmelon().faults().listOmitRate(omitRate);
    // several polls (every 500 ms plus jitter) answered with keys missing
    await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(6)).pollInterval(Duration.ofMillis(100))
        .untilAsserted(() -> assertEquals(keyIds, currentKeyIds(keyIds), "every status.keyId unchanged"));

    assertTrue(lists() >= 3, "the inventory polled with the faulty lists: " + lists() + " list answers");
    assertEquals(List.of(), idmelon().requests().stream().filter(IdmelonSimulator.Request::isMutating).toList(),
        "no key created, reset or deleted because a list left it out");
    for (Map.Entry<String, String> entry : keyIds.entrySet()) {
      assertTrue(idmelon().key(entry.getValue()).isPresent(), entry.getKey() + "'s key is alive");
      assertEquals(Optional.of(entry.getValue()),
          idmelon().authenticate(data(harness.secret(ns, entry.getKey()), "apiKey")).map(SimulatedKey::id),
          entry.getKey() + "'s Secret still works");
    }
  }

  @Test
  void keyReallyDeletedInIdmelonIsStillReplacedWhileListsLeaveKeysOut() {
    Map<String, String> keyIds = readyApiKeys();
    idmelon().faults().listOmitRate(0.5);
    idmelon().clearRequests();
    String deleted = keyIds.get("listed-1");

    assertTrue(idmelon().panelDelete(deleted));

    await().atMost(20, TimeUnit.SECONDS).until(() -> {
      ApiKey apiKey = harness.get(ns, "listed-1");
      return !deleted.equals(apiKey.getStatus().getKeyId())
          && apiKey.getStatus().condition("Ready").map(c -> c.getStatus().equals("True")).orElse(false);
    });
    ApiKey replaced = harness.get(ns, "listed-1");
    String value = data(harness.secret(ns, "listed-1"), "apiKey");
    assertEquals(Optional.of(replaced.getStatus().getKeyId()), idmelon().authenticate(value).map(SimulatedKey::id),
        "the Secret holds a working value of the new key");
    assertTrue(idmelon().key(deleted).isEmpty(), "the deleted key stays gone");

    Map<String, String> others = new LinkedHashMap<>(keyIds);
    others.remove("listed-1");
    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4)).pollInterval(Duration.ofMillis(100))
        .untilAsserted(() -> assertEquals(others, currentKeyIds(others), "the other ApiKeys kept their keys"));
    List<IdmelonSimulator.Request> aimedAtOthers = idmelon().requests().stream()
        .filter(r -> r.isMutating() && others.values().stream().anyMatch(id -> r.path().contains("/" + id)))
        .toList();
    assertEquals(List.of(), aimedAtOthers, "no reset or delete of another ApiKey's key");
    long creates = idmelon().requests().stream()
        .filter(r -> r.method().equals("POST") && r.path().equals(idmelon().keysPath())).count();
    assertEquals(1, creates, "exactly one key created: the replacement");
  }

  @Test
  void keyListTakenWhileACreateIsInFlightNeverMakesTheNewKeyLookGone() {
    // answers take 0 to 1.5 s in any order: lists taken after a create was sent are often answered before it
    idmelon().faults().latency(Duration.ZERO, Duration.ofMillis(1500));
    idmelon().clearRequests();
    int count = 8;
    for (int i = 0; i < count; i++) {
      harness.create(apiKey(ns, "racing-" + i, TYPES[i % TYPES.length]));
    }
    for (int i = 0; i < count; i++) {
      harness.awaitReady(ns, "racing-" + i, true, "Issued", Duration.ofSeconds(30));
    }
    // several more polls, each slow, while the new keys settle
    await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100))
        .untilAsserted(() -> assertEquals(count, creates(),
            "one key per ApiKey: none replaced because a list did not show it yet"));
    assertTrue(lists() >= 3, "the inventory polled while keys were issued: " + lists() + " list answers");
  }

  private static long creates() {
    return idmelon().requests().stream()
        .filter(r -> r.method().equals("POST") && r.path().equals(idmelon().keysPath())).count();
  }
}
