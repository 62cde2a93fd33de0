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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
 *
 * <p>A list is a hint, never a verdict: the reconciler confirms a missing key with a read of its id before acting.
 * A list that misses more than a small share of the keys the operator holds is not believed at all (logged, counted,
 * no reconcile woken): an empty or truncated answer must not make every ApiKey read or rotate.
 */
final class KeyInventory extends AbstractEventSource<IdmelonKey, ApiKey> {
  private static final Logger log = LoggerFactory.getLogger(KeyInventory.class);

  /** One {@code list} answer: which keys existed when the call was made. */
  record Snapshot(Instant listedAt, Map<String, IdmelonKey> keys) {}

  /** What the last believed list says about a key: a hint to confirm with a read, not a verdict. */
  enum Verdict {
    PRESENT,
    MISSING,
    EXPIRED,
    UNKNOWN
  }

  /** A list may miss this many keys held by ApiKeys and still be believed... */
  static final int TOLERATED_MISSING = 3;
  /** ...or this share of them, whichever is more. */
  static final double TOLERATED_MISSING_SHARE = 0.1;

  private final IdmelonClients clients;
  private final Duration interval;
  private final Clock clock;
  private final Supplier<Stream<ApiKey>> apiKeys;
  private final RotationListener listener;
  private final Map<IdmelonClient, Snapshot> snapshots = new ConcurrentHashMap<>();
  private final Map<IdmelonClient, Instant> nextPoll = new ConcurrentHashMap<>();
  private static final Duration TICK_CEILING = Duration.ofSeconds(10);
  private ScheduledExecutorService scheduler;

