package com.idmelon.operator.reconciler;

import com.idmelon.operator.crd.v1alpha1.ApiKey;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writes core/v1 Events on an ApiKey (shown by {@code kubectl describe}); messages never hold key values. */
public final class EventRecorder {
  private static final Logger log = LoggerFactory.getLogger(EventRecorder.class);
  private static final String COMPONENT = "idmelon-apikey-operator";

  private final KubernetesClient client;
  private final Clock clock;

  public EventRecorder(KubernetesClient client, Clock clock) {
    this.client = client;
    this.clock = clock;
  }

  public void normal(ApiKey apiKey, String reason, String message) {
    record(apiKey, "Normal", reason, message);
  }

  public void warning(ApiKey apiKey, String reason, String message) {
    record(apiKey, "Warning", reason, message);
  }

  private void record(ApiKey apiKey, String type, String reason, String message) {
    String now = Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString();
    String name = apiKey.getMetadata().getName() + "." + Long.toHexString(System.currentTimeMillis())
        + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000));
    try {
      client.v1().events().inNamespace(apiKey.getMetadata().getNamespace()).resource(new EventBuilder()
              .withNewMetadata().withName(name).withNamespace(apiKey.getMetadata().getNamespace()).endMetadata()
              .withInvolvedObject(new ObjectReferenceBuilder()
                  .withApiVersion(apiKey.getApiVersion())
                  .withKind(apiKey.getKind())
                  .withName(apiKey.getMetadata().getName())
                  .withNamespace(apiKey.getMetadata().getNamespace())
                  .withUid(apiKey.getMetadata().getUid())
                  .withResourceVersion(apiKey.getMetadata().getResourceVersion())
                  .build())
              .withType(type)
              .withReason(reason)
              .withMessage(com.idmelon.operator.crd.v1alpha1.Conditions.boundedMessage(message))
              .withFirstTimestamp(now)
              .withLastTimestamp(now)
              .withCount(1)
              .withNewSource().withComponent(COMPONENT).endSource()
              .withReportingComponent(COMPONENT)
              .build())
          .create();
    } catch (KubernetesClientException e) {
      // an event is a courtesy: failing to write one must not fail the reconcile
      log.warn("{}: could not record event {}: {}", apiKey.ref(), reason, e.getMessage());
    }
  }
}
