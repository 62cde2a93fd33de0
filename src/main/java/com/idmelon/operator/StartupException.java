package com.idmelon.operator;

/** The operator cannot start (API server unreachable, CRD missing...): reported as one line. */
public final class StartupException extends RuntimeException {
  public StartupException(String message) {
    super(message);
  }
}
