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

  @Test
  void kubectlsStrategicMergePatchOfASecretMergesItsDataAndAPatchIsAnswered200() throws Exception {
    try (EmbeddedKubernetes kubernetes = EmbeddedKubernetes.start(0);
        KubernetesClient client = kubernetes.newClient()) {
      client.resource(new io.fabric8.kubernetes.api.model.SecretBuilder().withNewMetadata().withName("s")
          .withNamespace("default").endMetadata().addToData("a", "YQ==").addToData("b", "Yg==").build()).create();

      java.net.http.HttpResponse<String> patched = patch(kubernetes, "/api/v1/namespaces/default/secrets/s",
          "application/strategic-merge-patch+json",
          "{\"$retainKeys\":[\"data\"],\"data\":{\"b\":null,\"c\":\"Yw==\"},\"metadata\":{\"labels\":{\"l\":\"v\"}}}");

      assertEquals(200, patched.statusCode(), patched.body());
      io.fabric8.kubernetes.api.model.Secret secret = client.secrets().inNamespace("default").withName("s").get();
      assertEquals(java.util.Map.of("a", "YQ==", "c", "Yw=="), secret.getData(), "merged; null removes a key");
      assertEquals(java.util.Map.of("l", "v"), secret.getMetadata().getLabels());
      assertTrue(patched.body().contains("\"c\":\"Yw==\""), "the answer is the patched object");
    }
  }

  @Test
  void aStrategicMergePatchThatWouldMergeListsByKeyIsRefusedNotAppliedWrong() throws Exception {
    try (EmbeddedKubernetes kubernetes = EmbeddedKubernetes.start(0);
        KubernetesClient client = kubernetes.newClient()) {
      client.resource(new io.fabric8.kubernetes.api.model.apps.DeploymentBuilder().withNewMetadata().withName("web")
          .withNamespace("default").endMetadata().withNewSpec().withNewTemplate().withNewSpec()
          .addNewContainer().withName("app").withImage("app:1").withArgs("--serve").endContainer()
          .endSpec().endTemplate().endSpec().build()).create();

      java.net.http.HttpResponse<String> patched = patch(kubernetes, "/apis/apps/v1/namespaces/default/deployments/web",
          "application/strategic-merge-patch+json",
          "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"app:2\"}]}}}}");

      assertEquals(415, patched.statusCode());
      assertTrue(patched.body().contains("UnsupportedMediaType"), patched.body());
      assertEquals(List.of("--serve"), client.apps().deployments().inNamespace("default").withName("web").get()
          .getSpec().getTemplate().getSpec().getContainers().get(0).getArgs(), "left as it was");
    }
  }

  private static java.net.http.HttpResponse<String> patch(EmbeddedKubernetes kubernetes, String path,
      String contentType, String body) throws Exception {
    return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder()
            .uri(java.net.URI.create(kubernetes.url() + path))
            .header("Content-Type", contentType)
            .method("PATCH", java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aSecretsStringDataIsStoredAsDataAsOnACluster() {
    try (EmbeddedKubernetes kubernetes = EmbeddedKubernetes.start(0);
        KubernetesClient client = kubernetes.newClient()) {
      io.fabric8.kubernetes.api.model.Secret created = client.resource(new io.fabric8.kubernetes.api.model.SecretBuilder()
          .withNewMetadata().withName("admin-key").withNamespace("default").endMetadata()
          .addToData("kept", "YQ==").addToData("apiKey", "b2xk").addToStringData("apiKey", "new-value").build())
          .create();

      java.util.Map<String, String> expected = java.util.Map.of("kept", "YQ==", "apiKey", "bmV3LXZhbHVl");
      assertEquals(expected, created.getData(), "answered as stored: stringData merged into data, and winning");
      assertTrue(created.getStringData() == null || created.getStringData().isEmpty());
      io.fabric8.kubernetes.api.model.Secret stored = client.secrets().inNamespace("default").withName("admin-key").get();
      assertEquals(expected, stored.getData());
      assertTrue(stored.getStringData() == null || stored.getStringData().isEmpty(), "stringData is never stored");

      client.secrets().inNamespace("default").withName("admin-key").edit(s -> {
        s.setStringData(java.util.Map.of("other", "x"));
        return s;
      });
      assertEquals("eA==", client.secrets().inNamespace("default").withName("admin-key").get().getData().get("other"));
    }
  }
}
