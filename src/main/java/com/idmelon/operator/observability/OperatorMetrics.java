package com.idmelon.operator.observability;

import com.idmelon.operator.crd.v1alpha1.ApiKey;
import com.idmelon.operator.crd.v1alpha1.ApiKeyStatus;
import com.idmelon.operator.crd.v1alpha1.Conditions;
import com.idmelon.operator.crd.v1alpha1.WorkloadKind;
import com.idmelon.operator.idmelon.IdmelonCallObserver;
import com.idmelon.operator.reconciler.RotationListener;
import com.idmelon.operator.workspace.WorkspaceRegistry;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The operator's Prometheus metrics: JOSDK's reconciles, IDmelon calls by operation and status with latency, and
 * per-ApiKey gauges named like cert-manager's. The per-ApiKey gauges are computed from the operator's cache at each
 * scrape, so the series of a deleted ApiKey disappear with it.
 */
public final class OperatorMetrics implements IdmelonCallObserver, RotationListener {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final MultiGauge expiration;
  private final MultiGauge renewal;
  private final MultiGauge nextRotation;
  private final MultiGauge ready;
  private final MultiGauge workspaceReady;
  private volatile Supplier<Stream<ApiKey>> apiKeys = Stream::empty;
  private volatile Supplier<Stream<WorkspaceRegistry.State>> workspaces = Stream::empty;

  public OperatorMetrics() {
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    expiration = MultiGauge.builder("idmelon.apikey.expiration.timestamp").baseUnit("seconds")
        .description("When the key in the ApiKey's Secret expires (Unix time); absent when it never expires")
        .register(registry);
    renewal = MultiGauge.builder("idmelon.apikey.renewal.timestamp").baseUnit("seconds")
        .description("When the operator will renew the key (Unix time); only for ApiKeys with spec.duration")
        .register(registry);
    nextRotation = MultiGauge.builder("idmelon.apikey.next.rotation.timestamp").baseUnit("seconds")
        .description("When the scheduled rotation (spec.rotation.every) is due (Unix time); only with a schedule")
        .register(registry);
    ready = MultiGauge.builder("idmelon.apikey.ready.status")
        .description("The ApiKey's Ready condition: 1 for the current condition value, 0 for the others")
        .register(registry);
    workspaceReady = MultiGauge.builder("idmelon.workspace.ready.status")
        .description("A workspace's Ready condition: 1 for the current condition value, 0 for the others")
        .register(registry);
  }

  /** Where the per-workspace gauge comes from. */
  public void trackWorkspaces(Supplier<Stream<WorkspaceRegistry.State>> workspaces) {
    this.workspaces = workspaces;
  }

  /** Where the per-ApiKey gauges come from: the operator's cache. */
  public void trackApiKeys(Supplier<Stream<ApiKey>> apiKeys) {
    this.apiKeys = apiKeys;
  }

  /** JOSDK's reconcile metrics, recorded into the same registry. */
  public Metrics josdk() {
    return new JosdkMetrics(registry);
  }

  @Override
  public void observe(String operation, int status, Duration elapsed) {
    Timer.builder("idmelon.api.requests")
        .description("Requests to the IDmelon API by operation and HTTP status (0: no answer)")
        .tags("operation", operation, "status", Integer.toString(status))
        .register(registry)
        .record(elapsed);
  }

  @Override
  public void rotated(ApiKey apiKey, String trigger) {
    Counter.builder("idmelon.apikey.rotations")
        .description("Key rotations by trigger")
        .tag("trigger", trigger)
        .register(registry)
        .increment();
  }

  @Override
  public void rollout(ApiKey apiKey, WorkloadKind kind, String result) {
    Counter.builder("idmelon.apikey.rollouts")
        .description("Restart targets patched (RolledOut, Paused) or not (NotFound, Forbidden, Refused, Error), by"
            + " kind; each failed attempt counts")
        .tags("kind", kind.name(), "result", result)
        .register(registry)
        .increment();
  }

  @Override
  public void keyNotRevoked(ApiKey apiKey, int keys) {
    Counter.builder("idmelon.apikey.unrevoked.keys")
        .description("Keys left in IDmelon because their ApiKey was deleted after its workspace")
        .register(registry)
        .increment(keys);
  }

  @Override
  public void keyListDistrusted(int missing, int known) {
    Counter.builder("idmelon.key.list.distrusted")
        .description("IDmelon key-list answers not believed because they missed too many keys that ApiKeys hold")
        .register(registry)
        .increment();
  }

  /** A client of the metrics or health endpoints was cut off: slow, idle, or one too many. */
  void endpointConnectionDropped(String reason) {
    Counter.builder("idmelon.endpoint.connections.dropped")
        .description("Connections to the metrics and health endpoints closed because they were too slow or too many")
        .tag("reason", reason)
        .register(registry)
        .increment();
  }

  /** The Prometheus text exposition. */
  public String scrape() {
    refreshApiKeyGauges();
    return registry.scrape();
  }

  private void refreshApiKeyGauges() {
    List<MultiGauge.Row<?>> expirations = new ArrayList<>();
    List<MultiGauge.Row<?>> renewals = new ArrayList<>();
    List<MultiGauge.Row<?>> rotations = new ArrayList<>();
    List<MultiGauge.Row<?>> readiness = new ArrayList<>();
    apiKeys.get().forEach(apiKey -> {
      if (apiKey.getSpec() == null) {
        return;
      }
      ApiKeyStatus status = apiKey.getStatus();
      Tags tags = Tags.of("namespace", apiKey.getMetadata().getNamespace(), "name", apiKey.getMetadata().getName(),
          "type", String.valueOf(apiKey.getSpec().getType()),
          "workspace", status == null || status.getWorkspace() == null ? "" : status.getWorkspace().toString());
      if (status != null && status.getExpiresAt() != null) {
        expirations.add(MultiGauge.Row.of(tags, epochSeconds(status.getExpiresAt())));
      }
      if (status != null && status.getRenewalTime() != null) {
        renewals.add(MultiGauge.Row.of(tags, epochSeconds(status.getRenewalTime())));
      }
      if (status != null && status.getNextRotationAt() != null) {
        rotations.add(MultiGauge.Row.of(tags, epochSeconds(status.getNextRotationAt())));
      }
      String current = status == null ? "Unknown"
          : status.condition(Conditions.READY).map(c -> c.getStatus()).orElse("Unknown");
      for (String condition : List.of("True", "False", "Unknown")) {
        readiness.add(MultiGauge.Row.of(tags.and("condition", condition), condition.equals(current) ? 1 : 0));
      }
    });
    List<MultiGauge.Row<?>> workspaceRows = new ArrayList<>();
    workspaces.get().forEach(state -> {
      Tags tags = Tags.of("kind", state.id().kind(), "namespace", state.id().namespace() == null ? ""
          : state.id().namespace(), "name", state.id().name());
      String current = state.ready() == null ? "Unknown" : state.ready() ? "True" : "False";
      for (String condition : List.of("True", "False", "Unknown")) {
        workspaceRows.add(MultiGauge.Row.of(tags.and("condition", condition), condition.equals(current) ? 1 : 0));
      }
    });
    workspaceReady.register(workspaceRows, true);
    expiration.register(expirations, true);
    renewal.register(renewals, true);
    nextRotation.register(rotations, true);
    ready.register(readiness, true);
  }

  private static double epochSeconds(String timestamp) {
    return OffsetDateTime.parse(timestamp).toEpochSecond();
  }
}
