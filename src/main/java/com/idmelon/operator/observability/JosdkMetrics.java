package com.idmelon.operator.observability;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.api.reconciler.RetryInfo;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;

/**
 * JOSDK's reconcile metrics in Micrometer, under the names of JOSDK's own micrometer-support module (which is not
 * published for the JOSDK version used here): events, reconciles started, succeeded, failed, cleanups, and the
 * duration of each controller execution.
 */
final class JosdkMetrics implements Metrics {
  private static final String PREFIX = "operator.sdk.";
  private final MeterRegistry registry;

  JosdkMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  public void eventReceived(Event event, Map<String, Object> metadata) {
    registry.counter(PREFIX + "events.received").increment();
  }

  @Override
  public void reconciliationStarted(HasMetadata resource, Map<String, Object> metadata) {
    registry.counter(PREFIX + "reconciliations.started", "kind", resource.getKind()).increment();
  }

  @Override
  public void reconciliationSucceeded(HasMetadata resource, Map<String, Object> metadata) {
    registry.counter(PREFIX + "reconciliations.success", "kind", resource.getKind()).increment();
  }

  @Override
  public void reconciliationFailed(HasMetadata resource, RetryInfo retry, Exception exception, Map<String, Object> metadata) {
    registry.counter(PREFIX + "reconciliations.failed", "kind", resource.getKind(),
        "exception", exception.getClass().getSimpleName()).increment();
  }

  @Override
  public void cleanupDone(ResourceID resourceID, Map<String, Object> metadata) {
    registry.counter(PREFIX + "reconciliations.cleanup").increment();
  }

  @Override
  public <T> T timeControllerExecution(ControllerExecution<T> execution) throws Exception {
    Timer.Sample sample = Timer.start(registry);
    String outcome = "failure";
    try {
      T result = execution.execute();
      outcome = execution.successTypeName(result);
      return result;
    } finally {
      sample.stop(Timer.builder(PREFIX + "controllers.execution." + execution.name())
          .tags("controller", execution.controllerName(), "outcome", outcome)
          .register(registry));
    }
  }
}
