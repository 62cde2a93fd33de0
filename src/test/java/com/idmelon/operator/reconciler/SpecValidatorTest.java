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
}
