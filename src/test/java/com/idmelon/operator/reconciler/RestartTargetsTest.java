package com.idmelon.operator.reconciler;

import static com.idmelon.operator.support.OperatorHarness.apiKey;
import static com.idmelon.operator.support.OperatorHarness.retryOnConflict;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.idmelon.operator.crd.v1alpha1.ApiKey;
import com.idmelon.operator.crd.v1alpha1.ApiKeyStatus;
import com.idmelon.operator.crd.v1alpha1.RestartTarget;
import com.idmelon.operator.crd.v1alpha1.Rotation;
import com.idmelon.operator.crd.v1alpha1.RotationStrategy;
import com.idmelon.operator.crd.v1alpha1.WorkloadKind;
import com.idmelon.operator.idmelon.KeyType;
import com.idmelon.operator.observability.OperatorMetrics;
import com.idmelon.operator.quickstart.EmbeddedKubernetes;
import com.idmelon.operator.reconciler.Checkpoints.Point;
import com.idmelon.operator.support.DieAt;
import com.idmelon.operator.support.MovableClock;
import com.idmelon.operator.support.OperatorHarness;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * spec.restartTargets against real Deployment, StatefulSet and DaemonSet objects in the mock API server. A watch records
 * every value each workload's annotation takes (each change of a pod template is one rollout) and the API server's
 * request log counts the operator's patches: each change of the key's value is rolled out exactly once per target, and
 * nothing is rolled out without one.
 */
class RestartTargetsTest {
  private static final MovableClock CLOCK = new MovableClock(Instant.parse("2026-11-27T12:00:00Z"));
  private static final OperatorMetrics METRICS = new OperatorMetrics();
  @RegisterExtension
  static final OperatorHarness harness = harness();

