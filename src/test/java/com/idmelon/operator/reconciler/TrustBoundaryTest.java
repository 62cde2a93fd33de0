package com.idmelon.operator.reconciler;

import static com.idmelon.operator.support.OperatorHarness.apiKey;
import static com.idmelon.operator.support.OperatorHarness.data;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.idmelon.operator.crd.v1alpha1.ApiKey;
import com.idmelon.operator.crd.v1alpha1.DeletionPolicy;
import com.idmelon.operator.crd.v1alpha1.Rotation;
import com.idmelon.operator.crd.v1alpha1.RotationStrategy;
import com.idmelon.operator.idmelon.KeyType;
import com.idmelon.operator.idmelon.SecretValue;
import com.idmelon.operator.simulator.IdmelonSimulator;
import com.idmelon.operator.simulator.SimulatedKey;
import com.idmelon.operator.support.OperatorHarness;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A namespace user may edit every Secret of their namespace, the operator's own included. Whatever they write
 * there, the operator never takes a key id from it: a key of another namespace is never reset, replaced, revoked
 * or handed out because a tenant named it in their Secret.
 *
 * <p>Each test has a victim ApiKey in one namespace and an attacker ApiKey in another. The attacker rewrites their
 * managed Secret (owner reference and label kept) to carry the victim's key id, a value of their choosing and that
 * value's fingerprint annotation, then asks for something the operator does with "its" key.
 */
class TrustBoundaryTest {
  @RegisterExtension
  static final OperatorHarness harness = OperatorHarness.shared(Clock.systemUTC());

  private static final String FINGERPRINT_ANNOTATION = "idmelon.com/fingerprint";

  private static IdmelonSimulator idmelon() {
    return harness.simulator();
  }

  /** Two Ready ApiKeys of the same type in two namespaces. */
  private record Tenants(String victimNs, String victim, String victimKeyId, String attackerNs, String attacker,
      String attackerKeyId) {}

  private static Tenants twoTenants(ApiKey victimSpec, ApiKey attackerSpec) {
    harness.create(victimSpec);
    harness.create(attackerSpec);
    String victimKeyId = awaitIssued(victimSpec).getStatus().getKeyId();
    String attackerKeyId = awaitIssued(attackerSpec).getStatus().getKeyId();
    harness.awaitSettled();
    return new Tenants(victimSpec.getMetadata().getNamespace(), victimSpec.getMetadata().getName(), victimKeyId,
        attackerSpec.getMetadata().getNamespace(), attackerSpec.getMetadata().getName(), attackerKeyId);
  }

  private static ApiKey awaitIssued(ApiKey apiKey) {
    return harness.awaitReady(apiKey.getMetadata().getNamespace(), apiKey.getMetadata().getName(), true, "Issued");
  }

  /** What the attacker writes into their own managed Secret: the victim's key id and a self-consistent value. */
  private static void plantVictimKeyId(Tenants t) {
    String value = "attacker-chosen-" + System.nanoTime();
    harness.client.secrets().inNamespace(t.attackerNs()).withName(t.attacker()).edit(s -> {
      s.getData().put("keyId", encode(t.victimKeyId()));
      s.getData().put("apiKey", encode(value));
      s.getMetadata().getAnnotations().put(FINGERPRINT_ANNOTATION, SecretValue.of(value).fingerprint());
      return s;
    });
  }

  /** Plants the victim's id and waits until the operator has seen the edited Secret and settled. */
  private static void plantAndLetTheOperatorSeeIt(Tenants t) {
    int before = harness.reconciles.count(t.attackerNs(), t.attacker());
    plantVictimKeyId(t);
    await().atMost(10, TimeUnit.SECONDS).until(() -> harness.reconciles.count(t.attackerNs(), t.attacker()) > before);
    harness.awaitSettled();
  }

  private static void annotateReset(String ns, String name, String value) {
    harness.client.resources(ApiKey.class).inNamespace(ns).withName(name).edit(k -> {
      k.getMetadata().getAnnotations().put(ApiKey.RESET_ANNOTATION, value);
      return k;
    });
  }

  private static void delete(String ns, String name) {
    harness.client.resources(ApiKey.class).inNamespace(ns).withName(name).delete();
  }

  /** The victim's key exists, was never reset or deleted, and the victim's Secret still authenticates as it. */
  private static void assertVictimUntouched(Tenants t) {
    List<IdmelonSimulator.Request> aimedAtVictim = idmelon().requests().stream()
        .filter(r -> r.isMutating() && r.path().contains("/" + t.victimKeyId()))
        .toList();
    assertEquals(List.of(), aimedAtVictim, "no reset or delete was sent for the victim's key " + t.victimKeyId());
    assertTrue(idmelon().key(t.victimKeyId()).isPresent(),
        "the victim's key " + t.victimKeyId() + " still exists in IDmelon");
    String victimValue = data(harness.secret(t.victimNs(), t.victim()), "apiKey");
    assertEquals(Optional.of(t.victimKeyId()), idmelon().authenticate(victimValue).map(SimulatedKey::id),
        "the victim's Secret still holds a working value of its own key");
  }

