package com.idmelon.operator.reconciler;

import com.idmelon.operator.crd.v1alpha1.ApiKey;
import com.idmelon.operator.crd.v1alpha1.ApiKeyStatus;
import com.idmelon.operator.crd.v1alpha1.Conditions;
import com.idmelon.operator.idmelon.IdmelonException;
import com.idmelon.operator.idmelon.IdmelonRejectedException;
import com.idmelon.operator.idmelon.IdmelonUnavailableException;
import com.idmelon.operator.reconciler.Checkpoints.Point;
import com.idmelon.operator.reconciler.NextStep.Step;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns an ApiKey into a live IDmelon key whose value is in an owned Secret. It orchestrates, Crossplane-style:
 * observe (the Secret, the key in IDmelon), finish an interrupted call ({@link CrashRecovery}), decide
 * ({@link NextStep}), act ({@link KeyIssuer}), retire replaced keys, and report ({@link Readiness}). Deletion is
 * {@link Deletion}'s; which keys are this ApiKey's is {@link KeyOwnership}'s rule.
 */
@ControllerConfiguration(name = ApiKeyReconciler.NAME, generationAwareEventProcessing = false,
    triggerReconcilerOnAllEvents = true)
public class ApiKeyReconciler implements Reconciler<ApiKey> {
  public static final String NAME = "apikey";
  private static final Logger log = LoggerFactory.getLogger(ApiKeyReconciler.class);

  private final IdmelonClients clients;
  private final Clock clock;
  private final Backoff backoff;
  private final EventRecorder events;
  private final Checkpoints checkpoints;
  private final Duration pollInterval;
  private final CrashRecovery recovery;
  private final Deletion deletion;
  private final RotationListener rotations;
  private final RotationGate paced = new RotationGate(RotationGate.CONCURRENT, RotationGate.PER_SECOND);
  private final Rollouts rollouts;
  private SecretWriter secrets;
  private KeyIssuer issuer;
  private Housekeeping housekeeping;
  private Observer observer;
  private volatile Supplier<Stream<ApiKey>> cachedApiKeys = Stream::empty;

  /**
   * @param deletionWait how long a deleted ApiKey whose workspace is gone waits for it before its finalizer is
   *     released with the key left unrevoked
   * @param restartTargets whether spec.restartTargets are rolled out (false: the installation may not patch them)
   */
  public ApiKeyReconciler(IdmelonClients clients, KubernetesClient kubernetes, Clock clock, Backoff backoff,
      Duration pollInterval, Checkpoints checkpoints, RotationListener rotations, Duration deletionWait,
      boolean restartTargets) {
    this.rotations = rotations;
    this.clients = clients;
    this.clock = clock;
    this.backoff = backoff;
    this.events = new EventRecorder(kubernetes, clock);
    this.checkpoints = checkpoints;
    this.pollInterval = pollInterval;
    this.recovery = new CrashRecovery(events);
    this.deletion = new Deletion(recovery, events, rotations, deletionWait);
    this.rollouts = new Rollouts(new Workloads(kubernetes), events, rotations, backoff, checkpoints, restartTargets);
  }

  /** The ApiKey a Secret's controller reference names, from the cache. */
  private static java.util.Optional<ApiKey> ownerOf(Secret secret, EventSourceContext<ApiKey> context) {
    if (secret.getMetadata().getOwnerReferences() == null) {
      return java.util.Optional.empty();
    }
    return secret.getMetadata().getOwnerReferences().stream()
        .filter(ref -> "ApiKey".equals(ref.getKind()) && Boolean.TRUE.equals(ref.getController()))
        .findFirst()
        .flatMap(ref -> context.getPrimaryCache()
            .get(new io.javaoperatorsdk.operator.processing.event.ResourceID(ref.getName(),
                secret.getMetadata().getNamespace())))
        .filter(owner -> secret.getMetadata().getOwnerReferences().stream()
            .anyMatch(ref -> java.util.Objects.equals(ref.getUid(), owner.getMetadata().getUid())));
  }

