package com.idmelon.operator;

import com.idmelon.operator.crd.v1alpha1.ApiKey;
import com.idmelon.operator.reconciler.ApiKeyReconciler;
import com.idmelon.operator.reconciler.Backoff;
import com.idmelon.operator.reconciler.Checkpoints;
import com.idmelon.operator.reconciler.RotationListener;
import io.javaoperatorsdk.operator.RuntimeInfo;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import java.util.Optional;
import java.util.stream.Stream;
import com.idmelon.operator.reconciler.IdmelonClients;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.processing.retry.GenericRetry;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;

/** Wires the reconciler into a JOSDK {@link Operator} against one Kubernetes client; start and stop it. */
public final class ApiKeyOperator implements AutoCloseable {
  private final Operator operator;
  private final ApiKeyReconciler reconciler;

  /** How the operator runs; {@link #defaults()} are the production values. */
  public record Options(
      Set<String> watchNamespaces, Duration backoffInitial, Duration backoffMax, int reconcileThreads,
      Duration pollInterval, Clock clock, Metrics metrics, Checkpoints checkpoints, RotationListener rotations,
      LeaderElectionConfiguration leaderElection) {

    public static Options defaults() {
      return new Options(Set.of(), Duration.ofSeconds(2), Duration.ofMinutes(5), 10, Duration.ofMinutes(10),
          Clock.systemUTC(), Metrics.NOOP, Checkpoints.NONE, RotationListener.NONE, null);
    }

    public Options withRotationListener(RotationListener rotations) {
      return new Options(watchNamespaces, backoffInitial, backoffMax, reconcileThreads, pollInterval, clock, metrics,
          checkpoints, rotations, leaderElection);
    }

    /** Only the holder of the Lease reconciles; null (the default) reconciles without election. */
    public Options withLeaderElection(LeaderElectionConfiguration leaderElection) {
      return new Options(watchNamespaces, backoffInitial, backoffMax, reconcileThreads, pollInterval, clock, metrics,
          checkpoints, rotations, leaderElection);
    }

    public Options withWatchNamespaces(Set<String> namespaces) {
      return new Options(namespaces, backoffInitial, backoffMax, reconcileThreads, pollInterval, clock, metrics, checkpoints, rotations,
          leaderElection);
    }

    public Options withBackoff(Duration initial, Duration max) {
      return new Options(watchNamespaces, initial, max, reconcileThreads, pollInterval, clock, metrics, checkpoints, rotations,
          leaderElection);
    }

    public Options withReconcileThreads(int threads) {
      return new Options(watchNamespaces, backoffInitial, backoffMax, threads, pollInterval, clock, metrics, checkpoints, rotations,
          leaderElection);
    }

    /** How often the keys of the workspace are listed to notice keys deleted in IDmelon (0: never). */
    public Options withPollInterval(Duration interval) {
      return new Options(watchNamespaces, backoffInitial, backoffMax, reconcileThreads, interval, clock, metrics, checkpoints, rotations,
          leaderElection);
    }

    public Options withClock(Clock clock) {
      return new Options(watchNamespaces, backoffInitial, backoffMax, reconcileThreads, pollInterval, clock, metrics, checkpoints, rotations,
          leaderElection);
    }

    public Options withMetrics(Metrics metrics) {
      return new Options(watchNamespaces, backoffInitial, backoffMax, reconcileThreads, pollInterval, clock, metrics, checkpoints, rotations,
          leaderElection);
    }

    /** Test hook: see {@link Checkpoints}. */
    public Options withCheckpoints(Checkpoints checkpoints) {
      return new Options(watchNamespaces, backoffInitial, backoffMax, reconcileThreads, pollInterval, clock, metrics, checkpoints, rotations,
          leaderElection);
    }
  }

  public ApiKeyOperator(KubernetesClient kubernetes, IdmelonClients idmelon, Options options) {
    this.operator = new Operator(o -> o
        .withKubernetesClient(kubernetes)
        .withCloseClientOnStop(false)
        // merge/JSON patches instead of server-side apply: they work on every API server and leave no managed
        // fields of ours on the user's resource
        .withUseSSAToPatchPrimaryResource(false)
        .withSSABasedCreateUpdateMatchForDependentResources(false)
        .withConcurrentReconciliationThreads(options.reconcileThreads())
        .withResourceCloner(ApiKeyOperator::cloneKeepingNotes)
        .withMetrics(options.metrics())
        .withLeaderElectionConfiguration(options.leaderElection()));
    reconciler = new ApiKeyReconciler(idmelon, kubernetes, options.clock(),
        new Backoff(options.backoffInitial(), options.backoffMax()), options.pollInterval(), options.checkpoints(),
        options.rotations());
    operator.register(reconciler, c -> {
      // the reset annotation changes no generation: every change must reach the reconciler
      c.withGenerationAware(false);
      // Kubernetes API failures are retried for ever; IDmelon failures never throw, they reschedule with backoff
      c.withRetry(new GenericRetry()
          .setInitialInterval(options.backoffInitial().toMillis())
          .setIntervalMultiplier(2)
          .setMaxInterval(options.backoffMax().toMillis())
          .withoutMaxAttempts());
      if (!options.watchNamespaces().isEmpty()) {
        c.settingNamespaces(options.watchNamespaces());
      }
    });
  }

  /**
   * JOSDK hands the reconciler a JSON copy of the cached resource; an unreadable spec's note is not JSON, so it is
   * carried over by hand (else the user would see a vague message instead of the field at fault).
   */
  private static <R extends HasMetadata> R cloneKeepingNotes(R resource) {
    R copy = Serialization.clone(resource);
    if (resource instanceof ApiKey original && copy instanceof ApiKey cloned
        && original.getSpec() != null && cloned.getSpec() != null && original.getSpec().unreadable() != null) {
      cloned.getSpec().markUnreadable(original.getSpec().unreadable());
    }
    return copy;
  }

  public void start() {
    operator.start();
  }

  /** The ApiKeys in the operator's cache (empty until it leads and has started its controller). */
  public Stream<ApiKey> cachedApiKeys() {
    return reconciler.cachedApiKeys();
  }

  /** Why the operator cannot serve yet (controller not started, informers not synced or unhealthy), if so. */
  public Optional<String> notReadyBecause() {
    RuntimeInfo info = operator.getRuntimeInfo();
    if (!info.isStarted()) {
      return Optional.of("the operator has not started");
    }
    if (!info.allEventSourcesAreHealthy()) {
      return Optional.of("informers are not synced or not healthy: " + info.unhealthyEventSources().keySet());
    }
    return Optional.empty();
  }

  @Override
  public void close() {
    operator.stop();
  }
}
