package com.idmelon.operator.reconciler;

import static com.idmelon.operator.support.OperatorHarness.apiKey;
import static com.idmelon.operator.support.OperatorHarness.data;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.idmelon.operator.crd.v1alpha1.ApiKey;
import com.idmelon.operator.crd.v1alpha1.DeletionPolicy;
import com.idmelon.operator.crd.v1alpha1.Rotation;
import com.idmelon.operator.crd.v1alpha1.RotationStrategy;
import com.idmelon.operator.crd.v1alpha1.SecretTemplate;
import com.idmelon.operator.idmelon.KeyType;
import com.idmelon.operator.simulator.IdmelonSimulator;
import com.idmelon.operator.simulator.SimulatedKey;
import com.idmelon.operator.support.OperatorHarness;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The operator as a user drives it: manifests in, keys in IDmelon and Secrets out. */
class ApiKeyLifecycleTest {
  @RegisterExtension
  static final OperatorHarness harness = OperatorHarness.shared(Clock.systemUTC());

  private static IdmelonSimulator idmelon() {
    return harness.simulator();
  }

  @Test
  void createdApiKeyBecomesReadyWithOwnedSecretThatIdmelonAccepts() {
    String ns = harness.newNamespace();
    ApiKey wanted = apiKey(ns, "reporting", KeyType.Admin);
    wanted.getSpec().setExpiresAt("2031-01-01T00:00:00Z");
    wanted.getSpec().setSecretName("reporting-idmelon");
    SecretTemplate template = new SecretTemplate();
    template.setLabels(Map.of("app", "reporting"));
    template.setAnnotations(Map.of("team", "analytics"));
    wanted.getSpec().setSecretTemplate(template);
    ApiKey created = harness.create(wanted);

    ApiKey ready = harness.awaitReady(ns, "reporting", true, Reasons.ISSUED);
    Secret secret = harness.secret(ns, "reporting-idmelon");
    assertNotNull(secret, "the Secret named by spec.secretName exists");
    assertEquals("Opaque", secret.getType());
    assertEquals(created.getMetadata().getUid(), secret.getMetadata().getOwnerReferences().get(0).getUid());
    assertTrue(secret.getMetadata().getOwnerReferences().get(0).getController());
    assertEquals("idmelon-apikey-operator", secret.getMetadata().getLabels().get("app.kubernetes.io/managed-by"));
    assertEquals("reporting", secret.getMetadata().getLabels().get("app"));
    assertEquals("analytics", secret.getMetadata().getAnnotations().get("team"));

    String value = data(secret, "apiKey");
    SimulatedKey key = idmelon().authenticate(value).orElseThrow(() -> new AssertionError("IDmelon refuses the value"));
    assertEquals(key.id(), data(secret, "keyId"));
    assertEquals("Admin", data(secret, "type"));
    assertEquals("2031-01-01T00:00:00Z", data(secret, "expiresAt"));
    assertEquals("Key reporting", key.name());
    assertEquals(Instant.parse("2031-01-01T00:00:00Z"), key.expiresAt());

    var status = ready.getStatus();
    assertEquals(key.id(), status.getKeyId());
    assertEquals("reporting-idmelon", status.getSecretName());
    assertEquals("2031-01-01T00:00:00Z", status.getExpiresAt());
    assertNotNull(status.getIssuedAt());
    assertEquals(ready.getMetadata().getGeneration(), status.getObservedGeneration());
    assertEquals(com.idmelon.operator.idmelon.SecretValue.of(value).fingerprint(), status.getFingerprint());
    assertTrue(status.getFingerprint().matches("sha256:[0-9a-f]{16}"));
    assertEquals(ready.getMetadata().getGeneration(), status.condition("Ready").get().getObservedGeneration());
  }

  @Test
  void keyWithoutExpiryIsReadyAndTheStatusSaysItNeverExpires() {
    String ns = harness.newNamespace();
    harness.create(apiKey(ns, "forever", KeyType.Clients));
    ApiKey ready = harness.awaitReady(ns, "forever", true, Reasons.ISSUED);
    assertNull(ready.getStatus().getExpiresAt());
    assertTrue(ready.getStatus().condition("Ready").get().getMessage().contains("never expires"));
    assertNull(harness.secret(ns, "forever").getData().get("expiresAt"), "no expiresAt data key without expiry");
  }

