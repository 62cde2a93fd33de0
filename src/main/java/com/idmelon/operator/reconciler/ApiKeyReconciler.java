package com.idmelon.operator.reconciler;

import com.fasterxml.jackson.databind.JsonNode;
import com.idmelon.operator.crd.v1alpha1.ApiKey;
import com.idmelon.operator.crd.v1alpha1.ApiKeySpec;
import com.idmelon.operator.crd.v1alpha1.ApiKeyStatus;
import com.idmelon.operator.crd.v1alpha1.Conditions;
import com.idmelon.operator.crd.v1alpha1.DeletionPolicy;
import com.idmelon.operator.crd.v1alpha1.Retirement;
import com.idmelon.operator.crd.v1alpha1.RotationStrategy;
import com.idmelon.operator.idmelon.IdmelonClient;
import com.idmelon.operator.idmelon.IdmelonException;
import com.idmelon.operator.idmelon.IdmelonRejectedException;
import com.idmelon.operator.idmelon.IssuedKey;
import com.idmelon.operator.idmelon.SecretValue;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns an ApiKey into a live IDmelon key whose value is in an owned Secret: issues, rotates on the reset
 * annotation, retires replaced keys, revokes on delete. It only orchestrates: IDmelon calls go through
 * {@link IdmelonClient}, Secret content comes from {@link ManagedSecret}, rules from {@link SpecValidator}.
 *
 * <p>Order of every rotation: IDmelon call, then the Secret, then the status. The Secret is annotated with the
 * fingerprint it holds, so a lost status write is repaired from the Secret instead of rotating twice.
 */
@ControllerConfiguration(name = ApiKeyReconciler.NAME, generationAwareEventProcessing = false)
public class ApiKeyReconciler implements Reconciler<ApiKey>, Cleaner<ApiKey> {
  public static final String NAME = "apikey";
  private static final Logger log = LoggerFactory.getLogger(ApiKeyReconciler.class);

  private final IdmelonClients clients;
  private final Clock clock;
  private final Backoff backoff;
  private final EventRecorder events;
  private SecretWriter secrets;

  public ApiKeyReconciler(IdmelonClients clients, KubernetesClient kubernetes, Clock clock, Backoff backoff) {
    this.clients = clients;
    this.clock = clock;
    this.backoff = backoff;
    this.events = new EventRecorder(kubernetes, clock);
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
    return List.of(informer);
  }

