package com.idmelon.operator;

import com.idmelon.operator.reconciler.ApiKeyReconciler;
import com.idmelon.operator.reconciler.Backoff;
import com.idmelon.operator.reconciler.IdmelonClients;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.processing.retry.GenericRetry;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;

/** Wires the reconciler into a JOSDK {@link Operator} against one Kubernetes client; start and stop it. */
public final class ApiKeyOperator implements AutoCloseable {
  private final Operator operator;

  /** How the operator runs; {@link #defaults()} are the production values. */
  public record Options(
      Set<String> watchNamespaces, Duration backoffInitial, Duration backoffMax, int reconcileThreads,
      Clock clock, Metrics metrics) {

    public static Options defaults() {
      return new Options(Set.of(), Duration.ofSeconds(2), Duration.ofMinutes(5), 10, Clock.systemUTC(), Metrics.NOOP);
    }

    public Options withWatchNamespaces(Set<String> namespaces) {
      return new Options(namespaces, backoffInitial, backoffMax, reconcileThreads, clock, metrics);
    }

    public Options withBackoff(Duration initial, Duration max) {
      return new Options(watchNamespaces, initial, max, reconcileThreads, clock, metrics);
    }

    public Options withClock(Clock clock) {
      return new Options(watchNamespaces, backoffInitial, backoffMax, reconcileThreads, clock, metrics);
    }

    public Options withMetrics(Metrics metrics) {
      return new Options(watchNamespaces, backoffInitial, backoffMax, reconcileThreads, clock, metrics);
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
        .withMetrics(options.metrics()));
    ApiKeyReconciler reconciler = new ApiKeyReconciler(
        idmelon, kubernetes, options.clock(), new Backoff(options.backoffInitial(), options.backoffMax()));
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

  public void start() {
    operator.start();
  }

  @Override
  public void close() {
    operator.stop();
  }
}
