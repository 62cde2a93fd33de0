package com.idmelon.operator.crd.v1alpha1;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * Sets conditions the Kubernetes way (metav1.Condition):
 * <ul>
 *   <li>{@code lastTransitionTime} changes only when {@code status} flips;
 *   <li>reason and message are replaced on every set, {@code observedGeneration} records the spec seen;
 *   <li>setting the same values again changes nothing, so an unchanged status is never written.
 * </ul>
 */
public final class Conditions {
  public static final String READY = "Ready";
  /** True while spec.suspend is: the operator issues, rotates, renews and repairs nothing. */
  public static final String SUSPENDED = "Suspended";
  /** A workspace's emergency rotation is in progress. */
  public static final String ROTATING = "Rotating";

  private Conditions() {}

  public static void set(
      ApiKeyStatus status, String type, boolean value, String reason, String message, Long generation, Instant now) {
    status.setConditions(with(status.getConditions(), type, value, reason, message, generation, now));
  }

  /** The same rules for any status's condition list: returns the new list. */
  public static List<Condition> with(List<Condition> current, String type, boolean value, String reason,
      String message, Long generation, Instant now) {
    List<Condition> conditions = current == null ? new ArrayList<>() : new ArrayList<>(current);
    String state = value ? "True" : "False";
    Condition previous = conditions.stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
    String transition =
        previous != null && state.equals(previous.getStatus()) && previous.getLastTransitionTime() != null
            ? previous.getLastTransitionTime()
            : now.truncatedTo(ChronoUnit.SECONDS).toString();
    Condition next = new ConditionBuilder()
        .withType(type)
        .withStatus(state)
        .withReason(reason)
        .withMessage(boundedMessage(message))
        .withObservedGeneration(generation)
        .withLastTransitionTime(transition)
        .build();
    conditions.removeIf(c -> type.equals(c.getType()));
    conditions.add(next);
    return conditions;
  }

  /** The list without the condition of that type (null when nothing is left). */
  public static List<Condition> without(List<Condition> current, String type) {
    if (current == null) {
      return null;
    }
    List<Condition> conditions = new ArrayList<>(current);
    conditions.removeIf(c -> type.equals(c.getType()));
    return conditions.isEmpty() ? null : conditions;
  }

  /** The longest message a condition or an event carries, in characters. */
  public static final int MAX_MESSAGE = 1024;

  /**
   * A message as a status or an event may carry it: one line (control characters become spaces), at most
   * {@link #MAX_MESSAGE} characters, a cut marked with "... (cut)". The last guard: parts a user wrote are quoted and
   * shortened where the message is built.
   */
  public static String boundedMessage(String message) {
    if (message == null) {
      return null;
    }
    StringBuilder out = new StringBuilder(Math.min(message.length(), MAX_MESSAGE + 8));
    int i = 0;
    while (i < message.length() && out.length() < MAX_MESSAGE) {
      int c = message.codePointAt(i);
      i += Character.charCount(c);
      if (unprintable(c)) {
        out.append(' ');
      } else {
        out.appendCodePoint(c);
      }
    }
    if (i < message.length()) {
      out.append("... (cut)");
    }
    return out.toString();
  }

  /**
   * Control characters, line and paragraph separators, invisible format characters (bidi overrides, tag characters)
   * and lone surrogates; takes a code point.
   */
  public static boolean unprintable(int c) {
    int type = Character.getType(c);
    return Character.isISOControl(c) || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR
        || type == Character.FORMAT || type == Character.SURROGATE;
  }

  public static boolean isTrue(ApiKeyStatus status, String type) {
    return status != null && status.condition(type).map(c -> "True".equals(c.getStatus())).orElse(false);
  }
}
