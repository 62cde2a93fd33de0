package com.idmelon.operator.bench;

import com.idmelon.operator.crd.v1alpha1.ApiKey;
import com.idmelon.operator.crd.v1alpha1.Conditions;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Watches ApiKeys and notes when each first became Ready=True, as a user's `kubectl wait` would see it. */
final class ReadyTracker implements AutoCloseable {
  final Map<String, Long> readyAt = new ConcurrentHashMap<>();
  private final SharedIndexInformer<ApiKey> informer;

  ReadyTracker(KubernetesClient client) {
    informer = client.resources(ApiKey.class).inAnyNamespace().inform(new ResourceEventHandler<>() {
      @Override
      public void onAdd(ApiKey apiKey) {
        seen(apiKey);
      }

      @Override
      public void onUpdate(ApiKey old, ApiKey apiKey) {
        seen(apiKey);
      }

      @Override
      public void onDelete(ApiKey apiKey, boolean unknown) { }
    });
  }

  private void seen(ApiKey apiKey) {
    if (Conditions.isTrue(apiKey.getStatus(), Conditions.READY)) {
      readyAt.putIfAbsent(apiKey.getMetadata().getNamespace() + "/" + apiKey.getMetadata().getName(), System.nanoTime());
    }
  }

  int count() {
    return readyAt.size();
  }

  long last() {
    return readyAt.values().stream().mapToLong(Long::longValue).max().orElse(0);
  }

  java.util.List<ApiKey> cached() {
    return informer.getStore().list();
  }

  @Override
  public void close() {
    informer.close();
  }
}
