package com.idmelon.operator.reconciler;

import static com.idmelon.operator.support.OperatorHarness.apiKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.idmelon.operator.crd.v1alpha1.ApiKey;
import com.idmelon.operator.crd.v1alpha1.Rotation;
import com.idmelon.operator.crd.v1alpha1.RotationStrategy;
import com.idmelon.operator.idmelon.KeyType;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The reconciler's second line of defence repeats every schema rule and names the field. */
class SpecValidatorTest {
  private static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");

  private static Optional<String> check(KeyType type, Consumer<ApiKey> change) {
    ApiKey apiKey = apiKey("ns", "k", type);
    change.accept(apiKey);
    return SpecValidator.validate(apiKey, null, true, NOW);
  }

  private static void assertViolation(String field, Optional<String> result) {
    assertTrue(result.isPresent(), "expected a violation of " + field);
    assertTrue(result.get().contains(field), result.get());
  }

  @Test
  void templateAnnotationsAreMeasuredInTheBytesTheApiServerCounts() {
    // 100,000 three-byte characters: under the limit in characters, over it in UTF-8 bytes
    Optional<String> wide = check(KeyType.Clients, k -> {
      k.getSpec().setSecretTemplate(new com.idmelon.operator.crd.v1alpha1.SecretTemplate());
      k.getSpec().getSecretTemplate().setAnnotations(java.util.Map.of("team.example.com/notes", "\u20ac".repeat(100_000)));
    });
    assertViolation("spec.secretTemplate.annotations are 300022 bytes", wide);
    assertEquals(Optional.empty(), check(KeyType.Clients, k -> {
      k.getSpec().setSecretTemplate(new com.idmelon.operator.crd.v1alpha1.SecretTemplate());
      k.getSpec().getSecretTemplate().setAnnotations(java.util.Map.of("team.example.com/notes", "a".repeat(100_000)));
    }));
  }

  @Test
  void aPlainSpecIsValid() {
    assertEquals(Optional.empty(), check(KeyType.Admin, k -> { }));
    assertEquals(Optional.empty(), check(KeyType.SharedMobile, k -> {
      k.getSpec().setDuration("2160h");
      k.getSpec().setRenewBefore("360h");
    }));
  }

  @Test
  void eachRuleNamesItsField() {
    assertViolation("spec.name", check(KeyType.Admin, k -> k.getSpec().setName(" ")));
    assertViolation("spec.name", check(KeyType.Admin, k -> k.getSpec().setName("x".repeat(101))));
    assertViolation("spec.name", check(KeyType.Admin, k -> k.getSpec().setName("ci\n2026-11-28 INFO forged line")));
    assertViolation("spec.name", check(KeyType.Admin, k -> k.getSpec().setName("ci\u2028key")));
    assertEquals(Optional.empty(), check(KeyType.Admin, k -> k.getSpec().setName("CI key \uD83D\uDD11")), "emoji are fine");
    assertViolation("spec.type", check(KeyType.Admin, k -> k.getSpec().setType(null)));
    assertViolation("spec.expiresAt and spec.duration", check(KeyType.Admin, k -> {
      k.getSpec().setExpiresAt("2030-01-01T00:00:00Z");
      k.getSpec().setDuration("1h");
    }));
    assertViolation("spec.expiresAt", check(KeyType.Admin, k -> k.getSpec().setExpiresAt("tomorrow")));
    assertViolation("spec.duration", check(KeyType.Admin, k -> k.getSpec().setDuration("3 days")));
    assertViolation("spec.renewBefore needs spec.duration", check(KeyType.Admin, k -> k.getSpec().setRenewBefore("1h")));
    assertViolation("spec.renewBefore must be shorter", check(KeyType.Admin, k -> {
      k.getSpec().setDuration("1h");
      k.getSpec().setRenewBefore("60m");
    }));
    assertViolation("spec.secretName", check(KeyType.Admin, k -> k.getSpec().setSecretName("Not_A_Name")));
    assertViolation("spec.rotation.every must be at least 1h", check(KeyType.Clients, k -> {
      Rotation rotation = new Rotation();
      rotation.setEvery("59m");
      k.getSpec().setRotation(rotation);
    }));
    assertViolation("spec.rotation.every", check(KeyType.Clients, k -> {
      Rotation rotation = new Rotation();
      rotation.setEvery("monthly");
      k.getSpec().setRotation(rotation);
    }));
    assertViolation("spec.rotation.gracePeriod", check(KeyType.Clients, k -> {
      Rotation rotation = new Rotation();
      rotation.setGracePeriod("soon");
      k.getSpec().setRotation(rotation);
    }));
  }

