package com.idmelon.operator.reconciler;

import static com.idmelon.operator.support.OperatorHarness.apiKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.idmelon.operator.crd.v1alpha1.ApiKey;
import com.idmelon.operator.crd.v1alpha1.Rotation;
import com.idmelon.operator.crd.v1alpha1.RotationStrategy;
import com.idmelon.operator.crd.v1alpha1.SecretTemplate;
import com.idmelon.operator.idmelon.KeyType;
import com.idmelon.operator.quickstart.EmbeddedKubernetes;
import com.idmelon.operator.support.CommittedCrds;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every spec the operator refuses is either refused by the CRD when applied (the embedded API server admits as a
 * cluster does) or listed here as the operator's alone, with why the CRD cannot say it. A rule added to one side
 * only, or a CRD that starts refusing what is listed as the operator's, fails this test: the two cannot drift
 * apart unnoticed.
 */
class CrdAndOperatorAgreeTest {
  private static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");
  private static EmbeddedKubernetes kubernetes;
  private static KubernetesClient client;
  private static int created;

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

  /** The CRD refuses it on apply. */
  private static Arguments crd(String field, KeyType type, Consumer<ApiKey> change) {
    return Arguments.of(field, type, change, null);
  }

  /** Only the operator can refuse it, for the reason given. */
  private static Arguments operatorOnly(String field, KeyType type, Consumer<ApiKey> change, String why) {
    return Arguments.of(field, type, change, why);
  }

  private static Consumer<ApiKey> rotation(Consumer<Rotation> change) {
    return k -> {
      Rotation rotation = new Rotation();
      change.accept(rotation);
      k.getSpec().setRotation(rotation);
    };
  }

  private static Consumer<ApiKey> template(Map<String, String> labels, Map<String, String> annotations) {
    return k -> {
      SecretTemplate template = new SecretTemplate();
      template.setLabels(labels);
      template.setAnnotations(annotations);
      k.getSpec().setSecretTemplate(template);
    };
  }

  static List<Arguments> refusedSpecs() {
    return List.of(
        crd("spec.name", KeyType.Admin, k -> k.getSpec().setName("x".repeat(101))),
        crd("spec.name", KeyType.Admin, k -> k.getSpec().setName("ci\n2026-11-28 INFO forged line")),
        crd("spec.name", KeyType.Admin, k -> k.getSpec().setName("ci\u2028key")),
        crd("spec.name", KeyType.Admin, k -> k.getSpec().setName("zero\u200Bwidth")),
        operatorOnly("spec.name", KeyType.Admin, k -> k.getSpec().setName(" "),
            "a name of spaces only: the schema's minLength counts the space, and RE2's \\s is not Java's isBlank"),
        crd("spec.type", KeyType.Admin, k -> k.getSpec().setType(null)),
        crd("spec.expiresAt and spec.duration", KeyType.Admin, k -> {
          k.getSpec().setExpiresAt("2030-01-01T00:00:00Z");
          k.getSpec().setDuration("1h");
        }),
        crd("spec.expiresAt", KeyType.Admin, k -> k.getSpec().setExpiresAt("tomorrow")),
        operatorOnly("spec.expiresAt", KeyType.Admin, k -> k.getSpec().setExpiresAt("2020-01-01T00:00:00Z"),
            "in the past: only true when the key is first issued, which admission cannot know"),
        crd("spec.duration", KeyType.Admin, k -> k.getSpec().setDuration("3 days")),
        crd("spec.renewBefore needs spec.duration", KeyType.Admin, k -> k.getSpec().setRenewBefore("1h")),
        crd("spec.renewBefore must be shorter", KeyType.Admin, k -> {
          k.getSpec().setDuration("1h");
          k.getSpec().setRenewBefore("60m");
        }),
        crd("spec.secretName", KeyType.Admin, k -> k.getSpec().setSecretName("Not_A_Name")),
        crd("spec.rotation.every must be at least 1h", KeyType.Clients, rotation(r -> r.setEvery("59m"))),
        crd("spec.rotation.every", KeyType.Clients, rotation(r -> r.setEvery("monthly"))),
        crd("spec.rotation.gracePeriod", KeyType.Clients, rotation(r -> r.setGracePeriod("soon"))),
        crd("spec.rotation.strategy", KeyType.Clients, rotation(r -> r.setStrategy(RotationStrategy.Reset))),
        operatorOnly("spec.secretTemplate.labels", KeyType.Clients, template(Map.of("bad key!", "x"), null),
            "label syntax: CEL has no Kubernetes label-key library in every supported cluster version"),
        operatorOnly("spec.secretTemplate.labels", KeyType.Clients, template(Map.of("app", "a".repeat(64)), null),
            "label values: as above"),
        operatorOnly("spec.secretTemplate.annotations", KeyType.Clients, template(null, Map.of("bad key!", "x")),
            "annotation keys: as above"),
        operatorOnly("spec.secretTemplate.annotations", KeyType.Clients,
            template(null, Map.of("idmelon.com/fingerprint", "x")),
            "the operator's own annotations: kept as a rule of the operator, not of the schema"),
        operatorOnly("spec.secretTemplate.annotations", KeyType.Clients,
            template(null, Map.of("big", "x".repeat(300_000))),
            "their size in UTF-8 bytes: CEL's size() counts code points, and the cost budget refuses such rules"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusedSpecs")
  void theOperatorAndTheCrdAgreeOrTheDifferenceIsNamed(String field, KeyType type, Consumer<ApiKey> change,
      String operatorOnlyBecause) {
    ApiKey apiKey = apiKey("default", "agree-" + (++created), type);
    change.accept(apiKey);
    Optional<String> operator = SpecValidator.validate(apiKey, null, true, NOW);
    assertTrue(operator.isPresent() && operator.get().contains(field), "the operator refuses it: " + operator);

    Optional<KubernetesClientException> cluster;
    try {
      client.resource(apiKey).create();
      cluster = Optional.empty();
    } catch (KubernetesClientException e) {
      cluster = Optional.of(e);
    }

    if (operatorOnlyBecause == null) {
      assertTrue(cluster.isPresent(), "the CRD refuses it too");
      assertEquals(422, cluster.get().getCode(), cluster.get().getMessage());
    } else {
      assertEquals(Optional.empty(), cluster.map(KubernetesClientException::getMessage),
          "listed as the operator's alone (" + operatorOnlyBecause + "): if the CRD now refuses it, move it");
    }
  }
}
