package com.idmelon.operator.reconciler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.idmelon.operator.crd.v1alpha1.ApiKeySpec;
import com.idmelon.operator.crd.v1alpha1.ApiKeyStatus;
import com.idmelon.operator.crd.v1alpha1.Pending;
import com.idmelon.operator.crd.v1alpha1.Rotation;
import com.idmelon.operator.crd.v1alpha1.RotationStrategy;
import com.idmelon.operator.idmelon.KeyType;
import com.idmelon.operator.reconciler.NextStep.Action;
import com.idmelon.operator.reconciler.NextStep.Facts;
import com.idmelon.operator.reconciler.NextStep.KeyState;
import com.idmelon.operator.reconciler.NextStep.SecretState;
import com.idmelon.operator.reconciler.NextStep.Step;
import java.time.Instant;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** What an ApiKey needs next, decided from plain facts: one case per rule and per precedence between rules. */
class NextStepTest {
  private static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");

  private static ApiKeySpec spec(KeyType type, Consumer<ApiKeySpec> change) {
    ApiKeySpec spec = new ApiKeySpec();
    spec.setName("Key");
    spec.setType(type);
    change.accept(spec);
    return spec;
  }

  /** A key issued an hour ago, never expiring, handled reset "r1". */
  private static ApiKeyStatus issued(Consumer<ApiKeyStatus> change) {
    ApiKeyStatus status = new ApiKeyStatus();
    status.setKeyId("k_1");
    status.setSecretName("s");
    status.setFingerprint("sha256:0000000000000000");
    status.setIssuedAt("2026-11-27T11:00:00Z");
    status.setLastReset("r1");
    change.accept(status);
    return status;
  }

  private static Step decide(ApiKeySpec spec, ApiKeyStatus status, String reset, SecretState secret, KeyState key,
      String redo, boolean template) {
    return NextStep.decide(new Facts(spec, status, reset, secret, key, redo, template, null, null, NOW));
  }

  /** Everything fine but the named fact. */
  private static Step decide(KeyType type, String reset, SecretState secret, KeyState key) {
    return decide(spec(type, s -> { }), issued(s -> { }), reset, secret, key, null, true);
  }

  @Test
  void noKeyYetIssuesOne() {
    Step step = decide(spec(KeyType.Clients, s -> { }), new ApiKeyStatus(), "r9", SecretState.ABSENT, KeyState.PRESENT,
        null, true);
    assertEquals(Action.ISSUE, step.action());
    assertNull(step.trigger(), "issuing is not a rotation");
  }

  @Test
  void aSettledKeyNeedsNothing() {
    assertEquals(Step.NOTHING, decide(KeyType.Admin, "r1", SecretState.INTACT, KeyState.PRESENT));
    assertEquals(Step.NOTHING, decide(KeyType.Clients, null, SecretState.INTACT, KeyState.PRESENT));
  }

  @Test
  void aNewResetAnnotationResetsAnAdminKey() {
    Step step = decide(KeyType.Admin, "r2", SecretState.INTACT, KeyState.PRESENT);
    assertEquals(Action.RESET, step.action());
    assertEquals("reset-annotation", step.trigger());
  }

  @ParameterizedTest
  @EnumSource(value = KeyType.class, names = {"Clients", "SharedMobile"})
  void aNewResetAnnotationReplacesOtherKeys(KeyType type) {
    assertEquals(Action.REPLACE, decide(type, "r2", SecretState.INTACT, KeyState.PRESENT).action());
  }

  @Test
  void anAdminKeyWithTheReplaceStrategyIsReplaced() {
    ApiKeySpec spec = spec(KeyType.Admin, s -> {
      Rotation rotation = new Rotation();
      rotation.setStrategy(RotationStrategy.Replace);
      s.setRotation(rotation);
    });
    assertEquals(Action.REPLACE,
        decide(spec, issued(s -> { }), "r2", SecretState.INTACT, KeyState.PRESENT, null, true).action());
  }

  @Test
  void theSameResetValueAgainDoesNothing() {
    assertEquals(Action.NONE, decide(KeyType.Admin, "r1", SecretState.INTACT, KeyState.PRESENT).action());
  }

  @Test
  void anInterruptedResetIsDoneAgain() {
    Step step = decide(spec(KeyType.Admin, s -> { }), issued(s -> { }), "r1", SecretState.INTACT, KeyState.PRESENT,
        Pending.RESET, true);
    assertEquals(Action.RESET, step.action());
    assertEquals("recovery", step.trigger());
  }