  @Test
  void resetAnnotationRotatesAdminKeyOnce() {
    String ns = harness.newNamespace();
    harness.create(apiKey(ns, "admin", KeyType.Admin));
    ApiKey issued = harness.awaitReady(ns, "admin", true, Reasons.ISSUED);
    String oldValue = data(harness.secret(ns, "admin"), "apiKey");
    String keyId = issued.getStatus().getKeyId();

    annotateReset(ns, "admin", "2026-11-26T10:00:00Z");
    ApiKey reset = harness.awaitReady(ns, "admin", true, Reasons.RESET);
    assertEquals("2026-11-26T10:00:00Z", reset.getStatus().getLastReset());
    assertEquals(keyId, reset.getStatus().getKeyId(), "a reset keeps the key id");
    String newValue = data(harness.secret(ns, "admin"), "apiKey");
    assertNotEquals(oldValue, newValue);
    assertTrue(idmelon().authenticate(newValue).isPresent(), "the new value works");
    assertTrue(idmelon().authenticate(oldValue).isEmpty(), "the old value no longer works");
    long resets = countResets(keyId);
    assertEquals(1, resets);

    // the same value again (a GitOps re-sync) does nothing
    int before = harness.reconciles.count(ns, "admin");
    harness.client.resources(ApiKey.class).inNamespace(ns).withName("admin").edit(k -> {
      k.getMetadata().getAnnotations().put("example.com/resync", "1");
      return k;
    });
    await().atMost(10, TimeUnit.SECONDS).until(() -> harness.reconciles.count(ns, "admin") > before);
    assertEquals(1, countResets(keyId), "the same annotation value never rotates twice");
    assertEquals(newValue, data(harness.secret(ns, "admin"), "apiKey"));
  }

  @Test
  void resetAnnotationPresentAtCreationIsRecordedNotActedOn() {
    String ns = harness.newNamespace();
    ApiKey wanted = apiKey(ns, "born-annotated", KeyType.Admin);
    wanted.getMetadata().setAnnotations(Map.of(ApiKey.RESET_ANNOTATION, "already-there"));
    harness.create(wanted);
    ApiKey ready = harness.awaitReady(ns, "born-annotated", true, Reasons.ISSUED);
    assertEquals("already-there", ready.getStatus().getLastReset());
    assertEquals(0, countResets(ready.getStatus().getKeyId()));
  }

  @Test
  void resetAnnotationReplacesClientsKeyAndDeletesTheOldOne() {
    String ns = harness.newNamespace();
    harness.create(apiKey(ns, "clients", KeyType.Clients));
    ApiKey issued = harness.awaitReady(ns, "clients", true, Reasons.ISSUED);
    String oldId = issued.getStatus().getKeyId();
    String oldValue = data(harness.secret(ns, "clients"), "apiKey");

    annotateReset(ns, "clients", "rotate-1");
    ApiKey replaced = harness.awaitReady(ns, "clients", true, Reasons.REPLACED);
    String newId = replaced.getStatus().getKeyId();
    assertNotEquals(oldId, newId, "Replace issues a new key");
    Secret secret = harness.secret(ns, "clients");
    assertEquals(newId, data(secret, "keyId"));
    assertTrue(idmelon().authenticate(data(secret, "apiKey")).isPresent());
    await().atMost(10, TimeUnit.SECONDS).until(() -> idmelon().key(oldId).isEmpty());
    assertTrue(idmelon().authenticate(oldValue).isEmpty(), "the old key is deleted (grace period 0)");
    assertTrue(idmelon().requests().stream().noneMatch(r -> r.path().endsWith("/" + oldId + "/reset")), "non-Admin keys are never reset");
    await().atMost(10, TimeUnit.SECONDS).until(() -> harness.get(ns, "clients").getStatus().getRetiring() == null
        || harness.get(ns, "clients").getStatus().getRetiring().isEmpty());
  }

