package com.idmelon.operator.crd.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;

/** How a rotation is carried out. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Rotation {
  @JsonPropertyDescription(
      "Reset (Admin keys only: IDmelon regenerates the secret under the same key id) or Replace (a new key is"
          + " created, written to the Secret, and the old one deleted). Default: Reset for Admin, Replace otherwise.")
  private RotationStrategy strategy;

  @Pattern(ApiKeySpec.GO_DURATION)
  @JsonPropertyDescription(
      "Replace only: how long the old key keeps working after the Secret holds the new one (Go duration, e.g."
          + " 10m). Default 0: deleted at once.")
  private String gracePeriod;

  public RotationStrategy getStrategy() {
    return strategy;
  }

  public void setStrategy(RotationStrategy strategy) {
    this.strategy = strategy;
  }

  public String getGracePeriod() {
    return gracePeriod;
  }

  public void setGracePeriod(String gracePeriod) {
    this.gracePeriod = gracePeriod;
  }
}