  @Test
  void resetStrategyIsOnlyForAdminKeys() {
    Consumer<ApiKey> reset = k -> {
      Rotation rotation = new Rotation();
      rotation.setStrategy(RotationStrategy.Reset);
      k.getSpec().setRotation(rotation);
    };
    assertViolation("spec.rotation.strategy", check(KeyType.Clients, reset));
    assertViolation("spec.rotation.strategy", check(KeyType.SharedMobile, reset));
    assertEquals(Optional.empty(), check(KeyType.Admin, reset));
  }

  @Test
  void pastExpiryIsRefusedOnlyBeforeTheFirstIssue() {
    ApiKey apiKey = apiKey("ns", "k", KeyType.Admin);
    apiKey.getSpec().setExpiresAt("2026-01-01T00:00:00Z");
    assertViolation("spec.expiresAt", SpecValidator.validate(apiKey, null, true, NOW));
    assertEquals(Optional.empty(), SpecValidator.validate(apiKey, KeyType.Admin, false, NOW),
        "an issued key that has since expired is reported as Expired, not as an invalid spec");
  }

  @Test
  void typeCannotChangeAfterTheKeyWasIssued() {
    ApiKey apiKey = apiKey("ns", "k", KeyType.Clients);
    assertViolation("spec.type is immutable", SpecValidator.validate(apiKey, KeyType.Admin, false, NOW));
  }

  private static Optional<String> template(java.util.Map<String, String> labels, java.util.Map<String, String> annotations) {
    return check(KeyType.Clients, k -> {
      com.idmelon.operator.crd.v1alpha1.SecretTemplate template = new com.idmelon.operator.crd.v1alpha1.SecretTemplate();
      template.setLabels(labels);
      template.setAnnotations(annotations);
      k.getSpec().setSecretTemplate(template);
    });
  }

  @Test
  void templateLabelsTheApiServerWouldRefuseAreNamed() {
    assertViolation("spec.secretTemplate.labels", template(java.util.Map.of("a/b/c", "x"), null));
    assertViolation("spec.secretTemplate.labels", template(java.util.Map.of("bad key!", "x"), null));
    assertViolation("spec.secretTemplate.labels", template(java.util.Map.of("app", "not valid!"), null));
    assertViolation("spec.secretTemplate.labels", template(java.util.Map.of("app", "a".repeat(64)), null));
    assertEquals(Optional.empty(), template(java.util.Map.of("example.com/app", "reporting", "tier", ""), null));
  }

  @Test
  void templateAnnotationsTheApiServerWouldRefuseOrTheOperatorKeepsAreNamed() {
    assertViolation("spec.secretTemplate.annotations", template(null, java.util.Map.of("bad key!", "x")));
    assertViolation("spec.secretTemplate.annotations", template(null, java.util.Map.of("idmelon.com/fingerprint", "x")));
    assertViolation("spec.secretTemplate.labels",
        template(java.util.Map.of("app.kubernetes.io/managed-by", "helm"), null));
    assertViolation("spec.secretTemplate.annotations", template(null, java.util.Map.of("big", "x".repeat(300_000))));
    assertEquals(Optional.empty(), template(null, java.util.Map.of("example.com/note", "any value\nat all")));
  }

  @Test
  void anOffendingKeyIsQuotedWithoutItsLineBreaks() {
    Optional<String> result = template(java.util.Map.of("bad\nkey", "x"), null);
    assertTrue(result.isPresent() && !result.get().contains("\n"), String.valueOf(result));
  }
}
