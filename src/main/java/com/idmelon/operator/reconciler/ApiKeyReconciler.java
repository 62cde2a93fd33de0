package com.idmelon.operator.reconciler;

import com.fasterxml.jackson.databind.JsonNode;
import com.idmelon.operator.crd.v1alpha1.ApiKey;
import com.idmelon.operator.crd.v1alpha1.ApiKeySpec;
import com.idmelon.operator.crd.v1alpha1.ApiKeyStatus;
import com.idmelon.operator.crd.v1alpha1.Conditions;
import com.idmelon.operator.crd.v1alpha1.DeletionPolicy;
import com.idmelon.operator.crd.v1alpha1.Pending;
import com.idmelon.operator.crd.v1alpha1.Retirement;
import com.idmelon.operator.crd.v1alpha1.RotationStrategy;
import com.idmelon.operator.idmelon.IdmelonClient;
import com.idmelon.operator.idmelon.IdmelonException;
import com.idmelon.operator.idmelon.IdmelonRejectedException;
import com.idmelon.operator.idmelon.IssuedKey;
import com.idmelon.operator.idmelon.SecretValue;
import com.idmelon.operator.reconciler.Checkpoints.Point;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns an ApiKey into a live IDmelon key whose value is in an owned Secret: issues, rotates on the reset
 * annotation, renews before expiry, repairs drift, retires replaced keys, revokes on delete. It orchestrates:
 * IDmelon calls go through {@link IdmelonClient}, Secret content comes from {@link ManagedSecret}, rules from
 * {@link SpecValidator}, crash clean-up from {@link CrashRecovery}.
 *
 * <p>Every call that issues a secret runs as: pending marker in the status, IDmelon call, Secret, final status. The
 * Secret is annotated with the fingerprint it holds, so a lost status write is repaired from the Secret instead of
 * rotating twice; DESIGN.md beside this class explains the states.
 */
@ControllerConfiguration(name = ApiKeyReconciler.NAME, generationAwareEventProcessing = false)
public class ApiKeyReconciler implements Reconciler<ApiKey>, Cleaner<ApiKey> {
  public static final String NAME = "apikey";
  /** A fixed expiry closer than this makes Ready's reason ExpiringSoon. */
  static final Duration EXPIRING_SOON = Duration.ofDays(7);
  private static final Logger log = LoggerFactory.getLogger(ApiKeyReconciler.class);

  private final IdmelonClients clients;
  private final Clock clock;
  private final Backoff backoff;
  private final EventRecorder events;
  private final Checkpoints checkpoints;
  private final Duration pollInterval;
  private final CrashRecovery recovery;
  private final RotationListener rotations;
  private SecretWriter secrets;
  private KeyInventory inventory;
  private volatile Supplier<Stream<ApiKey>> cachedApiKeys = Stream::empty;

  public ApiKeyReconciler(IdmelonClients clients, KubernetesClient kubernetes, Clock clock, Backoff backoff,
      Duration pollInterval, Checkpoints checkpoints, RotationListener rotations) {
    this.rotations = rotations;
    this.clients = clients;
    this.clock = clock;
    this.backoff = backoff;
    this.events = new EventRecorder(kubernetes, clock);
    this.checkpoints = checkpoints;
    this.pollInterval = pollInterval;
    this.recovery = new CrashRecovery(events);
  }

