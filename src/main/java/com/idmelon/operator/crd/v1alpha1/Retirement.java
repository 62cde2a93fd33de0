package com.idmelon.operator.crd.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** A replaced key that stays valid until {@code retireAt} and is then deleted in IDmelon. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Retirement {
  @JsonPropertyDescription("The IDmelon id of the replaced key.")
  private String keyId;

  @JsonPropertyDescription("When the replaced key is deleted in IDmelon (RFC 3339).")
  private String retireAt;

  public Retirement() {}

  public Retirement(String keyId, String retireAt) {
    this.keyId = keyId;
    this.retireAt = retireAt;
  }

  public String getKeyId() {
    return keyId;
  }

  public void setKeyId(String keyId) {
    this.keyId = keyId;
  }

  public String getRetireAt() {
    return retireAt;
  }

  public void setRetireAt(String retireAt) {
    this.retireAt = retireAt;
  }
}
