package com.idmelon.operator.workspace;

import static com.idmelon.operator.support.OperatorHarness.apiKey;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.idmelon.operator.crd.v1alpha1.ApiKey;
import com.idmelon.operator.crd.v1alpha1.ClusterWorkspace;
import com.idmelon.operator.crd.v1alpha1.Conditions;
import com.idmelon.operator.crd.v1alpha1.WorkspaceRotation;
import com.idmelon.operator.idmelon.KeyType;
import com.idmelon.operator.reconciler.Checkpoints;
import com.idmelon.operator.simulator.IdmelonSimulator;
import com.idmelon.operator.quickstart.WorkspaceBootstrap;
import com.idmelon.operator.support.OperatorHarness;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * idmelon.com/reset on a workspace rotates every ApiKey issued from it exactly once, paced, with its progress in the
 * workspace's status, across an operator restart midway.
 */
class EmergencyRotationTest {
  @RegisterExtension
  static final OperatorHarness harness = OperatorHarness.shared(Clock.systemUTC());

  private static final int KEYS = 200;

  private static ClusterWorkspace workspace() {
    return harness.client.resources(ClusterWorkspace.class).withName("default").get();
  }

  private static void annotate(String value) {
    OperatorHarness.retryOnConflict(() -> harness.client.resources(ClusterWorkspace.class).withName("default")
        .edit(w -> {
          Map<String, String> annotations = w.getMetadata().getAnnotations() == null ? new HashMap<>()
              : new HashMap<>(w.getMetadata().getAnnotations());
          annotations.put(ApiKey.RESET_ANNOTATION, value);
          w.getMetadata().setAnnotations(annotations);
          return w;
        }));
  }

  @Test
  void everyApiKeyOfTheWorkspaceIsRotatedOnceAtABoundedRateAcrossARestart() {
    String ns = harness.newNamespace();
    for (int i = 0; i < KEYS; i++) {
      harness.client.resource(apiKey(ns, "k" + i, KeyType.Clients)).create();
    }
    await().atMost(120, TimeUnit.SECONDS).until(() -> harness.client.resources(ApiKey.class).inNamespace(ns).list()
        .getItems().stream().filter(k -> Conditions.isTrue(k.getStatus(), Conditions.READY)).count() == KEYS);
    assertEquals(null, workspace().getStatus().getRotation().getRequest(), "nothing asked for yet, recorded as such");
    // an ApiKey that holds no key (created suspended) has nothing to rotate and holds nothing up
    ApiKey unissued = apiKey(ns, "unissued", KeyType.Clients);
    unissued.getSpec().setSuspend(true);
    harness.client.resource(unissued).create();
    harness.awaitSettled();
    harness.simulator().clearRequests();

    annotate("incident-2026-11-28");
    await().atMost(20, TimeUnit.SECONDS).until(() -> workspace().getStatus().getRotation() != null
        && workspace().getStatus().getRotation().getStartedAt() != null);
    Instant startedAt = Instant.parse(workspace().getStatus().getRotation().getStartedAt());
    await().atMost(60, TimeUnit.SECONDS).until(() -> rotated(ns, startedAt) >= KEYS / 3);

    Instant stoppedAt = Instant.now();
    harness.stopOperator(); // midway
    int before = rotated(ns, startedAt);
    assertTrue(before < KEYS, "stopped midway: " + before);
    harness.startOperator(Checkpoints.NONE);
    Instant restartedAt = Instant.now();

    await().atMost(120, TimeUnit.SECONDS).until(() -> workspace().getStatus().getRotation().getCompletedAt() != null);
    WorkspaceRotation done = workspace().getStatus().getRotation();
    assertEquals(KEYS, done.getRotated());
    assertEquals(0, done.getRemaining());
    assertEquals("False", workspace().getStatus().condition(Conditions.ROTATING).orElseThrow().getStatus());
    assertEquals(KEYS, rotated(ns, startedAt), "none skipped");
    harness.awaitSettled();
    long creates = harness.simulator().counts().getOrDefault("create", 0L);
    assertTrue(creates >= KEYS && creates <= KEYS + 2, "each rotated once (a call cut by the stop may be redone): "
        + creates);
    assertEquals(KEYS, harness.simulator().keys().stream().filter(k -> k.name().matches("Key k[0-9]+")).count(),
        "no key leaked: the replaced ones were deleted");
    List<Instant> times = harness.simulator().requests().stream().filter(r -> r.method().equals("POST"))
        .map(IdmelonSimulator.Request::at).sorted().toList();
    for (int i = 0; i < times.size(); i++) {
      Instant from = times.get(i);
      long inOneSecond = times.stream().filter(t -> !t.isBefore(from) && t.isBefore(from.plusSeconds(1))).count();
      // the pace is each operator's own: a second that spans this instant restart (a leader handover on a cluster
      // takes longer than a second) may hold the old one's last starts and the new one's first
      boolean spansTheRestart = from.isBefore(restartedAt) && from.plusSeconds(1).isAfter(stoppedAt);
      // the calls the stop cut (at most the gate's 2 concurrent ones) were admitted before it and are done again at
      // once by the new operator, on top of its own first starts
      boolean justAfterTheRestart = !from.isBefore(restartedAt) && from.isBefore(restartedAt.plusSeconds(1));
      long bound = spansTheRestart ? 22 : justAfterTheRestart ? 11 + 2 : 11;
      assertTrue(inOneSecond <= bound, inOneSecond + " rotations started within one second at "
          + from + (spansTheRestart ? " (across the restart)" : justAfterTheRestart ? " (just after the restart)" : ""));
    }
    for (int i = 0; i < KEYS; i += 37) {
      harness.assertOneWorkingKey(ns, "k" + i);
    }

    // the same value again, or an operator restart, rotates nothing more
    harness.simulator().clearRequests();
    annotate("incident-2026-11-28");
    harness.touch(ns, "k1");
    harness.awaitSettled();
    assertEquals(0L, harness.simulator().counts().getOrDefault("create", 0L));
  }

