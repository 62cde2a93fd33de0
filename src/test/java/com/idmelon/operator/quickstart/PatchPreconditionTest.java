package com.idmelon.operator.quickstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A merge patch that names a resourceVersion is conditional, as on an API server: the operator relies on it to write
 * its finalizer list and first-create marker only on the version it read.
 */
class PatchPreconditionTest {

  @Test
  void aMergePatchOnAStaleResourceVersionIsRefusedWith409AndChangesNothing() {
    try (EmbeddedKubernetes kubernetes = EmbeddedKubernetes.start(0);
        KubernetesClient client = kubernetes.newClient()) {
      ConfigMap created = client.resource(new ConfigMapBuilder().withNewMetadata().withName("c")
          .withNamespace("default").withFinalizers("example.com/a").endMetadata().build()).create();
      String read = created.getMetadata().getResourceVersion();
      client.configMaps().inNamespace("default").withName("c").edit(c -> {
        c.getMetadata().setFinalizers(List.of("example.com/a", "example.com/b")); // someone else's write
        return c;
      });

      KubernetesClientException refused = assertThrows(KubernetesClientException.class,
          () -> client.configMaps().inNamespace("default").withName("c").patch(PatchContext.of(PatchType.JSON_MERGE),
              "{\"metadata\":{\"resourceVersion\":\"" + read + "\",\"finalizers\":[\"example.com/a\",\"ours/f\"],"
                  + "\"annotations\":{\"ours/marker\":\"1\"}}}"));

      assertEquals(409, refused.getCode());
      ConfigMap now = client.configMaps().inNamespace("default").withName("c").get();
      assertEquals(List.of("example.com/a", "example.com/b"), now.getMetadata().getFinalizers(), "b is not lost");
      assertEquals(Map.of(), now.getMetadata().getAnnotations() == null ? Map.of() : now.getMetadata().getAnnotations(),
          "nor is the annotation written");

      ConfigMap patched = client.configMaps().inNamespace("default").withName("c").patch(
          PatchContext.of(PatchType.JSON_MERGE), "{\"metadata\":{\"resourceVersion\":\""
              + now.getMetadata().getResourceVersion() + "\",\"annotations\":{\"ours/marker\":\"1\"}}}");
      assertEquals(Map.of("ours/marker", "1"), patched.getMetadata().getAnnotations(), "on the current version it applies");
    }
  }
}
