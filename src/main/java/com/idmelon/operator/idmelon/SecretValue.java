package com.idmelon.operator.idmelon;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A secret string (an API key value) that cannot leak through {@code toString()}, string concatenation or a
 * record's generated {@code toString()}; the value is only reachable through {@link #reveal()}.
 */
public final class SecretValue {
  private final String value;

  private SecretValue(String value) {
    this.value = Objects.requireNonNull(value, "value");
  }

  public static SecretValue of(String value) {
    return new SecretValue(value);
  }

  /** The raw value: only for the Authorization header and the Secret's data, never for messages. */
  public String reveal() {
    return value;
  }

  /** {@code sha256:} plus the first 16 hex digits of SHA-256(value): identifies a value without revealing it. */
  public String fingerprint() {
    return fingerprintOf(value.getBytes(StandardCharsets.UTF_8));
  }

  public static String fingerprintOf(byte[] value) {
    return "sha256:" + HexFormat.of().formatHex(sha256(value)).substring(0, 16);
  }

  public static byte[] sha256(byte[] value) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(value);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }

  /** Constant-time comparison, so that callers comparing keys do not leak timing. */
  public boolean sameAs(SecretValue other) {
    return other != null
        && MessageDigest.isEqual(
            value.getBytes(StandardCharsets.UTF_8), other.value.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SecretValue other && sameAs(other);
  }

  @Override
  public int hashCode() {
    return fingerprint().hashCode();
  }

  @Override
  public String toString() {
    return "SecretValue[redacted]";
  }
}
