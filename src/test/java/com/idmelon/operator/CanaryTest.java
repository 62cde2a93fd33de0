package com.idmelon.operator;

import static com.idmelon.operator.support.OperatorHarness.apiKey;
import static com.idmelon.operator.support.OperatorHarness.data;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.idmelon.operator.crd.v1alpha1.ApiKey;
import com.idmelon.operator.crd.v1alpha1.SecretTemplate;
import com.idmelon.operator.idmelon.IdmelonKey;
import com.idmelon.operator.idmelon.IssuedKey;
import com.idmelon.operator.idmelon.KeyType;
import com.idmelon.operator.idmelon.SecretValue;
import com.idmelon.operator.reconciler.Reasons;
import com.idmelon.operator.support.OperatorHarness;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Key values planted by IDmelon appear in the Secret and nowhere else: not in logs, events, status or toString. */
class CanaryTest {
  private static final String CANARY = "CANARY-" + UUID.randomUUID();

  @Test
  void keyValuesNeverLeaveTheSecret() throws Exception {
    AtomicInteger issued = new AtomicInteger();
    List<String> planted = new ArrayList<>();
    try (OperatorHarness harness = new OperatorHarness(() -> {
      String value = CANARY + "-" + issued.incrementAndGet();
      synchronized (planted) {
        planted.add(value);
      }
      return value;
    })) {
      String ns = harness.newNamespace();
      harness.create(apiKey(ns, "admin", KeyType.Admin));
      harness.create(apiKey(ns, "clients", KeyType.Clients));
      harness.awaitReady(ns, "admin", true, Reasons.ISSUED);
      harness.awaitReady(ns, "clients", true, Reasons.ISSUED);
      for (String name : List.of("admin", "clients")) {
        harness.client.resources(ApiKey.class).inNamespace(ns).withName(name).edit(k -> {
          k.getMetadata().getAnnotations().put(ApiKey.RESET_ANNOTATION, "rotate");
          return k;
        });
      }
      harness.awaitReady(ns, "admin", true, Reasons.RESET);
      harness.awaitReady(ns, "clients", true, Reasons.REPLACED);
      // and a failure path: IDmelon down while rotating
      harness.stopSimulator();
      harness.client.resources(ApiKey.class).inNamespace(ns).withName("admin").edit(k -> {
        k.getMetadata().getAnnotations().put(ApiKey.RESET_ANNOTATION, "rotate-again");
        return k;
      });
      harness.awaitReady(ns, "admin", false, Reasons.IDMELON_UNAVAILABLE);

      assertTrue(data(harness.secret(ns, "admin"), "apiKey").startsWith(CANARY), "the canary reached the Secret");
      assertTrue(data(harness.secret(ns, "clients"), "apiKey").startsWith(CANARY));
      assertEquals(4, planted.size(), "two issued, one reset, one replacement");

      List<String> places = new ArrayList<>();
      places.add(harness.client.getKubernetesSerialization().asJson(harness.get(ns, "admin")));
      places.add(harness.client.getKubernetesSerialization().asJson(harness.get(ns, "clients")));
      com.idmelon.operator.reconciler.EventRecorder.flush();
      places.add(harness.client.getKubernetesSerialization().asJson(harness.client.v1().events().inNamespace(ns).list()));
      Path log = Path.of("target", "test-operator.log");
      assertTrue(Files.exists(log), "the test log file is written (see src/test/resources/simplelogger.properties)");
      String logs = Files.readString(log, StandardCharsets.UTF_8);
      assertTrue(logs.contains(ns + "/admin"), "the log has the operator's lines about this ApiKey");
      places.add(logs);

      for (String place : places) {
        assertFalse(place.contains(CANARY), "a key value leaked");
        assertFalse(place.contains(Base64.getEncoder().encodeToString(CANARY.getBytes(StandardCharsets.UTF_8)).substring(0, 20)),
            "a base64-encoded key value leaked");
      }
    }
  }

