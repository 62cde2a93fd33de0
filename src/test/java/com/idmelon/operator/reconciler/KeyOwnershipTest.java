package com.idmelon.operator.reconciler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.idmelon.operator.crd.v1alpha1.ApiKey;
import com.idmelon.operator.crd.v1alpha1.ApiKeyStatus;
import com.idmelon.operator.crd.v1alpha1.Pending;
import com.idmelon.operator.crd.v1alpha1.Retirement;
import com.idmelon.operator.idmelon.IdmelonKey;
import com.idmelon.operator.idmelon.KeyType;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/** The trust rule: a key is an ApiKey's only when its status names it or IDmelon describes it as its call's. */
class KeyOwnershipTest {
  private static final Instant STARTED = Instant.parse("2026-11-27T12:00:00Z");
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final Pending ISSUE = new Pending(Pending.ISSUE, "2026-11-27T12:00:00Z", null, "prod/Reporting",
      KeyType.Admin, null);

  private static IdmelonKey key(String id, String name, KeyType type, Instant createdAt) {
    return new IdmelonKey(id, name, type, null, createdAt);
  }

  private static ApiKey apiKey(String uid, String keyId, Pending pending, String... retiring) {
    ApiKey apiKey = new ApiKey();
    apiKey.getMetadata().setUid(uid);
    apiKey.getMetadata().setNamespace("ns-" + uid);
    apiKey.getMetadata().setName("k");
    ApiKeyStatus status = new ApiKeyStatus();
    status.setKeyId(keyId);
    status.setPending(pending);
    for (String id : retiring) {
      status.addRetirement(new Retirement(id, "2026-11-27T12:10:00Z"));
    }
    apiKey.setStatus(status);
    return apiKey;
  }

  @Test
  void idmelonIdsAreValid() {
    assertTrue(KeyOwnership.validId("k_2a7659ffca4a00bf"));
    assertTrue(KeyOwnership.validId("A-b_9"));
    assertTrue(KeyOwnership.validId("a".repeat(128)));
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {"../x", "a/b", "k?x", "k#x", "k x", "k\nx", "k%2F"})
  void anythingElseNeverReachesAUrl(String id) {
    assertFalse(KeyOwnership.validId(id));
    assertFalse(KeyOwnership.validId("a".repeat(129)));
  }

  @Test
  void aKeyIsTheCallsWhenNameTypeAndWindowAllHold() {
    assertTrue(KeyOwnership.madeBy(key("k_1", "prod/Reporting", KeyType.Admin, STARTED.plusSeconds(1)), ISSUE, TIMEOUT));
    assertFalse(KeyOwnership.madeBy(key("k_1", "prod/reporting", KeyType.Admin, STARTED), ISSUE, TIMEOUT), "name");
    assertFalse(KeyOwnership.madeBy(key("k_1", "Reporting", KeyType.Admin, STARTED), ISSUE, TIMEOUT), "prefix");
    assertFalse(KeyOwnership.madeBy(key("k_1", "prod/Reporting", KeyType.Clients, STARTED), ISSUE, TIMEOUT), "type");
    assertFalse(KeyOwnership.madeBy(key("k_1", "prod/Reporting", KeyType.Admin, STARTED.minus(Duration.ofHours(1))),
        ISSUE, TIMEOUT), "window");
  }

  @Test
  void keysHeldByOthersIncludeTheirRetiringKeysButNotOurOwn() {
    ApiKey self = apiKey("self", "k_self", null, "k_self_old");
    ApiKey other = apiKey("other", "k_other", null, "k_other_old");
    assertEquals(Set.of("k_other", "k_other_old"), KeyOwnership.heldByOthers(self, List.of(self, other)));
  }

  @Test
  void anotherApiKeyCreatingTheSameNameAndTypeMakesKeysIndistinguishable() {
    ApiKey self = apiKey("self", null, ISSUE);
    Pending sameReplace = new Pending(Pending.REPLACE, "2026-11-27T12:00:01Z", "k_x", "prod/Reporting", KeyType.Admin,
        null);
    assertTrue(KeyOwnership.indistinguishable(self, ISSUE, List.of(self, apiKey("other", "k_x", sameReplace)),
        TIMEOUT, KeyOwnershipTest::statusMarker));
  }

  @Test
  void aStaleMarkerOrAnotherWorkspaceNeverBlocksTheCleanUp() {
    ApiKey self = apiKey("self", null, ISSUE);
    self.getStatus().setWorkspace(new com.idmelon.operator.crd.v1alpha1.WorkspaceRef("ClusterWorkspace", "eu"));
    Pending longAgo = new Pending(Pending.ISSUE, "2026-11-27T11:00:00Z", null, "prod/Reporting", KeyType.Admin, null);
    assertFalse(KeyOwnership.indistinguishable(self, ISSUE, List.of(self, apiKey("old", null, longAgo)),
        TIMEOUT, KeyOwnershipTest::statusMarker),
        "a marker left an hour earlier (a tenant's stuck ApiKey) does not block ours");
    Pending now = new Pending(Pending.ISSUE, "2026-11-27T12:00:01Z", null, "prod/Reporting", KeyType.Admin, null);
    ApiKey elsewhere = apiKey("elsewhere", null, now);
    elsewhere.getStatus().setWorkspace(new com.idmelon.operator.crd.v1alpha1.WorkspaceRef("ClusterWorkspace", "us"));
    assertFalse(KeyOwnership.indistinguishable(self, ISSUE, List.of(self, elsewhere),
        TIMEOUT, KeyOwnershipTest::statusMarker),
        "a create in another workspace cannot make our key");
  }

  @Test
  void resetsOtherNamesOtherTypesAndOurselvesAreDistinguishable() {
    ApiKey self = apiKey("self", null, ISSUE);
    Pending reset = new Pending(Pending.RESET, "2026-11-27T12:00:01Z", "k_x", "prod/Reporting", KeyType.Admin, null);
    Pending otherName = new Pending(Pending.ISSUE, "2026-11-27T12:00:01Z", null, "prod/Other", KeyType.Admin, null);
    Pending otherType = new Pending(Pending.ISSUE, "2026-11-27T12:00:01Z", null, "prod/Reporting", KeyType.Clients,
        null);
    assertFalse(KeyOwnership.indistinguishable(self, ISSUE, List.of(self, apiKey("a", "k_x", reset),
        apiKey("b", null, otherName), apiKey("c", null, otherType)),
        TIMEOUT, KeyOwnershipTest::statusMarker));
  }

  @Test
  void orphansAreTheCallsKeysThatNobodyHolds() {
    IdmelonKey orphan = key("k_orphan", "prod/Reporting", KeyType.Admin, STARTED.plusSeconds(2));
    IdmelonKey held = key("k_held", "prod/Reporting", KeyType.Admin, STARTED.plusSeconds(2));
    IdmelonKey kept = key("k_kept", "prod/Reporting", KeyType.Admin, STARTED.plusSeconds(2));
    IdmelonKey foreign = key("k_foreign", "other/Reporting", KeyType.Admin, STARTED.plusSeconds(2));
    IdmelonKey old = key("k_old", "prod/Reporting", KeyType.Admin, STARTED.minus(Duration.ofDays(1)));
    assertEquals(List.of(orphan), KeyOwnership.orphans(List.of(orphan, held, kept, foreign, old), ISSUE, TIMEOUT,
        Set.of("k_held"), Set.of("k_kept")));
  }

  private static Pending statusMarker(ApiKey apiKey) {
    return apiKey.getStatus() == null ? null : apiKey.getStatus().getPending();
  }
}
