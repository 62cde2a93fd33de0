package com.idmelon.operator.crd.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.idmelon.operator.idmelon.KeyType;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/** What the user asks for: one key in the IDmelon workspace and the Secret that carries it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!(has(self.expiresAt) && has(self.duration))",
    message = "expiresAt and duration are mutually exclusive: set at most one")
@ValidationRule(value = "!has(self.renewBefore) || has(self.duration)", message = "renewBefore needs duration")
@ValidationRule(
    value = "!has(self.renewBefore) || !has(self.duration) || duration(self.renewBefore) < duration(self.duration)",
    message = "renewBefore must be shorter than duration")
@ValidationRule(
    value = "has(self.workspaceRef) == has(oldSelf.workspaceRef) && (!has(self.workspaceRef) || self.workspaceRef == oldSelf.workspaceRef)",
    message = "workspaceRef is immutable: create a new ApiKey to use another workspace")
@ValidationRule(
    value = "!has(self.rotation) || !has(self.rotation.strategy) || self.rotation.strategy != 'Reset' || self.type == 'Admin'",
    message = "rotation.strategy Reset needs type Admin: only Admin keys can be reset")
@ValidationRule(
    value = "!has(self.rotation) || !has(self.rotation.every) || duration(self.rotation.every) >= duration('1h')",
    message = "rotation.every must be at least 1h")
@com.fasterxml.jackson.annotation.JsonClassDescription(
    "What you ask for: one key in the IDmelon workspace (name, type, expiry) and the Secret that carries its value.")
public class ApiKeySpec {
  /** A Go duration: digits and units ns, us, ms, s, m, h (e.g. 2160h, 1h30m). */
  public static final String GO_DURATION = "^([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$";
  /** The most restart targets one ApiKey may list. */
  public static final int RESTART_TARGETS_MAX = 16;

  @Required
  @Size(min = 1, max = 100)
  // control, format and line/paragraph separator characters (what the operator's check refuses); RE2 and Java agree
  @Pattern("^[^\\p{Cc}\\p{Cf}\\p{Zl}\\p{Zp}]*$")
  @JsonPropertyDescription("The key's Name in IDmelon, 1 to 100 characters, without control characters or line breaks.")
  private String name;

  @Required
  @ValidationRule(value = "self == oldSelf", message = "type is immutable")
  @JsonPropertyDescription(
      "The key type: Admin (Admin Panel REST API), SharedMobile (shared mobile devices), Clients (authenticator"
          + " operations). Immutable.")
  private KeyType type;

  @Pattern("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$")
  @JsonPropertyDescription(
      "A fixed expiry, RFC 3339 (e.g. 2027-06-30T00:00:00Z). IDmelon keeps expiry in whole seconds (UTC): a"
          + " fraction of a second is dropped and an offset converted, so 2030-03-14T11:26:53.589+02:00 means"
          + " 2030-03-14T09:26:53Z. Must be in the future when the key is first issued. Mutually exclusive with"
          + " duration. Without expiresAt and duration the key never expires.")
  private String expiresAt;

  @Pattern(GO_DURATION)
  @JsonPropertyDescription(
      "Instead of expiresAt: each issued key lives this long (Go duration, e.g. 2160h) and is renewed before it"
          + " ends.")
  private String duration;

  @Pattern(GO_DURATION)
  @JsonPropertyDescription(
      "With duration: how long before the end a new key is issued (Go duration). Default: one third of duration.")
  private String renewBefore;

  @Size(max = 253)
  @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
  @JsonPropertyDescription("The Secret that receives the key, in the ApiKey's namespace. Default: metadata.name.")
  private String secretName;

  @JsonPropertyDescription("Labels and annotations copied onto the Secret, and extra data keys rendered into it.")
  private SecretTemplate secretTemplate;

  @Size(max = RESTART_TARGETS_MAX)
  @ValidationRule(
      value = "self.all(t, self.exists_one(u, u.kind == t.kind && u.name == t.name))",
      message = "restartTargets must not name the same workload twice")
  @JsonPropertyDescription(
      "Workloads of the ApiKey's namespace (Deployment, StatefulSet, DaemonSet; at most 16) rolled out once after"
          + " each change of the Secret's value (rotation, renewal, repair): the operator sets the pod-template"
          + " annotation idmelon.com/key-fingerprint to status.fingerprint. Never at the first issue, nor for a"
          + " target added later until the value next changes.")
  private List<RestartTarget> restartTargets;

  @JsonPropertyDescription("The workspace that issues the key: a Workspace of this namespace or a ClusterWorkspace."
      + " Default: the ClusterWorkspace named by the operator's DEFAULT_WORKSPACE (default 'default'). Immutable.")
  private WorkspaceRef workspaceRef;

  @JsonPropertyDescription("How the key is rotated (reset annotation, schedule, workspace reset), and how often.")
  private Rotation rotation;

  @JsonPropertyDescription(
      "true: no key is created, reset, replaced or renewed and the Secret is not repaired; expiry is still reported"
          + " and deletion still follows deletionPolicy. What falls due meanwhile (a reset annotation, a scheduled"
          + " rotation, a renewal) is done once after resuming. Default false.")
  private Boolean suspend;

  @JsonPropertyDescription(
      "What happens to the key in IDmelon when the ApiKey is deleted: Delete (revoke it, the default) or Retain.")
  private DeletionPolicy deletionPolicy;

  @JsonIgnore private String unreadable;

  /** Why the spec could not be read (a field of the wrong type or an unknown enum value); null when it was. */
  @JsonIgnore
  public String unreadable() {
    return unreadable;
  }

  /** Only for deserialization and for copies: the note is not part of the JSON. */
  public void markUnreadable(String reason) {
    this.unreadable = reason;
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

  public String getExpiresAt() {
    return expiresAt;
  }

  public void setExpiresAt(String expiresAt) {
    this.expiresAt = expiresAt;
  }

  public String getDuration() {
    return duration;
  }

  public void setDuration(String duration) {
    this.duration = duration;
  }

  public String getRenewBefore() {
    return renewBefore;
  }

  public void setRenewBefore(String renewBefore) {
    this.renewBefore = renewBefore;
  }

  public String getSecretName() {
    return secretName;
  }

  public void setSecretName(String secretName) {
    this.secretName = secretName;
  }

  public SecretTemplate getSecretTemplate() {
    return secretTemplate;
  }

  public void setSecretTemplate(SecretTemplate secretTemplate) {
    this.secretTemplate = secretTemplate;
  }

  public List<RestartTarget> getRestartTargets() {
    return restartTargets;
  }

  public void setRestartTargets(List<RestartTarget> restartTargets) {
    this.restartTargets = restartTargets;
  }

  /** The restart targets, empty when none are listed. */
  @JsonIgnore
  public List<RestartTarget> restartTargetsOrEmpty() {
    return restartTargets == null ? List.of() : restartTargets;
  }

  public WorkspaceRef getWorkspaceRef() {
    return workspaceRef;
  }

  public void setWorkspaceRef(WorkspaceRef workspaceRef) {
    this.workspaceRef = workspaceRef;
  }

  public Rotation getRotation() {
    return rotation;
  }

  public void setRotation(Rotation rotation) {
    this.rotation = rotation;
  }

  public Boolean getSuspend() {
    return suspend;
  }

  public void setSuspend(Boolean suspend) {
    this.suspend = suspend;
  }

  /** Whether spec.suspend is true. */
  public boolean suspended() {
    return Boolean.TRUE.equals(suspend);
  }

  public DeletionPolicy getDeletionPolicy() {
    return deletionPolicy;
  }

  public void setDeletionPolicy(DeletionPolicy deletionPolicy) {
    this.deletionPolicy = deletionPolicy;
  }

  /** The effective deletion policy: Delete unless Retain is asked for. */
  public DeletionPolicy effectiveDeletionPolicy() {
    return deletionPolicy == null ? DeletionPolicy.Delete : deletionPolicy;
  }

  /** The effective strategy: as set, else Reset for Admin keys and Replace for the others. */
  public RotationStrategy effectiveStrategy() {
    if (rotation != null && rotation.getStrategy() != null) {
      return rotation.getStrategy();
    }
    return type == KeyType.Admin ? RotationStrategy.Reset : RotationStrategy.Replace;
  }
}
