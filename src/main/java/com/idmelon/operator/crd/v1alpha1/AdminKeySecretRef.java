package com.idmelon.operator.crd.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** Where a workspace's Admin key is: a key of a Secret. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AdminKeySecretRef {
  public static final String DEFAULT_KEY = "adminKey";

  @Required
  @Size(min = 1, max = 253)
  @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
  @JsonPropertyDescription("The Secret's name.")
  private String name;

  @Size(min = 1, max = 63)
  @JsonPropertyDescription(
      "ClusterWorkspace only, and required there: the Secret's namespace. A Workspace reads its own namespace.")
  private String namespace;

  @Size(min = 1, max = 253)
  @Pattern("^[-._a-zA-Z0-9]+$")
  @JsonPropertyDescription("The data key holding the raw Admin key. Default: adminKey.")
  private String key;

  public AdminKeySecretRef() {}

  public AdminKeySecretRef(String name, String namespace, String key) {
    this.name = name;
    this.namespace = namespace;
    this.key = key;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getNamespace() {
    return namespace;
  }

  public void setNamespace(String namespace) {
    this.namespace = namespace;
  }

  public String getKey() {
    return key;
  }

  public void setKey(String key) {
    this.key = key;
  }

  /** The data key, defaulted. */
  public String effectiveKey() {
    return key == null || key.isBlank() ? DEFAULT_KEY : key;
  }
}
