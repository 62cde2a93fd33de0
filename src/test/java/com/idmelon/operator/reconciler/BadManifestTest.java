package com.idmelon.operator.reconciler;

import static com.idmelon.operator.support.OperatorHarness.apiKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.idmelon.operator.crd.v1alpha1.ApiKey;
import com.idmelon.operator.idmelon.KeyType;
import com.idmelon.operator.support.OperatorHarness;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A manifest the API server refuses (the embedded one as a cluster does), if stored all the same (an object stored
 * before a CRD upgrade, schema validation off), is reported on its own status and does not stop the operator from
 * serving every other ApiKey.
 */
class BadManifestTest {
  @RegisterExtension
  static final OperatorHarness harness = OperatorHarness.shared(Clock.systemUTC());

  @Test
  void unknownEnumValuesAreReportedAndOtherApiKeysStillWork() {
    String ns = harness.newNamespace();
    assertTrue(harness.plantRefused(rawApiKey(ns, "bad-enum", Map.of("name", "Bad", "type", "Root")))
        .contains("spec.type: Unsupported value: \"Root\""), "a cluster refuses it");
    assertTrue(harness.plantRefused(rawApiKey(ns, "bad-shape",
        Map.of("name", "Bad", "type", "Admin", "secretTemplate", Map.of("labels", "app=x"))))
        .contains("spec.secretTemplate.labels: Invalid value: \"string\""), "a cluster refuses it");
    harness.create(apiKey(ns, "good", KeyType.Clients));

    harness.awaitReady(ns, "good", true, Reasons.ISSUED);
    assertEquals("spec.type 'Root' is not one of Admin, Clients, SharedMobile",
        message(harness.awaitReady(ns, "bad-enum", false, Reasons.INVALID_SPEC)));
    assertTrue(message(harness.awaitReady(ns, "bad-shape", false, Reasons.INVALID_SPEC))
        .startsWith("spec.secretTemplate.labels has the wrong type"));
    assertEquals(0, harness.simulator().keys().stream().filter(k -> k.name().equals("Bad")).count());

    // an ApiKey whose spec cannot be read can still be deleted (its finalizer does not block)
    harness.client.resources(ApiKey.class).inNamespace(ns).withName("bad-enum").delete();
    org.awaitility.Awaitility.await().atMost(10, java.util.concurrent.TimeUnit.SECONDS)
        .until(() -> harness.get(ns, "bad-enum") == null);
  }

  private static GenericKubernetesResource rawApiKey(String ns, String name, Map<String, Object> spec) {
    return new GenericKubernetesResourceBuilder()
        .withApiVersion("idmelon.com/v1alpha1")
        .withKind("ApiKey")
        .withNewMetadata().withName(name).withNamespace(ns).endMetadata()
        .withAdditionalProperties(Map.of("spec", spec))
        .build();
  }

  private static String message(ApiKey apiKey) {
    return apiKey.getStatus().condition("Ready").get().getMessage();
  }
}
