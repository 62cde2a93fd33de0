package com.idmelon.operator.crd.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.LabelSelector;
import java.util.List;

/** Which namespaces may use a ClusterWorkspace: by name or by label, OR'ed. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AllowedNamespaces {
  @JsonPropertyDescription("Namespaces allowed by name.")
  private List<String> names;

  @JsonPropertyDescription("Namespaces allowed by their labels (matchLabels, matchExpressions).")
  private LabelSelector selector;

  public List<String> getNames() {
    return names;
  }

  public void setNames(List<String> names) {
    this.names = names;
  }

  public LabelSelector getSelector() {
    return selector;
  }

  public void setSelector(LabelSelector selector) {
    this.selector = selector;
  }
}
