package com.idmelon.operator.crd.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.idmelon.operator.idmelon.KeyType;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/** Which keys a workspace may mint. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class KeyPolicy {
  @JsonPropertyDescription("Key types ApiKeys may ask for. Absent: all three.")
  private List<KeyType> allowedTypes;

  @Pattern(ApiKeySpec.GO_DURATION)
  @ValidationRule(value = "duration(self) > duration('0s')", message = "maxLifetime must be a positive duration")
  @JsonPropertyDescription(
      "Every key must expire within this long of being issued (Go duration, e.g. 2160h); a never-expiring key is"
          + " refused when it is set.")
  private String maxLifetime;

  public List<KeyType> getAllowedTypes() {
    return allowedTypes;
  }

  public void setAllowedTypes(List<KeyType> allowedTypes) {
    this.allowedTypes = allowedTypes;
  }

  public String getMaxLifetime() {
    return maxLifetime;
  }

  public void setMaxLifetime(String maxLifetime) {
    this.maxLifetime = maxLifetime;
  }
}
