package com.idmelon.operator;

import com.idmelon.operator.idmelon.HttpIdmelonClient;
import com.idmelon.operator.observability.AdminKeyCheck;
import com.idmelon.operator.observability.HealthServer;
import com.idmelon.operator.observability.OperatorMetrics;
import com.idmelon.operator.reconciler.IdmelonClients;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

/**
 * The operator as it runs in production: the reconciler, Prometheus metrics on the IDmelon client and JOSDK, the
 * admin-key check, and the metrics/health endpoints, started and stopped together.
 */
public final class OperatorRuntime implements AutoCloseable {
  private final OperatorMetrics metrics;
  private final AdminKeyCheck adminKeyCheck;
  private final ApiKeyOperator operator;
  private final HealthServer health;

  private OperatorRuntime(OperatorMetrics metrics, AdminKeyCheck adminKeyCheck, ApiKeyOperator operator,
      HealthServer health) {
    this.metrics = metrics;
    this.adminKeyCheck = adminKeyCheck;
    this.operator = operator;
    this.health = health;
  }

  /**
   * Builds everything and serves the endpoints; the operator itself starts with {@link #start()}.
   *
   * @param metricsPort port of /metrics, /healthz, /readyz (0: any free port)
   */
  public static OperatorRuntime create(KubernetesClient kubernetes, HttpIdmelonClient idmelon, int metricsPort,
      ApiKeyOperator.Options options) throws IOException {
    OperatorMetrics metrics = new OperatorMetrics();
    idmelon.observedBy(metrics);
    AdminKeyCheck adminKeyCheck = new AdminKeyCheck(idmelon);
    ApiKeyOperator operator = new ApiKeyOperator(kubernetes, IdmelonClients.single(idmelon),
        options.withMetrics(metrics.josdk()).withRotationListener(metrics));
    metrics.trackApiKeys(operator::cachedApiKeys);
    HealthServer health = new HealthServer(metricsPort, metrics, () -> notReady(adminKeyCheck, operator));
    return new OperatorRuntime(metrics, adminKeyCheck, operator, health);
  }

  private static Optional<String> notReady(AdminKeyCheck adminKeyCheck, ApiKeyOperator operator) {
    Optional<String> refused = adminKeyCheck.problem();
    return refused.isPresent() ? refused : operator.notReadyBecause();
  }

  /** Starts the operator and checks the admin key every {@code adminKeyCheckInterval}. */
  public void start(Duration adminKeyCheckInterval) {
    adminKeyCheck.start(adminKeyCheckInterval);
    operator.start();
  }

  public int metricsPort() {
    return health.port();
  }

  public AdminKeyCheck adminKeyCheck() {
    return adminKeyCheck;
  }

  public OperatorMetrics metrics() {
    return metrics;
  }

  @Override
  public void close() {
    operator.close();
    adminKeyCheck.close();
    health.close();
  }
}
