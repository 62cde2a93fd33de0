package com.idmelon.operator.reconciler;

import static com.idmelon.operator.support.OperatorHarness.apiKey;
import static com.idmelon.operator.support.OperatorHarness.data;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.idmelon.operator.crd.v1alpha1.ApiKey;
import com.idmelon.operator.crd.v1alpha1.ClusterWorkspace;
import com.idmelon.operator.idmelon.KeyType;
import com.idmelon.operator.quickstart.WorkspaceBootstrap;
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
  void aRefusedWorkspaceKeyIsReportedAndAnEditedSecretIsPickedUpWithoutRestart() {
    String ns = harness.newNamespace();
    var secrets = harness.client.secrets().inNamespace(WorkspaceBootstrap.SYSTEM_NAMESPACE).withName("default-admin-key");
    String goodKey = secrets.get().getData().get("adminKey");
    secrets.edit(s -> {
      s.getData().put("adminKey", java.util.Base64.getEncoder().encodeToString("revoked-admin-key".getBytes()));
      return s;
    });
    await().atMost(20, TimeUnit.SECONDS).until(() -> "AdminKeyRefused".equals(harness.client
        .resources(ClusterWorkspace.class).withName("default").get().getStatus().condition("Ready")
        .map(c -> c.getReason()).orElse(null)));

    harness.create(apiKey(ns, "unauthorized", KeyType.Admin));
    ApiKey refused = harness.awaitReady(ns, "unauthorized", false, Reasons.WORKSPACE_NOT_READY);
    assertTrue(refused.getStatus().condition("Ready").get().getMessage().contains("AdminKeyRefused"),
        refused.getStatus().condition("Ready").get().getMessage());

    secrets.edit(s -> {
      s.getData().put("adminKey", goodKey);
      return s;
    });
    harness.awaitReady(ns, "unauthorized", true, Reasons.ISSUED);
  }
}