  private static OperatorHarness harness() {
    try {
      return new OperatorHarness(null, o -> o.withRotationListener(METRICS), CLOCK);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // ---- what happened to each workload: the values its annotation took (a watch sees them), and the requests

  /** Every value the annotation took, by namespace and "Kind/name", in order, as watches saw them. */
  private static final Map<String, List<String>> VALUES = new ConcurrentHashMap<>();
  private static final List<Watch> WATCHES = new ArrayList<>();
  private static final Map<String, Integer> PATCH_REQUESTS = new HashMap<>();
  private static final Map<String, Integer> READS = new HashMap<>();

  private static <T extends HasMetadata> Watcher<T> recorder(String ns, WorkloadKind kind,
      java.util.function.Function<T, PodTemplateSpec> template) {
    return new Watcher<>() {
      @Override
      public void eventReceived(Action action, T workload) {
        Map<String, String> annotations = template.apply(workload).getMetadata().getAnnotations();
        String value = annotations == null ? null : annotations.get(Rollouts.ANNOTATION);
        List<String> values = VALUES.computeIfAbsent(ns + "/" + kind + "/" + workload.getMetadata().getName(),
            k -> new CopyOnWriteArrayList<>());
        synchronized (values) {
          if (value != null && (values.isEmpty() || !values.get(values.size() - 1).equals(value))) {
            values.add(value);
          }
        }
      }

      @Override
      public void onClose(WatcherException cause) {}
    };
  }

  /** Watches the namespace's Deployments, StatefulSets and DaemonSets (before any of them is created). */
  private static synchronized void watch(String ns) {
    WATCHES.add(harness.client.apps().deployments().inNamespace(ns)
        .watch(recorder(ns, WorkloadKind.Deployment, (Deployment d) -> d.getSpec().getTemplate())));
    WATCHES.add(harness.client.apps().statefulSets().inNamespace(ns)
        .watch(recorder(ns, WorkloadKind.StatefulSet, (StatefulSet d) -> d.getSpec().getTemplate())));
    WATCHES.add(harness.client.apps().daemonSets().inNamespace(ns)
        .watch(recorder(ns, WorkloadKind.DaemonSet, (DaemonSet d) -> d.getSpec().getTemplate())));
  }

  @AfterEach
  synchronized void closeWatches() {
    WATCHES.forEach(Watch::close);
    WATCHES.clear();
  }

  private static List<String> values(String ns, RestartTarget target) {
    return List.copyOf(VALUES.getOrDefault(ns + "/" + target, List.of()));
  }

  private static String path(String ns, WorkloadKind kind, String name) {
    return "/apis/apps/v1/namespaces/" + ns + "/" + kind.plural() + "/" + name;
  }

  /** Reads the API server's request log so far into the counts of PATCH and GET requests per workload. */
  private static synchronized void countRequests() throws InterruptedException {
    for (RecordedRequest request : harness.drainKubernetesRequests()) {
      String path = request.getPath().split("\\?", 2)[0];
      if (path.startsWith("/apis/apps/v1/") && request.getMethod().equals("PATCH")) {
        PATCH_REQUESTS.merge(path, 1, Integer::sum);
      } else if (path.startsWith("/apis/apps/v1/") && request.getMethod().equals("GET")) {
        READS.merge(path, 1, Integer::sum);
      }
    }
  }

  /** The operator's PATCH requests to this workload so far (failed attempts included). */
  private static synchronized int patchRequests(String ns, RestartTarget target) throws InterruptedException {
    countRequests();
    return PATCH_REQUESTS.getOrDefault(path(ns, target.getKind(), target.getName()), 0);
  }

  /** The GET requests to this workload so far (the test's own reads included). */
  private static synchronized int reads(String ns, RestartTarget target) throws InterruptedException {
    countRequests();
    return READS.getOrDefault(path(ns, target.getKind(), target.getName()), 0);
  }

  // ---- fixtures

  private static PodTemplateSpec template(String app) {
    return new PodTemplateSpecBuilder().withNewMetadata().addToLabels("app", app)
        .addToAnnotations("team.example.com/owner", "payments").endMetadata()
        .withNewSpec().addNewContainer().withName("app").withImage("example.com/" + app + ":1").endContainer()
        .endSpec().build();
  }

  private static void deployment(String ns, String name, boolean paused) {
    harness.client.resource(new DeploymentBuilder().withNewMetadata().withName(name).withNamespace(ns).endMetadata()
        .withNewSpec().withPaused(paused ? Boolean.TRUE : null).withNewSelector().addToMatchLabels("app", name)
        .endSelector().withTemplate(template(name)).endSpec().build()).create();
  }

  private static void statefulSet(String ns, String name) {
    harness.client.resource(new StatefulSetBuilder().withNewMetadata().withName(name).withNamespace(ns).endMetadata()
        .withNewSpec().withServiceName(name).withNewSelector().addToMatchLabels("app", name).endSelector()
        .withTemplate(template(name)).endSpec().build()).create();
  }

  private static void daemonSet(String ns, String name) {
    harness.client.resource(new DaemonSetBuilder().withNewMetadata().withName(name).withNamespace(ns).endMetadata()
        .withNewSpec().withNewSelector().addToMatchLabels("app", name).endSelector()
        .withTemplate(template(name)).endSpec().build()).create();
  }

  private static final RestartTarget WEB = new RestartTarget(WorkloadKind.Deployment, "web");
  private static final RestartTarget DB = new RestartTarget(WorkloadKind.StatefulSet, "db");
  private static final RestartTarget AGENT = new RestartTarget(WorkloadKind.DaemonSet, "agent");
  private static final List<RestartTarget> ALL = List.of(WEB, DB, AGENT);

  /** A namespace with the Deployment web, the StatefulSet db and the DaemonSet agent. */
  private static String namespaceWithWorkloads() {
    String ns = harness.newNamespace();
    watch(ns);
    deployment(ns, "web", false);
    statefulSet(ns, "db");
    daemonSet(ns, "agent");
    return ns;
  }

  private static ApiKey create(String ns, String name, KeyType type, List<RestartTarget> targets,
      Consumer<ApiKey> change) {
    ApiKey apiKey = apiKey(ns, name, type);
    apiKey.getSpec().setRestartTargets(targets);
    change.accept(apiKey);
    harness.create(apiKey);
    return harness.awaitReady(ns, name, true, Reasons.ISSUED);
  }

  private static String templateAnnotation(String ns, RestartTarget target, String key) {
    HasMetadata workload = switch (target.getKind()) {
      case Deployment -> harness.client.apps().deployments().inNamespace(ns).withName(target.getName()).get();
      case StatefulSet -> harness.client.apps().statefulSets().inNamespace(ns).withName(target.getName()).get();
      case DaemonSet -> harness.client.apps().daemonSets().inNamespace(ns).withName(target.getName()).get();
    };
    PodTemplateSpec template = workload instanceof Deployment d ? d.getSpec().getTemplate()
        : workload instanceof StatefulSet s ? s.getSpec().getTemplate() : ((DaemonSet) workload).getSpec().getTemplate();
    return template.getMetadata().getAnnotations() == null ? null : template.getMetadata().getAnnotations().get(key);
  }

  private static void edit(String ns, String name, Consumer<ApiKey> change) {
    retryOnConflict(() -> harness.client.resources(ApiKey.class).inNamespace(ns).withName(name).edit(k -> {
      change.accept(k);
      return k;
    }));
  }

  private static void reset(String ns, String name, String value) {
    edit(ns, name, k -> k.getMetadata().getAnnotations().put(ApiKey.RESET_ANNOTATION, value));
  }

  /** Waits until the key's value differs from {@code before} and the targets are rolled out for the new one. */
  private static ApiKeyStatus awaitRolledOut(String ns, String name, String before) {
    await().atMost(20, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(50)).until(() -> {
      ApiKeyStatus status = harness.get(ns, name).getStatus();
      return status.getFingerprint() != null && !status.getFingerprint().equals(before)
          && status.getFingerprint().equals(status.getRolledOutFingerprint()) && status.getPending() == null
          && rolledOut(status).map(c -> c.getStatus().equals("True")).orElse(false);
    });
    return harness.get(ns, name).getStatus();
  }

  private static java.util.Optional<Condition> rolledOut(ApiKeyStatus status) {
    return status.condition(Rollouts.CONDITION);
  }

  private static List<Event> events(String ns, String name, String reason) {
    return harness.events(ns, name).stream().filter(e -> reason.equals(e.getReason())).toList();
  }

  /** Makes the operator look at the ApiKey again, as a resync or a GitOps re-apply would, and waits until it has. */
  private static void touch(String ns, String name) {
    int before = harness.reconciles.count(ns, name);
    edit(ns, name, k -> k.getMetadata().getAnnotations().put("example.com/touched", CLOCK.instant() + "-"
        + System.nanoTime()));
    await().atMost(10, TimeUnit.SECONDS).until(() -> harness.reconciles.count(ns, name) > before);
    harness.awaitSettled();
  }

  /**
   * Each target's annotation took exactly the values {@code expected}, in order (each change of the template is one
   * rollout), through one PATCH per value, and its other annotations were kept.
   */
  private static void assertHistory(String ns, List<String> expected, RestartTarget... targets) throws Exception {
    for (RestartTarget target : targets) {
      await().atMost(5, TimeUnit.SECONDS).untilAsserted(() ->
          assertEquals(expected, values(ns, target), target + ": the values of its annotation"));
      assertEquals(expected.size(), patchRequests(ns, target), target + ": one patch per value");
      String now = expected.isEmpty() ? null : expected.get(expected.size() - 1);
      assertEquals(now, templateAnnotation(ns, target, Rollouts.ANNOTATION), target + ": its annotation");
      assertEquals("payments", templateAnnotation(ns, target, "team.example.com/owner"), "other annotations stay");
    }
  }

  // ---- the tests

  @Test
  void theFirstIssueRecordsTheValueAndRollsNothingOut() throws Exception {
    String ns = namespaceWithWorkloads();
    ApiKeyStatus status = create(ns, "first", KeyType.Admin, ALL, k -> { }).getStatus();
    harness.awaitSettled();

    assertEquals(status.getFingerprint(), status.getRolledOutFingerprint(), "recorded in the issue's status write");
    assertEquals(Rollouts.UP_TO_DATE, rolledOut(harness.get(ns, "first").getStatus()).orElseThrow().getReason());
    for (RestartTarget target : ALL) {
      assertEquals(0, patchRequests(ns, target), target + " patched");
      assertEquals(0, reads(ns, target), target + " not even read");
    }
    assertEquals(List.of(), events(ns, "first", Rollouts.ROLLOUT_TRIGGERED));
  }

  @Test
  void eachChangeOfTheValueRollsEveryTargetOutExactlyOnce() throws Exception {
    String ns = namespaceWithWorkloads();
    String fp0 = create(ns, "admin", KeyType.Admin, ALL, k -> { }).getStatus().getFingerprint();

    reset(ns, "admin", "rotate-1"); // Admin: reset in place
    String fp1 = awaitRolledOut(ns, "admin", fp0).getFingerprint();
    assertEquals(Reasons.RESET, harness.ready(ns, "admin").orElseThrow().getReason(), "the rotation itself");
    assertHistory(ns, List.of(fp1), WEB, DB, AGENT);

    harness.client.secrets().inNamespace(ns).withName("admin").delete(); // repair of a deleted Secret
    String fp2 = awaitRolledOut(ns, "admin", fp1).getFingerprint();
    assertHistory(ns, List.of(fp1, fp2), WEB, DB, AGENT);

    retryOnConflict(() -> harness.client.secrets().inNamespace(ns).withName("admin").edit(s -> {
      s.getData().put("apiKey", java.util.Base64.getEncoder().encodeToString("edited".getBytes()));
      return s;
    })); // repair of an edited Secret
    String fp3 = awaitRolledOut(ns, "admin", fp2).getFingerprint();
    assertHistory(ns, List.of(fp1, fp2, fp3), WEB, DB, AGENT);

    harness.awaitSettled();
    assertHistory(ns, List.of(fp1, fp2, fp3), WEB, DB, AGENT);
    List<Event> triggered = events(ns, "admin", Rollouts.ROLLOUT_TRIGGERED);
    assertEquals(3, triggered.size(), "one event per value change");
    assertTrue(triggered.stream().allMatch(e -> e.getMessage().contains("Deployment/web, StatefulSet/db,"
        + " DaemonSet/agent")), triggered.get(0).getMessage());
    assertTrue(METRICS.scrape().contains("idmelon_apikey_rollouts_total{kind=\"StatefulSet\",result=\"RolledOut\"}"));
  }

  @Test
  void replacementsExpiryChangesAndRenewalsRollOutOnceEach() throws Exception {
    String ns = namespaceWithWorkloads();
    String fp0 = create(ns, "clients", KeyType.Clients, List.of(WEB), k -> k.getSpec().setDuration("2h")).getStatus()
        .getFingerprint();

    reset(ns, "clients", "rotate-1"); // Clients: a new key replaces the old one
    String fp1 = awaitRolledOut(ns, "clients", fp0).getFingerprint();
    assertEquals(Reasons.REPLACED, harness.ready(ns, "clients").orElseThrow().getReason());

    CLOCK.advance(Duration.ofMinutes(81)); // past the renewal, a third of 2h before the end
    touch(ns, "clients");
    String fp2 = awaitRolledOut(ns, "clients", fp1).getFingerprint();
    assertEquals(Reasons.RENEWED, harness.ready(ns, "clients").orElseThrow().getReason());

    edit(ns, "clients", k -> { // a fixed expiry instead: a new key
      k.getSpec().setDuration(null);
      k.getSpec().setExpiresAt("2030-01-01T00:00:00Z");
    });
    String fp3 = awaitRolledOut(ns, "clients", fp2).getFingerprint();
    harness.awaitSettled();
    assertHistory(ns, List.of(fp1, fp2, fp3), WEB);
  }

  @Test
  void restartsResyncsAndReappliesRollNothingOut() throws Exception {
    String ns = namespaceWithWorkloads();
    String fp0 = create(ns, "quiet", KeyType.Admin, ALL, k -> { }).getStatus().getFingerprint();
    reset(ns, "quiet", "rotate-1");
    String fp1 = awaitRolledOut(ns, "quiet", fp0).getFingerprint();
    harness.awaitSettled();
    int reads = reads(ns, WEB);

    assertEquals(1, reads, "one read of the target for the rollout");
    harness.stopOperator();
    harness.startOperator(Checkpoints.NONE);
    touch(ns, "quiet");
    touch(ns, "quiet");
    edit(ns, "quiet", k -> k.getSpec().setSecretTemplate(null)); // a re-applied spec: a new generation
    touch(ns, "quiet");

    assertEquals(reads, reads(ns, WEB), "a settled ApiKey does not even read its targets");
    assertHistory(ns, List.of(fp1), WEB, DB, AGENT);
    assertEquals(fp1, harness.get(ns, "quiet").getStatus().getRolledOutFingerprint());
  }

  @Test
  void aTargetAddedLaterWaitsForTheNextChangeOfTheValue() throws Exception {
    String ns = namespaceWithWorkloads();
    String fp0 = create(ns, "later", KeyType.Admin, List.of(WEB), k -> { }).getStatus().getFingerprint();
    edit(ns, "later", k -> k.getSpec().setRestartTargets(List.of(WEB, DB)));
    touch(ns, "later");
    assertHistory(ns, List.of(), WEB, DB);

    reset(ns, "later", "rotate-1");
    String fp1 = awaitRolledOut(ns, "later", fp0).getFingerprint();
    harness.awaitSettled();
    assertHistory(ns, List.of(fp1), WEB, DB);

    // added to an ApiKey that had none: recorded, not rolled out
    String fp2Before = create(ns, "none-yet", KeyType.Admin, null, k -> { }).getStatus().getFingerprint();
    assertNull(harness.get(ns, "none-yet").getStatus().getRolledOutFingerprint(), "no field without targets");
    assertTrue(rolledOut(harness.get(ns, "none-yet").getStatus()).isEmpty(), "no condition without targets");
    edit(ns, "none-yet", k -> k.getSpec().setRestartTargets(List.of(AGENT)));
    await().atMost(10, TimeUnit.SECONDS).until(() ->
        fp2Before.equals(harness.get(ns, "none-yet").getStatus().getRolledOutFingerprint()));
    harness.awaitSettled();
    assertHistory(ns, List.of(), AGENT);

    // and the list removed again: nothing is kept
    edit(ns, "none-yet", k -> k.getSpec().setRestartTargets(null));
    await().atMost(10, TimeUnit.SECONDS).until(() ->
        harness.get(ns, "none-yet").getStatus().getRolledOutFingerprint() == null
            && rolledOut(harness.get(ns, "none-yet").getStatus()).isEmpty());
  }

  @Test
  void targetsListedTogetherWithAResetAreRolledOutForIt() throws Exception {
    String ns = namespaceWithWorkloads();
    String fp0 = create(ns, "both", KeyType.Admin, null, k -> { }).getStatus().getFingerprint();
    edit(ns, "both", k -> {
      k.getSpec().setRestartTargets(List.of(WEB));
      k.getMetadata().getAnnotations().put(ApiKey.RESET_ANNOTATION, "with-targets");
    });
    String fp1 = awaitRolledOut(ns, "both", fp0).getFingerprint();
    harness.awaitSettled();
    assertHistory(ns, List.of(fp1), WEB);
  }

  @ParameterizedTest
  @CsvSource({"SECRET_WRITTEN, Admin", "TARGETS_PATCHED, Admin", "SECRET_WRITTEN, Clients", "TARGETS_PATCHED, Clients"})
  void anOperatorThatDiesBetweenTheSecretAndTheRolloutStillRollsOutOnce(Point point, KeyType type) throws Exception {
    String ns = namespaceWithWorkloads();
    String name = "crash-" + point.name().toLowerCase().replace('_', '-') + "-" + type.name().toLowerCase();
    String fp0 = create(ns, name, type, ALL, k -> { }).getStatus().getFingerprint();

    harness.stopOperator();
    DieAt dieAt = new DieAt(point, name);
    harness.startOperator(dieAt);
    reset(ns, name, "rotate-1");
    dieAt.awaitDeath();
    harness.stopOperator();
    if (point == Point.TARGETS_PATCHED) {
      assertNotEquals(fp0, templateAnnotation(ns, WEB, Rollouts.ANNOTATION), "patched before the crash");
    } else {
      assertHistory(ns, List.of(), WEB, DB, AGENT);
    }
    harness.startOperator(Checkpoints.NONE);

    String fp1 = awaitRolledOut(ns, name, fp0).getFingerprint();
    harness.awaitSettled();
    assertHistory(ns, List.of(fp1), WEB, DB, AGENT);
    harness.assertOneWorkingKey(ns, name);
  }

  @Test
  void missingPausedAndRefusedTargetsWarnAreRetriedAndNeverFailTheRotation() throws Exception {
    String ns = harness.newNamespace();
    watch(ns);
    deployment(ns, "web", false);
    deployment(ns, "paused", true);
    deployment(ns, "guarded", false);
    RestartTarget paused = new RestartTarget(WorkloadKind.Deployment, "paused");
    RestartTarget guarded = new RestartTarget(WorkloadKind.Deployment, "guarded");
    RestartTarget missing = new RestartTarget(WorkloadKind.Deployment, "not-yet");
    String fp0 = create(ns, "mixed", KeyType.Admin, List.of(missing, WEB, paused, guarded), k -> { }).getStatus()
        .getFingerprint();
    EmbeddedKubernetes.Fault refused = harness.kubernetes.failNext(r -> r.getMethod().equals("PATCH")
        && r.getPath().startsWith(path(ns, WorkloadKind.Deployment, "guarded")), 403, "Forbidden");

    reset(ns, "mixed", "rotate-1");
    await().atMost(20, TimeUnit.SECONDS).until(() -> refused.answered() && !harness.get(ns, "mixed").getStatus()
        .getFingerprint().equals(fp0) && events(ns, "mixed", Rollouts.ROLLOUT_FAILED).size() >= 1);
    ApiKeyStatus status = harness.get(ns, "mixed").getStatus();
    assertEquals("True", harness.ready(ns, "mixed").orElseThrow().getStatus(), "the rotation succeeded");
    assertEquals(Reasons.RESET, harness.ready(ns, "mixed").orElseThrow().getReason());
    String fp1 = status.getFingerprint();
    assertEquals(fp0, status.getRolledOutFingerprint(), "the rollout is still owed");
    String firstFailure = events(ns, "mixed", Rollouts.ROLLOUT_FAILED).get(0).getMessage();
    assertTrue(firstFailure.contains("Deployment/not-yet not found in namespace " + ns), firstFailure);

    // the refused patch is retried and succeeds; the missing target keeps the rollout open
    await().atMost(20, TimeUnit.SECONDS).until(() -> fp1.equals(templateAnnotation(ns, guarded, Rollouts.ANNOTATION)));
    Condition failed = rolledOut(harness.get(ns, "mixed").getStatus()).orElseThrow();
    assertEquals("False", failed.getStatus());
    assertEquals(Rollouts.ROLLOUT_FAILED, failed.getReason());
    assertTrue(failed.getMessage().startsWith("Deployment/not-yet not found"), failed.getMessage());
    assertEquals(1, events(ns, "mixed", Rollouts.ROLLOUT_PAUSED).size());
    assertTrue(events(ns, "mixed", Rollouts.ROLLOUT_PAUSED).get(0).getMessage().startsWith("Deployment/paused is paused"));

    int failures = events(ns, "mixed", Rollouts.ROLLOUT_FAILED).size();
    Thread.sleep(3000); // several retries of the same failure
    assertEquals(failures, events(ns, "mixed", Rollouts.ROLLOUT_FAILED).size(), "one event per failure, not per retry");
    assertTrue(failures <= 2, "the first failure, and the one left after the refused patch went through");

    deployment(ns, "not-yet", false);
    ApiKeyStatus done = awaitRolledOut(ns, "mixed", fp0);
    assertEquals(fp1, done.getFingerprint());
    assertEquals(Rollouts.ROLLED_OUT, rolledOut(done).orElseThrow().getReason());
    harness.awaitSettled();
    assertHistory(ns, List.of(fp1), WEB, paused, missing);
    assertEquals(List.of(fp1), values(ns, guarded));
    assertEquals(2, patchRequests(ns, guarded), "refused once, then accepted");
    assertEquals(1, events(ns, "mixed", Rollouts.ROLLOUT_TRIGGERED).stream()
        .filter(e -> e.getMessage().contains("Deployment/web")).count(), "web rolled out once");
    String metrics = METRICS.scrape();
    for (String result : List.of("NotFound", "Paused", "Forbidden")) {
      assertTrue(metrics.contains("idmelon_apikey_rollouts_total{kind=\"Deployment\",result=\"" + result + "\"}"),
          result);
    }
  }

  @Test
  void withAGracePeriodTheOldKeyIsRetiredOnlyAfterTheTargetsRolledOut() throws Exception {
    String ns = harness.newNamespace();
    watch(ns);
    RestartTarget late = new RestartTarget(WorkloadKind.Deployment, "late");
    ApiKey issued = create(ns, "graceful", KeyType.Clients, List.of(late), k -> {
      Rotation rotation = new Rotation();
      rotation.setStrategy(RotationStrategy.Replace);
      rotation.setGracePeriod("10m");
      k.getSpec().setRotation(rotation);
    });
    String oldId = issued.getStatus().getKeyId();

    reset(ns, "graceful", "rotate-1");
    await().atMost(20, TimeUnit.SECONDS).until(() -> rolledOut(harness.get(ns, "graceful").getStatus())
        .filter(c -> c.getReason().equals(Rollouts.ROLLOUT_FAILED)).isPresent());
    CLOCK.advance(Duration.ofMinutes(11)); // the grace period is over, but the target has not restarted
    touch(ns, "graceful");
    assertTrue(harness.simulator().keys().stream().anyMatch(k -> k.id().equals(oldId)), "the old key still works");
    assertEquals(oldId, harness.get(ns, "graceful").getStatus().getRetiring().get(0).getKeyId());
    assertTrue(rolledOut(harness.get(ns, "graceful").getStatus()).orElseThrow().getMessage()
        .contains("replaced key " + oldId + " is kept until every target is rolled out"));

    deployment(ns, "late", false);
    awaitRolledOut(ns, "graceful", issued.getStatus().getFingerprint());
    touch(ns, "graceful");
    assertTrue(harness.simulator().keys().stream().anyMatch(k -> k.id().equals(oldId)),
        "the whole grace period after the rollout");
    CLOCK.advance(Duration.ofMinutes(10));
    touch(ns, "graceful");
    await().atMost(10, TimeUnit.SECONDS).until(() -> harness.simulator().keys().stream()
        .noneMatch(k -> k.id().equals(oldId)));
    assertNull(harness.get(ns, "graceful").getStatus().getRetiring());
  }

  @Test
  void anApiKeyWithoutTargetsGetsNoRolloutStatus() throws Exception {
    String ns = namespaceWithWorkloads();
    String fp0 = create(ns, "plain", KeyType.Admin, null, k -> { }).getStatus().getFingerprint();
    reset(ns, "plain", "rotate-1");
    await().atMost(20, TimeUnit.SECONDS).until(() -> !fp0.equals(harness.get(ns, "plain").getStatus().getFingerprint()));
    harness.awaitSettled();
    ApiKeyStatus status = harness.get(ns, "plain").getStatus();
    assertNull(status.getRolledOutFingerprint());
    assertEquals(List.of("Ready"), status.getConditions().stream().map(Condition::getType).toList());
    assertFalse(Serialization.asJson(status).contains("olledOut"));
    for (RestartTarget target : ALL) {
      assertEquals(0, reads(ns, target));
    }
  }
}
