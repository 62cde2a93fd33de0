package com.idmelon.operator.quickstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A client that closes its watch while changes stream to it does not stall the server: fabric8's mock blocked its
 * event loop for 30 s on such a close, and every other request waited (an operator's writes timed out).
 */
class WatchCloseTest {

  private static Secret secret(String name) {
    return new SecretBuilder().withNewMetadata().withName(name).withNamespace("default").endMetadata()
        .addToData("v", "YQ==").build();
  }

  @Test
  void closingAWatchWhileChangesStreamToItLeavesTheServerAnswering() throws Exception {
    try (EmbeddedKubernetes kubernetes = EmbeddedKubernetes.start(0);
        KubernetesClient client = kubernetes.newClient()) {
      for (int round = 0; round < 3; round++) {
        CountDownLatch first = new CountDownLatch(1);
        Watch watch = client.secrets().inNamespace("default").watch(new Watcher<Secret>() {
          @Override
          public void eventReceived(Action action, Secret resource) {
            first.countDown();
          }

          @Override
          public void onClose(WatcherException cause) {
          }
        });
        client.resource(secret("first-" + round)).create();
        first.await(10, TimeUnit.SECONDS);
        watch.close();
        int created = round;
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
          for (int i = 0; i < 200; i++) {
            client.resource(secret("after-" + created + "-" + i)).create();
          }
        }, "writes right after a watch closed are answered at once");
      }
      assertEquals(603, client.secrets().inNamespace("default").list().getItems().size());
    }
  }
}
