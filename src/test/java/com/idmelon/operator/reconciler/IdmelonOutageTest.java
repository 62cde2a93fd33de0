package com.idmelon.operator.reconciler;

import static com.idmelon.operator.support.OperatorHarness.apiKey;
import static com.idmelon.operator.support.OperatorHarness.data;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.idmelon.operator.crd.v1alpha1.ApiKey;
import com.idmelon.operator.idmelon.KeyType;
import com.idmelon.operator.support.OperatorHarness;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** IDmelon failing never crashes the operator nor touches Secrets, and everything converges when it is back. */
class IdmelonOutageTest {
  private OperatorHarness harness;

  @BeforeEach
  void start() throws Exception {
    harness = new OperatorHarness();
  }

  @AfterEach
  void stop() throws Exception {
    harness.close();
  }

  @Test
  void idmelonDownIsReportedAndEverythingRecoversWhenItReturns() throws Exception {
    String ns = harness.newNamespace();
    harness.create(apiKey(ns, "before", KeyType.Admin));
    harness.awaitReady(ns, "before", true, Reasons.ISSUED);
    String valueBefore = data(harness.secret(ns, "before"), "apiKey");

    harness.stopSimulator();
    harness.create(apiKey(ns, "during", KeyType.Clients));
    ApiKey down = harness.awaitReady(ns, "during", false, Reasons.IDMELON_UNAVAILABLE);
    assertTrue(down.getStatus().condition("Ready").get().getMessage().contains("IDmelon create"),
        "the message names the IDmelon call that failed");
    assertNull(harness.secret(ns, "during"), "no Secret without a key");

    harness.client.resources(ApiKey.class).inNamespace(ns).withName("before").edit(k -> {
      k.getMetadata().getAnnotations().put(ApiKey.RESET_ANNOTATION, "during-outage");
      return k;
    });
    harness.awaitReady(ns, "before", false, Reasons.IDMELON_UNAVAILABLE);
    assertEquals(valueBefore, data(harness.secret(ns, "before"), "apiKey"), "an outage leaves the Secret as it is");

    harness.startSimulatorAgain();
    ApiKey recovered = harness.awaitReady(ns, "during", true, Reasons.ISSUED);
    assertTrue(harness.simulator().authenticate(data(harness.secret(ns, "during"), "apiKey")).isPresent());
    assertEquals(recovered.getStatus().getKeyId(), harness.simulator().keys().stream()
        .filter(k -> k.name().equals("Key during")).findFirst().orElseThrow().id(), "exactly the key in the status");
    assertEquals(1, harness.simulator().keys().stream().filter(k -> k.name().equals("Key during")).count(),
        "retries during the outage created no duplicate");

    // the fresh simulator no longer knows the old Admin key: the pending reset issues a new one
    await().atMost(20, TimeUnit.SECONDS).until(() -> harness.ready(ns, "before")
        .filter(c -> c.getStatus().equals("True")).isPresent());
    assertEquals("during-outage", harness.get(ns, "before").getStatus().getLastReset());
    assertTrue(harness.simulator().authenticate(data(harness.secret(ns, "before"), "apiKey")).isPresent());
  }

  @Test
  void rejectedAdminKeyIsReportedAndARotatedKeyFileIsPickedUpWithoutRestart() throws Exception {
    String ns = harness.newNamespace();
    String goodKey = Files.readString(harness.adminKeyFile, StandardCharsets.UTF_8);
    Files.writeString(harness.adminKeyFile, "revoked-admin-key", StandardCharsets.UTF_8);
    Files.setLastModifiedTime(harness.adminKeyFile, FileTime.from(Instant.now().plusSeconds(5)));

    harness.create(apiKey(ns, "unauthorized", KeyType.Admin));
    ApiKey refused = harness.awaitReady(ns, "unauthorized", false, Reasons.IDMELON_UNAUTHORIZED);
    assertTrue(refused.getStatus().condition("Ready").get().getMessage().contains("adminKeySecretRef"));

    Files.writeString(harness.adminKeyFile, goodKey, StandardCharsets.UTF_8);
    Files.setLastModifiedTime(harness.adminKeyFile, FileTime.from(Instant.now().plusSeconds(10)));
    harness.awaitReady(ns, "unauthorized", true, Reasons.ISSUED);
  }
}
