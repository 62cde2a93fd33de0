package com.idmelon.operator.reconciler;

import static com.idmelon.operator.support.OperatorHarness.apiKey;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.idmelon.operator.crd.v1alpha1.ApiKey;
import com.idmelon.operator.idmelon.KeyType;
import com.idmelon.operator.support.OperatorHarness;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** As on a cluster, the garbage collector deletes an ApiKey's Secret once the ApiKey is gone, after its key is revoked. */
class SecretGarbageCollectionTest {
  private static final Duration GONE = Duration.ofSeconds(15);

  @RegisterExtension
  static final OperatorHarness harness = OperatorHarness.shared(Clock.systemUTC());

  @Test
  void deletingAnApiKeyRevokesItsKeyThenItsSecretIsCollected() {
    String ns = harness.newNamespace();
    harness.create(apiKey(ns, "doomed", KeyType.Clients));
    String keyId = harness.awaitReady(ns, "doomed", true, Reasons.ISSUED).getStatus().getKeyId();
    assertNotNull(harness.secret(ns, "doomed"));

    harness.client.resource(harness.get(ns, "doomed")).delete();

    await().atMost(GONE).until(() -> harness.get(ns, "doomed") == null);
    await().atMost(GONE).until(() -> harness.secret(ns, "doomed") == null);
    assertTrue(harness.simulator().key(keyId).isEmpty(), "the key was revoked in IDmelon");
  }

  @Test
  void theSecretStaysWhileAnotherFinalizerHoldsTheRevokedApiKey() {
    String ns = harness.newNamespace();
    harness.create(apiKey(ns, "held", KeyType.Clients));
    String keyId = harness.awaitReady(ns, "held", true, Reasons.ISSUED).getStatus().getKeyId();
    OperatorHarness.retryOnConflict(() -> harness.client.resource(withFinalizer(harness.get(ns, "held"))).update());

    harness.client.resource(harness.get(ns, "held")).delete();

    await().atMost(GONE).until(() -> harness.simulator().key(keyId).isEmpty());
    await().atMost(GONE).until(() -> harness.get(ns, "held").getMetadata().getFinalizers()
        .equals(List.of("example.com/hold")));
    assertNotNull(harness.secret(ns, "held"), "its owner still exists: the Secret stays");

    OperatorHarness.retryOnConflict(() -> harness.client.resources(ApiKey.class).inNamespace(ns).withName("held")
        .edit(k -> {
          k.getMetadata().setFinalizers(List.of());
          return k;
        }));
    await().atMost(GONE).until(() -> harness.secret(ns, "held") == null);
    assertNull(harness.get(ns, "held"));
  }

  private static ApiKey withFinalizer(ApiKey apiKey) {
    List<String> finalizers = new ArrayList<>(apiKey.getMetadata().getFinalizers());
    finalizers.add("example.com/hold");
    apiKey.getMetadata().setFinalizers(finalizers);
    return apiKey;
  }
}