  @Test
  void replaceKeepsTheOldKeyWorkingForTheGracePeriod() {
    String ns = harness.newNamespace();
    ApiKey wanted = apiKey(ns, "graceful", KeyType.SharedMobile);
    Rotation rotation = new Rotation();
    rotation.setStrategy(RotationStrategy.Replace);
    rotation.setGracePeriod("3s");
    wanted.getSpec().setRotation(rotation);
    harness.create(wanted);
    ApiKey issued = harness.awaitReady(ns, "graceful", true, Reasons.ISSUED);
    String oldId = issued.getStatus().getKeyId();
    String oldValue = data(harness.secret(ns, "graceful"), "apiKey");

    annotateReset(ns, "graceful", "now");
    ApiKey replaced = harness.awaitReady(ns, "graceful", true, Reasons.REPLACED);
    assertEquals(oldId, replaced.getStatus().getRetiring().get(0).getKeyId(), "the old key is listed as retiring");
    assertTrue(idmelon().authenticate(oldValue).isPresent(), "the old key still works during the grace period");
    assertNotEquals(oldValue, data(harness.secret(ns, "graceful"), "apiKey"), "the Secret already holds the new key");

    await().atMost(15, TimeUnit.SECONDS).until(() -> idmelon().key(oldId).isEmpty());
    Instant deletedAt = idmelon().requests().stream()
        .filter(r -> r.method().equals("DELETE") && r.path().endsWith("/" + oldId)).findFirst().orElseThrow().at();
    Instant retireAt = Instant.parse(replaced.getStatus().getRetiring().get(0).getRetireAt());
    assertFalse(deletedAt.isBefore(retireAt), "the old key is not deleted before its grace period ends");
    await().atMost(10, TimeUnit.SECONDS).until(() -> harness.get(ns, "graceful").getStatus().getRetiring() == null);
  }

  @Test
  void deletingWithDeletePolicyRevokesTheKey() {
    String ns = harness.newNamespace();
    ApiKey created = harness.create(apiKey(ns, "doomed", KeyType.Clients));
    String keyId = harness.awaitReady(ns, "doomed", true, Reasons.ISSUED).getStatus().getKeyId();
    Secret secret = harness.secret(ns, "doomed");
    assertEquals(created.getMetadata().getUid(), secret.getMetadata().getOwnerReferences().get(0).getUid(),
        "the Secret is owned, so the garbage collector deletes it with the ApiKey");

    harness.client.resource(harness.get(ns, "doomed")).delete();
    await().atMost(15, TimeUnit.SECONDS).until(() -> harness.get(ns, "doomed") == null);
    assertTrue(idmelon().key(keyId).isEmpty(), "the key is revoked in IDmelon");
    assertTrue(harness.events(ns, "doomed").stream().anyMatch(e -> e.getReason().equals(Reasons.REVOKED)));
  }

  @Test
  void deletingWithRetainPolicyLeavesTheKeyInIdmelon() {
    String ns = harness.newNamespace();
    ApiKey wanted = apiKey(ns, "kept", KeyType.SharedMobile);
    wanted.getSpec().setDeletionPolicy(DeletionPolicy.Retain);
    harness.create(wanted);
    String keyId = harness.awaitReady(ns, "kept", true, Reasons.ISSUED).getStatus().getKeyId();

    harness.client.resource(harness.get(ns, "kept")).delete();
    await().atMost(15, TimeUnit.SECONDS).until(() -> harness.get(ns, "kept") == null);
    assertTrue(idmelon().key(keyId).isPresent(), "the key stays in IDmelon");
    assertTrue(harness.events(ns, "kept").stream().anyMatch(e -> e.getReason().equals(Reasons.RETAINED)));
  }

