package com.idmelon.operator.crd.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.ValidationRule;

/** A cluster-wide workspace: usable from the namespaces it allows, its Admin key in a Secret it names. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "has(self.adminKeySecretRef.__namespace__)",
    message = "adminKeySecretRef.namespace is required on a ClusterWorkspace")
@com.fasterxml.jackson.annotation.JsonClassDescription(
    "Where the workspace is, the Secret (in a namespace it names) holding its Admin key, which namespaces may use it, and what keys it may issue.")
public class ClusterWorkspaceSpec extends WorkspaceSpecBase {
  @JsonPropertyDescription("Namespaces whose ApiKeys may use this workspace, by name or label (OR'ed). Absent: every"
      + " namespace.")
  private AllowedNamespaces allowedNamespaces;

  public AllowedNamespaces getAllowedNamespaces() {
    return allowedNamespaces;
  }

  public void setAllowedNamespaces(AllowedNamespaces allowedNamespaces) {
    this.allowedNamespaces = allowedNamespaces;
  }

  @Override
  public AllowedNamespaces allowedNamespaces() {
    return allowedNamespaces;
  }
}