  @Test
  void aSuspendedApiKeyWaitsInRemainingAndIsRotatedOnceWhenResumed() {
    String ns = harness.newNamespace();
    ClusterWorkspace shared = workspace();
    harness.client.resource(new io.fabric8.kubernetes.api.model.SecretBuilder().withNewMetadata()
        .withName("team-admin-key").withNamespace(ns).endMetadata()
        .withData(harness.client.secrets().inNamespace(WorkspaceBootstrap.SYSTEM_NAMESPACE)
            .withName(shared.getSpec().getAdminKeySecretRef().getName()).get().getData()).build()).create();
    com.idmelon.operator.crd.v1alpha1.Workspace team = new com.idmelon.operator.crd.v1alpha1.Workspace();
    team.getMetadata().setName("team");
    team.getMetadata().setNamespace(ns);
    com.idmelon.operator.crd.v1alpha1.WorkspaceSpec spec = new com.idmelon.operator.crd.v1alpha1.WorkspaceSpec();
    spec.setBaseUrl(shared.getSpec().getBaseUrl());
    spec.setApiKeysPath(shared.getSpec().getApiKeysPath());
    spec.setAdminKeySecretRef(new com.idmelon.operator.crd.v1alpha1.AdminKeySecretRef("team-admin-key", null, null));
    team.setSpec(spec);
    harness.client.resource(team).create();
    List<String> names = List.of("live-1", "live-2", "frozen");
    for (String name : names) {
      ApiKey apiKey = apiKey(ns, name, KeyType.Clients);
      apiKey.getSpec().setWorkspaceRef(new com.idmelon.operator.crd.v1alpha1.WorkspaceRef(
          com.idmelon.operator.crd.v1alpha1.WorkspaceRef.WORKSPACE, "team"));
      harness.create(apiKey);
      harness.awaitReady(ns, name, true, com.idmelon.operator.reconciler.Reasons.ISSUED);
    }
    OperatorHarness.retryOnConflict(() -> harness.client.resources(ApiKey.class).inNamespace(ns).withName("frozen")
        .edit(k -> {
          k.getSpec().setSuspend(true);
          return k;
        }));
    await().atMost(10, TimeUnit.SECONDS).until(() ->
        harness.get(ns, "frozen").getStatus().condition(Conditions.SUSPENDED).isPresent());

    OperatorHarness.retryOnConflict(() -> harness.client.resources(com.idmelon.operator.crd.v1alpha1.Workspace.class)
        .inNamespace(ns).withName("team").edit(w -> {
          w.getMetadata().setAnnotations(new HashMap<>(Map.of(ApiKey.RESET_ANNOTATION, "team-incident")));
          return w;
        }));
    java.util.function.Supplier<WorkspaceRotation> progress = () -> harness.client
        .resources(com.idmelon.operator.crd.v1alpha1.Workspace.class).inNamespace(ns).withName("team").get()
        .getStatus().getRotation();
    await().atMost(30, TimeUnit.SECONDS).until(() -> progress.get().getStartedAt() != null
        && Integer.valueOf(2).equals(progress.get().getRotated()) && Integer.valueOf(1).equals(progress.get().getRemaining()));
    Instant startedAt = Instant.parse(progress.get().getStartedAt());
    assertTrue(!harness.get(ns, "frozen").getStatus().rotatedSince(startedAt), "the suspended one waits");
    assertTrue(harness.get(ns, "frozen").getStatus().condition(Conditions.SUSPENDED).orElseThrow().getMessage()
        .contains("its workspace is rotating every key"));

    OperatorHarness.retryOnConflict(() -> harness.client.resources(ApiKey.class).inNamespace(ns).withName("frozen")
        .edit(k -> {
          k.getSpec().setSuspend(false);
          return k;
        }));
    await().atMost(60, TimeUnit.SECONDS).until(() -> progress.get().getCompletedAt() != null);
    assertEquals(3, progress.get().getRotated());
    assertTrue(harness.get(ns, "frozen").getStatus().rotatedSince(startedAt), "rotated once it was resumed");
  }

  private static int rotated(String ns, Instant since) {
    return (int) harness.client.resources(ApiKey.class).inNamespace(ns).list().getItems().stream()
        .filter(k -> k.getStatus() != null && k.getStatus().getKeyId() != null && k.getStatus().rotatedSince(since))
        .count();
  }

  @Test
  void aValueAlreadyThereWhenTheWorkspaceIsCreatedIsRecordedNotActedOn() {
    // created with the annotation already on it, as GitOps would: the operator first sees it with the value
    ClusterWorkspace preset = new ClusterWorkspace();
    preset.getMetadata().setName("preset");
    preset.getMetadata().setAnnotations(Map.of(ApiKey.RESET_ANNOTATION, "from-git"));
    preset.setSpec(workspace().getSpec());
    harness.client.resource(preset).create();
    await().atMost(20, TimeUnit.SECONDS).until(() -> {
      ClusterWorkspace w = harness.client.resources(ClusterWorkspace.class).withName("preset").get();
      return w.getStatus() != null && w.getStatus().getRotation() != null;
    });
    WorkspaceRotation recorded = harness.client.resources(ClusterWorkspace.class).withName("preset").get()
        .getStatus().getRotation();
    assertEquals("from-git", recorded.getRequest());
    assertNull(recorded.getStartedAt(), "recorded, not acted on");
    harness.client.resources(ClusterWorkspace.class).withName("preset").delete();
  }
}