  @Override
  public List<EventSource<?, ApiKey>> prepareEventSources(EventSourceContext<ApiKey> context) {
    // Only Secrets carrying our label are cached: unrelated Secrets cost no memory. A foreign Secret with the
    // target name is found by a direct read before anything is issued.
    var secretsConfig = InformerEventSourceConfiguration.from(Secret.class, ApiKey.class)
        .withName("managed-secrets")
        .withLabelSelector(ManagedSecret.SELECTOR)
        .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(ApiKey.class, false));
    if (CacheTrim.ENABLED) {
      // a labelled Secret keeps only what drift detection reads: a tenant's megabytes on it cost the cache nothing
      secretsConfig.withItemStore(new CacheTrim.Store<>(secret -> CacheTrim.secret(secret,
          s -> ownerOf(s, context).map(owner -> owner.getSpec() == null ? null : owner.getSpec().getSecretTemplate()))));
    }
    InformerEventSource<Secret, ApiKey> informer = new InformerEventSource<>(secretsConfig.build(), context);
    secrets = new SecretWriter(context.getClient(), informer, clients::secretWritten);
    issuer = new KeyIssuer(secrets, events, checkpoints, rotations, clock);
    housekeeping = new Housekeeping(secrets, events, backoff, this::delayFor);
    KeyInventory inventory =
        new KeyInventory(clients, pollInterval, clock, () -> context.getPrimaryCache().list(), rotations);
    observer = new Observer(secrets, inventory);
    cachedApiKeys = () -> context.getPrimaryCache().list();
    WakeUps wakeUps = new WakeUps(cachedApiKeys);
    clients.wakeUpWith(wakeUps::wake);
    return List.of(informer, inventory, wakeUps);
  }

  /** The ApiKeys in the operator's cache (for metrics); empty until the controller starts. */
  public Stream<ApiKey> cachedApiKeys() {
    return cachedApiKeys.get();
  }

  /**
   * Every event of an ApiKey comes here (JOSDK's {@code triggerReconcilerOnAllEvents}): the operator adds its
   * finalizer itself, in the same write as the first key's marker ({@link IssueMarker}), and hands a deleted ApiKey
   * that carries it to {@link #cleanup}.
   */
  @Override
  public UpdateControl<ApiKey> reconcile(ApiKey apiKey, Context<ApiKey> context) {
    if (context.isPrimaryResourceDeleted()) {
      backoff.forget(apiKey.ref()); // gone from the API server: nothing is left to do, nor to remember
      return UpdateControl.noUpdate();
    }
    if (apiKey.isMarkedForDeletion()) {
      if (!apiKey.hasFinalizer(StatusStore.FINALIZER)) {
        return UpdateControl.noUpdate(); // released already, or never held anything
      }
      DeleteControl deletion = cleanup(apiKey, context);
      if (deletion.isRemoveFinalizer()) {
        context.resourceOperations().removeFinalizer(StatusStore.FINALIZER);
        return UpdateControl.noUpdate();
      }
      UpdateControl<ApiKey> wait = UpdateControl.noUpdate();
      deletion.getScheduleDelay().ifPresent(wait::rescheduleAfter);
      return wait;
    }
    checkpoints.reached(Point.RECONCILE_STARTED, apiKey);
    Instant now = clock.instant();
    String ref = apiKey.ref();
    ApiKeyStatus status = apiKey.getStatus() == null ? new ApiKeyStatus() : StatusStore.copy(apiKey.getStatus());
    StatusStore store = new StatusStore(apiKey, context);
    if (holdsAnything(apiKey)) {
      try {
        store.ensureFinalizer(); // someone removed it: deleting the ApiKey must still revoke its keys
      } catch (StatusStore.ChangedMeanwhileException e) {
        return UpdateControl.<ApiKey>noUpdate().rescheduleAfter(1);
      }
    }
    String previousReason = status.condition(Conditions.READY).map(c -> c.getReason()).orElse(null);
    String previousMessage = status.condition(Conditions.READY).map(c -> c.getMessage()).orElse(null);

    Outcome outcome;
    try {
      outcome = converge(apiKey, status, store, context, now);
      if (outcome.ready()) {
        backoff.reset(ref);
      }
    } catch (StatusStore.ChangedMeanwhileException e) {
      // edited or deleted while the first key's marker was being written: nothing was called; look again at once
      log.debug("{}: {}", ref, e.getMessage());
      return UpdateControl.<ApiKey>noUpdate().rescheduleAfter(1);
    } catch (SecretConflictException e) {
      outcome = Outcome.notReady(Reasons.SECRET_CONFLICT, e.getMessage(), backoff.next(ref));
    } catch (IdmelonException e) {
      outcome = idmelonFailure(ref, e);
    } catch (KubernetesClientException e) {
      outcome = Outcome.notReady(Reasons.KUBERNETES_ERROR, describe(e), backoff.next(ref));
    }

    if (apiKey.getSpec() == null || !apiKey.getSpec().suspended()) {
      status.setConditions(Conditions.without(status.getConditions(), Conditions.SUSPENDED));
    }
    Conditions.set(status, Conditions.READY, outcome.ready(), outcome.reason(), outcome.message(),
        apiKey.getMetadata().getGeneration(), now);
    status.setObservedGeneration(apiKey.getMetadata().getGeneration());
    // compared as the condition stores it (one bounded line), or a long message would count as new every time
    String message = Conditions.boundedMessage(outcome.message());
    boolean conditionChanged = !outcome.reason().equals(previousReason) || !message.equals(previousMessage);
    if (!outcome.ready() && conditionChanged) {
      log.warn("{}: {}: {}", ref, outcome.reason(), message);
      if (!Reasons.EXPIRED.equals(outcome.reason())) {
        events.warning(apiKey, outcome.reason(), outcome.message());
      }
    }
    store.save(status);
    checkpoints.reached(Point.STATUS_WRITTEN, apiKey);
    UpdateControl<ApiKey> control = UpdateControl.noUpdate();
    if (store.changedMeanwhile()) {
      control.rescheduleAfter(1); // an edit raced this reconcile: act on it now
    } else if (outcome.wakeUp() != null) {
      control.rescheduleAfter(outcome.wakeUp().toMillis());
    }
    return control;
  }

  /** Observe, recover, decide, act, retire, report. */
  private Outcome converge(ApiKey apiKey, ApiKeyStatus status, StatusStore store, Context<ApiKey> context,
      Instant now) {
    IdmelonClients.Target workspace = clients.target(apiKey, now);
    status.setWorkspace(workspace.ref());
    Optional<Secret> secret = observer.ownSecret(apiKey);
    Optional<String> invalid = SpecValidator.validate(apiKey, Observer.issuedType(secret), status.getKeyId() == null,
        now).or(() -> SpecValidator.keyNameProblem(apiKey.getSpec(), workspace.keyNamePrefix()));
    if (invalid.isPresent()) {
      return Outcome.notReady(Reasons.INVALID_SPEC, invalid.get(), null);
    }
    rollouts.recordIfUnset(apiKey.getSpec(), status); // before anything may change the value
    Instant scheduled = KeyTimes.rotationTime(apiKey.getSpec(), status, apiKey.getMetadata().getUid());
    status.setNextRotationAt(KeyTimes.format(scheduled));
    if (apiKey.getSpec().suspended()) {
      return suspended(apiKey, status, store, secret, scheduled, workspace, now);
    }
    if (workspace.notReady() != null) {
      return withoutWorkspace(apiKey, status, store, secret, workspace, now);
    }
    if (workspace.denial().isPresent()) {
      // an existing key stays (deleting the ApiKey still revokes it) but is no longer rotated or renewed
      return Outcome.notReady(Reasons.WORKSPACE_DENIED, workspace.denial().get()
          + (status.getKeyId() == null ? "" : "; key " + status.getKeyId() + " stays in the Secret but is no longer"
          + " rotated or renewed"), backoff.max()); // a loosened policy wakes it; this is a safety net
    }
    Turn t = new Turn(apiKey, status, store, workspace.client(), secret, now,
        workspace.keyNamePrefix() + apiKey.getSpec().getName());
    String redo = null;
    if (status.getPending() == null) {
      IssueMarker.open(apiKey, t.idmelon()).ifPresent(status::setPending); // a first create may have been cut short
    }
    if (status.getPending() != null) {
      redo = recovery.resolve(apiKey, status, secret, t.idmelon(), () -> context.getPrimaryCache().list().toList(),
          now).orElse(null);
    }
    Step step = NextStep.decide(new NextStep.Facts(apiKey.getSpec(), status, apiKey.resetRequest(),
        observer.secretState(t), observer.keyState(t), redo,
        secret.map(s -> templateApplied(s, apiKey, status)).orElse(true), scheduled,
        workspace.rotationSince(), now));
    Optional<RotationGate.Permit> permit = Optional.empty();
    if (step.trigger() != null && NextStep.PACED.contains(step.trigger())) {
      RotationGate.Admission admission = paced.enter(workspace.ref(), apiKey.getMetadata().getNamespace(),
          apiKey.getMetadata().getUid());
      permit = admission.permit();
      if (permit.isEmpty()) {
        // others of this workspace go first: this one has its start slot, and is looked at again then
        return Readiness.of(apiKey.getSpec(), status, null, now.plus(admission.delay()), now);
      }
    }
    String reason;
    try {
      reason = act(t, step);
    } finally {
      permit.ifPresent(RotationGate.Permit::close);
    }
    // after the Secret holds the value, before a replaced key is deleted
    Instant rolloutAgain = rollouts.rollOut(t);
    Instant nextRetirement = rollouts.holdsRetirements(t) ? null : housekeeping.retireDue(t);
    Instant sweepAgain = housekeeping.sweepOldSecrets(t);
    Instant renewal = KeyTimes.renewalTime(apiKey.getSpec(), status);
    status.setRenewalTime(KeyTimes.format(renewal));
    scheduled = KeyTimes.rotationTime(apiKey.getSpec(), status, apiKey.getMetadata().getUid());
    status.setNextRotationAt(KeyTimes.format(scheduled));
    Instant emergency = workspace.rotationSince() != null && workspace.rotationSince().isAfter(now)
        ? workspace.rotationSince() : null; // an emergency rotation about to start
    return Readiness.of(apiKey.getSpec(), status, reason,
        KeyTimes.earliest(KeyTimes.earliest(nextRetirement, sweepAgain),
            KeyTimes.earliest(rolloutAgain, KeyTimes.earliest(scheduled, emergency))), now);
  }

  /**
   * spec.suspend: nothing is issued, rotated, renewed or repaired (an interrupted call's clean-up waits too); only
   * replaced keys whose grace period ended are still deleted. The Suspended condition says what is waiting; Ready
   * still follows the key's expiry. What fell due is done once after resuming: the status was not moved on.
   */
  private Outcome suspended(ApiKey apiKey, ApiKeyStatus status, StatusStore store, Optional<Secret> secret,
      Instant scheduled, IdmelonClients.Target workspace, Instant now) {
    String waiting;
    if (status.getKeyId() == null) {
      waiting = "no key was issued yet";
    } else {
      Turn idle = new Turn(apiKey, status, store, null, secret, now, null);
      Step step = NextStep.decide(new NextStep.Facts(apiKey.getSpec(), status, apiKey.resetRequest(),
          observer.secretState(idle), NextStep.KeyState.PRESENT, status.getPending() == null ? null : "call",
          secret.map(s -> templateApplied(s, apiKey, status)).orElse(true), scheduled,
          workspace.rotationSince(), now));
      waiting = step.action() == NextStep.Action.NONE ? null : step.why();
    }
    // replaced keys still die when their grace period ends: suspending must not keep an old key alive
    Instant nextRetirement = null;
    if (workspace.notReady() == null && workspace.client() != null && !status.retiringOrEmpty().isEmpty()) {
      nextRetirement = housekeeping.retireDue(new Turn(apiKey, status, store, workspace.client(), secret, now, null));
    }
    String message = "spec.suspend is true: no key is issued, rotated, renewed or repaired"
        + (waiting == null ? "" : "; waiting: " + waiting);
    Conditions.set(status, Conditions.SUSPENDED, true, Reasons.SUSPENDED, message,
        apiKey.getMetadata().getGeneration(), now);
    if (status.getKeyId() == null) {
      return Outcome.notReady(Reasons.SUSPENDED, message, null);
    }
    // expiry is still reported, and ExpiringSoon applies to a renewing key too: it is not renewed while suspended
    Instant expiresAt = KeyTimes.parse(status.getExpiresAt());
    if (expiresAt != null && !expiresAt.isAfter(now)) {
      return Readiness.of(apiKey.getSpec(), status, null, nextRetirement, now);
    }
    if (expiresAt != null && !expiresAt.minus(KeyTimes.EXPIRING_SOON).isAfter(now)) {
      return Outcome.ready(Reasons.EXPIRING_SOON, "Key " + status.getKeyId() + " is in Secret " + status.getSecretName()
          + "; it expires at " + status.getExpiresAt() + " and is not renewed while spec.suspend is true",
          KeyTimes.until(KeyTimes.earliest(nextRetirement, expiresAt), now));
    }
    Outcome live = Readiness.of(apiKey.getSpec(), status, null, null, now);
    // wake only for what a suspended key still reports (ExpiringSoon, Expired), not for a renewal it will not do
    Instant next = KeyTimes.earliest(nextRetirement, expiresAt == null ? null : expiresAt.minus(KeyTimes.EXPIRING_SOON));
    return new Outcome(live.ready(), live.reason(), live.message(), KeyTimes.until(next, now));
  }

  /**
   * The workspace cannot be used now (missing, not checked yet after a start, its key refused): a key that needs
   * nothing from IDmelon stays Ready as it is, so a workspace's blip or an operator restart flips no ApiKey; one
   * that needs IDmelon reports WorkspaceNotReady. The workspace wakes it when it becomes Ready; the slow retry is a
   * safety net.
   */
  private Outcome withoutWorkspace(ApiKey apiKey, ApiKeyStatus status, StatusStore store, Optional<Secret> secret,
      IdmelonClients.Target workspace, Instant now) {
    if (status.getKeyId() != null && status.getPending() == null) {
      Turn idle = new Turn(apiKey, status, store, null, secret, now, null);
      Step step = NextStep.decide(new NextStep.Facts(apiKey.getSpec(), status, apiKey.resetRequest(),
          observer.secretState(idle), NextStep.KeyState.PRESENT, null,
          secret.map(s -> templateApplied(s, apiKey, status)).orElse(true),
          KeyTimes.parse(status.getNextRotationAt()), null, now));
      if (step.action() == NextStep.Action.NONE) {
        Instant retry = status.retiringOrEmpty().isEmpty() ? null : now.plus(backoff.max());
        // a rollout owed needs no IDmelon
        return Readiness.of(apiKey.getSpec(), status, null, KeyTimes.earliest(retry, rollouts.rollOut(idle)), now);
      }
    }
    return Outcome.notReady(Reasons.WORKSPACE_NOT_READY, workspace.notReady(), backoff.max());
  }

  /** secretTemplate's labels, annotations and data keys are on the Secret as they should be. */
  private static boolean templateApplied(Secret secret, ApiKey apiKey, ApiKeyStatus status) {
    return ManagedSecret.templateApplied(secret, apiKey) && SecretData.applied(secret, apiKey, status);
  }

  /** Carries out the step; returns the Ready reason it ends in (null when it changes no key). */
  private String act(Turn t, Step step) {
    ApiKey apiKey = t.apiKey();
    if ("secret-drift".equals(step.trigger()) || "key-gone".equals(step.trigger())) {
      String reason = "secret-drift".equals(step.trigger()) ? Reasons.SECRET_DRIFTED : "KeyGone";
      log.warn("{}: {}; rotating the key to restore a working Secret", apiKey.ref(), step.why());
      events.warning(apiKey, reason, capitalized(step.why()) + "; rotating the key to restore a working Secret");
    }
    String lastReset = "reset-annotation".equals(step.trigger()) ? apiKey.resetRequest() : t.status().getLastReset();
    String done = switch (step.action()) {
      case ISSUE -> issuer.issue(t);
      case MOVE_SECRET -> {
        issuer.moveSecret(t, observer.previousSecret(t).orElseThrow());
        yield null;
      }
      case RESET -> issuer.reset(t, step.trigger(), step.why(), lastReset);
      case REPLACE -> issuer.replace(t, step.trigger(), step.why(), lastReset);
      case REPAIR_TEMPLATE -> {
        issuer.repairTemplate(t);
        yield null;
      }
      case NONE -> null;
    };
    return done == null ? null : step.readyReason(done);
  }

  /** Whether the ApiKey holds anything in IDmelon (a key, a replaced key, an open marker): then it needs the finalizer. */
  private static boolean holdsAnything(ApiKey apiKey) {
    ApiKeyStatus status = apiKey.getStatus();
    if (status == null) {
      return IssueMarker.present(apiKey);
    }
    return status.getKeyId() != null || status.getPending() != null || !status.retiringOrEmpty().isEmpty()
        || IssueMarker.present(apiKey);
  }

  /** Revokes what the deleted ApiKey holds; the finalizer goes when this says so. */
  DeleteControl cleanup(ApiKey apiKey, Context<ApiKey> context) {
    checkpoints.reached(Point.RECONCILE_STARTED, apiKey);
    Instant now = clock.instant();
    IdmelonClients.Target workspace = clients.target(apiKey, now);
    if (!workspace.exists()) {
      return deletion.withoutWorkspace(apiKey, workspace, now, backoff.max(), clients);
    }
    Optional<Secret> secret = secrets.find(apiKey.getMetadata().getNamespace(), apiKey.secretName())
        .filter(s -> ManagedSecret.isOwnedBy(s, apiKey));
    try {
      if (workspace.client() == null) {
        if (!Deletion.needsIdmelon(apiKey)) {
          return DeleteControl.defaultDelete(); // Retain, nothing retiring, nothing pending: nothing to ask IDmelon
        }
        throw new IdmelonUnavailableException("revoke", 0, workspace.notReady(), null, null);
      }
      if (apiKey.getStatus() == null || apiKey.getStatus().getPending() == null) {
        // the first create's marker: its key, if IDmelon made one, is revoked too
        IssueMarker.open(apiKey, workspace.client()).ifPresent(marker -> {
          if (apiKey.getStatus() == null) {
            apiKey.setStatus(new ApiKeyStatus());
          }
          apiKey.getStatus().setPending(marker);
        });
      }
      deletion.revoke(apiKey, workspace.client(), secret, () -> context.getPrimaryCache().list().toList());
      backoff.reset(apiKey.ref());
      return DeleteControl.defaultDelete();
    } catch (IdmelonException e) {
      Duration delay = delayFor(apiKey.ref(), e);
      log.warn("{}: could not revoke in IDmelon, the finalizer stays: {}", apiKey.ref(), e.getMessage());
      events.warning(apiKey, Reasons.REVOKE_FAILED, Deletion.failure(e));
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
      return Outcome.notReady(Reasons.IDMELON_UNAUTHORIZED, "IDmelon refused the workspace's Admin key on "
          + e.operation() + " (401): check the Secret its adminKeySecretRef names", delay);
    }
    return Outcome.notReady(Reasons.IDMELON_ERROR, e.getMessage(), delay);
  }

  /**
   * A wait for the workspace (a 429's Retry-After, or a turn its request pace has not reached yet) says nothing about
   * this ApiKey: it comes back when IDmelon takes requests again, capped at the longest backoff, and its own backoff
   * is left as it was. Any other failure (5xx, timeouts, refusals) escalates the ApiKey's exponential backoff.
   */
  Duration delayFor(String key, IdmelonException e) {
    Optional<Duration> asked = e.retryAfter();
    if (asked.isPresent()) {
      Duration wait = asked.get().compareTo(backoff.max()) > 0 ? backoff.max() : asked.get();
      return wait.isNegative() ? Duration.ZERO : wait;
    }
    return backoff.next(key);
  }

  private static String capitalized(String text) {
    return text.isEmpty() ? text : Character.toUpperCase(text.charAt(0)) + text.substring(1);
  }

  static String describe(KubernetesClientException e) {
    String detail = e.getStatus() != null && e.getStatus().getMessage() != null
        ? e.getStatus().getMessage() : e.getClass().getSimpleName();
    return "Kubernetes API call failed (" + e.getCode() + "): " + detail;
  }
}
