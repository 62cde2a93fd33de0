package com.idmelon.operator.reconciler;

import com.idmelon.operator.crd.v1alpha1.ApiKey;
import com.idmelon.operator.idmelon.IdmelonClient;
import com.idmelon.operator.idmelon.IdmelonException;
import com.idmelon.operator.idmelon.IdmelonKey;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices keys deleted or expired in IDmelon behind the operator's back (someone used the panel) without one IDmelon
 * call per ApiKey: one {@code list} per workspace per poll interval (plus up to 20 % jitter), shared by all ApiKeys,
 * and a reconcile only for the ApiKeys whose key is missing or expired in that answer.
 */
final class KeyInventory extends AbstractEventSource<IdmelonKey, ApiKey> {
  private static final Logger log = LoggerFactory.getLogger(KeyInventory.class);

  /** One {@code list} answer: which keys existed when the call was made. */
  record Snapshot(Instant listedAt, Map<String, IdmelonKey> keys) {}

  /** What the last list says about a key. */
  enum Verdict {
    PRESENT,
    GONE,
    EXPIRED,
    UNKNOWN
  }

  private final IdmelonClients clients;
  private final Duration interval;
  private final Clock clock;
  private final Supplier<Stream<ApiKey>> apiKeys;
  private final Map<IdmelonClient, Snapshot> snapshots = new ConcurrentHashMap<>();
  private ScheduledExecutorService scheduler;

  KeyInventory(IdmelonClients clients, Duration interval, Clock clock, Supplier<Stream<ApiKey>> apiKeys) {
    super(IdmelonKey.class, "idmelon-key-inventory");
    this.clients = clients;
    this.interval = interval;
    this.clock = clock;
    this.apiKeys = apiKeys;
  }

  @Override
  public synchronized void start() {
    if (isRunning() || interval.isZero() || interval.isNegative()) {
      super.start();
      return;
    }
    scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread thread = new Thread(r, "idmelon-key-inventory");
      thread.setDaemon(true);
      return thread;
    });
    scheduleNext();
    super.start();
  }

  @Override
  public synchronized void stop() {
    if (scheduler != null) {
      scheduler.shutdownNow();
      scheduler = null;
    }
    super.stop();
  }

  private void scheduleNext() {
    long base = interval.toMillis();
    long delay = base + ThreadLocalRandom.current().nextLong(base / 5 + 1);
    ScheduledExecutorService current = scheduler;
    if (current != null && !current.isShutdown()) {
      current.schedule(this::pollAndReschedule, delay, TimeUnit.MILLISECONDS);
    }
  }

  private void pollAndReschedule() {
    try {
      poll();
    } catch (RuntimeException e) {
      log.warn("IDmelon key inventory failed: {}", e.toString());
    } finally {
      scheduleNext();
    }
  }

  /** Lists each workspace once and wakes the ApiKeys whose key the answer shows gone or expired. */
  void poll() {
    Map<IdmelonClient, java.util.List<ApiKey>> byWorkspace = apiKeys.get()
        .filter(k -> k.getStatus() != null && k.getStatus().getKeyId() != null
            && k.getMetadata().getDeletionTimestamp() == null)
        .collect(Collectors.groupingBy(clients::forResource));
    for (Map.Entry<IdmelonClient, java.util.List<ApiKey>> workspace : byWorkspace.entrySet()) {
      Instant listedAt = clock.instant();
      Map<String, IdmelonKey> keys;
      try {
        keys = workspace.getKey().list().stream().collect(Collectors.toMap(IdmelonKey::id, Function.identity(), (a, b) -> a));
      } catch (IdmelonException e) {
        log.warn("IDmelon key inventory: {}", e.getMessage());
        continue;
      }
      Snapshot snapshot = new Snapshot(listedAt, keys);
      snapshots.put(workspace.getKey(), snapshot);
      for (ApiKey apiKey : workspace.getValue()) {
        Verdict verdict = verdict(snapshot, apiKey.getStatus().getKeyId(),
            ApiKeyReconciler.parse(apiKey.getStatus().getIssuedAt()), clock.instant());
        if (verdict == Verdict.GONE || verdict == Verdict.EXPIRED) {
          log.info("{}: key {} is {} in IDmelon", apiKey.ref(), apiKey.getStatus().getKeyId(),
              verdict == Verdict.GONE ? "gone" : "expired");
          getEventHandler().handleEvent(new Event(ResourceID.fromResource(apiKey)));
        }
      }
    }
  }

  /** What the last list of this ApiKey's workspace says about {@code keyId}, issued at {@code issuedAt}. */
  Verdict check(ApiKey apiKey, String keyId, Instant issuedAt, Instant now) {
    Snapshot snapshot = snapshots.get(clients.forResource(apiKey));
    return snapshot == null ? Verdict.UNKNOWN : verdict(snapshot, keyId, issuedAt, now);
  }

  private static Verdict verdict(Snapshot snapshot, String keyId, Instant issuedAt, Instant now) {
    IdmelonKey key = snapshot.keys().get(keyId);
    if (key == null) {
      // a key issued after the list was taken is simply not in it yet; issuedAt is truncated to the second
      return issuedAt != null && !snapshot.listedAt().isBefore(issuedAt.plusSeconds(1))
          ? Verdict.GONE : Verdict.UNKNOWN;
    }
    return key.isExpiredAt(now) ? Verdict.EXPIRED : Verdict.PRESENT;
  }

  @Override
  public Set<IdmelonKey> getSecondaryResources(ApiKey primary) {
    return Set.of();
  }
}
