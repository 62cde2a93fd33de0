package com.idmelon.operator.reconciler;

import static com.idmelon.operator.support.OperatorHarness.apiKey;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.idmelon.operator.crd.v1alpha1.ApiKey;
import com.idmelon.operator.idmelon.KeyType;
import com.idmelon.operator.simulator.IdmelonSimulator;
import com.idmelon.operator.support.OperatorHarness;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The first create's marker (an annotation written with the finalizer) is closed as soon as it is known to be. */
class FirstCreateMarkerTest {
  @RegisterExtension
  static final OperatorHarness harness = OperatorHarness.shared(Clock.systemUTC());

  @AfterEach
  void clearFaults() {
    harness.simulator().faults().clear();
  }

  private static Map<String, String> annotations(String ns, String name) {
    ApiKey apiKey = harness.get(ns, name);
    return apiKey.getMetadata().getAnnotations() == null ? Map.of() : apiKey.getMetadata().getAnnotations();
  }

  @Test
  void aRefusedCreateClosesItsMarkerSoNoRetrySweepsIdmelonForItsName() {
    String ns = harness.newNamespace();
    harness.simulator().clearRequests();
    harness.simulator().faults().refuseCreates(true);
    harness.create(apiKey(ns, "refused", KeyType.Clients));

    await().atMost(Duration.ofSeconds(20)).until(() -> harness.simulator().requests().stream()
        .filter(r -> r.method().equals("POST") && r.status() == 403).count() >= 2);
    assertFalse(annotations(ns, "refused").containsKey(IssueMarker.ANNOTATION),
        "a refused create made nothing: its marker is removed");
    assertTrue(harness.get(ns, "refused").hasFinalizer(StatusStore.FINALIZER), "the finalizer written with it stays");
    assertEquals(List.of(), harness.simulator().requests().stream().filter(r -> r.method().equals("GET")
        && !r.path().contains("statistics")).toList(), "no retry searched IDmelon for an orphan of a refused call");

    harness.simulator().faults().refuseCreates(false);
    harness.awaitReady(ns, "refused", true, Reasons.ISSUED);
    harness.assertOneWorkingKey(ns, "refused");
  }

  @Test
  void deletingAnApiKeyThatNeverGotAKeyReleasesItAtOnce() {
    String ns = harness.newNamespace();
    ApiKey invalid = apiKey(ns, "never-issued", KeyType.Clients);
    invalid.getSpec().setExpiresAt("2020-01-01T00:00:00Z"); // admitted, but no key can be issued for it
    harness.create(invalid);
    harness.awaitReady(ns, "never-issued", false, Reasons.INVALID_SPEC);
    assertFalse(harness.get(ns, "never-issued").hasFinalizer(StatusStore.FINALIZER),
        "nothing was created for it, so nothing holds its deletion");

    harness.client.resources(ApiKey.class).inNamespace(ns).withName("never-issued").delete();
    await().atMost(Duration.ofSeconds(10)).until(() -> harness.get(ns, "never-issued") == null);
    assertEquals(List.of(), harness.simulator().requests().stream()
        .filter(IdmelonSimulator.Request::isMutating).filter(r -> r.path().contains("never")).toList());
  }
}