  @Override
  public UpdateControl<ApiKey> reconcile(ApiKey apiKey, Context<ApiKey> context) {
    Instant now = clock.instant();
    String ref = apiKey.ref();
    JsonNode before = Serialization.jsonMapper().valueToTree(apiKey.getStatus());
    ApiKeyStatus status = apiKey.getStatus() == null ? new ApiKeyStatus() : apiKey.getStatus();
    apiKey.setStatus(status);
    String previousReason = status.condition(Conditions.READY).map(c -> c.getReason()).orElse(null);
    String previousMessage = status.condition(Conditions.READY).map(c -> c.getMessage()).orElse(null);

    Outcome outcome;
    try {
      outcome = converge(apiKey, status, now);
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

    boolean changed = !before.equals(Serialization.jsonMapper().valueToTree(status));
    UpdateControl<ApiKey> control = changed ? UpdateControl.patchStatus(apiKey) : UpdateControl.noUpdate();
    if (outcome.wakeUp() != null) {
      control.rescheduleAfter(outcome.wakeUp().toMillis());
    }
    return control;
  }

  private Outcome converge(ApiKey apiKey, ApiKeyStatus status, Instant now) {
    String namespace = apiKey.getMetadata().getNamespace();
    String secretName = apiKey.secretName();
    Optional<Secret> existing = secrets.find(namespace, secretName);
    if (existing.isEmpty() && status.getKeyId() != null) {
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
    IdmelonClient idmelon = clients.forResource(apiKey);

    if (published.isPresent() && !published.get().fingerprint().equals(status.getFingerprint())) {
      // The Secret holds a value we wrote but the status does not know it: the status write was lost. Adopt it.
      adopt(status, published.get(), secretName);
      log.info("{}: status restored from Secret {} (key {})", apiKey.ref(), secretName, status.getKeyId());
    }

    if (status.getKeyId() == null) {
      String recordedReset = apiKey.resetRequest(); // present at creation: recorded, not acted on
      IssuedKey issued = idmelon.create(spec.getName(), spec.getType(), expiryFor(spec, now));
      publish(apiKey, existing, issued, now, recordedReset, idmelon);
      record(status, issued, secretName, now);
      status.setLastReset(recordedReset);
      log.info("{}: issued {} key {} into Secret {}", apiKey.ref(), spec.getType(), issued.key().id(), secretName);
      events.normal(apiKey, Reasons.ISSUED,
          "Issued " + spec.getType() + " key " + issued.key().id() + " into Secret " + secretName);
      return settle(apiKey, status, idmelon, now, Reasons.ISSUED);
    }

    if (status.getSecretName() != null && !status.getSecretName().equals(secretName) && existing.isEmpty()) {
      Optional<Secret> previous = secrets.find(namespace, status.getSecretName())
          .filter(s -> ManagedSecret.isOwnedBy(s, apiKey) && ManagedSecret.published(s).isPresent());
      if (previous.isPresent()) {
        moveSecret(apiKey, status, previous.get(), secretName);
        return settle(apiKey, status, idmelon, now, null);
      }
    }

    String reset = apiKey.resetRequest();
    String action = null;
    if (reset != null && !reset.equals(status.getLastReset())) {
      action = rotate(apiKey, status, existing, idmelon, now, "the reset annotation changed to '" + reset + "'", reset, false);
    } else if (existing.isEmpty() || published.isEmpty()) {
      String what = existing.isEmpty()
          ? "Secret " + secretName + " is missing"
          : "the apiKey in Secret " + secretName + " was changed outside the operator";
      events.warning(apiKey, Reasons.SECRET_DRIFTED, what + "; rotating the key to restore a working Secret");
      log.warn("{}: {}; rotating the key to restore a working Secret", apiKey.ref(), what);
      action = rotate(apiKey, status, existing, idmelon, now, what, status.getLastReset(), false);
    } else if (expiryChanged(spec, status)) {
      action = rotate(apiKey, status, existing, idmelon, now, "spec.expiresAt changed", status.getLastReset(), true);
    } else if (renewalDue(spec, status, now)) {
      action = rotate(apiKey, status, existing, idmelon, now, "the key is due for renewal", status.getLastReset(), true);
      action = Reasons.RENEWED;
    } else if (!ManagedSecret.templateApplied(existing.get(), apiKey)) {
      // labels or annotations of secretTemplate (or our managed-by label) were removed or changed
      Secret desired = ManagedSecret.build(apiKey, status.getKeyId(), spec.getType(), parse(status.getExpiresAt()),
          currentValue(existing.get()), parse(status.getIssuedAt()), status.getLastReset());
      secrets.patch(existing.get(), desired);
      log.info("{}: restored labels and annotations of Secret {}", apiKey.ref(), secretName);
    }
    return settle(apiKey, status, idmelon, now, action);
  }

  /** After any action: retire what is due, then tell whether the key in the Secret is usable and until when. */
  private Outcome settle(ApiKey apiKey, ApiKeyStatus status, IdmelonClient idmelon, Instant now, String action) {
    Instant next = retireDue(apiKey, status, idmelon, now);
    Instant expiresAt = parse(status.getExpiresAt());
    if (expiresAt != null && !expiresAt.isAfter(now)) {
      return Outcome.notReady(Reasons.EXPIRED, "Key " + status.getKeyId() + " expired at " + status.getExpiresAt()
          + "; set a later spec.expiresAt (or spec.duration) to issue a new key", wakeUp(next, now));
    }
    next = earliest(next, expiresAt);
    next = earliest(next, renewalTime(apiKey.getSpec(), status));
    String reason = action != null ? action : Conditions.isTrue(status, Conditions.READY)
        ? status.condition(Conditions.READY).get().getReason()
        : Reasons.ISSUED;
    String expiry = expiresAt == null
        ? "; it never expires (IDmelon advises an expiry: set spec.expiresAt or spec.duration)"
        : "; it expires at " + status.getExpiresAt();
    return Outcome.ready(reason, "Key " + status.getKeyId() + " (" + apiKey.getSpec().getType() + ") is in Secret "
        + status.getSecretName() + expiry, wakeUp(next, now));
  }

  /**
   * Rotates the key: Reset regenerates it in place (Admin), Replace creates a new one, publishes it, and schedules
   * the old one for deletion after the grace period. {@code forceReplace} is for a new expiry, which reset keeps.
   */
  private String rotate(ApiKey apiKey, ApiKeyStatus status, Optional<Secret> existing, IdmelonClient idmelon,
      Instant now, String why, String lastReset, boolean forceReplace) {
    ApiKeySpec spec = apiKey.getSpec();
    String oldId = status.getKeyId();
    if (!forceReplace && spec.effectiveStrategy() == RotationStrategy.Reset) {
      IssuedKey issued;
      try {
        issued = idmelon.reset(oldId);
      } catch (IdmelonRejectedException e) {
        if (!e.isNotFound()) {
          throw e;
        }
        log.warn("{}: key {} is gone from IDmelon; issuing a new one", apiKey.ref(), oldId);
        issued = idmelon.create(spec.getName(), spec.getType(), expiryFor(spec, now));
        publish(apiKey, existing, issued, now, lastReset, idmelon);
        record(status, issued, apiKey.secretName(), now);
        status.setLastReset(lastReset);
        events.normal(apiKey, Reasons.ISSUED, "Key " + oldId + " was gone from IDmelon; issued " + issued.key().id());
        return Reasons.ISSUED;
      }
      publish(apiKey, existing, issued, now, lastReset, null);
      record(status, issued, apiKey.secretName(), now);
      status.setLastReset(lastReset);
      log.info("{}: reset key {} because {}", apiKey.ref(), oldId, why);
      events.normal(apiKey, Reasons.RESET, "Reset key " + oldId + " because " + why + "; the old value no longer works");
      return Reasons.RESET;
    }
    IssuedKey issued = idmelon.create(spec.getName(), spec.getType(), expiryFor(spec, now));
    publish(apiKey, existing, issued, now, lastReset, idmelon);
    record(status, issued, apiKey.secretName(), now);
    status.setLastReset(lastReset);
    Instant retireAt = now.plus(gracePeriod(spec));
    status.addRetirement(new Retirement(oldId, format(retireAt)));
    log.info("{}: replaced key {} with {} because {}; the old key is deleted at {}",
        apiKey.ref(), oldId, issued.key().id(), why, format(retireAt));
    events.normal(apiKey, Reasons.REPLACED, "Replaced key " + oldId + " with " + issued.key().id() + " because " + why
        + "; the old key is deleted at " + format(retireAt));
    return Reasons.REPLACED;
  }

  /**
   * Writes a freshly received value into the Secret. If that fails, a key that no Secret will ever hold is deleted
   * again ({@code revokeOnFailure}), so no key leaks.
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
    } catch (RuntimeException e) {
      if (revokeOnFailure != null) {
        try {
          revokeOnFailure.delete(issued.key().id());
        } catch (IdmelonException cleanup) {
          log.warn("{}: key {} could not be written to its Secret nor deleted in IDmelon ({}): delete it in the"
              + " IDmelon panel", apiKey.ref(), issued.key().id(), cleanup.getMessage());
        }
      }
      throw e;
    }
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
  private Instant retireDue(ApiKey apiKey, ApiKeyStatus status, IdmelonClient idmelon, Instant now) {
    Instant next = null;
    for (Retirement retirement : new ArrayList<>(status.retiringOrEmpty())) {
      Instant at = parse(retirement.getRetireAt());
      if (at != null && at.isAfter(now)) {
        next = earliest(next, at);
        continue;
      }
      try {
        idmelon.delete(retirement.getKeyId());
        status.removeRetirement(retirement.getKeyId());
        log.info("{}: deleted replaced key {} in IDmelon", apiKey.ref(), retirement.getKeyId());
        events.normal(apiKey, Reasons.REVOKED, "Deleted replaced key " + retirement.getKeyId() + " in IDmelon");
      } catch (IdmelonException e) {
        // the new key is live; the old one stays listed in status.retiring and is retried
        log.warn("{}: could not delete replaced key {}: {}", apiKey.ref(), retirement.getKeyId(), e.getMessage());
        next = earliest(next, now.plus(backoff.next(apiKey.ref() + "/retire")));
      }
    }
    return next;
  }

  @Override
  public DeleteControl cleanup(ApiKey apiKey, Context<ApiKey> context) {
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

  private Duration delayFor(String ref, IdmelonException e) {
    Duration delay = backoff.next(ref);
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
    return expiresAt.minus(before);
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
    String detail = e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage() : e.getClass().getSimpleName();
    return "Kubernetes API call failed (" + e.getCode() + "): " + detail;
  }
}