  @Test
  void anInterruptedReplaceIsDoneAgainEvenForAnAdminKey() {
    Step step = decide(spec(KeyType.Admin, s -> { }), issued(s -> { }), "r1", SecretState.INTACT, KeyState.PRESENT,
        Pending.REPLACE, true);
    assertEquals(Action.REPLACE, step.action());
    assertEquals("recovery", step.trigger());
  }

  @ParameterizedTest
  @EnumSource(value = SecretState.class, names = {"ABSENT", "DRIFTED"})
  void aMissingOrEditedSecretRotatesWithTheTypesStrategy(SecretState secret) {
    Step admin = decide(KeyType.Admin, "r1", secret, KeyState.PRESENT);
    assertEquals(Action.RESET, admin.action());
    assertEquals("secret-drift", admin.trigger());
    assertEquals(Action.REPLACE, decide(KeyType.Clients, "r1", secret, KeyState.PRESENT).action());
  }

  @ParameterizedTest
  @EnumSource(value = KeyState.class, names = {"GONE", "EXPIRED_EARLY"})
  void aKeyGoneFromIdmelonIsReplacedEvenForAnAdminKey(KeyState key) {
    Step step = decide(KeyType.Admin, "r1", SecretState.INTACT, key);
    assertEquals(Action.REPLACE, step.action(), "a reset keeps the id and its expiry");
    assertEquals("key-gone", step.trigger());
  }

  @Test
  void aChangedFixedExpiryReplacesTheKey() {
    ApiKeySpec spec = spec(KeyType.Admin, s -> s.setExpiresAt("2031-01-01T00:00:00Z"));
    Step step = decide(spec, issued(s -> s.setExpiresAt("2030-01-01T00:00:00Z")), "r1", SecretState.INTACT,
        KeyState.PRESENT, null, true);
    assertEquals(Action.REPLACE, step.action());
    assertEquals("expiry-changed", step.trigger());
  }

  @ParameterizedTest(name = "spec.expiresAt {0} is the recorded 2030-03-14T09:26:53Z")
  @ValueSource(strings = {"2030-03-14T09:26:53.589Z", "2030-03-14T11:26:53+02:00", "2030-03-14T11:26:53.999+02:00",
      "2030-03-14T09:26:53Z"})
  void theSameExpiryInAnotherSpellingOrPrecisionIsNoChange(String expiresAt) {
    ApiKeySpec spec = spec(KeyType.Clients, s -> s.setExpiresAt(expiresAt));
    Step step = decide(spec, issued(s -> s.setExpiresAt("2030-03-14T09:26:53Z")), "r1", SecretState.INTACT,
        KeyState.PRESENT, null, true);
    assertEquals(Step.NOTHING, step);
  }

  @Test
  void renewalIsDueExactlyAtTheRenewalTime() {
    ApiKeySpec spec = spec(KeyType.Clients, s -> s.setDuration("3h"));
    // expires 13:00, renewBefore defaults to a third (1h): renewal at 12:00 == NOW
    Step due = decide(spec, issued(s -> s.setExpiresAt("2026-11-27T13:00:00Z")), "r1", SecretState.INTACT,
        KeyState.PRESENT, null, true);
    assertEquals(Action.REPLACE, due.action());
    assertEquals("renewal", due.trigger());
    assertEquals(Reasons.RENEWED, due.readyReason(Reasons.REPLACED));
  }

  @Test
  void renewalIsNotDueASecondBefore() {
    ApiKeySpec spec = spec(KeyType.Clients, s -> s.setDuration("3h"));
    Step early = decide(spec, issued(s -> s.setExpiresAt("2026-11-27T13:00:01Z")), "r1", SecretState.INTACT,
        KeyState.PRESENT, null, true);
    assertEquals(Step.NOTHING, early);
  }

  @Test
  void aScheduledRotationIsDueAtItsTimeWithTheTypesStrategy() {
    ApiKeySpec admin = spec(KeyType.Admin, s -> { });
    Step due = NextStep.decide(new Facts(admin, issued(s -> { }), "r1", SecretState.INTACT, KeyState.PRESENT, null,
        true, NOW, null, NOW));
    assertEquals(Action.RESET, due.action());
    assertEquals("schedule", due.trigger());
    Step replace = NextStep.decide(new Facts(spec(KeyType.Clients, s -> { }), issued(s -> { }), "r1",
        SecretState.INTACT, KeyState.PRESENT, null, true, NOW.minusSeconds(3600), null, NOW));
    assertEquals(Action.REPLACE, replace.action());
    assertEquals(Step.NOTHING, NextStep.decide(new Facts(admin, issued(s -> { }), "r1", SecretState.INTACT,
        KeyState.PRESENT, null, true, NOW.plusSeconds(1), null, NOW)), "not a second before");
  }