  private static void assertAttackerNeverGotTheVictimsKey(Tenants t) {
    ApiKey attacker = harness.get(t.attackerNs(), t.attacker());
    if (attacker != null) {
      assertNotEquals(t.victimKeyId(), attacker.getStatus().getKeyId(),
          "the attacker's status.keyId never names the victim's key");
      String attackerValue = data(harness.secret(t.attackerNs(), t.attacker()), "apiKey");
      assertNotEquals(Optional.of(t.victimKeyId()), idmelon().authenticate(attackerValue).map(SimulatedKey::id),
          "the attacker's Secret never holds a working value of the victim's key");
    }
  }

  @Test
  void aPlantedKeyIdInATenantsSecretIsNeverTakenAsTheirKey() {
    Tenants t = twoTenants(apiKey(harness.newNamespace(), "victim", KeyType.Admin),
        apiKey(harness.newNamespace(), "attacker", KeyType.Admin));

    plantVictimKeyId(t);

    await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
        .untilAsserted(() -> assertNotEquals(t.victimKeyId(),
            harness.get(t.attackerNs(), t.attacker()).getStatus().getKeyId(),
            "the attacker's status.keyId never becomes the victim's key id"));
    assertVictimUntouched(t);
    assertAttackerNeverGotTheVictimsKey(t);
  }

  @Test
  void resetAnnotationAfterAPlantedKeyIdNeverResetsAnotherNamespacesAdminKey() {
    Tenants t = twoTenants(apiKey(harness.newNamespace(), "victim", KeyType.Admin),
        apiKey(harness.newNamespace(), "attacker", KeyType.Admin));
    plantAndLetTheOperatorSeeIt(t);

    annotateReset(t.attackerNs(), t.attacker(), "steal-1");
    await().atMost(20, TimeUnit.SECONDS)
        .until(() -> "steal-1".equals(harness.get(t.attackerNs(), t.attacker()).getStatus().getLastReset()));

    assertVictimUntouched(t);
    assertAttackerNeverGotTheVictimsKey(t);
  }

  @Test
  void resetAnnotationAfterAPlantedKeyIdNeverReplacesAnotherNamespacesKey() {
    ApiKey attacker = apiKey(harness.newNamespace(), "attacker", KeyType.Clients);
    Rotation replace = new Rotation();
    replace.setStrategy(RotationStrategy.Replace);
    attacker.getSpec().setRotation(replace);
    Tenants t = twoTenants(apiKey(harness.newNamespace(), "victim", KeyType.Clients), attacker);
    plantAndLetTheOperatorSeeIt(t);

    annotateReset(t.attackerNs(), t.attacker(), "steal-1");
    await().atMost(20, TimeUnit.SECONDS)
        .until(() -> "steal-1".equals(harness.get(t.attackerNs(), t.attacker()).getStatus().getLastReset()));

    assertVictimUntouched(t);
    assertAttackerNeverGotTheVictimsKey(t);
  }

  @Test
  void deletingAnApiKeyWithAPlantedKeyIdRevokesOnlyItsOwnKey() {
    ApiKey attacker = apiKey(harness.newNamespace(), "attacker", KeyType.SharedMobile);
    attacker.getSpec().setDeletionPolicy(DeletionPolicy.Delete);
    Tenants t = twoTenants(apiKey(harness.newNamespace(), "victim", KeyType.SharedMobile), attacker);
    plantAndLetTheOperatorSeeIt(t);
    // the operator may have rotated the attacker's key to repair the edited Secret: the key it holds now
    String attackersCurrent = harness.get(t.attackerNs(), t.attacker()).getStatus().getKeyId();

    delete(t.attackerNs(), t.attacker());
    await().atMost(20, TimeUnit.SECONDS).until(() -> harness.get(t.attackerNs(), t.attacker()) == null);

    assertVictimUntouched(t);
    assertTrue(idmelon().key(t.attackerKeyId()).isEmpty(),
        "the attacker's own key " + t.attackerKeyId() + " is revoked (deletionPolicy Delete)");
    assertTrue(idmelon().key(attackersCurrent).isEmpty(),
        "the key the attacker's ApiKey held when deleted, " + attackersCurrent + ", is revoked");
  }

  @Test
  void deletingARetainedApiKeyWithAPlantedKeyIdRevokesNothing() {
    ApiKey attacker = apiKey(harness.newNamespace(), "attacker", KeyType.SharedMobile);
    attacker.getSpec().setDeletionPolicy(DeletionPolicy.Retain);
    Tenants t = twoTenants(apiKey(harness.newNamespace(), "victim", KeyType.SharedMobile), attacker);

    // planted and deleted in one go, before the operator has looked at the edited Secret
    harness.stopOperator();
    try {
      plantVictimKeyId(t);
      delete(t.attackerNs(), t.attacker());
    } finally {
      harness.startOperator(Checkpoints.NONE);
    }
    await().atMost(20, TimeUnit.SECONDS).until(() -> harness.get(t.attackerNs(), t.attacker()) == null);

    assertVictimUntouched(t);
    assertTrue(idmelon().key(t.attackerKeyId()).isPresent(),
        "the attacker's own key " + t.attackerKeyId() + " is retained (deletionPolicy Retain)");
  }