  @Test
  void secretNotOwnedByTheApiKeyIsNeverOverwritten() throws Exception {
    String ns = harness.newNamespace();
    Secret foreign = harness.client.resource(new SecretBuilder()
        .withNewMetadata().withName("taken").withNamespace(ns).endMetadata()
        .addToData("apiKey", "c29tZW9uZSBlbHNlcw==")
        .build()).create();
    ApiKey wanted = apiKey(ns, "squatter", KeyType.Admin);
    wanted.getSpec().setSecretName("taken");
    harness.create(wanted);

    ApiKey conflicted = harness.awaitReady(ns, "squatter", false, Reasons.SECRET_CONFLICT);
    assertTrue(conflicted.getStatus().condition("Ready").get().getMessage().contains(ns + "/taken"));
    Secret after = harness.secret(ns, "taken");
    assertEquals(foreign.getMetadata().getResourceVersion(), after.getMetadata().getResourceVersion(), "untouched");
    assertEquals(foreign.getData(), after.getData());
    assertEquals(List.of(), idmelon().keys().stream().filter(k -> k.name().equals("Key squatter")).toList(),
        "no key is issued that could not be delivered");

    // once the owner of the Secret removes it, the ApiKey is issued
    harness.client.resource(after).delete();
    harness.awaitReady(ns, "squatter", true, Reasons.ISSUED);
  }

  @Test
  void invalidSpecsAreReportedByFieldWithoutCallingIdmelon() {
    String ns = harness.newNamespace();
    ApiKey resetOnClients = apiKey(ns, "reset-clients", KeyType.Clients);
    Rotation rotation = new Rotation();
    rotation.setStrategy(RotationStrategy.Reset);
    resetOnClients.getSpec().setRotation(rotation);
    ApiKey pastExpiry = apiKey(ns, "past", KeyType.Admin);
    pastExpiry.getSpec().setExpiresAt("2020-01-01T00:00:00Z");
    ApiKey both = apiKey(ns, "both", KeyType.Admin);
    both.getSpec().setExpiresAt("2031-01-01T00:00:00Z");
    both.getSpec().setDuration("720h");
    idmelon().clearRequests();

    // a cluster refuses two of them (CEL rules); one stored all the same (no CEL, an older CRD) is refused again
    assertTrue(harness.plantRefused(resetOnClients).contains("spec: Invalid value: \"object\""));
    harness.create(pastExpiry);
    assertTrue(harness.plantRefused(both).contains("spec: Invalid value: \"object\""));

    assertTrue(message(harness.awaitReady(ns, "reset-clients", false, Reasons.INVALID_SPEC)).contains("spec.rotation.strategy"));
    assertTrue(message(harness.awaitReady(ns, "past", false, Reasons.INVALID_SPEC)).contains("spec.expiresAt"));
    String bothMessage = message(harness.awaitReady(ns, "both", false, Reasons.INVALID_SPEC));
    assertTrue(bothMessage.contains("spec.expiresAt") && bothMessage.contains("spec.duration"));
    assertEquals(List.of(), idmelon().requests().stream().filter(r -> r.method().equals("POST")).toList(),
        "an invalid spec never reaches IDmelon");
    assertTrue(harness.events(ns, "past").stream().anyMatch(e -> e.getReason().equals(Reasons.INVALID_SPEC)));

    // fixing the spec issues the key
    harness.client.resources(ApiKey.class).inNamespace(ns).withName("past").edit(k -> {
      k.getSpec().setExpiresAt("2031-01-01T00:00:00Z");
      return k;
    });
    harness.awaitReady(ns, "past", true, Reasons.ISSUED);
  }

  @Test
  void deletedSecretIsRestoredWithAWorkingKey() {
    String ns = harness.newNamespace();
    harness.create(apiKey(ns, "fragile", KeyType.Admin));
    harness.awaitReady(ns, "fragile", true, Reasons.ISSUED);
    String oldValue = data(harness.secret(ns, "fragile"), "apiKey");

    harness.client.secrets().inNamespace(ns).withName("fragile").delete();
    await().atMost(15, TimeUnit.SECONDS).until(() -> {
      Secret secret = harness.secret(ns, "fragile");
      return secret != null && idmelon().authenticate(data(secret, "apiKey")).isPresent();
    });
    assertTrue(idmelon().authenticate(oldValue).isEmpty(), "the lost value was rotated away");
    assertTrue(harness.events(ns, "fragile").stream().anyMatch(e -> e.getReason().equals(Reasons.SECRET_DRIFTED)));
  }

