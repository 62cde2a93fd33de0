package com.idmelon.operator.reconciler;

import static com.idmelon.operator.support.OperatorHarness.apiKey;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.idmelon.operator.crd.v1alpha1.ApiKey;
import com.idmelon.operator.crd.v1alpha1.SecretTemplate;
import com.idmelon.operator.idmelon.KeyType;
import com.idmelon.operator.simulator.IdmelonSimulator;
import com.idmelon.operator.support.OperatorHarness;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The operator makes no IDmelon call that is bound to fail afterwards: a Secret it may not write, or labels and
 * annotations a real API server refuses, are found before a key is created, so no key is created and thrown away
 * again on every retry.
 */
class PreflightTest {
  @RegisterExtension
  static final OperatorHarness harness = OperatorHarness.shared(Clock.systemUTC());

  private String ns;

  @BeforeEach
  void freshNamespace() {
    ns = harness.newNamespace();
    harness.simulator().clearRequests();
  }

  @AfterEach
  void removeApiKeys() {
    harness.deleteApiKeys(ns);
  }

  /** Calls on the keys endpoint (list, create, read, reset, delete) since the test started. */
  private static List<IdmelonSimulator.Request> keyCalls() {
    String keysPath = harness.simulator().keysPath();
    return harness.simulator().requests().stream().filter(r -> r.path().startsWith(keysPath)).toList();
  }

  private static List<IdmelonSimulator.Request> creates() {
    return keyCalls().stream().filter(r -> r.method().equals("POST") && !r.path().endsWith("/reset")).toList();
  }

  /** Waits for the first Ready condition the operator reports and returns it. */
  private Condition firstReadyCondition(String name) {
    await().atMost(20, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(50))
        .until(() -> harness.ready(ns, name).isPresent());
    return harness.ready(ns, name).orElseThrow();
  }

  @Test
  void secretNameOfAForeignSecretIsAConflictWithoutCreatingAKey() {
    Secret foreign = harness.client.resource(new SecretBuilder()
        .withNewMetadata().withName("taken").withNamespace(ns).endMetadata()
        .addToData("password", "c29tZW9uZSBlbHNlcw==")
        .build()).create();
    ApiKey wanted = apiKey(ns, "squatter", KeyType.Clients);
    wanted.getSpec().setSecretName("taken");
    harness.create(wanted);

    Condition ready = firstReadyCondition("squatter");
    assertEquals("False", ready.getStatus());
    assertEquals("SecretConflict", ready.getReason(), ready.getMessage());
    int reconcilesBefore = harness.reconciles.count(ns, "squatter");
    // the conflict is retried with backoff (200 ms to 2 s here): several attempts in this window
    await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
        .until(() -> harness.ready(ns, "squatter").map(c -> c.getReason().equals("SecretConflict")).orElse(false));
    assertTrue(harness.reconciles.count(ns, "squatter") - reconcilesBefore >= 2,
        "the conflict was retried in the window");

    assertEquals(List.of(), creates(), "no key is created for a Secret the ApiKey may not write");
    assertEquals(List.of(), keyCalls().stream().filter(IdmelonSimulator.Request::isMutating).toList(),
        "no IDmelon change at all");
    Secret after = harness.secret(ns, "taken");
    assertEquals(foreign.getMetadata().getResourceVersion(), after.getMetadata().getResourceVersion(),
        "the foreign Secret is untouched");
    assertEquals(foreign.getData(), after.getData());

    // once its owner removes the Secret, the key is issued: one create, no more
    harness.client.resource(after).delete();
    harness.awaitReady(ns, "squatter", true, "Issued");
    assertEquals(1, creates().size(), "exactly one key created: " + creates());
  }

  static List<Arguments> refusedTemplates() {
    return List.of(
        Arguments.of("label value with spaces", Map.of("app", "not valid!"), Map.of(), "secretTemplate.labels"),
        Arguments.of("label key with two slashes", Map.of("a/b/c", "x"), Map.of(), "secretTemplate.labels"),
        Arguments.of("annotation key with spaces", Map.of(), Map.of("bad key!", "x"), "secretTemplate.annotations"),
        Arguments.of("reserved fingerprint annotation", Map.of(),
            Map.of("idmelon.com/fingerprint", "sha256:0000000000000000"), "secretTemplate.annotations"),
        Arguments.of("managed-by label taken over", Map.of("app.kubernetes.io/managed-by", "helm"), Map.of(),
            "secretTemplate.labels"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusedTemplates")
  void secretTemplateTheApiServerWouldRefuseIsAnInvalidSpecWithoutAnyIdmelonCall(String caseName,
      Map<String, String> labels, Map<String, String> annotations, String field) {
    ApiKey wanted = apiKey(ns, "templated", KeyType.Admin);
    SecretTemplate template = new SecretTemplate();
    template.setLabels(labels);
    template.setAnnotations(annotations);
    wanted.getSpec().setSecretTemplate(template);
    harness.create(wanted);

    Condition ready = firstReadyCondition("templated");
    assertEquals("False", ready.getStatus(), caseName + ": " + ready.getReason() + ": " + ready.getMessage());
    assertEquals("InvalidSpec", ready.getReason(), ready.getMessage());
    assertTrue(ready.getMessage().contains(field), "the message names " + field + ": " + ready.getMessage());
    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4))
        .until(() -> harness.ready(ns, "templated").map(c -> c.getReason().equals("InvalidSpec")).orElse(false));
    assertEquals(List.of(), keyCalls(), "an invalid spec never reaches IDmelon");
  }
}
