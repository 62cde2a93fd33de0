package com.idmelon.operator.simulator;

import com.idmelon.operator.idmelon.KeyType;
import java.time.Instant;

/** A key as the simulator stores it: the secret only as its SHA-256 hash. */
public record SimulatedKey(
    String id, String name, KeyType type, Instant expiresAt, Instant createdAt, byte[] secretHash) {

  public boolean isExpiredAt(Instant now) {
    return expiresAt != null && !expiresAt.isAfter(now);
  }

  @Override
  public String toString() {
    return "SimulatedKey[id=" + id + ", name=" + name + ", type=" + type + ", expiresAt=" + expiresAt + "]";
  }
}