  @Test
  void aRenewalDueAtTheSameTimeAsTheScheduleIsOneRotationAndCountsAsTheRenewal() {
    ApiKeySpec spec = spec(KeyType.Clients, s -> s.setDuration("3h"));
    Step step = NextStep.decide(new Facts(spec, issued(s -> s.setExpiresAt("2026-11-27T13:00:00Z")), "r1",
        SecretState.INTACT, KeyState.PRESENT, null, true, NOW, null, NOW));
    assertEquals("renewal", step.trigger());
  }

  @Test
  void anAdminResetWhileARenewalIsDueReplacesOnceInsteadOfResettingThenRenewing() {
    ApiKeySpec spec = spec(KeyType.Admin, s -> s.setDuration("3h"));
    Step step = decide(spec, issued(s -> s.setExpiresAt("2026-11-27T13:00:00Z")), "r2", SecretState.INTACT,
        KeyState.PRESENT, null, true);
    assertEquals("reset-annotation", step.trigger());
    assertEquals(Action.REPLACE, step.action());
  }

  @Test
  void aWorkspaceRotationRotatesAKeyFromBeforeItsStartOnceAndNotBeforeItStarts() {
    ApiKeySpec admin = spec(KeyType.Admin, s -> { });
    ApiKeyStatus old = issued(s -> s.setLastRotatedAt("2026-11-27T11:30:00Z"));
    Step due = NextStep.decide(new Facts(admin, old, "r1", SecretState.INTACT, KeyState.PRESENT, null, true, null,
        NOW, NOW));
    assertEquals("workspace-reset", due.trigger());
    assertEquals(Action.RESET, due.action());
    assertEquals(Step.NOTHING, NextStep.decide(new Facts(admin, old, "r1", SecretState.INTACT, KeyState.PRESENT,
        null, true, null, NOW.plusSeconds(1), NOW)), "not before it starts");
    ApiKeyStatus rotatedAtTheStart = issued(s -> s.setLastRotatedAt(NOW.toString()));
    assertEquals(Step.NOTHING, NextStep.decide(new Facts(admin, rotatedAtTheStart, "r1", SecretState.INTACT,
        KeyState.PRESENT, null, true, null, NOW, NOW)), "a key rotated since counts as done");
  }

  @Test
  void lostTemplateLabelsAreRepairedWithoutRotating() {
    Step step = decide(spec(KeyType.Admin, s -> { }), issued(s -> { }), "r1", SecretState.INTACT, KeyState.PRESENT,
        null, false);
    assertEquals(Action.REPAIR_TEMPLATE, step.action());
    assertFalse(step.rotates());
  }

  @Test
  void aMovedSecretNameMovesTheValueBeforeAnythingElse() {
    Step step = decide(KeyType.Admin, "r2", SecretState.AT_PREVIOUS_NAME, KeyState.GONE);
    assertEquals(Action.MOVE_SECRET, step.action());
  }

  @Test
  void theResetAnnotationWinsOverDriftAndAVanishedKey() {
    Step step = decide(KeyType.Admin, "r2", SecretState.DRIFTED, KeyState.GONE);
    assertEquals("reset-annotation", step.trigger());
  }

  @Test
  void driftWinsOverAVanishedKey() {
    assertEquals("secret-drift", decide(KeyType.Clients, "r1", SecretState.ABSENT, KeyState.GONE).trigger());
  }

  @Test
  void aVanishedKeyWinsOverAChangedExpiry() {
    ApiKeySpec spec = spec(KeyType.Clients, s -> s.setExpiresAt("2031-01-01T00:00:00Z"));
    Step step = decide(spec, issued(s -> s.setExpiresAt("2030-01-01T00:00:00Z")), "r1", SecretState.INTACT,
        KeyState.GONE, null, true);
    assertEquals("key-gone", step.trigger());
  }

  @Test
  void onlyRenewalEndsInRenewed() {
    assertEquals(Reasons.RESET, decide(KeyType.Admin, "r2", SecretState.INTACT, KeyState.PRESENT)
        .readyReason(Reasons.RESET));
  }

  @Test
  void aHostileResetValueIsQuotedSanitisedAndCutInTheReason() {
    String hostile = "x\nFAKE LOG LINE\r\u2028" + "A".repeat(10_000);
    Step step = decide(KeyType.Admin, hostile, SecretState.INTACT, KeyState.PRESENT);
    assertFalse(step.why().contains("\n") || step.why().contains("\r") || step.why().contains("\u2028"), step.why());
    assertTrue(step.why().length() < 200, "cut: " + step.why().length());
    assertTrue(step.why().contains("..."), "the cut is marked");
  }
}
