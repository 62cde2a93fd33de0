package com.idmelon.operator.crd.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;

/** How, and how often, the key is rotated. */
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

  @Pattern(ApiKeySpec.GO_DURATION)
  @JsonPropertyDescription(
      "Rotate on a schedule: this long after the last rotation (status.lastRotatedAt), with the strategy above,"
          + " independently of expiry (with spec.duration, whichever comes first). Go duration, at least 1h, e.g."
          + " 720h. status.nextRotationAt says when.")
  private String every;

  public RotationStrategy getStrategy() {
    return strategy;
  }

  public void setStrategy(RotationStrategy strategy) {
    this.strategy = strategy;
  }

  public String getEvery() {
    return every;
  }

  public void setEvery(String every) {
    this.every = every;
  }

  public String getGracePeriod() {
    return gracePeriod;
  }

  public void setGracePeriod(String gracePeriod) {
    this.gracePeriod = gracePeriod;
  }
}
