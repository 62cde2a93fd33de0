package com.idmelon.operator.workspace;

/** The reasons of a workspace's Ready condition. */
public final class WorkspaceReasons {
  /** IDmelon accepts the Admin key. */
  public static final String VALID = "Valid";
  /** The Admin key's Secret, or its key, is missing or unusable. */
  public static final String SECRET_NOT_FOUND = "SecretNotFound";
  /** IDmelon refuses the Admin key (401, 403). */
  public static final String ADMIN_KEY_REFUSED = "AdminKeyRefused";
  /** IDmelon could not be reached or answered 5xx/429. */
  public static final String UNREACHABLE = "Unreachable";
  /** The workspace's spec breaks a rule. */
  public static final String INVALID_SPEC = "InvalidSpec";
  /** Rotating: an emergency rotation is running. */
  public static final String ROTATING = "Rotating";
  /** Rotating=False: every ApiKey was rotated. */
  public static final String ROTATION_COMPLETE = "RotationComplete";

  private WorkspaceReasons() {}
}
