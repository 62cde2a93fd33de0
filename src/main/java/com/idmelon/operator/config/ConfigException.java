package com.idmelon.operator.config;

/** A setting is missing or malformed: the process stops at start-up with this one-line message. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message);
  }
}
