package com.idmelon.operator.reconciler;

import com.idmelon.operator.crd.v1alpha1.ApiKey;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Stream;

/** Reconciles again the cached ApiKeys a change concerns (their workspace became Ready, their namespace relabelled). */
final class WakeUps extends AbstractEventSource<Object, ApiKey> {
  private final Supplier<Stream<ApiKey>> apiKeys;

  WakeUps(Supplier<Stream<ApiKey>> apiKeys) {
    super(Object.class, "workspace-wake-ups");
    this.apiKeys = apiKeys;
  }

  void wake(Predicate<ApiKey> concerned) {
    if (!isRunning()) {
      return;
    }
    apiKeys.get().filter(concerned).forEach(k -> getEventHandler().handleEvent(new Event(ResourceID.fromResource(k))));
  }

  @Override
  public Set<Object> getSecondaryResources(ApiKey primary) {
    return Set.of();
  }
}
