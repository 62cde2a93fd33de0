package com.idmelon.operator.quickstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Objects are found by name without scanning the store: one of several namespaces, kinds and scopes that share a
 * name is read, written and deleted as itself, and still after its labels (part of how the store keys it) change.
 */
class StoreIndexTest {

  private static Secret secret(String namespace, String name, String value) {
    return new SecretBuilder().withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
        .addToStringData("v", value).build();
  }

  @Test
  void objectsThatShareANameAreEachReadWrittenAndDeletedAsThemselves() {
    try (EmbeddedKubernetes kubernetes = EmbeddedKubernetes.start(0);
        KubernetesClient client = kubernetes.newClient()) {
      client.resource(new NamespaceBuilder().withNewMetadata().withName("same").endMetadata().build()).create();
      client.resource(new NamespaceBuilder().withNewMetadata().withName("other").endMetadata().build()).create();
      client.resource(secret("same", "same", "a")).create();
      client.resource(secret("other", "same", "b")).create();
      client.resource(new ConfigMapBuilder().withNewMetadata().withName("same").withNamespace("same").endMetadata()
          .addToData("v", "c").build()).create();

      assertEquals("a", decoded(client, "same"));
      assertEquals("b", decoded(client, "other"));
      assertEquals("c", client.configMaps().inNamespace("same").withName("same").get().getData().get("v"));
      assertNotNull(client.namespaces().withName("same").get());

      // a label is part of the store's key: the object moves, and is still found by its name
      client.secrets().inNamespace("same").withName("same").patch(PatchContext.of(PatchType.JSON_MERGE),
          "{\"metadata\":{\"labels\":{\"app\":\"x\"}}}");
      assertEquals(Map.of("app", "x"), client.secrets().inNamespace("same").withName("same").get().getMetadata()
          .getLabels());
      assertEquals(1, client.secrets().inAnyNamespace().withLabel("app", "x").list().getItems().size());
      KubernetesClientException exists = assertThrows(KubernetesClientException.class,
          () -> client.resource(secret("same", "same", "again")).create());
      assertEquals(409, exists.getCode());

      // a finalizer holds the deletion: marked once, removed with its finalizer
      client.configMaps().inNamespace("same").withName("same").edit(c -> {
        c.getMetadata().setFinalizers(List.of("example.com/hold"));
        return c;
      });
      client.configMaps().inNamespace("same").withName("same").delete();
      ConfigMap held = client.configMaps().inNamespace("same").withName("same").get();
      assertNotNull(held.getMetadata().getDeletionTimestamp());
      client.configMaps().inNamespace("same").withName("same").patch(PatchContext.of(PatchType.JSON_MERGE),
          "{\"metadata\":{\"finalizers\":null}}");
      assertNull(client.configMaps().inNamespace("same").withName("same").get());

      client.secrets().inNamespace("same").withName("same").delete();
      assertNull(client.secrets().inNamespace("same").withName("same").get());
      assertEquals("b", decoded(client, "other"), "the other namespace's Secret of that name stays");
      assertNotNull(client.namespaces().withName("same").get(), "and so does the Namespace");
    }
  }

  private static String decoded(KubernetesClient client, String namespace) {
    Secret secret = client.secrets().inNamespace(namespace).withName("same").get();
    return new String(java.util.Base64.getDecoder().decode(secret.getData().get("v")));
  }
}
