package com.idmelon.operator.quickstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.idmelon.operator.support.Kubectl;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kubectl create namespace|secret|configmap send protobuf; the embedded API server reads those as a cluster does. */
class ProtobufBodiesTest {
  /** What kubectl 1.32 sends for {@code kubectl create secret generic s1 --from-literal=a=b --from-literal=c=d}. */
  private static final String KUBECTL_CREATE_SECRET = "6b3873000a0c0a02763112065365637265741226"
      + "0a120a027331120" + "01a0022002a00320038004200" + "12060a0161120162" + "12060a0163120164" + "1a00" + "1a002200";

  @Test
  void aSecretSentAsProtobufIsStoredWithItsData() throws Exception {
    try (EmbeddedKubernetes kubernetes = EmbeddedKubernetes.start(0);
        KubernetesClient client = kubernetes.newClient()) {
      HttpResponse<String> created = post(kubernetes, "/api/v1/namespaces/default/secrets?fieldManager=kubectl-create",
          HexFormat.of().parseHex(KUBECTL_CREATE_SECRET));

      assertEquals(201, created.statusCode(), created.body());
      Secret secret = client.secrets().inNamespace("default").withName("s1").get();
      assertEquals(Map.of("a", "Yg==", "c", "ZA=="), secret.getData(), "the values, base64 as in JSON");
      assertEquals("default", secret.getMetadata().getNamespace());
    }
  }

  @Test
  void aKindNotReadFromProtobufIsRefusedWith415NotLeftUnanswered() throws Exception {
    try (EmbeddedKubernetes kubernetes = EmbeddedKubernetes.start(0)) {
      byte[] serviceAccount = HexFormat.of().parseHex(
          KUBECTL_CREATE_SECRET.replace("0a0c0a02763112065365637265741226", "0a140a027631120e536572766963654163636f756e741226"));
      HttpResponse<String> refused = post(kubernetes, "/api/v1/namespaces/default/serviceaccounts", serviceAccount);

      assertEquals(415, refused.statusCode());
      assertTrue(refused.body().contains("UnsupportedMediaType"), refused.body());

      HttpResponse<String> garbage = post(kubernetes, "/api/v1/namespaces/default/secrets", new byte[] {'k', '8', 's', 0, 0x0a, 0x7f});
      assertEquals(415, garbage.statusCode(), "a truncated body is refused, not answered with silence");
    }
  }

  @Test
  void kubectlCreatesNamespacesSecretsAndConfigMaps(@TempDir Path dir) {
    assumeTrue(Kubectl.available(), "kubectl is not installed here");
    try (EmbeddedKubernetes kubernetes = EmbeddedKubernetes.start(0);
        KubernetesClient client = kubernetes.newClient()) {
      Kubectl kubectl = new Kubectl(kubernetes, dir);

      Kubectl.Result namespace = kubectl.run("create", "namespace", "team-a");
      Kubectl.Result secret = kubectl.run("-n", "team-a", "create", "secret", "generic", "admin-key",
          "--from-literal=apiKey=not-a-real-key");
      Kubectl.Result configMap = kubectl.run("-n", "team-a", "create", "configmap", "settings", "--from-literal=k=v");

      assertEquals(0, namespace.exitCode(), namespace.toString());
      assertEquals(0, secret.exitCode(), secret.toString());
      assertEquals(0, configMap.exitCode(), configMap.toString());
      assertEquals("team-a", client.namespaces().withName("team-a").get().getMetadata().getName());
      assertEquals(Map.of("apiKey", "bm90LWEtcmVhbC1rZXk="),
          client.secrets().inNamespace("team-a").withName("admin-key").get().getData());
      assertEquals(Map.of("k", "v"), client.configMaps().inNamespace("team-a").withName("settings").get().getData());
    }
  }

  private static HttpResponse<String> post(EmbeddedKubernetes kubernetes, String path, byte[] body) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(kubernetes.url() + path))
            .header("Content-Type", "application/vnd.kubernetes.protobuf")
            .header("Accept", "application/vnd.kubernetes.protobuf,application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