  /**
   * Templated keys hold the value too: it stays out of every message in their error paths (a write of the Secret
   * refused mid-rotation, a repair, templates that stop rendering after the key was issued).
   */
  @Test
  void templatedKeysNeverLeaveTheSecret() throws Exception {
    AtomicInteger issued = new AtomicInteger();
    try (OperatorHarness harness = new OperatorHarness(() -> CANARY + "-templated-" + issued.incrementAndGet())) {
      String ns = harness.newNamespace();
      SecretTemplate template = new SecretTemplate();
      template.setData(new java.util.LinkedHashMap<>(java.util.Map.of("IDMELON_API_KEY", "{{apiKey}}",
          "config.json", "{\"key\": \"{{apiKey}}\", \"id\": \"{{keyId}}\"}")));
      ApiKey wanted = apiKey(ns, "templated", KeyType.Clients);
      wanted.getSpec().setSecretTemplate(template);
      harness.create(wanted);
      harness.awaitReady(ns, "templated", true, Reasons.ISSUED);

      // a repair renders the value again
      harness.client.secrets().inNamespace(ns).withName("templated").edit(s -> {
        s.getData().put("IDMELON_API_KEY", Base64.getEncoder().encodeToString("edited".getBytes(StandardCharsets.UTF_8)));
        return s;
      });
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).until(() ->
          data(harness.secret(ns, "templated"), "apiKey").equals(data(harness.secret(ns, "templated"), "IDMELON_API_KEY")));

      // the Secret write of a replacement is refused once: the new key is revoked, and the next attempt succeeds
      var refused = harness.kubernetes.failNext(r -> r.getMethod().equals("PATCH")
          && r.getPath().split("\\?", 2)[0].equals("/api/v1/namespaces/" + ns + "/secrets/templated"), 422,
          "Unprocessable Entity");
      OperatorHarness.retryOnConflict(() -> harness.client.resources(ApiKey.class).inNamespace(ns).withName("templated")
          .edit(k -> {
            k.getMetadata().getAnnotations().put(ApiKey.RESET_ANNOTATION, "rotate");
            return k;
          }));
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).until(refused::answered);
      harness.awaitReady(ns, "templated", true, Reasons.REPLACED);

      // templates that stop rendering after the key was issued
      for (String broken : new String[] {"{{apiKey}} {{#apiKey}}", "{{> config}}", "{{apiKey}} {{secret}}"}) {
        OperatorHarness.retryOnConflict(() -> harness.client.resources(ApiKey.class).inNamespace(ns)
            .withName("templated").edit(k -> {
              k.getSpec().getSecretTemplate().getData().put("config.json", broken);
              return k;
            }));
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).until(() ->
            harness.ready(ns, "templated").filter(c -> c.getReason().equals(Reasons.INVALID_SPEC)
                && c.getMessage().contains("config.json")).isPresent());
        harness.awaitSettled();
      }

      var secret = harness.secret(ns, "templated");
      String value = data(secret, "apiKey");
      assertTrue(value.startsWith(CANARY), "the canary reached the Secret");
      assertEquals(value, data(secret, "IDMELON_API_KEY"));
      assertTrue(issued.get() >= 3, "issued, the refused replacement, and the replacement");

      List<String> places = new ArrayList<>();
      places.add(harness.client.getKubernetesSerialization().asJson(harness.get(ns, "templated")));
      com.idmelon.operator.reconciler.EventRecorder.flush();
      places.add(harness.client.getKubernetesSerialization().asJson(harness.client.v1().events().inNamespace(ns).list()));
      String logs = Files.readString(Path.of("target", "test-operator.log"), StandardCharsets.UTF_8);
      assertTrue(logs.contains(ns + "/templated"), "the log has the operator's lines about this ApiKey");
      places.add(logs);
      List<String> encoded = secret.getData().values().stream().map(v -> v.substring(0, Math.min(20, v.length())))
          .filter(v -> v.length() == 20).toList();
      for (String place : places) {
        assertFalse(place.contains(CANARY), "a key value leaked");
        for (String rendered : encoded) {
          assertFalse(place.contains(rendered), "a base64-encoded Secret value leaked");
        }
      }
    }
  }

  @Test
  void valueTypesNeverPrintTheValue() {
    SecretValue value = SecretValue.of(CANARY);
    IssuedKey issued = new IssuedKey(new IdmelonKey("k_1", "n", KeyType.Admin, null, Instant.now()), value);
    assertFalse(value.toString().contains(CANARY));
    assertFalse(issued.toString().contains(CANARY));
    assertFalse(("" + value).contains(CANARY));
    assertEquals(CANARY, value.reveal());
  }
}
