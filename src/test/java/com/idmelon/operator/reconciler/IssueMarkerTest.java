package com.idmelon.operator.reconciler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.idmelon.operator.crd.v1alpha1.ApiKey;
import com.idmelon.operator.crd.v1alpha1.ApiKeyStatus;
import com.idmelon.operator.crd.v1alpha1.Pending;
import com.idmelon.operator.idmelon.HttpIdmelonClient;
import com.idmelon.operator.idmelon.IdmelonClient;
import com.idmelon.operator.idmelon.KeyType;
import com.idmelon.operator.idmelon.SecretValue;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The first create's marker lives in an annotation a tenant can write: it counts only when the operator's MAC under
 * the workspace's Admin key verifies for this very ApiKey. No request is sent: the MAC is computed locally.
 */
class IssueMarkerTest {
  private static final Pending MARKER = new Pending(Pending.ISSUE, "2026-11-28T12:00:00Z", null, "team/ci",
      KeyType.Admin, "r1");

  private static IdmelonClient workspace(String adminKey) {
    return new HttpIdmelonClient(URI.create("http://127.0.0.1:9"), "/administrator/workspace/apikeys",
        () -> SecretValue.of(adminKey), Duration.ofSeconds(1), Duration.ofSeconds(1));
  }

  private static ApiKey apiKey(String uid, String annotation) {
    ApiKey apiKey = new ApiKey();
    apiKey.getMetadata().setNamespace("team");
    apiKey.getMetadata().setName("ci");
    apiKey.getMetadata().setUid(uid);
    if (annotation != null) {
      apiKey.getMetadata().setAnnotations(new HashMap<>(Map.of(IssueMarker.ANNOTATION, annotation)));
    }
    return apiKey;
  }

  private static String edited(String marker, String field, String value) throws Exception {
    ObjectNode node = (ObjectNode) Serialization.jsonMapper().readTree(marker);
    node.put(field, value);
    return node.toString();
  }

  @Test
  void theOperatorsOwnMarkerReadsBackAsWritten() {
    IdmelonClient idmelon = workspace("admin-key-1");
    String written = IssueMarker.encode(apiKey("uid-1", null), MARKER, idmelon);
    Pending read = IssueMarker.open(apiKey("uid-1", written), idmelon).orElseThrow();
    assertEquals(Serialization.asJson(MARKER), Serialization.asJson(read));
    assertTrue(written.length() < 400, "small: " + written.length());
  }

  @Test
  void aMarkerMovedToAnotherApiKeyOrEditedOrMadeUnderAnotherAdminKeyIsIgnored() throws Exception {
    IdmelonClient idmelon = workspace("admin-key-1");
    String written = IssueMarker.encode(apiKey("uid-1", null), MARKER, idmelon);
    assertEquals(Optional.empty(), IssueMarker.open(apiKey("uid-2", written), idmelon), "another ApiKey");
    assertEquals(Optional.empty(), IssueMarker.open(apiKey("uid-1", written), workspace("admin-key-2")),
        "another workspace, or its Admin key replaced");
    for (String field : new String[] {"startedAt", "name", "type", "reset"}) {
      String value = switch (field) {
        case "startedAt" -> "2026-11-28T12:00:01Z";
        case "type" -> "Clients";
        default -> "team/other";
      };
      assertEquals(Optional.empty(), IssueMarker.open(apiKey("uid-1", edited(written, field, value)), idmelon),
          field + " edited");
    }
    for (String garbage : new String[] {"", "{}", "[1]", "not json", edited(written, "startedAt", "yesterday"),
        edited(written, "type", "Root"), edited(written, "mac", ""), "x".repeat(100_000)}) {
      assertEquals(Optional.empty(), IssueMarker.open(apiKey("uid-1", garbage), idmelon), garbage);
    }
  }

  @Test
  void aMarkerMadeUnderTheAdminKeyBeforeAReplacementStillVerifiesInTheSameProcess() {
    java.util.concurrent.atomic.AtomicReference<String> admin = new java.util.concurrent.atomic.AtomicReference<>("a1");
    IdmelonClient idmelon = new HttpIdmelonClient(URI.create("http://127.0.0.1:9"), "/administrator/workspace/apikeys",
        () -> SecretValue.of(admin.get()), Duration.ofSeconds(1), Duration.ofSeconds(1));
    String written = IssueMarker.encode(apiKey("uid-1", null), MARKER, idmelon);

    admin.set("a2"); // the workspace's Admin key renewed while a lost answer waits for its recovery
    assertTrue(IssueMarker.open(apiKey("uid-1", written), idmelon).isPresent(), "the earlier key is remembered");
    String rewritten = IssueMarker.encode(apiKey("uid-1", null), MARKER, idmelon);
    assertTrue(IssueMarker.open(apiKey("uid-1", rewritten), idmelon).isPresent(), "new markers use the new key");
    assertEquals(Optional.empty(), IssueMarker.open(apiKey("uid-1", written), workspace("a2")),
        "a process that never saw the earlier key cannot verify it (the documented limit)");
  }

  @Test
  void anUnreadableAdminKeyIsAFailureToWaitOutNotAnAbsentMarker() {
    IdmelonClient idmelon = workspace("admin-key-1");
    String written = IssueMarker.encode(apiKey("uid-1", null), MARKER, idmelon);
    IdmelonClient unreadable = new HttpIdmelonClient(URI.create("http://127.0.0.1:9"),
        "/administrator/workspace/apikeys", () -> {
          throw new IllegalStateException("Secret idmelon-system/admin not found");
        }, Duration.ofSeconds(1), Duration.ofSeconds(1));
    org.junit.jupiter.api.Assertions.assertThrows(com.idmelon.operator.idmelon.IdmelonException.class,
        () -> IssueMarker.open(apiKey("uid-1", written), unreadable));
  }

  @Test
  void onceTheStatusHoldsAKeyOrAMarkerTheAnnotationIsHistory() {
    IdmelonClient idmelon = workspace("admin-key-1");
    ApiKey apiKey = apiKey("uid-1", IssueMarker.encode(apiKey("uid-1", null), MARKER, idmelon));
    apiKey.setStatus(new ApiKeyStatus());
    assertTrue(IssueMarker.open(apiKey, idmelon).isPresent(), "no key yet: open");
    apiKey.getStatus().setKeyId("k_1");
    assertEquals(Optional.empty(), IssueMarker.open(apiKey, idmelon), "a key recorded: closed");
    assertNull(IssueMarker.of(apiKey, idmelon), "nor does it block another ApiKey's clean-up");
  }
}
