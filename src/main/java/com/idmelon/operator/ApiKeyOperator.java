package com.idmelon.operator;

import com.idmelon.operator.crd.v1alpha1.ApiKey;
import com.idmelon.operator.reconciler.ApiKeyReconciler;
import com.idmelon.operator.reconciler.CacheTrim;
import com.idmelon.operator.reconciler.EventRecorder;
import com.idmelon.operator.reconciler.Backoff;
import com.idmelon.operator.reconciler.Checkpoints;
import com.idmelon.operator.reconciler.RotationListener;
import io.javaoperatorsdk.operator.RuntimeInfo;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import java.util.Optional;
import java.util.stream.Stream;
import com.idmelon.operator.idmelon.IdmelonCallObserver;
import com.idmelon.operator.workspace.ClusterWorkspaceReconciler;
import com.idmelon.operator.workspace.NamespacedWorkspaceReconciler;
import com.idmelon.operator.workspace.WorkspaceId;
import com.idmelon.operator.workspace.WorkspaceRegistry;
import com.idmelon.operator.workspace.WorkspaceUsage;
import java.time.Instant;
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
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  private final ApiKeyReconciler reconciler;
  private final WorkspaceRegistry workspaces;

  /** How the operator runs; {@link #defaults()} are the production values. */
  public record Options(
      Set<String> watchNamespaces,
      Duration backoffInitial,
      Duration backoffMax,
      int reconcileThreads,
      Duration pollInterval,
      Clock clock,
      Metrics metrics,
      Checkpoints checkpoints,
      RotationListener rotations,
      LeaderElectionConfiguration leaderElection,
      String defaultWorkspace,
      Duration requestTimeout,
      Duration workspaceCheckInterval,
      Duration deletionWait,
      IdmelonCallObserver idmelonCalls,
      boolean restartTargets) {

    public static Options defaults() {
      return new Options(Set.of(), Duration.ofSeconds(2), Duration.ofMinutes(5), 10, Duration.ofMinutes(10), Clock.systemUTC(), Metrics.NOOP, Checkpoints.NONE, RotationListener.NONE, null, "default", Duration.ofSeconds(30), Duration.ofMinutes(5), Duration.ofMinutes(10), IdmelonCallObserver.NONE, true);
    }

    public Options withWatchNamespaces(Set<String> value) {
      return new Options(value, backoffInitial, backoffMax, reconcileThreads, pollInterval, clock, metrics, checkpoints, rotations, leaderElection, defaultWorkspace, requestTimeout, workspaceCheckInterval, deletionWait, idmelonCalls, restartTargets);
    }

    /** ApiKeys reconciled in parallel. */
    public Options withReconcileThreads(int value) {
      return new Options(watchNamespaces, backoffInitial, backoffMax, value, pollInterval, clock, metrics, checkpoints, rotations, leaderElection, defaultWorkspace, requestTimeout, workspaceCheckInterval, deletionWait, idmelonCalls, restartTargets);
    }

    /** How often each workspace's keys are listed to notice keys deleted in IDmelon (0: never). */
    public Options withPollInterval(Duration value) {
      return new Options(watchNamespaces, backoffInitial, backoffMax, reconcileThreads, value, clock, metrics, checkpoints, rotations, leaderElection, defaultWorkspace, requestTimeout, workspaceCheckInterval, deletionWait, idmelonCalls, restartTargets);
    }

    public Options withClock(Clock value) {
      return new Options(watchNamespaces, backoffInitial, backoffMax, reconcileThreads, pollInterval, value, metrics, checkpoints, rotations, leaderElection, defaultWorkspace, requestTimeout, workspaceCheckInterval, deletionWait, idmelonCalls, restartTargets);
    }

    public Options withMetrics(Metrics value) {
      return new Options(watchNamespaces, backoffInitial, backoffMax, reconcileThreads, pollInterval, clock, value, checkpoints, rotations, leaderElection, defaultWorkspace, requestTimeout, workspaceCheckInterval, deletionWait, idmelonCalls, restartTargets);
    }

    /** Test hook: see {@link Checkpoints}. */
    public Options withCheckpoints(Checkpoints value) {
      return new Options(watchNamespaces, backoffInitial, backoffMax, reconcileThreads, pollInterval, clock, metrics, value, rotations, leaderElection, defaultWorkspace, requestTimeout, workspaceCheckInterval, deletionWait, idmelonCalls, restartTargets);
    }

    public Options withRotationListener(RotationListener value) {
      return new Options(watchNamespaces, backoffInitial, backoffMax, reconcileThreads, pollInterval, clock, metrics, checkpoints, value, leaderElection, defaultWorkspace, requestTimeout, workspaceCheckInterval, deletionWait, idmelonCalls, restartTargets);
    }

    /** Only the holder of the Lease reconciles; null (the default) reconciles without election. */
    public Options withLeaderElection(LeaderElectionConfiguration value) {
      return new Options(watchNamespaces, backoffInitial, backoffMax, reconcileThreads, pollInterval, clock, metrics, checkpoints, rotations, value, defaultWorkspace, requestTimeout, workspaceCheckInterval, deletionWait, idmelonCalls, restartTargets);
    }

    /** The ClusterWorkspace of ApiKeys without spec.workspaceRef. */
    public Options withDefaultWorkspace(String value) {
      return new Options(watchNamespaces, backoffInitial, backoffMax, reconcileThreads, pollInterval, clock, metrics, checkpoints, rotations, leaderElection, value, requestTimeout, workspaceCheckInterval, deletionWait, idmelonCalls, restartTargets);
    }

    /** How long an IDmelon call may take. */
    public Options withRequestTimeout(Duration value) {
      return new Options(watchNamespaces, backoffInitial, backoffMax, reconcileThreads, pollInterval, clock, metrics, checkpoints, rotations, leaderElection, defaultWorkspace, value, workspaceCheckInterval, deletionWait, idmelonCalls, restartTargets);
    }

    /** How often each workspace's Admin key is checked with IDmelon. */
    public Options withWorkspaceCheckInterval(Duration value) {
      return new Options(watchNamespaces, backoffInitial, backoffMax, reconcileThreads, pollInterval, clock, metrics, checkpoints, rotations, leaderElection, defaultWorkspace, requestTimeout, value, deletionWait, idmelonCalls, restartTargets);
    }

    /** How long a deleted ApiKey waits for its missing workspace before its key is left unrevoked. */
    public Options withDeletionWait(Duration value) {
      return new Options(watchNamespaces, backoffInitial, backoffMax, reconcileThreads, pollInterval, clock, metrics, checkpoints, rotations, leaderElection, defaultWorkspace, requestTimeout, workspaceCheckInterval, value, idmelonCalls, restartTargets);
    }

    /** Told about every IDmelon request (metrics). */
    public Options withIdmelonCallObserver(IdmelonCallObserver value) {
      return new Options(watchNamespaces, backoffInitial, backoffMax, reconcileThreads, pollInterval, clock, metrics, checkpoints, rotations, leaderElection, defaultWorkspace, requestTimeout, workspaceCheckInterval, deletionWait, value, restartTargets);
    }

    /** Whether spec.restartTargets are rolled out; false where the operator may not patch workloads. */
    public Options withRestartTargets(boolean value) {
      return new Options(watchNamespaces, backoffInitial, backoffMax, reconcileThreads, pollInterval, clock, metrics, checkpoints, rotations, leaderElection, defaultWorkspace, requestTimeout, workspaceCheckInterval, deletionWait, idmelonCalls, value);
    }

    public Options withBackoff(Duration initial, Duration max) {
      return new Options(watchNamespaces, initial, max, reconcileThreads, pollInterval, clock, metrics, checkpoints, rotations, leaderElection, defaultWorkspace, requestTimeout, workspaceCheckInterval, deletionWait, idmelonCalls, restartTargets);
    }
  }

  public ApiKeyOperator(KubernetesClient kubernetes, Options options) {
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
    workspaces = new WorkspaceRegistry(kubernetes, options.defaultWorkspace(), new WorkspaceRegistry.ClientSettings(
        CONNECT_TIMEOUT, options.requestTimeout(), options.backoffMax(), options.clock(), options.idmelonCalls()));
    reconciler = new ApiKeyReconciler(workspaces, kubernetes, options.clock(),
        new Backoff(options.backoffInitial(), options.backoffMax()), options.pollInterval(), options.checkpoints(),
        options.rotations(), options.deletionWait(), options.restartTargets());
    GenericRetry retry = new GenericRetry()
        .setInitialInterval(options.backoffInitial().toMillis())
        .setIntervalMultiplier(2)
        .setMaxInterval(options.backoffMax().toMillis())
        .withoutMaxAttempts();
    operator.register(reconciler, c -> {
      // the reset annotation changes no generation: every change must reach the reconciler
      c.withGenerationAware(false);
      // Kubernetes API failures are retried for ever; IDmelon failures never throw, they reschedule with backoff
      c.withRetry(retry);
      if (!options.watchNamespaces().isEmpty()) {
        c.settingNamespaces(options.watchNamespaces());
      }
      if (CacheTrim.ENABLED) {
        c.withItemStore(new CacheTrim.Store<>(CacheTrim::apiKey)); // a tenant's annotations cost the cache nothing
      }
    });
    WorkspaceUsage using = new WorkspaceUsage() {
      @Override
      public int apiKeys(WorkspaceId id) {
        return (int) reconciler.cachedApiKeys().filter(k -> workspaces.idFor(k).equals(id)).count();
      }

      @Override
      public int issued(WorkspaceId id) {
        return (int) reconciler.cachedApiKeys().filter(k -> workspaces.idFor(k).equals(id))
            .filter(k -> k.getStatus() != null && k.getStatus().getKeyId() != null)
            .count();
      }

      @Override
      public int rotatedSince(WorkspaceId id, Instant since) {
        return (int) reconciler.cachedApiKeys().filter(k -> workspaces.idFor(k).equals(id))
            .filter(k -> k.getStatus() != null && k.getStatus().getKeyId() != null
                && k.getStatus().rotatedSince(since))
            .count();
      }
    };
    Backoff checks = new Backoff(options.backoffInitial(), options.backoffMax());
    operator.register(new ClusterWorkspaceReconciler(workspaces, options.clock(), options.workspaceCheckInterval(),
        checks, using), c -> {
          c.withRetry(retry);
          c.withGenerationAware(false); // the reset annotation (an emergency rotation) changes no generation
          if (CacheTrim.ENABLED) {
            c.withItemStore(new CacheTrim.Store<>(CacheTrim::metadataOnly));
          }
        });
    operator.register(new NamespacedWorkspaceReconciler(workspaces, options.clock(), options.workspaceCheckInterval(),
        checks, using), c -> {
          c.withRetry(retry);
          c.withGenerationAware(false);
          if (CacheTrim.ENABLED) {
            c.withItemStore(new CacheTrim.Store<>(CacheTrim::metadataOnly));
          }
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
    workspaces.watchNamespaces();
    operator.start();
  }

  /** What the operator knows of each workspace (for metrics and readiness). */
  public WorkspaceRegistry workspaces() {
    return workspaces;
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
    EventRecorder.flush(Duration.ofSeconds(5)); // what the last reconciles recorded, before the client goes
    workspaces.close();
  }
}
