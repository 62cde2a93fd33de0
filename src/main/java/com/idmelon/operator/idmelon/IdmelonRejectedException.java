package com.idmelon.operator.idmelon;

/**
 * IDmelon refused the request for a reason that retrying will not fix: invalid input (400/422), not allowed (403),
 * not found (404), or our own admin key is not accepted (401, see {@link #isUnauthorized()}).
 */
public final class IdmelonRejectedException extends IdmelonException {

  public IdmelonRejectedException(String operation, int status, String message) {
    super(operation, status, message, null);
  }

  @Override
  public boolean isTransient() {
    return false;
  }

  /** 401: the operator's own admin key is missing, wrong, expired or revoked. */
  public boolean isUnauthorized() {
    return status() == 401;
  }

  public boolean isNotFound() {
    return status() == 404;
  }
}
