package com.idmelon.operator.reconciler;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.idmelon.operator.crd.v1alpha1.ApiKey;
import com.idmelon.operator.crd.v1alpha1.ApiKeyStatus;
import com.idmelon.operator.crd.v1alpha1.Pending;
import com.idmelon.operator.idmelon.IdmelonClient;
import com.idmelon.operator.idmelon.KeyType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pending marker of an ApiKey's first key ({@code Issue}), kept in an operator-owned annotation that is written in
 * the same patch as the finalizer: issuing a key then costs the finalizer patch, the Secret and the status, as a
 * hand-made script would, and nothing is lost in a crash (see DESIGN.md beside this class).
 *
 * <p>A namespace user can write annotations, so the annotation is evidence only when its MAC verifies: a code under a
 * key derived from the workspace's Admin key ({@link IdmelonClient#attest}) over this ApiKey's uid and the marker.
 * Nobody who cannot read that Admin key can make one, nor move one to another ApiKey. The marker is open while the
 * status names no key and holds no marker of its own; once the status records the key it is history, and left as
 * it is (removing it would be one more write).
 */
final class IssueMarker {
  private static final Logger log = LoggerFactory.getLogger(IssueMarker.class);

  static final String ANNOTATION = "idmelon.com/create-attempt";
  /** Far above what the operator writes (about 250 bytes); anything longer is not ours. */
  private static final int MAX_LENGTH = 2048;

  private IssueMarker() {}

  /** The annotation's value recording {@code pending} (an Issue) for this ApiKey. */
  static String encode(ApiKey apiKey, Pending pending, IdmelonClient idmelon) {
    ObjectNode node = Serialization.jsonMapper().createObjectNode();
    node.put("startedAt", pending.getStartedAt());
    node.put("name", pending.getName());
    node.put("type", pending.getType().name());
    if (pending.getReset() != null) {
      node.put("reset", pending.getReset());
    }
    node.put("mac", idmelon.attest(claim(apiKey, pending)));
    return node.toString();
  }

  /** Whether the ApiKey carries the annotation at all (verified or not). */
  static boolean present(ApiKey apiKey) {
    Map<String, String> annotations = apiKey.getMetadata().getAnnotations();
    return annotations != null && annotations.containsKey(ANNOTATION);
  }

  /**
   * The open Issue marker of this ApiKey: the annotation, verified with the workspace's Admin key, while the status
   * names no key and holds no marker. An annotation that does not verify (copied from another ApiKey, written by
   * hand, or made under an Admin key that was replaced since) is ignored, with a warning.
   */
  static Optional<Pending> open(ApiKey apiKey, IdmelonClient idmelon) {
    ApiKeyStatus status = apiKey.getStatus();
    if (status != null && (status.getKeyId() != null || status.getPending() != null)) {
      return Optional.empty();
    }
    Optional<Pending> marker = read(apiKey, idmelon);
    if (marker.isEmpty() && present(apiKey)) {
      log.warn("{}: annotation {} was not written by this operator for this ApiKey under the workspace's current"
          + " Admin key, so it is ignored; if the Admin key was replaced while a first key was being created, look in"
          + " IDmelon for a key of this ApiKey's name that no Secret holds", apiKey.ref(), ANNOTATION);
    }
    return marker;
  }

  /**
   * Another ApiKey's open marker, as far as this workspace's Admin key can tell: its status's, else its verified
   * annotation while its status names no key. Logs nothing (it is not that ApiKey's reconcile).
   */
  static Pending of(ApiKey apiKey, IdmelonClient idmelon) {
    ApiKeyStatus status = apiKey.getStatus();
    if (status != null && status.getPending() != null) {
      return status.getPending();
    }
    if ((status != null && status.getKeyId() != null) || !present(apiKey)) {
      return null;
    }
    return read(apiKey, idmelon).orElse(null);
  }

  /**
   * The marker, if the annotation is there and verifies. Throws {@link com.idmelon.operator.idmelon.IdmelonException}
   * when the workspace's Admin key cannot be read (nothing can be verified now).
   */
  static Optional<Pending> read(ApiKey apiKey, IdmelonClient idmelon) {
    Map<String, String> annotations = apiKey.getMetadata().getAnnotations();
    String value = annotations == null ? null : annotations.get(ANNOTATION);
    if (value == null || value.length() > MAX_LENGTH || apiKey.getMetadata().getUid() == null) {
      return Optional.empty();
    }
    Pending pending;
    String mac;
    try {
      JsonNode node = Serialization.jsonMapper().readTree(value);
      if (!node.isObject() || !node.path("startedAt").isTextual() || !node.path("name").isTextual()
          || !node.path("type").isTextual() || !node.path("mac").isTextual()
          || !(node.path("reset").isMissingNode() || node.path("reset").isTextual())
          || KeyTimes.parse(node.path("startedAt").asText()) == null) {
        return Optional.empty();
      }
      pending = new Pending(Pending.ISSUE, node.path("startedAt").asText(), null, node.path("name").asText(),
          KeyType.valueOf(node.path("type").asText()), node.path("reset").isTextual() ? node.path("reset").asText() : null);
      mac = node.path("mac").asText();
    } catch (IllegalArgumentException | java.time.DateTimeException | java.io.IOException e) {
      return Optional.empty(); // not JSON, an unknown type, a bad time: not ours
    }
    // no Admin key to check with throws: the caller waits, it neither trusts nor drops the marker
    return idmelon.verify(claim(apiKey, pending), mac) ? Optional.of(pending) : Optional.empty();
  }

  /** What the MAC covers: every field, with this ApiKey's uid, as a JSON array (no field can bleed into another). */
  private static String claim(ApiKey apiKey, Pending pending) {
    ArrayNode claim = Serialization.jsonMapper().createArrayNode();
    claim.add("create-attempt/v1")
        .add(apiKey.getMetadata().getUid())
        .add(pending.getStartedAt())
        .add(pending.getName())
        .add(pending.getType().name())
        .add(pending.getReset());
    return claim.toString();
  }
}
