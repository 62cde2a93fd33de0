package com.idmelon.operator.crd.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** What the operator observed and did; never the key value. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@com.fasterxml.jackson.annotation.JsonClassDescription(
    "What the operator observed and did (the key id, expiry, conditions, pending and retiring keys); never the key value.")
public class ApiKeyStatus {
  @JsonPropertyDescription("The metadata.generation this status describes.")
  private Long observedGeneration;

  @JsonPropertyDescription("The IDmelon id of the key currently in the Secret.")
  private String keyId;

  @JsonPropertyDescription("The workspace the key belongs to, as resolved from spec.workspaceRef or the default.")
  private WorkspaceRef workspace;

  @JsonPropertyDescription("The key's full name in IDmelon: the workspace's keyNamePrefix and spec.name.")
  private String keyName;

  @JsonPropertyDescription("The Secret that holds the key.")
  private String secretName;

  @JsonPropertyDescription("When the secret value now in the Secret was issued (RFC 3339).")
  private String issuedAt;

  @JsonPropertyDescription("When the current key expires (RFC 3339, whole seconds, UTC); absent when it never expires.")
  private String expiresAt;

  @JsonPropertyDescription("With spec.duration: when a new key will be issued to replace the current one (RFC 3339).")
  private String renewalTime;

  @JsonPropertyDescription("When the key was last issued, reset or replaced (RFC 3339).")
  private String lastRotatedAt;

  @JsonPropertyDescription("With spec.rotation.every: when the next scheduled rotation is due (RFC 3339).")
  private String nextRotationAt;

  @JsonPropertyDescription("The last idmelon.com/reset annotation value acted upon (or recorded at creation).")
  private String lastReset;

  @JsonPropertyDescription(
      "sha256: plus the first 16 hex digits of SHA-256 of the value in the Secret; detects edits, reveals nothing.")
  private String fingerprint;

  @JsonPropertyDescription(
      "With spec.restartTargets: the fingerprint for which the targets were last rolled out, or recorded without a"
          + " rollout (at the first issue, or when targets are added). While it differs from fingerprint, a rollout"
          + " is due.")
  private String rolledOutFingerprint;

  @JsonPropertyDescription("Replaced keys still valid during their grace period, deleted in IDmelon at retireAt.")
  private List<Retirement> retiring;

  @JsonPropertyDescription("A secret-issuing IDmelon call in progress; after a crash it tells what to clean up.")
  private Pending pending;

  @JsonPropertyDescription("Ready is True only when a live key is in the Secret.")
  private List<Condition> conditions;

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  public String getKeyId() {
    return keyId;
  }

  public void setKeyId(String keyId) {
    this.keyId = keyId;
  }

  public WorkspaceRef getWorkspace() {
    return workspace;
  }

  public void setWorkspace(WorkspaceRef workspace) {
    this.workspace = workspace;
  }

  public String getKeyName() {
    return keyName;
  }

  public void setKeyName(String keyName) {
    this.keyName = keyName;
  }

  public String getSecretName() {
    return secretName;
  }

  public void setSecretName(String secretName) {
    this.secretName = secretName;
  }

  public String getIssuedAt() {
    return issuedAt;
  }

  public void setIssuedAt(String issuedAt) {
    this.issuedAt = issuedAt;
  }

  public String getExpiresAt() {
    return expiresAt;
  }

  public void setExpiresAt(String expiresAt) {
    this.expiresAt = expiresAt;
  }

  public String getRenewalTime() {
    return renewalTime;
  }

  public void setRenewalTime(String renewalTime) {
    this.renewalTime = renewalTime;
  }

  public Pending getPending() {
    return pending;
  }

  public void setPending(Pending pending) {
    this.pending = pending;
  }

  public String getLastRotatedAt() {
    return lastRotatedAt;
  }

  public String getNextRotationAt() {
    return nextRotationAt;
  }

  public void setNextRotationAt(String nextRotationAt) {
    this.nextRotationAt = nextRotationAt;
  }

  public void setLastRotatedAt(String lastRotatedAt) {
    this.lastRotatedAt = lastRotatedAt;
  }

  public String getLastReset() {
    return lastReset;
  }

  public void setLastReset(String lastReset) {
    this.lastReset = lastReset;
  }

  public String getFingerprint() {
    return fingerprint;
  }

  public void setFingerprint(String fingerprint) {
    this.fingerprint = fingerprint;
  }

  public String getRolledOutFingerprint() {
    return rolledOutFingerprint;
  }

  public void setRolledOutFingerprint(String rolledOutFingerprint) {
    this.rolledOutFingerprint = rolledOutFingerprint;
  }

  public List<Retirement> getRetiring() {
    return retiring;
  }

  public void setRetiring(List<Retirement> retiring) {
    this.retiring = retiring;
  }

  public List<Condition> getConditions() {
    return conditions;
  }

  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions;
  }

  /** Whether the key in the Secret was issued, reset or replaced at or after {@code moment} (whole seconds). */
  public boolean rotatedSince(java.time.Instant moment) {
    String last = lastRotatedAt != null ? lastRotatedAt : issuedAt;
    return last != null && !java.time.OffsetDateTime.parse(last).toInstant()
        .isBefore(moment.truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
  }

  @JsonIgnore
  public Optional<Condition> condition(String type) {
    return conditions == null
        ? Optional.empty()
        : conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  @JsonIgnore
  public List<Retirement> retiringOrEmpty() {
    return retiring == null ? List.of() : retiring;
  }

  /** Adds a retirement, keeping the list free of duplicates for the same key id. */
  public void addRetirement(Retirement retirement) {
    List<Retirement> list = new ArrayList<>(retiringOrEmpty());
    list.removeIf(r -> r.getKeyId().equals(retirement.getKeyId()));
    list.add(retirement);
    retiring = list;
  }

  public void removeRetirement(String keyId) {
    List<Retirement> list = new ArrayList<>(retiringOrEmpty());
    list.removeIf(r -> r.getKeyId().equals(keyId));
    retiring = list.isEmpty() ? null : list;
  }
}
