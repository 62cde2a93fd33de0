package com.idmelon.operator.reconciler;

import static com.idmelon.operator.support.OperatorHarness.apiKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.idmelon.operator.crd.v1alpha1.ApiKey;
import com.idmelon.operator.crd.v1alpha1.ApiKeySpec;
import com.idmelon.operator.crd.v1alpha1.ApiKeyStatus;
import com.idmelon.operator.crd.v1alpha1.RestartTarget;
import com.idmelon.operator.crd.v1alpha1.WorkloadKind;
import com.idmelon.operator.idmelon.KeyType;
import com.idmelon.operator.reconciler.Rollouts.Due;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** When restart targets are due a rollout, decided from the spec and the status alone, and how their spec is checked. */
class RolloutRulesTest {
  private static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");
  private static final String OLD = "sha256:0000000000000001";
  private static final String NEW = "sha256:0000000000000002";

  private static ApiKeySpec spec(RestartTarget... targets) {
    ApiKeySpec spec = new ApiKeySpec();
    spec.setName("Key");
    spec.setType(KeyType.Admin);
    spec.setRestartTargets(targets.length == 0 ? null : List.of(targets));
    return spec;
  }

  private static ApiKeyStatus status(String fingerprint, String rolledOut) {
    ApiKeyStatus status = new ApiKeyStatus();
    status.setFingerprint(fingerprint);
    status.setRolledOutFingerprint(rolledOut);
    return status;
  }

  private static final RestartTarget WEB = new RestartTarget(WorkloadKind.Deployment, "web");

  @Test
  void withoutTargetsNothingIsTrackedWhateverTheStatus() {
    assertEquals(Due.NONE_LISTED, Rollouts.due(spec(), status(NEW, OLD), true));
    ApiKeyStatus status = status(NEW, null);
    Rollouts.recordIfUnset(spec(), status, true);
    assertNull(status.getRolledOutFingerprint(), "an ApiKey without targets gets no status field");
  }

  @Test
  void aValueIsRecordedWithoutARolloutWhenNoneWasRecordedForTheTargets() {
    assertEquals(Due.NO_VALUE, Rollouts.due(spec(WEB), status(null, null), true));
    assertEquals(Due.RECORD, Rollouts.due(spec(WEB), status(NEW, null), true), "first issue, or targets added later");
    ApiKeyStatus status = status(NEW, null);
    Rollouts.recordIfUnset(spec(WEB), status, true);
    assertEquals(NEW, status.getRolledOutFingerprint());
    assertEquals(Due.UP_TO_DATE, Rollouts.due(spec(WEB), status, true));
  }

  @Test
  void aChangedValueIsOwedUntilRecorded() {
    assertEquals(Due.ROLL_OUT, Rollouts.due(spec(WEB), status(NEW, OLD), true));
    ApiKeyStatus status = status(NEW, OLD);
    Rollouts.recordIfUnset(spec(WEB), status, true);
    assertEquals(OLD, status.getRolledOutFingerprint(), "an owed rollout is never recorded away");
    assertEquals(Due.UP_TO_DATE, Rollouts.due(spec(WEB), status(NEW, NEW), true));
  }

  @Test
  void aValueChangedInTheReconcileThatListsTheTargetsIsOwed() {
    // the targets are added together with a reset: the value before the reset is recorded first
    ApiKeyStatus status = status(OLD, null);
    Rollouts.recordIfUnset(spec(WEB), status, true);
    status.setFingerprint(NEW);
    assertEquals(Due.ROLL_OUT, Rollouts.due(spec(WEB), status, true));
  }

  @Test
  void aDisabledInstallationOwesNothing() {
    assertEquals(Due.DISABLED, Rollouts.due(spec(WEB), status(NEW, OLD), false));
    ApiKeyStatus status = status(NEW, null);
    Rollouts.recordIfUnset(spec(WEB), status, false);
    assertNull(status.getRolledOutFingerprint());
  }

  private static Optional<String> check(List<RestartTarget> targets) {
    ApiKey apiKey = apiKey("ns", "k", KeyType.Clients);
    apiKey.getSpec().setRestartTargets(targets);
    return SpecValidator.validate(apiKey, null, true, NOW);
  }

  @Test
  void targetsAreCheckedAsTheSchemaChecksThem() {
    assertEquals(Optional.empty(), check(List.of(WEB, new RestartTarget(WorkloadKind.StatefulSet, "web"),
        new RestartTarget(WorkloadKind.DaemonSet, "agent.v2"))));
    assertEquals(Optional.empty(), check(List.of()));
    List<RestartTarget> seventeen = new ArrayList<>();
    IntStream.range(0, 17).forEach(i -> seventeen.add(new RestartTarget(WorkloadKind.Deployment, "w" + i)));
    assertEquals(Optional.of("spec.restartTargets lists 17 workloads; at most 16 are allowed"), check(seventeen));
    assertEquals(Optional.empty(), check(seventeen.subList(0, 16)));
    assertEquals(Optional.of("spec.restartTargets names Deployment/web twice"), check(List.of(WEB, WEB)));
    assertEquals(Optional.of("spec.restartTargets[1].kind is required: Deployment, StatefulSet or DaemonSet"),
        check(List.of(WEB, new RestartTarget(null, "x"))));
    Optional<String> badName = check(List.of(new RestartTarget(WorkloadKind.Deployment, "Web_1\nforged")));
    assertTrue(badName.isPresent() && badName.get().startsWith("spec.restartTargets[0].name 'Web_1 forged'"),
        String.valueOf(badName));
    assertTrue(check(List.of(new RestartTarget(WorkloadKind.Deployment, null))).isPresent());
  }

  @Test
  void anUnknownKindIsInvalidSpecNamingTheKinds() throws Exception {
    ApiKey apiKey = apiKey("ns", "k", KeyType.Clients);
    var json = (com.fasterxml.jackson.databind.node.ObjectNode) new ObjectMapper().valueToTree(apiKey);
    ((com.fasterxml.jackson.databind.node.ObjectNode) json.get("spec")).putArray("restartTargets").addObject()
        .put("kind", "Job").put("name", "nightly");
    ApiKey read = Serialization.unmarshal(json.toString(), ApiKey.class);
    Optional<String> problem = SpecValidator.validate(read, null, true, NOW);
    assertTrue(problem.isPresent() && problem.get().contains("'Job' is not one of DaemonSet, Deployment, StatefulSet"),
        String.valueOf(problem));
  }
}
