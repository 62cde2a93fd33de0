package com.idmelon.operator.crd.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Map;

/** Labels and annotations the operator copies onto the Secret it manages. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SecretTemplate {
  @JsonPropertyDescription("Labels added to the Secret.")
  private Map<String, String> labels;

  @JsonPropertyDescription("Annotations added to the Secret.")
  private Map<String, String> annotations;

  public Map<String, String> getLabels() {
    return labels;
  }

  public void setLabels(Map<String, String> labels) {
    this.labels = labels;
  }

  public Map<String, String> getAnnotations() {
    return annotations;
  }

  public void setAnnotations(Map<String, String> annotations) {
    this.annotations = annotations;
  }
}
