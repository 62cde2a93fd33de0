package com.idmelon.operator.crd.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.idmelon.operator.idmelon.KeyType;

/**
 * An IDmelon call that issues a secret (create or reset), recorded before it is made. If the operator dies before
 * the value reaches the Secret, the next reconcile finds this marker and cleans up (see reconciler/DESIGN.md). It
 * holds everything recovery needs, so that nothing a namespace user can write decides which key is touched.
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

  @JsonPropertyDescription("Issue and Replace: the name the new key is created with in IDmelon.")
  private String name;

  @JsonPropertyDescription("The type of the key being issued.")
  private KeyType type;

  @JsonPropertyDescription("The idmelon.com/reset value this call acts on (recorded as lastReset when it completes).")
  private String reset;

  public Pending() {}

  public Pending(String operation, String startedAt, String keyId, String name, KeyType type, String reset) {
    this.operation = operation;
    this.startedAt = startedAt;
    this.keyId = keyId;
    this.name = name;
    this.type = type;
    this.reset = reset;
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

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public KeyType getType() {
    return type;
  }

  public void setType(KeyType type) {
    this.type = type;
  }

  public String getReset() {
    return reset;
  }

  public void setReset(String reset) {
    this.reset = reset;
  }
}
