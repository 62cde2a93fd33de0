package com.idmelon.operator.support;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.api.reconciler.RetryInfo;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Counts finished reconciles per {@code namespace/name}, so tests can wait for one to happen. */
public final class ReconcileCounter implements Metrics {
  private final Map<String, AtomicInteger> finished = new ConcurrentHashMap<>();

  @Override
  public void reconciliationFinished(HasMetadata resource, RetryInfo retryInfo, Map<String, Object> metadata) {
    finished.computeIfAbsent(ref(resource), k -> new AtomicInteger()).incrementAndGet();
  }

  public int count(String namespace, String name) {
    AtomicInteger count = finished.get(namespace + "/" + name);
    return count == null ? 0 : count.get();
  }

  /** Finished reconciles of all ApiKeys. */
  public int total() {
    return finished.values().stream().mapToInt(AtomicInteger::get).sum();
  }

  private static String ref(HasMetadata resource) {
    return resource.getMetadata().getNamespace() + "/" + resource.getMetadata().getName();
  }
}
