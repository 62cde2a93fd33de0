package com.idmelon.operator.idmelon;

import java.time.Instant;

/** What IDmelon tells about an API key without its secret (list and read answers). */
public record IdmelonKey(String id, String name, KeyType type, Instant expiresAt, Instant createdAt) {

  /** True when the key has an expiry and it is not after {@code now}. */
  public boolean isExpiredAt(Instant now) {
    return expiresAt != null && !expiresAt.isAfter(now);
  }
}
