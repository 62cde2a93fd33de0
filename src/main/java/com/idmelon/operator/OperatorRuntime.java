package com.idmelon.operator;

import com.idmelon.operator.observability.HealthServer;
import com.idmelon.operator.observability.OperatorMetrics;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;

/**
 * The operator as it runs in production: the reconcilers, Prometheus metrics on every workspace's IDmelon client and
 * on JOSDK, and the metrics/health endpoints, started and stopped together. Readiness is the operator's own (its
 * informers synced), never one workspace's: a refused Admin key shows on that workspace and its ApiKeys.
 */
public final class OperatorRuntime implements AutoCloseable {
  private final OperatorMetrics metrics;
  private final ApiKeyOperator operator;
  private final HealthServer health;

  private OperatorRuntime(OperatorMetrics metrics, ApiKeyOperator operator, HealthServer health) {
    this.metrics = metrics;
    this.operator = operator;
    this.health = health;
  }

  /**
   * Builds everything and serves the endpoints; the operator itself starts with {@link #start()}.
   *
   * @param endpoints ports of /metrics and of /healthz, /readyz, and the metrics token if any
   */
  public static OperatorRuntime create(KubernetesClient kubernetes, HealthServer.Settings endpoints,
      ApiKeyOperator.Options options) throws IOException {
    OperatorMetrics metrics = new OperatorMetrics();
    ApiKeyOperator operator = new ApiKeyOperator(kubernetes,
        options.withMetrics(metrics.josdk()).withRotationListener(metrics).withIdmelonCallObserver(metrics));
    metrics.trackApiKeys(operator::cachedApiKeys);
    metrics.trackWorkspaces(() -> operator.workspaces().states());
    HealthServer health = new HealthServer(endpoints, metrics, operator::notReadyBecause);
    return new OperatorRuntime(metrics, operator, health);
  }

  public void start() {
    operator.start();
  }

  public int metricsPort() {
    return health.metricsPort();
  }

  public int healthPort() {
    return health.healthPort();
  }

  public OperatorMetrics metrics() {
    return metrics;
  }

  @Override
  public void close() {
    operator.close();
    health.close();
  }
}
