package com.idmelon.operator.idmelon;

import java.time.Duration;
import java.util.Optional;

/** IDmelon could not be reached, timed out, answered 5xx, or rate-limited us (429): retry later. */
public final class IdmelonUnavailableException extends IdmelonException {
  private final Duration retryAfter;

  public IdmelonUnavailableException(
      String operation, int status, String message, Duration retryAfter, Throwable cause) {
    super(operation, status, message, cause);
    this.retryAfter = retryAfter;
  }

  @Override
  public boolean isTransient() {
    return true;
  }

  @Override
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }
}
