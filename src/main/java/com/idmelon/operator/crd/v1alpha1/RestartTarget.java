package com.idmelon.operator.crd.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.Objects;

/** A workload in the ApiKey's namespace that is rolled out after each change of the Secret's value. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RestartTarget {
  @Required
  @JsonPropertyDescription("Deployment, StatefulSet or DaemonSet (group apps).")
  private WorkloadKind kind;

  @Required
  @Size(min = 1, max = 253)
  @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
  @JsonPropertyDescription("The workload's name, in the ApiKey's namespace.")
  private String name;

  public RestartTarget() {}

  public RestartTarget(WorkloadKind kind, String name) {
    this.kind = kind;
    this.name = name;
  }

  public WorkloadKind getKind() {
    return kind;
  }

  public void setKind(WorkloadKind kind) {
    this.kind = kind;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RestartTarget other && kind == other.kind && Objects.equals(name, other.name);
  }

  @Override
  public int hashCode() {
    return Objects.hash(kind, name);
  }

  /** {@code Kind/name}, as messages and events name a workload. */
  @Override
  public String toString() {
    return kind + "/" + name;
  }
}
