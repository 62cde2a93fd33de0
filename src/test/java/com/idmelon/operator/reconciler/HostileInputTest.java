package com.idmelon.operator.reconciler;

import static com.idmelon.operator.support.OperatorHarness.apiKey;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.idmelon.operator.crd.v1alpha1.ApiKey;
import com.idmelon.operator.idmelon.KeyType;
import com.idmelon.operator.support.OperatorHarness;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Values a namespace user writes reach no status, event or log unbounded or with line breaks. */
class HostileInputTest {
  @RegisterExtension
  static final OperatorHarness harness = OperatorHarness.shared(Clock.systemUTC());

  @Test
  void aHugeResetAnnotationWithLineBreaksRotatesOnceAndStaysOutOfStatusAndEvents() {
    String ns = harness.newNamespace();
    harness.create(apiKey(ns, "hostile", KeyType.Clients));
    String oldId = harness.awaitReady(ns, "hostile", true, Reasons.ISSUED).getStatus().getKeyId();
    String hostile = "x\n2026-11-28 ERROR forged log line\r\n" + "A".repeat(100_000);

    harness.client.resources(ApiKey.class).inNamespace(ns).withName("hostile").edit(k -> {
      k.getMetadata().getAnnotations().put(ApiKey.RESET_ANNOTATION, hostile);
      return k;
    });

    await().atMost(20, TimeUnit.SECONDS).until(() -> {
      ApiKey now = harness.get(ns, "hostile");
      return !oldId.equals(now.getStatus().getKeyId()) && now.getStatus().getLastReset() != null;
    });
    ApiKey rotated = harness.get(ns, "hostile");
    assertTrue(rotated.getStatus().getLastReset().matches("sha256:[0-9a-f]{32}"),
        "a long value is recorded as its digest: " + rotated.getStatus().getLastReset());
    assertTrue(Serialization.asJson(rotated.getStatus()).length() < 4_000, "the status stays small");
    for (Event event : harness.events(ns, "hostile")) {
      assertFalse(event.getMessage().contains("\n") || event.getMessage().contains("\r"),
          "no line break reaches an event: " + event.getMessage());
      assertTrue(event.getMessage().length() < 1_000, "events stay short");
    }
    harness.awaitSettled();
    assertEquals(rotated.getStatus().getKeyId(), harness.get(ns, "hostile").getStatus().getKeyId(),
        "rotated once: the recorded digest matches the annotation again");
  }
}
