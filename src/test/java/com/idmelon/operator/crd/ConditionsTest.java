package com.idmelon.operator.crd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.idmelon.operator.crd.v1alpha1.ApiKeyStatus;
import com.idmelon.operator.crd.v1alpha1.Conditions;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The Ready condition follows metav1.Condition rules, without a cluster. */
class ConditionsTest {
  private static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");
  private static final Instant T1 = Instant.parse("2026-11-27T11:00:00Z");

  @Test
  void transitionTimeChangesOnlyWhenTheStatusFlips() {
    ApiKeyStatus status = new ApiKeyStatus();
    Conditions.set(status, "Ready", true, "Issued", "ok", 1L, T0);
    Conditions.set(status, "Ready", true, "Reset", "reset", 2L, T1);
    Condition ready = status.condition("Ready").orElseThrow();
    assertEquals("2026-11-27T10:00:00Z", ready.getLastTransitionTime(), "still True: the transition time stays");
    assertEquals("Reset", ready.getReason());
    assertEquals(2L, ready.getObservedGeneration());

    Conditions.set(status, "Ready", false, "IdmelonUnavailable", "down", 2L, T1);
    assertEquals("2026-11-27T11:00:00Z", status.condition("Ready").orElseThrow().getLastTransitionTime());
    assertEquals(1, status.getConditions().size(), "one condition per type");
  }

  @Test
  void settingTheSameValuesAgainChangesNothing() {
    ApiKeyStatus status = new ApiKeyStatus();
    Conditions.set(status, "Ready", true, "Issued", "ok", 1L, T0);
    var before = Serialization.jsonMapper().valueToTree(status);
    Conditions.set(status, "Ready", true, "Issued", "ok", 1L, T1);
    assertEquals(before, Serialization.jsonMapper().valueToTree(status), "no change, so no status write");
  }

  @Test
  void aMessageIsOneBoundedLine() {
    ApiKeyStatus status = new ApiKeyStatus();
    Conditions.set(status, Conditions.READY, false, "InvalidSpec",
        "spec.name 'a\nforged: line\r\u2028\u202e' " + "x".repeat(5000), 1L, Instant.parse("2026-01-01T00:00:00Z"));
    String message = status.condition(Conditions.READY).orElseThrow().getMessage();
    assertEquals(Conditions.MAX_MESSAGE + "... (cut)".length(), message.length());
    assertTrue(message.endsWith("... (cut)"), message);
    assertTrue(message.startsWith("spec.name 'a forged: line   ' x"), message);
    assertEquals("short stays as it is", Conditions.boundedMessage("short stays as it is"));
    // tag characters hide text outside the BMP; an emoji is printable and stays whole
    assertEquals("a b \uD83D\uDD11", Conditions.boundedMessage("a\uDB40\uDC41b \uD83D\uDD11"));
  }

  @Test
  void isTrueReadsTheCondition() {
    ApiKeyStatus status = new ApiKeyStatus();
    assertFalse(Conditions.isTrue(status, "Ready"));
    Conditions.set(status, "Ready", true, "Issued", "ok", 1L, T0);
    assertTrue(Conditions.isTrue(status, "Ready"));
  }
}
