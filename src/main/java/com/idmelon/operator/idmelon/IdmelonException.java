package com.idmelon.operator.idmelon;

import java.util.Optional;

/**
 * A failed call to the IDmelon API. The message names the call and the HTTP status, never a key value.
 * Subclasses tell the reconciler whether to wait and retry or to report and stop.
 */
public abstract class IdmelonException extends RuntimeException {
  private final String operation;
  private final int status;

  protected IdmelonException(String operation, int status, String message, Throwable cause) {
    super(message, cause);
    this.operation = operation;
    this.status = status;
  }

  /** The IDmelon call that failed, e.g. {@code create}, {@code reset k_123}. */
  public String operation() {
    return operation;
  }

  /** The HTTP status, or 0 when no answer arrived (connection refused, timeout, dropped connection). */
  public int status() {
    return status;
  }

  /** True when the same call may succeed later without any change on our side. */
  public abstract boolean isTransient();

  /** How long IDmelon asked us to wait (429 Retry-After), if it said. */
  public Optional<java.time.Duration> retryAfter() {
    return Optional.empty();
  }
}