  /**
   * The marker of a first create is an annotation, which a tenant can write. One copied whole from another ApiKey (a
   * genuine one: the operator wrote it, its MAC is right) and describing a key nobody holds, by name, type and the
   * instant it was made, is still not this ApiKey's: the operator neither deletes that key as an orphan nor adopts it.
   */
  @Test
  void aCreateMarkerCopiedFromAnotherApiKeyNeitherDeletesNorAdoptsTheKeyItDescribes() {
    ApiKey original = apiKey(harness.newNamespace(), "unheld", KeyType.Clients);
    original.getSpec().setDeletionPolicy(DeletionPolicy.Retain);
    harness.create(original);
    ApiKey issued = awaitIssued(original);
    String unheldKeyId = issued.getStatus().getKeyId();
    String genuineMarker = issued.getMetadata().getAnnotations().get(IssueMarker.ANNOTATION);
    delete(issued.getMetadata().getNamespace(), "unheld"); // Retain: the key stays in IDmelon, held by nobody
    await().atMost(20, TimeUnit.SECONDS).until(() -> harness.get(issued.getMetadata().getNamespace(), "unheld") == null);
    assertTrue(idmelon().key(unheldKeyId).isPresent());

    // same spec.name and type, so the marker describes exactly the unheld key; a tenant cannot make the operator
    // write a marker for another resource, so only a copy can carry a right MAC
    ApiKey copycat = apiKey(harness.newNamespace(), "unheld", KeyType.Clients);
    copycat.getMetadata().setAnnotations(new java.util.HashMap<>(java.util.Map.of(IssueMarker.ANNOTATION, genuineMarker)));
    idmelon().clearRequests();
    harness.create(copycat);

    ApiKey ready = awaitIssued(copycat);
    assertNotEquals(unheldKeyId, ready.getStatus().getKeyId(), "the described key is not adopted");
    assertTrue(idmelon().key(unheldKeyId).isPresent(), "the described key is not deleted as an orphan");
    assertEquals(List.of(), idmelon().requests().stream()
        .filter(r -> r.path().contains("/" + unheldKeyId)).toList(), "no call names the described key");
    assertNotEquals(genuineMarker, ready.getMetadata().getAnnotations().get(IssueMarker.ANNOTATION),
        "the operator wrote its own marker over the copy");
  }

  /**
   * A tenant can make the operator write a genuine first-create marker that no IDmelon call follows: an ApiKey whose
   * secretName is a Secret of theirs that the operator does not manage gets its finalizer and marker, then stops at
   * SecretConflict. Deleting that ApiKey must not sweep IDmelon for "orphans" of the name the tenant chose: a key of
   * that name that nobody in the cluster holds (here another namespace's key, left with Retain) is not theirs.
   */
  @Test
  void aMarkerNoCallFollowedDoesNotLetATenantDeleteAnUnheldKeyOfTheirChoosing() {
    ApiKey original = apiKey(harness.newNamespace(), "swept", KeyType.Clients);
    original.getSpec().setDeletionPolicy(DeletionPolicy.Retain);
    harness.create(original);
    ApiKey issued = awaitIssued(original);
    String unheldKeyId = issued.getStatus().getKeyId();
    delete(issued.getMetadata().getNamespace(), "swept"); // Retain: the key stays in IDmelon, held by nobody
    await().atMost(20, TimeUnit.SECONDS).until(() -> harness.get(issued.getMetadata().getNamespace(), "swept") == null);
    assertTrue(idmelon().key(unheldKeyId).isPresent());

    String attackerNs = harness.newNamespace();
    harness.client.secrets().inNamespace(attackerNs).resource(new io.fabric8.kubernetes.api.model.SecretBuilder()
        .withNewMetadata().withName("not-managed").withNamespace(attackerNs).endMetadata()
        .addToStringData("x", "y").build()).create();
    ApiKey attacker = apiKey(attackerNs, "swept", KeyType.Clients);
    attacker.getSpec().setSecretName("not-managed");
    harness.create(attacker);
    harness.awaitReady(attackerNs, "swept", false, Reasons.SECRET_CONFLICT);
    delete(attackerNs, "swept");
    await().atMost(20, TimeUnit.SECONDS).until(() -> harness.get(attackerNs, "swept") == null);
    harness.awaitSettled();

    assertTrue(idmelon().key(unheldKeyId).isPresent(),
        "a key nobody in this tenant's namespace ever held is not deleted because the tenant named it");
  }

  private static String encode(String value) {
    return Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
  }
}