  @Test
  void changingSecretNameMovesTheKeyWithoutRotating() {
    String ns = harness.newNamespace();
    harness.create(apiKey(ns, "mover", KeyType.Clients));
    ApiKey issued = harness.awaitReady(ns, "mover", true, Reasons.ISSUED);
    String value = data(harness.secret(ns, "mover"), "apiKey");

    harness.client.resources(ApiKey.class).inNamespace(ns).withName("mover").edit(k -> {
      k.getSpec().setSecretName("mover-v2");
      return k;
    });
    await().atMost(15, TimeUnit.SECONDS).until(() -> "mover-v2".equals(harness.get(ns, "mover").getStatus().getSecretName())
        && harness.secret(ns, "mover") == null);
    assertEquals(value, data(harness.secret(ns, "mover-v2"), "apiKey"), "same key, new Secret");
    assertEquals(issued.getStatus().getKeyId(), harness.get(ns, "mover").getStatus().getKeyId());
    assertTrue(idmelon().authenticate(value).isPresent());
  }

  @Test
  void secretLabelsRemovedByHandAreRestoredWithoutRotating() {
    String ns = harness.newNamespace();
    ApiKey wanted = apiKey(ns, "labelled", KeyType.Admin);
    SecretTemplate template = new SecretTemplate();
    template.setLabels(Map.of("app", "labelled"));
    wanted.getSpec().setSecretTemplate(template);
    harness.create(wanted);
    harness.awaitReady(ns, "labelled", true, Reasons.ISSUED);
    String value = data(harness.secret(ns, "labelled"), "apiKey");

    // removing every label, ours included, takes the Secret out of the operator's label-scoped cache
    harness.client.secrets().inNamespace(ns).withName("labelled").edit(s -> {
      s.getMetadata().setLabels(Map.of());
      return s;
    });
    await().atMost(15, TimeUnit.SECONDS).until(() -> {
      Map<String, String> labels = harness.secret(ns, "labelled").getMetadata().getLabels();
      return "labelled".equals(labels.get("app"))
          && "idmelon-apikey-operator".equals(labels.get("app.kubernetes.io/managed-by"));
    });
    assertEquals(value, data(harness.secret(ns, "labelled"), "apiKey"), "no rotation for a label change");
    assertTrue(harness.ready(ns, "labelled").map(c -> c.getStatus().equals("True")).orElse(false));
  }

  @Test
  void editedSecretValueIsDetectedByFingerprintAndRotated() {
    String ns = harness.newNamespace();
    harness.create(apiKey(ns, "tampered", KeyType.Clients));
    String oldId = harness.awaitReady(ns, "tampered", true, Reasons.ISSUED).getStatus().getKeyId();

    harness.client.secrets().inNamespace(ns).withName("tampered").edit(s -> {
      s.getData().put("apiKey", java.util.Base64.getEncoder().encodeToString("typo".getBytes()));
      return s;
    });
    ApiKey repaired = harness.awaitReady(ns, "tampered", true, Reasons.REPLACED);
    assertNotEquals(oldId, repaired.getStatus().getKeyId());
    assertTrue(idmelon().authenticate(data(harness.secret(ns, "tampered"), "apiKey")).isPresent());
    assertTrue(harness.events(ns, "tampered").stream().anyMatch(e -> e.getReason().equals(Reasons.SECRET_DRIFTED)));
  }

  private static void annotateReset(String ns, String name, String value) {
    harness.client.resources(ApiKey.class).inNamespace(ns).withName(name).edit(k -> {
      k.getMetadata().getAnnotations().put(ApiKey.RESET_ANNOTATION, value);
      return k;
    });
  }

  private static long countResets(String keyId) {
    return idmelon().requests().stream()
        .filter(r -> r.method().equals("POST") && r.path().endsWith("/" + keyId + "/reset") && r.status() == 200)
        .count();
  }

  private static String message(ApiKey apiKey) {
    return apiKey.getStatus().condition("Ready").get().getMessage();
  }
}
