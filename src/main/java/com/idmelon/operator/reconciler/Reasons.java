package com.idmelon.operator.reconciler;

/** The CamelCase reasons of the Ready condition and of events. */
public final class Reasons {
  /** A new key was issued into the Secret. */
  public static final String ISSUED = "Issued";
  /** An Admin key was regenerated in place. */
  public static final String RESET = "Reset";
  /** A new key replaced the old one. */
  public static final String REPLACED = "Replaced";
  /** A key was renewed before its expiry. */
  public static final String RENEWED = "Renewed";
  /** The key is live but its fixed expiry is less than 7 days away. */
  public static final String EXPIRING_SOON = "ExpiringSoon";
  /** The key has expired. */
  public static final String EXPIRED = "Expired";
  /** The spec breaks a rule; no IDmelon call is made. */
  public static final String INVALID_SPEC = "InvalidSpec";
  /** The target Secret belongs to someone else. */
  public static final String SECRET_CONFLICT = "SecretConflict";
  /** The Secret was deleted or its value edited: the key is rotated to restore it. */
  public static final String SECRET_DRIFTED = "SecretDrifted";
  /** IDmelon is unreachable, answering 5xx, or rate-limiting: retried with backoff. */
  public static final String IDMELON_UNAVAILABLE = "IdmelonUnavailable";
  /** IDmelon refuses the operator's own admin key (401). */
  public static final String IDMELON_UNAUTHORIZED = "IdmelonUnauthorized";
  /** IDmelon refused a request for another reason (400, 403, 422...). */
  public static final String IDMELON_ERROR = "IdmelonError";
  /** The Kubernetes API refused or failed a write. */
  public static final String KUBERNETES_ERROR = "KubernetesError";
  /** The key was deleted in IDmelon. */
  public static final String REVOKED = "Revoked";
  /** The ApiKey was deleted and the key left in IDmelon (deletionPolicy Retain). */
  public static final String RETAINED = "Retained";
  /** Deleting the key in IDmelon failed; the finalizer stays until it succeeds. */
  public static final String REVOKE_FAILED = "RevokeFailed";

  /** The ApiKey's workspace is missing or not Ready: nothing is asked of IDmelon until it is. */
  public static final String WORKSPACE_NOT_READY = "WorkspaceNotReady";
  /** The workspace's policy does not allow this ApiKey (namespace, type or lifetime). */
  public static final String WORKSPACE_DENIED = "WorkspaceDenied";
  /** The ApiKey was deleted after its workspace was: its key could not be revoked. */
  public static final String KEY_NOT_REVOKED = "KeyNotRevoked";

  /** spec.suspend is true: the reason of the Suspended condition, and of Ready while no key was issued yet. */
  public static final String SUSPENDED = "Suspended";

  private Reasons() {}
}
