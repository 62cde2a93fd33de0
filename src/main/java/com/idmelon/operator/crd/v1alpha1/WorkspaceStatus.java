package com.idmelon.operator.crd.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;
import java.util.Optional;

/** Whether the workspace's Admin key works, and how many ApiKeys use it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@com.fasterxml.jackson.annotation.JsonClassDescription(
    "Whether the workspace's Admin key works, and how many ApiKeys use it.")
public class WorkspaceStatus {
  @JsonPropertyDescription("The metadata.generation this status describes.")
  private Long observedGeneration;

  @JsonPropertyDescription("When the Admin key was last checked with IDmelon (RFC 3339).")
  private String lastCheckedAt;

  @JsonPropertyDescription("How many ApiKeys use this workspace.")
  private Integer apiKeys;

  @JsonPropertyDescription("The emergency rotation asked for with the idmelon.com/reset annotation, and its"
      + " progress.")
  private WorkspaceRotation rotation;

  @JsonPropertyDescription("Ready: the Admin key is accepted (reasons Valid, SecretNotFound, AdminKeyRefused,"
      + " Unreachable, InvalidSpec); Rotating: an emergency rotation is in progress.")
  private List<Condition> conditions;

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  public WorkspaceRotation getRotation() {
    return rotation;
  }

  public void setRotation(WorkspaceRotation rotation) {
    this.rotation = rotation;
  }

  public String getLastCheckedAt() {
    return lastCheckedAt;
  }

  public void setLastCheckedAt(String lastCheckedAt) {
    this.lastCheckedAt = lastCheckedAt;
  }

  public Integer getApiKeys() {
    return apiKeys;
  }

  public void setApiKeys(Integer apiKeys) {
    this.apiKeys = apiKeys;
  }

  public List<Condition> getConditions() {
    return conditions;
  }

  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions;
  }

  @JsonIgnore
  public Optional<Condition> condition(String type) {
    return conditions == null ? Optional.empty() : conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
  }
}
