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

/**
 * Writes core/v1 Events on an ApiKey (shown by {@code kubectl describe}); messages never hold key values. Events are
 * sent in the background, in the order recorded, as client-go's recorder does: a reconcile does not wait for one.
 * Unlike client-go, none is dropped: when the API server cannot keep up and the bounded queue is full, the reconcile
 * that records one sends it itself (and so slows down with the server), and the log says so at most every 10 s.
 */
public final class EventRecorder {
  private static final Logger log = LoggerFactory.getLogger(EventRecorder.class);
  private static final String COMPONENT = "idmelon-apikey-operator";
  /** client-go's default (maxQueuedEvents). */
  static final int QUEUE = 1000;
  private static final java.util.concurrent.ThreadPoolExecutor SENDER = new java.util.concurrent.ThreadPoolExecutor(
      1, 1, 0, java.util.concurrent.TimeUnit.SECONDS, new java.util.concurrent.ArrayBlockingQueue<>(QUEUE), r -> {
        Thread thread = new Thread(r, "event-recorder");
        thread.setDaemon(true);
        return thread;
      }, (r, executor) -> {
        queueFull();
        r.run(); // the recording thread sends it: back-pressure instead of a lost event
      });
  private static final java.util.concurrent.atomic.AtomicLong SENT_BY_CALLER =
      new java.util.concurrent.atomic.AtomicLong();
  private static final java.util.concurrent.atomic.AtomicLong LAST_FULL_LOG = new java.util.concurrent.atomic.AtomicLong();

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
    // built now, from the ApiKey as this reconcile saw it; sent later
    io.fabric8.kubernetes.api.model.Event event = build(apiKey, type, reason, message, now, name);
    String ref = apiKey.ref();
    SENDER.execute(() -> send(ref, event));
  }

  /** The queue was full: said in the log at most every 10 s, with the count, so it cannot flood it. */
  private static void queueFull() {
    long total = SENT_BY_CALLER.incrementAndGet();
    long now = System.nanoTime();
    long last = LAST_FULL_LOG.get();
    if ((last == 0 || now - last > 10_000_000_000L) && LAST_FULL_LOG.compareAndSet(last, now)) {
      log.info("event queue full ({} events waiting): reconciles send their events themselves ({} so far)", QUEUE,
          total);
    }
  }

  /**
   * Waits (at most 10 s) until every event recorded before this call was sent or given up: for tests and the quick
   * start, which read events right after what caused them.
   */
  public static void flush() {
    flush(java.time.Duration.ofSeconds(10));
  }

  /** As {@link #flush()}, waiting at most {@code atMost}: at shutdown, before the client is closed. */
  public static void flush(java.time.Duration atMost) {
    java.util.concurrent.FutureTask<Void> marker = new java.util.concurrent.FutureTask<>(() -> null);
    SENDER.execute(marker);
    try {
      marker.get(atMost.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      log.debug("events not flushed: {}", e.toString());
    }
  }

  private void send(String ref, io.fabric8.kubernetes.api.model.Event event) {
    try {
      client.v1().events().inNamespace(event.getMetadata().getNamespace()).resource(event).create();
    } catch (KubernetesClientException e) {
      // an event is a courtesy: failing to write one must not fail anything
      log.warn("{}: could not record event {}: {}", ref, event.getReason(), e.getMessage());
    } catch (RuntimeException e) {
      log.warn("{}: could not record event {}: {}", ref, event.getReason(), e.getClass().getSimpleName());
    }
  }

  private static io.fabric8.kubernetes.api.model.Event build(ApiKey apiKey, String type, String reason,
      String message, String now, String name) {
    return new EventBuilder()
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
        .build();
  }
}
