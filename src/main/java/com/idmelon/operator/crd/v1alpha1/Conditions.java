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
        .withMessage(message)
        .withObservedGeneration(generation)
        .withLastTransitionTime(transition)
        .build();
    conditions.removeIf(c -> type.equals(c.getType()));
    conditions.add(next);
    return conditions;
  }

  public static boolean isTrue(ApiKeyStatus status, String type) {
    return status != null && status.condition(type).map(c -> "True".equals(c.getStatus())).orElse(false);
  }
}
