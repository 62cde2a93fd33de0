package com.idmelon.operator.crd.v1alpha1;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/** An IDmelon workspace API key managed from Kubernetes; its secret value lives in a Secret. */
@Group(ApiKey.GROUP)
@Version(ApiKey.VERSION)
@Kind("ApiKey")
@Plural("apikeys")
@Singular("apikey")
@ShortNames("ak")
@Categories("idmelon")
@AdditionalPrinterColumn(name = "Type", jsonPath = ".spec.type", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Ready",
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Expires", jsonPath = ".status.expiresAt", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Key ID", jsonPath = ".status.keyId", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
@AdditionalPrinterColumn(
    name = "Workspace", jsonPath = ".status.workspace.name", type = AdditionalPrinterColumn.Type.STRING, priority = 1)
@AdditionalPrinterColumn(
    name = "Next Rotation", jsonPath = ".status.nextRotationAt", type = AdditionalPrinterColumn.Type.STRING, priority = 1)
@AdditionalPrinterColumn(
    name = "Suspended", jsonPath = ".spec.suspend", type = AdditionalPrinterColumn.Type.BOOLEAN, priority = 1)
@com.fasterxml.jackson.annotation.JsonClassDescription(
    "An IDmelon workspace API key managed from Kubernetes: the operator issues it in the workspace, writes its value into a Secret of this namespace, rotates it on request or schedule, renews it before it expires and revokes it when the ApiKey is deleted.")
public class ApiKey extends CustomResource<ApiKeySpec, ApiKeyStatus> implements Namespaced {
  public static final String GROUP = "idmelon.com";
  public static final String VERSION = "v1alpha1";
  /** Changing this annotation's value rotates the key once. */
  public static final String RESET_ANNOTATION = "idmelon.com/reset";

  /** Never fails on a malformed spec: see {@link TolerantSpecDeserializer}. */
  @Override
  @JsonDeserialize(using = TolerantSpecDeserializer.class)
  public void setSpec(ApiKeySpec spec) {
    super.setSpec(spec);
  }

  /** The Secret name: {@code spec.secretName}, else the ApiKey's own name. */
  public String secretName() {
    String fromSpec = getSpec() == null ? null : getSpec().getSecretName();
    return fromSpec == null || fromSpec.isBlank() ? getMetadata().getName() : fromSpec;
  }

  /** {@code namespace/name}, the way every log line and error names the resource. */
  public String ref() {
    return getMetadata().getNamespace() + "/" + getMetadata().getName();
  }

  /** A reset value longer than this is recorded as its digest, so that no user value can bloat the status. */
  public static final int MAX_RECORDED_RESET = 253;

  /**
   * The reset annotation's value as the status records it (a value over {@value #MAX_RECORDED_RESET} characters as
   * {@code sha256:} and its first 32 hex digits), or null when absent or empty.
   */
  public String resetRequest() {
    var annotations = getMetadata().getAnnotations();
    return recordedReset(annotations == null ? null : annotations.get(RESET_ANNOTATION));
  }

  /**
   * A reset annotation's value as a status records it: null when absent or empty, a value over
   * {@value #MAX_RECORDED_RESET} characters as {@code sha256:} and its first 32 hex digits (ApiKeys and workspaces).
   */
  public static String recordedReset(String value) {
    if (value == null || value.isEmpty()) {
      return null;
    }
    if (value.length() <= MAX_RECORDED_RESET) {
      return value;
    }
    try {
      byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
          .digest(value.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return "sha256:" + java.util.HexFormat.of().formatHex(digest, 0, 16);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

}
