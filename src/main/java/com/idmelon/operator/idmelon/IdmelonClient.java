package com.idmelon.operator.idmelon;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The workspace API-keys endpoint of one IDmelon workspace. Every method either returns IDmelon's answer or throws
 * an {@link IdmelonException}; none logs or exposes a key value.
 */
public interface IdmelonClient {

  /**
   * {@code GET {path}}: every key of the workspace, without secrets. An entry that cannot be read is left out and
   * counted in {@link #lastListSkipped()}.
   */
  List<IdmelonKey> list();

  /** {@code POST {path}}: a new key; {@code expiresAt} may be null (never expires). The value is shown only here. */
  IssuedKey create(String name, KeyType type, Instant expiresAt);

  /**
   * {@code GET {path}/{id}}: the key, or empty when IDmelon no longer has it. For this call, reset and delete, an id
   * that is not {@link IdmelonKeyId#isValid valid} is refused with an {@link IdmelonRejectedException} (status 0)
   * before any request.
   */
  Optional<IdmelonKey> read(String id);

  /** {@code POST {path}/{id}/reset}: a new secret under the same id; the old one stops working. Admin keys only. */
  IssuedKey reset(String id);

  /** {@code DELETE {path}/{id}}: revokes the key; a key that is already gone counts as deleted. */
  void delete(String id);

  /** {@code GET /administrator/statistics/users}: proves that the operator's own admin key is accepted. */
  void verifyAdminKey();

  /**
   * A message authentication code of {@code claim} under a key derived from the workspace's Admin key (HMAC-SHA256,
   * base64url): what the operator records where a namespace user could also write proves, when it verifies, that the
   * operator wrote it. Sends nothing. Throws {@link IdmelonRejectedException} (status 0) when the Admin key cannot be
   * read.
   */
  String attest(String claim);

  /**
   * Whether {@code mac} is {@link #attest}'s code for {@code claim} under the workspace's current Admin key or one it
   * had earlier while this process ran (a replaced Admin key must not orphan what was recorded under it). Throws as
   * {@link #attest} does.
   */
  default boolean verify(String claim, String mac) {
    return java.security.MessageDigest.isEqual(attest(claim).getBytes(java.nio.charset.StandardCharsets.UTF_8),
        mac.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  /**
   * The longest one call may take before it fails: a request sent this long ago has either been answered or will be
   * treated as lost (IDmelon may still have carried it out).
   */
  Duration requestTimeout();

  /**
   * Entries of the most recent {@link #list()} answer that were left out because they could not be read (an unknown
   * type, a bad timestamp, a missing or malformed id); 0 when every entry was read. With concurrent lists it tells
   * about the one that finished last.
   */
  default int lastListSkipped() {
    return 0;
  }
}
