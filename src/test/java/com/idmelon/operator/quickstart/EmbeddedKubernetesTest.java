package com.idmelon.operator.quickstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The embedded API server (quick start, tests) answers as an API server does where fabric8's mock does not. */
class EmbeddedKubernetesTest {

  @Test
  void removingTheLastFinalizerOfADeletedObjectAnswersTheObjectThenDeletesIt() {
    try (EmbeddedKubernetes kubernetes = EmbeddedKubernetes.start(0);
        KubernetesClient client = kubernetes.newClient()) {
      client.resource(new ConfigMapBuilder().withNewMetadata().withName("held").withNamespace("default")
          .withFinalizers("example.com/hold").endMetadata().build()).create();
      client.configMaps().inNamespace("default").withName("held").delete();
      assertNotNull(client.configMaps().inNamespace("default").withName("held").get().getMetadata()
          .getDeletionTimestamp(), "a finalizer holds the deleted object");

      ConfigMap answered = client.configMaps().inNamespace("default").withName("held").edit(c -> {
        c.getMetadata().setFinalizers(List.of());
        return c;
      });

      assertNotNull(answered, "the patch is answered with the object, as an API server does (JOSDK needs it)");
      assertEquals("held", answered.getMetadata().getName());
      assertTrue(answered.getMetadata().getFinalizers().isEmpty());
      assertNull(client.configMaps().inNamespace("default").withName("held").get(), "then it is gone");
    }
  }

  @Test
  void kubectlDiscoversTheWorkloadsRestartTargetsName() {
    try (EmbeddedKubernetes kubernetes = EmbeddedKubernetes.start(0);
        KubernetesClient client = kubernetes.newClient()) {
      assertTrue(client.getApiGroups().getGroups().stream().anyMatch(g -> g.getName().equals("apps")));
      assertEquals(List.of("deployments", "statefulsets", "daemonsets"),
          client.getApiResources("apps/v1").getResources().stream().map(r -> r.getName()).toList());
    }
  }
}
