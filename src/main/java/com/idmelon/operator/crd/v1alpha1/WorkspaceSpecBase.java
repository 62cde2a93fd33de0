package com.idmelon.operator.crd.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** What Workspace and ClusterWorkspace share: where IDmelon is, whose Admin key, and the key policy. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "has(self.region) != has(self.baseUrl)", message = "set exactly one of region and baseUrl")
public abstract class WorkspaceSpecBase {
  @JsonPropertyDescription("IDmelon's region: US (https://skm.idmelon.com) or EU (https://skm.eu.idmelon.com)."
      + " Exactly one of region and baseUrl.")
  private Region region;

  @Size(max = 2048)
  @Pattern("^https?://[^\\s/?#]+(/[^\\s?#]*)?$")
  @JsonPropertyDescription("A dedicated IDmelon instance instead of a region, e.g. https://skm.idmelon.acme.com.")
  private String baseUrl;

  @Size(max = 512)
  @Pattern("^/[^\\s?#]*$")
  @JsonPropertyDescription("The API-keys endpoint path. Default: /administrator/workspace/apikeys.")
  private String apiKeysPath;

  @Required
  @JsonPropertyDescription("The Secret key holding the workspace's Admin key, raw.")
  private AdminKeySecretRef adminKeySecretRef;

  @JsonPropertyDescription("Which keys ApiKeys may mint here.")
  private KeyPolicy keyPolicy;

  @Pattern(ApiKeySpec.GO_DURATION)
  @JsonPropertyDescription("How often this workspace's key list is read to notice keys deleted in the panel"
      + " (Go duration). Default: the operator's POLL_INTERVAL.")
  private String pollInterval;

  @Size(max = 50)
  // no \p{Cntrl}: the API server's Go regexp refuses it (before Go 1.25, Kubernetes 1.35), failing every value
  @Pattern("^[^\\x00-\\x1F\\x7F]*$")
  @JsonPropertyDescription("Prepended to the name of every key the operator creates here (e.g. k8s-prod/); the"
      + " clean-up of interrupted creates never deletes a key without it. Counts toward IDmelon's 100 characters.")
  private String keyNamePrefix;

  public Region getRegion() {
    return region;
  }

  public void setRegion(Region region) {
    this.region = region;
  }

  public String getBaseUrl() {
    return baseUrl;
  }

  public void setBaseUrl(String baseUrl) {
    this.baseUrl = baseUrl;
  }

  public String getApiKeysPath() {
    return apiKeysPath;
  }

  public void setApiKeysPath(String apiKeysPath) {
    this.apiKeysPath = apiKeysPath;
  }

  public AdminKeySecretRef getAdminKeySecretRef() {
    return adminKeySecretRef;
  }

  public void setAdminKeySecretRef(AdminKeySecretRef adminKeySecretRef) {
    this.adminKeySecretRef = adminKeySecretRef;
  }

  public KeyPolicy getKeyPolicy() {
    return keyPolicy;
  }

  public void setKeyPolicy(KeyPolicy keyPolicy) {
    this.keyPolicy = keyPolicy;
  }

  public String getPollInterval() {
    return pollInterval;
  }

  public void setPollInterval(String pollInterval) {
    this.pollInterval = pollInterval;
  }

  public String getKeyNamePrefix() {
    return keyNamePrefix;
  }

  public void setKeyNamePrefix(String keyNamePrefix) {
    this.keyNamePrefix = keyNamePrefix;
  }

  /** The prefix, or "" without one. */
  public String effectivePrefix() {
    return keyNamePrefix == null ? "" : keyNamePrefix;
  }

  /** Only ClusterWorkspaces restrict namespaces; null means every namespace. */
  public AllowedNamespaces allowedNamespaces() {
    return null;
  }
}