  @Override
  public List<EventSource<?, ApiKey>> prepareEventSources(EventSourceContext<ApiKey> context) {
    // Only Secrets carrying our label are cached: unrelated Secrets cost no memory. A foreign Secret with the
    // target name is found when creating ours fails with 409.
    InformerEventSource<Secret, ApiKey> informer = new InformerEventSource<>(
        InformerEventSourceConfiguration.from(Secret.class, ApiKey.class)
            .withName("managed-secrets")
            .withLabelSelector(ManagedSecret.SELECTOR)
            .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(ApiKey.class, false))
            .build(),
        context);
    secrets = new SecretWriter(context.getClient(), informer);
    inventory = new KeyInventory(clients, pollInterval, clock, () -> context.getPrimaryCache().list());
    cachedApiKeys = () -> context.getPrimaryCache().list();
    return List.of(informer, inventory);
  }

  /** The ApiKeys in the operator's cache (for metrics); empty until the controller starts. */
  public Stream<ApiKey> cachedApiKeys() {
    return cachedApiKeys.get();
  }

  /** The status as the API server has it, and how to change it there; writes only when something changed. */
  private final class StatusStore {
    private final Context<ApiKey> context;
    private ApiKey latest;

    StatusStore(ApiKey apiKey, Context<ApiKey> context) {
      this.latest = apiKey;
      this.context = context;
    }

    void save(ApiKeyStatus status) {
      JsonNode wanted = Serialization.jsonMapper().valueToTree(status);
      if (wanted.equals(Serialization.jsonMapper().valueToTree(latest.getStatus()))) {
        return;
      }
      ApiKeyStatus copy = copy(status);
      latest = context.resourceOperations().jsonPatchPrimaryStatus(latest, r -> {
        r.setStatus(copy);
        return r;
      });
    }
  }

  /** One reconcile's view: the resource, its status being built, and the outside world. */
  private record Turn(ApiKey apiKey, ApiKeyStatus status, StatusStore store, IdmelonClient idmelon,
      Supplier<List<ApiKey>> everyApiKey, Instant now) {
    ApiKeySpec spec() {
      return apiKey.getSpec();
    }
  }

  @Override
  public UpdateControl<ApiKey> reconcile(ApiKey apiKey, Context<ApiKey> context) {
    checkpoints.reached(Point.RECONCILE_STARTED, apiKey);
    Instant now = clock.instant();
    String ref = apiKey.ref();
    ApiKeyStatus status = apiKey.getStatus() == null ? new ApiKeyStatus() : copy(apiKey.getStatus());
    StatusStore store = new StatusStore(apiKey, context);
    String previousReason = status.condition(Conditions.READY).map(c -> c.getReason()).orElse(null);
    String previousMessage = status.condition(Conditions.READY).map(c -> c.getMessage()).orElse(null);

    Outcome outcome;
    try {
      outcome = converge(apiKey, status, store, () -> context.getPrimaryCache().list().toList(), now);
      if (outcome.ready()) {
        backoff.reset(ref);
      }
    } catch (SecretConflictException e) {
      outcome = Outcome.notReady(Reasons.SECRET_CONFLICT, e.getMessage(), backoff.next(ref));
    } catch (IdmelonException e) {
      outcome = idmelonFailure(ref, e);
    } catch (KubernetesClientException e) {
      outcome = Outcome.notReady(Reasons.KUBERNETES_ERROR, describe(e), backoff.next(ref));
    }

    Conditions.set(status, Conditions.READY, outcome.ready(), outcome.reason(), outcome.message(),
        apiKey.getMetadata().getGeneration(), now);
    status.setObservedGeneration(apiKey.getMetadata().getGeneration());
    boolean conditionChanged =
        !outcome.reason().equals(previousReason) || !outcome.message().equals(previousMessage);
    if (!outcome.ready() && conditionChanged) {
      log.warn("{}: {}: {}", ref, outcome.reason(), outcome.message());
      if (!Reasons.EXPIRED.equals(outcome.reason())) {
        events.warning(apiKey, outcome.reason(), outcome.message());
      }
    }
    store.save(status);
    checkpoints.reached(Point.STATUS_WRITTEN, apiKey);
    UpdateControl<ApiKey> control = UpdateControl.noUpdate();
    if (outcome.wakeUp() != null) {
      control.rescheduleAfter(outcome.wakeUp().toMillis());
    }
    return control;
  }

  private Outcome converge(ApiKey apiKey, ApiKeyStatus status, StatusStore store,
      Supplier<List<ApiKey>> everyApiKey, Instant now) {
    String namespace = apiKey.getMetadata().getNamespace();
    String secretName = apiKey.secretName();
    Optional<Secret> existing = secrets.find(namespace, secretName);
    if (existing.isEmpty() && (status.getKeyId() != null || status.getPending() != null)) {
      existing = secrets.read(namespace, secretName); // not cached: deleted, or our label was removed
    }
    if (existing.isPresent() && !ManagedSecret.isOwnedBy(existing.get(), apiKey)) {
      throw SecretConflictException.of(apiKey, secretName);
    }
    Optional<ManagedSecret.Published> published = existing.flatMap(ManagedSecret::published);

    boolean firstIssue = status.getKeyId() == null && published.isEmpty();
    Optional<String> invalid = SpecValidator.validate(
        apiKey, published.map(ManagedSecret.Published::type).orElse(null), firstIssue, now);
    if (invalid.isPresent()) {
      return Outcome.notReady(Reasons.INVALID_SPEC, invalid.get(), null);
    }
    ApiKeySpec spec = apiKey.getSpec();
    Turn t = new Turn(apiKey, status, store, clients.forResource(apiKey), everyApiKey, now);

    boolean adopted = false;
    if (published.isPresent() && !published.get().fingerprint().equals(status.getFingerprint())) {
      // The Secret holds a value we wrote but the status does not know it: the status write was lost. Adopt it.
      adopt(status, published.get(), secretName);
      adopted = true;
      log.info("{}: status restored from Secret {} (key {})", apiKey.ref(), secretName, status.getKeyId());
    }
    boolean redo = false;
    String redoing = null;
    if (status.getPending() != null) {
      redoing = status.getPending().getOperation();
      redo = recovery.recover(apiKey, status, adopted, t.idmelon(), t.everyApiKey().get(), gracePeriod(spec), t.now());
    }

    if (status.getKeyId() == null) {
      String recordedReset = apiKey.resetRequest(); // present at creation: recorded, not acted on
      IssuedKey issued = call(t, Pending.ISSUE, null,
          () -> t.idmelon().create(spec.getName(), spec.getType(), expiryFor(spec, t.now())));
      publish(apiKey, existing, issued, t.now(), recordedReset, t.idmelon());
      record(status, issued, secretName, t.now());
      status.setLastReset(recordedReset);
      log.info("{}: issued {} key {} into Secret {}", apiKey.ref(), spec.getType(), issued.key().id(), secretName);
      events.normal(apiKey, Reasons.ISSUED,
          "Issued " + spec.getType() + " key " + issued.key().id() + " into Secret " + secretName);
      return settle(t, Reasons.ISSUED);
    }

    if (status.getSecretName() != null && !status.getSecretName().equals(secretName) && existing.isEmpty()) {
      Optional<Secret> previous = secrets.find(namespace, status.getSecretName())
          .filter(s -> ManagedSecret.isOwnedBy(s, apiKey) && ManagedSecret.published(s).isPresent());
      if (previous.isPresent()) {
        moveSecret(apiKey, status, previous.get(), secretName);
        return settle(t, null);
      }
    }

    String reset = apiKey.resetRequest();
    KeyInventory.Verdict inIdmelon = inventory.check(apiKey, status.getKeyId(), parse(status.getIssuedAt()), t.now());
    Instant expiresAt = parse(status.getExpiresAt());
    String action = null;
    if (reset != null && !reset.equals(status.getLastReset())) {
      action = rotate(t, "reset-annotation", existing, "the reset annotation changed to '" + reset + "'", reset, false);
    } else if (redo) {
      action = rotate(t, "recovery", existing, "an interrupted " + redoing + " is done again", status.getLastReset(),
          Pending.REPLACE.equals(redoing));
    } else if (existing.isEmpty() || published.isEmpty()) {
      String what = existing.isEmpty()
          ? "Secret " + secretName + " is missing"
          : "the apiKey in Secret " + secretName + " was changed outside the operator";
      events.warning(apiKey, Reasons.SECRET_DRIFTED, what + "; rotating the key to restore a working Secret");
      log.warn("{}: {}; rotating the key to restore a working Secret", apiKey.ref(), what);
      action = rotate(t, "secret-drift", existing, what, status.getLastReset(), false);
    } else if (inIdmelon == KeyInventory.Verdict.GONE
        || (inIdmelon == KeyInventory.Verdict.EXPIRED && (expiresAt == null || expiresAt.isAfter(t.now())))) {
      String what = "key " + status.getKeyId() + (inIdmelon == KeyInventory.Verdict.GONE
          ? " was deleted in IDmelon" : " was expired in IDmelon before its time");
      events.warning(apiKey, "KeyGone", what + "; issuing a new one");
      log.warn("{}: {}; issuing a new one", apiKey.ref(), what);
      action = rotate(t, "key-gone", existing, what, status.getLastReset(), true);
    } else if (expiryChanged(spec, status)) {
      action = rotate(t, "expiry-changed", existing, "spec.expiresAt changed", status.getLastReset(), true);
    } else if (renewalDue(spec, status, t.now())) {
      rotate(t, "renewal", existing, "it is due for renewal", status.getLastReset(), true);
      action = Reasons.RENEWED;
    } else if (!ManagedSecret.templateApplied(existing.get(), apiKey)) {
      // labels or annotations of secretTemplate (or our managed-by label) were removed or changed
      Secret desired = ManagedSecret.build(apiKey, status.getKeyId(), spec.getType(), parse(status.getExpiresAt()),
          currentValue(existing.get()), parse(status.getIssuedAt()), status.getLastReset());
      secrets.patch(existing.get(), desired);
      log.info("{}: restored labels and annotations of Secret {}", apiKey.ref(), secretName);
    }
    return settle(t, action);
  }

  /** After any action: retire what is due, then tell whether the key in the Secret is usable and until when. */
  private Outcome settle(Turn t, String action) {
    ApiKeyStatus status = t.status();
    Instant now = t.now();
    Instant next = retireDue(t);
    Instant expiresAt = parse(status.getExpiresAt());
    Instant renewal = renewalTime(t.spec(), status);
    status.setRenewalTime(renewal == null ? null : format(renewal));
    if (expiresAt != null && !expiresAt.isAfter(now)) {
      return Outcome.notReady(Reasons.EXPIRED, "Key " + status.getKeyId() + " expired at " + status.getExpiresAt()
          + "; set a later spec.expiresAt (or spec.duration) to issue a new key", wakeUp(next, now));
    }
    next = earliest(next, expiresAt);
    next = earliest(next, renewal);
    String where = "Key " + status.getKeyId() + " (" + t.spec().getType() + ") is in Secret " + status.getSecretName();
    if (expiresAt == null) {
      return Outcome.ready(readyReason(status, action), where
          + "; it never expires (IDmelon advises an expiry: set spec.expiresAt or spec.duration)", wakeUp(next, now));
    }
    if (renewal == null) {
      Instant soon = expiresAt.minus(EXPIRING_SOON);
      if (!soon.isAfter(now)) {
        return Outcome.ready(Reasons.EXPIRING_SOON, where + "; it expires at " + status.getExpiresAt()
            + ": set a later spec.expiresAt to issue a new key", wakeUp(next, now));
      }
      next = earliest(next, soon);
    }
    String reason = readyReason(status, action);
    if (Reasons.EXPIRING_SOON.equals(reason)) {
      reason = Reasons.ISSUED; // the expiry was moved away
    }
    return Outcome.ready(reason, where + "; it expires at " + status.getExpiresAt()
        + (renewal == null ? "" : " and is renewed at " + format(renewal)), wakeUp(next, now));
  }

  private static String readyReason(ApiKeyStatus status, String action) {
    if (action != null) {
      return action;
    }
    return Conditions.isTrue(status, Conditions.READY) ? status.condition(Conditions.READY).get().getReason() : Reasons.ISSUED;
  }

  /**
   * Makes a secret-issuing IDmelon call with a pending marker recorded first, so that a crash at any instant leaves
   * a trace (see DESIGN.md). A refusal creates nothing, so it clears the marker again.
   */
  private IssuedKey call(Turn t, String operation, String keyId, Supplier<IssuedKey> idmelonCall) {
    t.status().setPending(new Pending(operation, format(t.now()), keyId));
    t.store().save(t.status());
    checkpoints.reached(Point.PENDING_RECORDED, t.apiKey());
    IssuedKey issued;
    try {
      issued = idmelonCall.get();
    } catch (IdmelonRejectedException e) {
      t.status().setPending(null);
      throw e;
    }
    checkpoints.reached(Point.IDMELON_ANSWERED, t.apiKey());
    return issued;
  }

  /**
   * Rotates the key: Reset regenerates it in place (Admin), Replace creates a new one, publishes it, and schedules
   * the old one for deletion after the grace period. {@code forceReplace} is for a new expiry, which reset keeps,
   * and for a key that is gone.
   */
  private String rotate(Turn t, String trigger, Optional<Secret> existing, String why, String lastReset,
      boolean forceReplace) {
    String action = rotateOnce(t, existing, why, lastReset, forceReplace);
    rotations.rotated(t.apiKey(), trigger);
    return action;
  }

  private String rotateOnce(Turn t, Optional<Secret> existing, String why, String lastReset, boolean forceReplace) {
    ApiKey apiKey = t.apiKey();
    ApiKeySpec spec = t.spec();
    ApiKeyStatus status = t.status();
    String oldId = status.getKeyId();
    if (!forceReplace && spec.effectiveStrategy() == RotationStrategy.Reset) {
      IssuedKey issued;
      try {
        issued = call(t, Pending.RESET, oldId, () -> t.idmelon().reset(oldId));
      } catch (IdmelonRejectedException e) {
        if (!e.isNotFound()) {
          throw e;
        }
        log.warn("{}: key {} is gone from IDmelon; issuing a new one", apiKey.ref(), oldId);
        return rotateOnce(t, existing, why + " (the key was gone from IDmelon)", lastReset, true);
      }
      publish(apiKey, existing, issued, t.now(), lastReset, null);
      record(status, issued, apiKey.secretName(), t.now());
      status.setLastReset(lastReset);
      log.info("{}: reset key {} because {}", apiKey.ref(), oldId, why);
      events.normal(apiKey, Reasons.RESET, "Reset key " + oldId + " because " + why + "; the old value no longer works");
      return Reasons.RESET;
    }
    IssuedKey issued = call(t, Pending.REPLACE, oldId,
        () -> t.idmelon().create(spec.getName(), spec.getType(), expiryFor(spec, t.now())));
    publish(apiKey, existing, issued, t.now(), lastReset, t.idmelon());
    record(status, issued, apiKey.secretName(), t.now());
    status.setLastReset(lastReset);
    Instant retireAt = t.now().plus(gracePeriod(spec));
    status.addRetirement(new Retirement(oldId, format(retireAt)));
    log.info("{}: replaced key {} with {} because {}; the old key is deleted at {}",
        apiKey.ref(), oldId, issued.key().id(), why, format(retireAt));
    events.normal(apiKey, Reasons.REPLACED, "Replaced key " + oldId + " with " + issued.key().id() + " because " + why
        + "; the old key is deleted at " + format(retireAt));
    return Reasons.REPLACED;
  }

  /**
   * Writes a freshly received value into the Secret. If the write fails, a key that no Secret will ever hold is
   * deleted again ({@code revokeOnFailure}), so no key leaks.
   */
  private void publish(ApiKey apiKey, Optional<Secret> existing, IssuedKey issued, Instant now, String lastReset,
      IdmelonClient revokeOnFailure) {
    Secret desired = ManagedSecret.build(apiKey, issued.key().id(), issued.key().type(), issued.key().expiresAt(),
        issued.value(), now, lastReset);
    try {
      if (existing.isPresent()) {
        secrets.patch(existing.get(), desired);
      } else {
        secrets.create(apiKey, desired);
      }
    } catch (KubernetesClientException | SecretConflictException e) {
      if (revokeOnFailure != null) {
        try {
          revokeOnFailure.delete(issued.key().id());
        } catch (IdmelonException cleanup) {
          log.warn("{}: key {} could not be written to its Secret nor deleted in IDmelon ({}); the pending marker"
              + " lets the next attempt delete it", apiKey.ref(), issued.key().id(), cleanup.getMessage());
        }
      }
      throw e;
    }
    checkpoints.reached(Point.SECRET_WRITTEN, apiKey);
  }

  private void moveSecret(ApiKey apiKey, ApiKeyStatus status, Secret previous, String secretName) {
    Secret desired = ManagedSecret.build(apiKey, status.getKeyId(), apiKey.getSpec().getType(),
        parse(status.getExpiresAt()), currentValue(previous), parse(status.getIssuedAt()), status.getLastReset());
    secrets.create(apiKey, desired);
    secrets.delete(previous);
    log.info("{}: moved key {} from Secret {} to {}", apiKey.ref(), status.getKeyId(), status.getSecretName(),
        secretName);
    events.normal(apiKey, "SecretMoved", "Moved key " + status.getKeyId() + " from Secret " + status.getSecretName()
        + " to " + secretName);
    status.setSecretName(secretName);
  }

  /** Deletes replaced keys whose grace period is over; returns the next retirement instant, if any. */
  private Instant retireDue(Turn t) {
    Instant next = null;
    for (Retirement retirement : new ArrayList<>(t.status().retiringOrEmpty())) {
      Instant at = parse(retirement.getRetireAt());
      if (at != null && at.isAfter(t.now())) {
        next = earliest(next, at);
        continue;
      }
      try {
        t.idmelon().delete(retirement.getKeyId());
        t.status().removeRetirement(retirement.getKeyId());
        log.info("{}: deleted replaced key {} in IDmelon", t.apiKey().ref(), retirement.getKeyId());
        events.normal(t.apiKey(), Reasons.REVOKED, "Deleted replaced key " + retirement.getKeyId() + " in IDmelon");
      } catch (IdmelonException e) {
        // the new key is live; the old one stays listed in status.retiring and is retried
        log.warn("{}: could not delete replaced key {}: {}", t.apiKey().ref(), retirement.getKeyId(), e.getMessage());
        next = earliest(next, t.now().plus(delayFor(t.apiKey().ref() + "/retire", e)));
      }
    }
    return next;
  }

  @Override
  public DeleteControl cleanup(ApiKey apiKey, Context<ApiKey> context) {
    checkpoints.reached(Point.RECONCILE_STARTED, apiKey);
    ApiKeyStatus status = apiKey.getStatus();
    Set<String> keyIds = new LinkedHashSet<>();
    if (status != null && status.getKeyId() != null) {
      keyIds.add(status.getKeyId());
    }
    if (apiKey.getSpec() != null) {
      secrets.find(apiKey.getMetadata().getNamespace(), apiKey.secretName())
          .filter(s -> ManagedSecret.isOwnedBy(s, apiKey))
          .flatMap(ManagedSecret::published)
          .ifPresent(p -> keyIds.add(p.keyId()));
    }
    if (status != null) {
      status.retiringOrEmpty().forEach(r -> keyIds.add(r.getKeyId()));
    }
    // an unreadable spec may have asked for Retain: when in doubt, a key is never revoked
    boolean retain = apiKey.getSpec() == null || apiKey.getSpec().unreadable() != null
        || apiKey.getSpec().effectiveDeletionPolicy() == DeletionPolicy.Retain;
    if (status != null && status.getPending() != null) {
      try {
        recovery.deleteOrphansOnDeletion(apiKey, clients.forResource(apiKey), context.getPrimaryCache().list().toList());
      } catch (IdmelonException e) {
        log.warn("{}: could not look for the key of an interrupted create, the finalizer stays: {}", apiKey.ref(),
            e.getMessage());
        return DeleteControl.noFinalizerRemoval().rescheduleAfter(delayFor(apiKey.ref(), e).toMillis());
      }
    }
    if (keyIds.isEmpty()) {
      return DeleteControl.defaultDelete();
    }
    if (retain) {
      String current = status != null ? status.getKeyId() : null;
      if (current != null) {
        keyIds.remove(current);
        log.info("{}: deleted; key {} is retained in IDmelon (deletionPolicy Retain)", apiKey.ref(), current);
        events.normal(apiKey, Reasons.RETAINED, "Key " + current + " is left in IDmelon (deletionPolicy Retain)");
      }
    }
    IdmelonClient idmelon = clients.forResource(apiKey);
    try {
      for (String id : keyIds) {
        idmelon.delete(id);
        log.info("{}: deleted; revoked key {} in IDmelon", apiKey.ref(), id);
        events.normal(apiKey, Reasons.REVOKED, "Revoked key " + id + " in IDmelon");
      }
      backoff.reset(apiKey.ref());
      return DeleteControl.defaultDelete();
    } catch (IdmelonException e) {
      Duration delay = delayFor(apiKey.ref(), e);
      log.warn("{}: could not revoke the key in IDmelon, the finalizer stays: {}", apiKey.ref(), e.getMessage());
      events.warning(apiKey, Reasons.REVOKE_FAILED, "Could not revoke the key in IDmelon: " + e.getMessage()
          + ". Deletion waits; set spec.deletionPolicy: Retain to delete without revoking");
      return DeleteControl.noFinalizerRemoval().rescheduleAfter(delay.toMillis());
    }
  }

  private Outcome idmelonFailure(String ref, IdmelonException e) {
    Duration delay = delayFor(ref, e);
    if (e.isTransient()) {
      return Outcome.notReady(Reasons.IDMELON_UNAVAILABLE,
          e.getMessage() + "; the Secret is left as it is and the call is retried with backoff", delay);
    }
    if (e instanceof IdmelonRejectedException rejected && rejected.isUnauthorized()) {
      return Outcome.notReady(Reasons.IDMELON_UNAUTHORIZED, "IDmelon refused the operator's own admin key on "
          + e.operation() + " (401): check the admin key Secret mounted at IDMELON_ADMIN_KEY_FILE", delay);
    }
    return Outcome.notReady(Reasons.IDMELON_ERROR, e.getMessage(), delay);
  }

  private Duration delayFor(String key, IdmelonException e) {
    Duration delay = backoff.next(key);
    Duration asked = e.retryAfter().orElse(Duration.ZERO);
    return asked.compareTo(delay) > 0 ? asked : delay;
  }

  private static void record(ApiKeyStatus status, IssuedKey issued, String secretName, Instant now) {
    status.setKeyId(issued.key().id());
    status.setSecretName(secretName);
    status.setIssuedAt(format(now));
    status.setLastRotatedAt(format(now));
    status.setExpiresAt(issued.key().expiresAt() == null ? null : format(issued.key().expiresAt()));
    status.setFingerprint(issued.value().fingerprint());
    status.setPending(null);
  }

  private static void adopt(ApiKeyStatus status, ManagedSecret.Published published, String secretName) {
    status.setKeyId(published.keyId());
    status.setSecretName(secretName);
    status.setFingerprint(published.fingerprint());
    status.setExpiresAt(published.expiresAt() == null ? null : format(parse(published.expiresAt())));
    if (published.issuedAt() != null) {
      status.setIssuedAt(format(parse(published.issuedAt())));
      status.setLastRotatedAt(status.getIssuedAt());
    }
    status.setLastReset(published.lastReset());
  }

  private static ApiKeyStatus copy(ApiKeyStatus status) {
    return status == null ? null : Serialization.jsonMapper().convertValue(status, ApiKeyStatus.class);
  }

  private static SecretValue currentValue(Secret secret) {
    return SecretValue.of(new String(
        Base64.getDecoder().decode(secret.getData().get(ManagedSecret.API_KEY)), StandardCharsets.UTF_8));
  }

  /** The expiry a key issued now gets: the fixed spec.expiresAt, now + spec.duration, or none. */
  static Instant expiryFor(ApiKeySpec spec, Instant now) {
    if (spec.getExpiresAt() != null) {
      return OffsetDateTime.parse(spec.getExpiresAt()).toInstant();
    }
    if (spec.getDuration() != null) {
      return now.plus(GoDuration.parse(spec.getDuration())).truncatedTo(ChronoUnit.SECONDS);
    }
    return null;
  }

  private static boolean expiryChanged(ApiKeySpec spec, ApiKeyStatus status) {
    if (spec.getExpiresAt() == null) {
      return false;
    }
    Instant wanted = OffsetDateTime.parse(spec.getExpiresAt()).toInstant();
    return !wanted.equals(parse(status.getExpiresAt()));
  }

  /** With spec.duration: expiry minus renewBefore (default a third of the duration). */
  static Instant renewalTime(ApiKeySpec spec, ApiKeyStatus status) {
    Instant expiresAt = parse(status.getExpiresAt());
    if (spec.getDuration() == null || expiresAt == null) {
      return null;
    }
    Duration duration = GoDuration.parse(spec.getDuration());
    Duration before = spec.getRenewBefore() != null ? GoDuration.parse(spec.getRenewBefore()) : duration.dividedBy(3);
    return expiresAt.minus(before).truncatedTo(ChronoUnit.SECONDS);
  }

  private static boolean renewalDue(ApiKeySpec spec, ApiKeyStatus status, Instant now) {
    Instant renewAt = renewalTime(spec, status);
    return renewAt != null && !renewAt.isAfter(now);
  }

  private static Duration gracePeriod(ApiKeySpec spec) {
    return spec.getRotation() == null || spec.getRotation().getGracePeriod() == null
        ? Duration.ZERO
        : GoDuration.parse(spec.getRotation().getGracePeriod());
  }

  private static Duration wakeUp(Instant next, Instant now) {
    if (next == null) {
      return null;
    }
    Duration delay = Duration.between(now, next);
    return delay.isNegative() ? Duration.ZERO : delay.plusMillis(1);
  }

  private static Instant earliest(Instant a, Instant b) {
    if (a == null) {
      return b;
    }
    return b == null || a.isBefore(b) ? a : b;
  }

  static String format(Instant instant) {
    return instant.truncatedTo(ChronoUnit.SECONDS).toString();
  }

  static Instant parse(String timestamp) {
    return timestamp == null ? null : OffsetDateTime.parse(timestamp).toInstant();
  }

  private static String describe(KubernetesClientException e) {
    String detail = e.getStatus() != null && e.getStatus().getMessage() != null
        ? e.getStatus().getMessage() : e.getClass().getSimpleName();
    return "Kubernetes API call failed (" + e.getCode() + "): " + detail;
  }
}
