package com.idmelon.operator.crd.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.Map;

/** Labels and annotations the operator copies onto the Secret it manages, and extra data keys rendered into it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SecretTemplate {
  @JsonPropertyDescription("Labels added to the Secret.")
  private Map<String, String> labels;

  @JsonPropertyDescription("Annotations added to the Secret.")
  private Map<String, String> annotations;

  @Size(max = 32)
  @ValidationRule(
      value = "!('apiKey' in self) && !('keyId' in self) && !('type' in self) && !('expiresAt' in self)",
      message = "data cannot set apiKey, keyId, type or expiresAt: the operator writes those keys itself")
  @JsonPropertyDescription("Extra keys of the Secret, each rendered from a logic-less Mustache template over the key's"
      + " fields: {{apiKey}}, {{keyId}}, {{type}}, {{expiresAt}} (RFC 3339, empty when the key never expires) and"
      + " {{name}} (the key's name in IDmelon). Values are inserted verbatim (no HTML escaping); sections"
      + " {{#expiresAt}}...{{/expiresAt}} and {{^expiresAt}}...{{/expiresAt}} render when a field is non-empty or"
      + " empty; partials, delimiter changes and any other name are refused. Key names: letters, digits, '-', '_'"
      + " and '.', at most 253. At most 32 keys of 64 KiB each.")
  private Map<String, String> data;

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

  public Map<String, String> getData() {
    return data;
  }

  public void setData(Map<String, String> data) {
    this.data = data;
  }
}
