package com.idmelon.operator.quickstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.idmelon.operator.support.CommittedCrds;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every object's metadata, and Secrets' and ConfigMaps' keys, are checked as an API server checks them: a write the
 * operator (or a test) makes that a cluster would refuse is refused here too, with the cluster's message.
 */
class MetadataValidationTest {
  private static EmbeddedKubernetes kubernetes;
  private static KubernetesClient client;

  @BeforeAll
  static void start() {
    kubernetes = CommittedCrds.serverWith("apikeys.idmelon.com-v1.yml");
    client = kubernetes.newClient();
  }

  @AfterAll
  static void stop() {
    client.close();
    kubernetes.close();
  }

  private static Secret secret(String name, Map<String, String> labels, Map<String, String> annotations) {
    return new SecretBuilder().withNewMetadata().withName(name).withNamespace("default").withLabels(labels)
        .withAnnotations(annotations).endMetadata().addToData("apiKey", "YQ==").build();
  }

  private static String refused(HasMetadata object) {
    KubernetesClientException refused =
        assertThrows(KubernetesClientException.class, () -> client.resource(object).create());
    assertEquals(422, refused.getCode(), refused.getMessage());
    assertEquals("Invalid", refused.getStatus().getReason());
    return refused.getStatus().getMessage();
  }

  @Test
  void labelKeysAndValuesAreCheckedAsOnACluster() {
    assertEquals("Secret \"bad-key\" is invalid: metadata.labels: Invalid value: \"bad key!\": name part must consist"
        + " of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g."
        + " 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
        refused(secret("bad-key", Map.of("bad key!", "x"), Map.of())));
    assertTrue(refused(secret("long-value", Map.of("app", "v".repeat(64)), Map.of()))
        .contains("metadata.labels: Invalid value: \"" + "v".repeat(64) + "\": must be no more than 63 characters"));
    assertTrue(refused(secret("bad-prefix", Map.of("Example.com/app", "x"), Map.of()))
        .contains("prefix part a lowercase RFC 1123 subdomain"));
    assertNotNull(client.resource(secret("fine", Map.of("app.kubernetes.io/name", "web", "empty", ""), Map.of()))
        .create());
  }

  @Test
  void annotationKeysAndTheirTotalSizeAreCheckedAsOnACluster() {
    assertTrue(refused(secret("no-name", Map.of(), Map.of("idmelon.com/", "x")))
        .contains("metadata.annotations: Invalid value: \"idmelon.com/\": name part must be non-empty"));
    assertTrue(refused(secret("too-big", Map.of(), Map.of("a", "x".repeat(256 * 1024))))
        .contains("metadata.annotations: Too long: may not be more than 262144 bytes"));
    assertNotNull(client.resource(secret("big-enough", Map.of(), Map.of("a", "x".repeat(200 * 1024)))).create());
  }

  @Test
  void namesAreCheckedAsOnACluster() {
    assertTrue(refused(secret("Bad_Name", Map.of(), Map.of()))
        .contains("metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain must consist of"));
    assertTrue(refused(new NamespaceBuilder().withNewMetadata().withName("team.a").endMetadata().build())
        .contains("a lowercase RFC 1123 label must consist of"), "a namespace's name is a DNS label");
  }

  @Test
  void secretAndConfigMapKeysAndSizesAreCheckedAsOnACluster() {
    Secret slashed = secret("slashed", Map.of(), Map.of());
    slashed.setData(Map.of("a/b", "YQ=="));
    assertTrue(refused(slashed).contains("data[a/b]: Invalid value: \"a/b\": a valid config key must consist of"));
    Secret huge = secret("huge", Map.of(), Map.of());
    huge.setData(Map.of("k", java.util.Base64.getEncoder().encodeToString(new byte[1024 * 1024 + 1])));
    assertTrue(refused(huge).contains("data: Too long: may not be more than 1048576 bytes"));
    Secret garbled = secret("garbled", Map.of(), Map.of());
    garbled.setData(Map.of("k", "not base64!"));
    KubernetesClientException notBase64 =
        assertThrows(KubernetesClientException.class, () -> client.resource(garbled).create());
    assertEquals(400, notBase64.getCode(), "a body that cannot be decoded is a bad request");
    assertTrue(refused(new ConfigMapBuilder().withNewMetadata().withName("cm").withNamespace("default").endMetadata()
        .addToData("bad key", "v").build()).contains("data[bad key]: Invalid value"));
  }

  @Test
  void finalizersAreQualifiedAndNoneIsAddedToAnObjectBeingDeleted() {
    Secret unqualified = secret("unqualified", Map.of(), Map.of());
    unqualified.getMetadata().setFinalizers(List.of("hold"));
    assertTrue(refused(unqualified).contains(
        "metadata.finalizers: Invalid value: \"hold\": name is neither a standard finalizer name nor is it fully qualified"));

    Secret held = secret("held", Map.of(), Map.of());
    held.getMetadata().setFinalizers(List.of("example.com/hold"));
    client.resource(held).create();
    client.secrets().inNamespace("default").withName("held").delete();
    KubernetesClientException forbidden = assertThrows(KubernetesClientException.class,
        () -> client.secrets().inNamespace("default").withName("held").edit(s -> {
          s.getMetadata().setFinalizers(List.of("example.com/hold", "example.com/another"));
          return s;
        }));
    assertEquals(422, forbidden.getCode());
    assertTrue(forbidden.getStatus().getMessage().contains(
        "metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted"));
  }

  @Test
  void customResourcesMetadataIsCheckedToo() {
    assertTrue(refused(new io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder()
        .withApiVersion("idmelon.com/v1alpha1").withKind("ApiKey")
        .withNewMetadata().withName("labelled").withNamespace("default").withLabels(Map.of("team", "a b")).endMetadata()
        .withAdditionalProperties(Map.of("spec", Map.of("name", "K", "type", "Admin"))).build())
        .startsWith("ApiKey.idmelon.com \"labelled\" is invalid: metadata.labels: Invalid value: \"a b\""));
  }
}
