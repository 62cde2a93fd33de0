package com.idmelon.operator.crd.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * An IDmelon call that issues a secret (create or reset), recorded before it is made. If the operator dies before
 * the value reaches the Secret, the next reconcile finds this marker and cleans up (see reconciler/DESIGN.md).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Pending {
  public static final String ISSUE = "Issue";
  public static final String RESET = "Reset";
  public static final String REPLACE = "Replace";

  @JsonPropertyDescription("Issue (first key), Reset (Admin key regenerated in place) or Replace (new key for an old one).")
  private String operation;

  @JsonPropertyDescription("When the call was about to be made (RFC 3339).")
  private String startedAt;

  @JsonPropertyDescription("Reset and Replace: the key being reset or replaced.")
  private String keyId;

  public Pending() {}

  public Pending(String operation, String startedAt, String keyId) {
    this.operation = operation;
    this.startedAt = startedAt;
    this.keyId = keyId;
  }

  public String getOperation() {
    return operation;
  }

  public void setOperation(String operation) {
    this.operation = operation;
  }

  public String getStartedAt() {
    return startedAt;
  }

  public void setStartedAt(String startedAt) {
    this.startedAt = startedAt;
  }

  public String getKeyId() {
    return keyId;
  }

  public void setKeyId(String keyId) {
    this.keyId = keyId;
  }
}
