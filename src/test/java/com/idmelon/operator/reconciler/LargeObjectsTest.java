package com.idmelon.operator.reconciler;

import static com.idmelon.operator.support.OperatorHarness.apiKey;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.idmelon.operator.crd.v1alpha1.ApiKey;
import com.idmelon.operator.crd.v1alpha1.SecretTemplate;
import com.idmelon.operator.idmelon.KeyType;
import com.idmelon.operator.support.OperatorHarness;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A tenant hangs hundreds of kilobytes on an ApiKey and on its Secret: the operator's caches keep only what it reads,
 * the objects on the API server keep everything, and the operator works as before.
 */
class LargeObjectsTest {
  @RegisterExtension
  static final OperatorHarness harness = OperatorHarness.shared(Clock.systemUTC());

  // two of them on one object stay under the API server's 256 KiB for all annotations
  private static final String BLOB = "b".repeat(120 * 1024);

  @Test
  void anApiKeysForeignAnnotationsLabelsAndManagedFieldsStayOnTheServerAndOutOfTheCache() {
    String ns = harness.newNamespace();
    ApiKey big = apiKey(ns, "big", KeyType.Clients);
    big.getMetadata().setAnnotations(new java.util.HashMap<>(Map.of("team.example.com/blob", BLOB,
        "kubectl.kubernetes.io/last-applied-configuration", BLOB)));
    big.getMetadata().setLabels(Map.of("team", "payments"));
    big.getMetadata().setManagedFields(List.of(new ManagedFieldsEntryBuilder().withManager("kubectl")
        .withOperation("Update").withApiVersion("idmelon.com/v1alpha1").build()));
    harness.create(big);
    String firstKey = harness.awaitReady(ns, "big", true, Reasons.ISSUED).getStatus().getKeyId();

    ApiKey cached = harness.operator().cachedApiKeys()
        .filter(k -> k.getMetadata().getNamespace().equals(ns)).findFirst().orElseThrow();
    assertEquals(java.util.Set.of(IssueMarker.ANNOTATION), cached.getMetadata().getAnnotations().keySet(),
        "no foreign annotation is cached, only the operator's own");
    assertNull(cached.getMetadata().getLabels());
    assertNull(cached.getMetadata().getManagedFields());
    assertTrue(Serialization.asJson(cached).length() < 4_000, "the cached copy is small");

    ApiKey onServer = harness.get(ns, "big");
    assertEquals(BLOB, onServer.getMetadata().getAnnotations().get("team.example.com/blob"),
        "the operator wrote back nothing of its trimmed copy: no drift");
    assertEquals(Map.of("team", "payments"), onServer.getMetadata().getLabels());
    assertEquals(1, onServer.getMetadata().getFinalizers().size(), "the finalizer is there");

    // a long reset value is still seen as a change, once
    OperatorHarness.retryOnConflict(() -> harness.client.resources(ApiKey.class).inNamespace(ns).withName("big").edit(k -> {
      k.getMetadata().getAnnotations().put(ApiKey.RESET_ANNOTATION, "r".repeat(10_000));
      return k;
    }));
    await().atMost(20, TimeUnit.SECONDS).until(() -> !firstKey.equals(harness.get(ns, "big").getStatus().getKeyId()));
    harness.awaitSettled();
    ApiKey rotated = harness.get(ns, "big");
    assertEquals(rotated.getStatus().getLastReset(), rotated.resetRequest());
    assertEquals(BLOB, rotated.getMetadata().getAnnotations().get("kubectl.kubernetes.io/last-applied-configuration"));
    harness.assertOneWorkingKey(ns, "big");
  }

  @Test
  void aSecretsForeignBulkIsKeptOnTheServerAndTemplateDriftIsStillRepaired() {
    String ns = harness.newNamespace();
    ApiKey templated = apiKey(ns, "templated", KeyType.Clients);
    SecretTemplate template = new SecretTemplate();
    template.setLabels(Map.of("app", "payments"));
    template.setAnnotations(Map.of("team.example.com/owner", "payments"));
    templated.getSpec().setSecretTemplate(template);
    harness.create(templated);
    harness.awaitReady(ns, "templated", true, Reasons.ISSUED);
    String value = OperatorHarness.data(harness.secret(ns, "templated"), "apiKey");

    // the tenant adds bulk to the managed Secret, and breaks a templated annotation
    OperatorHarness.retryOnConflict(() -> harness.client.secrets().inNamespace(ns).withName("templated").edit(s -> {
      s.getMetadata().getAnnotations().put("team.example.com/blob", BLOB);
      s.getMetadata().getAnnotations().put("team.example.com/owner", "someone-else");
      s.getData().put("extra", java.util.Base64.getEncoder().encodeToString(BLOB.getBytes()));
      return s;
    }));
    await().atMost(20, TimeUnit.SECONDS).until(() ->
        "payments".equals(harness.secret(ns, "templated").getMetadata().getAnnotations().get("team.example.com/owner")));
    harness.awaitSettled();
    Secret secret = harness.secret(ns, "templated");
    assertEquals(BLOB, secret.getMetadata().getAnnotations().get("team.example.com/blob"), "nothing of the tenant's lost");
    assertTrue(secret.getData().containsKey("extra"));
    assertEquals("payments", secret.getMetadata().getLabels().get("app"));
    assertEquals(value, OperatorHarness.data(secret, "apiKey"), "repairing the template does not rotate");
  }
}
