package com.idmelon.operator.crd.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.Objects;

/** Which workspace an ApiKey uses: a Workspace of its namespace or a ClusterWorkspace. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class WorkspaceRef {
  public static final String WORKSPACE = "Workspace";
  public static final String CLUSTER_WORKSPACE = "ClusterWorkspace";

  @Required
  @io.fabric8.generator.annotation.Pattern("^(Workspace|ClusterWorkspace)$")
  @JsonPropertyDescription("Workspace (in the ApiKey's namespace) or ClusterWorkspace.")
  private String kind;

  @Required
  @Size(min = 1, max = 253)
  @JsonPropertyDescription("The workspace's name.")
  private String name;

  public WorkspaceRef() {}

  public WorkspaceRef(String kind, String name) {
    this.kind = kind;
    this.name = name;
  }

  public String getKind() {
    return kind;
  }

  public void setKind(String kind) {
    this.kind = kind;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  @com.fasterxml.jackson.annotation.JsonIgnore
  public boolean isCluster() {
    return CLUSTER_WORKSPACE.equals(kind);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof WorkspaceRef other && Objects.equals(kind, other.kind) && Objects.equals(name, other.name);
  }

  @Override
  public int hashCode() {
    return Objects.hash(kind, name);
  }

  @Override
  public String toString() {
    return kind + "/" + name;
  }
}
