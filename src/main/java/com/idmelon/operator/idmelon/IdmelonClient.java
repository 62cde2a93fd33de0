package com.idmelon.operator.idmelon;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The workspace API-keys endpoint of one IDmelon workspace. Every method either returns IDmelon's answer or throws
 * an {@link IdmelonException}; none logs or exposes a key value.
 */
public interface IdmelonClient {

  /** {@code GET {path}}: every key of the workspace, without secrets. */
  List<IdmelonKey> list();

  /** {@code POST {path}}: a new key; {@code expiresAt} may be null (never expires). The value is shown only here. */
  IssuedKey create(String name, KeyType type, Instant expiresAt);

  /** {@code GET {path}/{id}}: the key, or empty when IDmelon no longer has it. */
  Optional<IdmelonKey> read(String id);

  /** {@code POST {path}/{id}/reset}: a new secret under the same id; the old one stops working. Admin keys only. */
  IssuedKey reset(String id);

  /** {@code DELETE {path}/{id}}: revokes the key; a key that is already gone counts as deleted. */
  void delete(String id);

  /** {@code GET /administrator/statistics/users}: proves that the operator's own admin key is accepted. */
  void verifyAdminKey();

  /** How long a call may take before it counts as failed: bounds when a created key can appear. */
  java.time.Duration requestTimeout();
}