  KeyInventory(IdmelonClients clients, Duration interval, Clock clock, Supplier<Stream<ApiKey>> apiKeys,
      RotationListener listener) {
    super(IdmelonKey.class, "idmelon-key-inventory");
    this.clients = clients;
    this.listener = listener;
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

  /** Ticks twice per default interval (at most every 10 s) and lists each workspace when its own interval is due. */
  private void scheduleNext() {
    long delay = Math.max(1, Math.min(interval.toMillis(), TICK_CEILING.toMillis()) / 2);
    ScheduledExecutorService current = scheduler;
    if (current != null && !current.isShutdown()) {
      current.schedule(this::pollAndReschedule, delay, TimeUnit.MILLISECONDS);
    }
  }

  private void pollAndReschedule() {
    try {
      poll(true);
    } catch (RuntimeException e) {
      log.warn("IDmelon key inventory failed: {}", e.toString());
    } finally {
      scheduleNext();
    }
  }

  /** Lists each workspace once and wakes the ApiKeys whose key the answer shows missing or expired. */
  void poll() {
    poll(false);
  }

  /** As {@link #poll()}; with {@code onlyDue}, a workspace is listed only once its poll interval (plus jitter) ran out. */
  private void poll(boolean onlyDue) {
    Map<IdmelonClient, List<ApiKey>> byWorkspace = apiKeys.get()
        .filter(k -> k.getStatus() != null && k.getStatus().getKeyId() != null
            && k.getMetadata().getDeletionTimestamp() == null)
        .filter(k -> clientOf(k) != null)
        .collect(Collectors.groupingBy(this::clientOf));
    for (Map.Entry<IdmelonClient, List<ApiKey>> workspace : byWorkspace.entrySet()) {
      Instant listedAt = clock.instant();
      if (onlyDue && nextPoll.getOrDefault(workspace.getKey(), Instant.MIN).isAfter(listedAt)) {
        continue;
      }
      Duration every = Optional.ofNullable(clients.target(workspace.getValue().get(0), listedAt).pollInterval())
          .orElse(interval);
      nextPoll.put(workspace.getKey(), listedAt.plus(every)
          .plusMillis(ThreadLocalRandom.current().nextLong(every.toMillis() / 5 + 1)));
      Map<String, IdmelonKey> keys;
      try {
        keys = new ConcurrentHashMap<>(workspace.getKey().list().stream()
            .collect(Collectors.toMap(IdmelonKey::id, Function.identity(), (a, b) -> a)));
      } catch (IdmelonException e) {
        log.warn("IDmelon key inventory: {}", e.getMessage());
        continue;
      }
      Snapshot snapshot = new Snapshot(listedAt, keys);
      List<ApiKey> missing = new ArrayList<>();
      List<ApiKey> expired = new ArrayList<>();
      int known = 0;
      for (ApiKey apiKey : workspace.getValue()) {
        Instant issuedAt = KeyTimes.parse(apiKey.getStatus().getIssuedAt());
        if (issuedAt == null || listedAt.isBefore(issuedAt.plusSeconds(1))) {
          continue; // issued after the list was taken: simply not in it yet
        }
        known++;
        Verdict verdict = verdict(snapshot, apiKey.getStatus().getKeyId(), issuedAt, clock.instant());
        if (verdict == Verdict.MISSING) {
          missing.add(apiKey);
        } else if (verdict == Verdict.EXPIRED && expiresLater(apiKey, listedAt)) {
          expired.add(apiKey); // expired at its recorded time is no news: Ready already says Expired
        }
      }
      if (missing.size() > Math.max(TOLERATED_MISSING, known * TOLERATED_MISSING_SHARE)) {
        snapshots.remove(workspace.getKey());
        log.warn("IDmelon's key list is not believed: it misses {} of the {} keys ApiKeys hold; no key is treated as"
            + " deleted (a key is gone only when a read of its id answers 404)", missing.size(), known);
        listener.keyListDistrusted(missing.size(), known);
        continue;
      }
      snapshots.put(workspace.getKey(), snapshot);
      for (ApiKey apiKey : missing) {
        log.info("{}: key {} is missing from IDmelon's key list; checking it", apiKey.ref(),
            apiKey.getStatus().getKeyId());
        getEventHandler().handleEvent(new Event(ResourceID.fromResource(apiKey)));
      }
      for (ApiKey apiKey : expired) {
        log.info("{}: key {} is listed as expired in IDmelon; checking it", apiKey.ref(), apiKey.getStatus().getKeyId());
        getEventHandler().handleEvent(new Event(ResourceID.fromResource(apiKey)));
      }
    }
  }

  /** True when the status records a later expiry than now (or none): an expired listing is then early. */
  static boolean expiresLater(ApiKey apiKey, Instant now) {
    Instant recorded = KeyTimes.parse(apiKey.getStatus().getExpiresAt());
    return recorded == null || recorded.isAfter(now);
  }

  /** The client of the ApiKey's workspace, null when it has none (missing, unusable spec). */
  private IdmelonClient clientOf(ApiKey apiKey) {
    return clients.target(apiKey, clock.instant()).client();
  }

  /** What the last believed list of this ApiKey's workspace says about {@code keyId}, issued at {@code issuedAt}. */
  Verdict check(ApiKey apiKey, String keyId, Instant issuedAt, Instant now) {
    IdmelonClient client = clientOf(apiKey);
    Snapshot snapshot = client == null ? null : snapshots.get(client);
    return snapshot == null ? Verdict.UNKNOWN : verdict(snapshot, keyId, issuedAt, now);
  }

  /** A read of the key answered: the list's doubt about it is settled until the next list. */
  void confirmed(ApiKey apiKey, IdmelonKey key) {
    IdmelonClient client = clientOf(apiKey);
    Snapshot snapshot = client == null ? null : snapshots.get(client);
    if (snapshot != null) {
      snapshot.keys().put(key.id(), key);
    }
  }

  private static Verdict verdict(Snapshot snapshot, String keyId, Instant issuedAt, Instant now) {
    IdmelonKey key = snapshot.keys().get(keyId);
    if (key == null) {
      // a key issued after the list was taken is simply not in it yet; issuedAt is truncated to the second
      return issuedAt != null && !snapshot.listedAt().isBefore(issuedAt.plusSeconds(1))
          ? Verdict.MISSING : Verdict.UNKNOWN;
    }
    return key.isExpiredAt(now) ? Verdict.EXPIRED : Verdict.PRESENT;
  }

  @Override
  public Set<IdmelonKey> getSecondaryResources(ApiKey primary) {
    return Set.of();
  }
}
