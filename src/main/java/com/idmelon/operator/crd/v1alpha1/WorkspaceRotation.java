package com.idmelon.operator.crd.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** An emergency rotation of every ApiKey issued from a workspace, asked for with its idmelon.com/reset annotation. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class WorkspaceRotation {
  @JsonPropertyDescription("The idmelon.com/reset value acted upon (a long one as its sha256 digest), or recorded"
      + " at creation.")
  private String request;

  @JsonPropertyDescription("When the rotation started: every ApiKey whose key was last rotated before this is rotated"
      + " once (RFC 3339). Absent for a value recorded at creation.")
  private String startedAt;

  @JsonPropertyDescription("When every ApiKey using the workspace had been rotated (RFC 3339).")
  private String completedAt;

  @JsonPropertyDescription("ApiKeys of the workspace rotated since startedAt.")
  private Integer rotated;

  @JsonPropertyDescription("ApiKeys of the workspace still to rotate (suspended or denied ones wait here).")
  private Integer remaining;

  public String getRequest() {
    return request;
  }

  public void setRequest(String request) {
    this.request = request;
  }

  public String getStartedAt() {
    return startedAt;
  }

  public void setStartedAt(String startedAt) {
    this.startedAt = startedAt;
  }

  public String getCompletedAt() {
    return completedAt;
  }

  public void setCompletedAt(String completedAt) {
    this.completedAt = completedAt;
  }

  public Integer getRotated() {
    return rotated;
  }

  public void setRotated(Integer rotated) {
    this.rotated = rotated;
  }

  public Integer getRemaining() {
    return remaining;
  }

  public void setRemaining(Integer remaining) {
    this.remaining = remaining;
  }
}
