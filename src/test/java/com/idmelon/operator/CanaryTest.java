package com.idmelon.operator;

import static com.idmelon.operator.support.OperatorHarness.apiKey;
import static com.idmelon.operator.support.OperatorHarness.data;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.idmelon.operator.crd.v1alpha1.ApiKey;
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
