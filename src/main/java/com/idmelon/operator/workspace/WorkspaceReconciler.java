package com.idmelon.operator.workspace;

import com.idmelon.operator.crd.v1alpha1.ApiKey;
import com.idmelon.operator.crd.v1alpha1.Conditions;
import com.idmelon.operator.crd.v1alpha1.WorkspaceRotation;
import com.idmelon.operator.crd.v1alpha1.WorkspaceSpecBase;
import com.idmelon.operator.crd.v1alpha1.WorkspaceStatus;
import com.idmelon.operator.idmelon.IdmelonException;
import com.idmelon.operator.idmelon.IdmelonRejectedException;
import com.idmelon.operator.reconciler.Backoff;
import com.idmelon.operator.reconciler.GoDuration;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Checks a workspace: its spec, its Admin key's Secret, and whether IDmelon accepts the key; writes Ready and the
 * number of ApiKeys using it. Re-checked every {@code checkInterval}, and at once when the Secret changes.
 */
abstract class WorkspaceReconciler<R extends CustomResource<? extends WorkspaceSpecBase, WorkspaceStatus>>
    implements Reconciler<R> {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(WorkspaceReconciler.class);
  /** How often an emergency rotation's progress is written while it runs. */
  static final Duration ROTATION_PROGRESS = Duration.ofSeconds(5);
  private final WorkspaceRegistry registry;
  private final Clock clock;
  private final Duration checkInterval;
  private final WorkspaceUsage apiKeysUsing;
  private final SecretChanges secretChanges = new SecretChanges();
  private final Backoff backoff;

  WorkspaceReconciler(WorkspaceRegistry registry, Clock clock, Duration checkInterval, Backoff backoff,
      WorkspaceUsage apiKeysUsing) {
    this.registry = registry;
    this.backoff = backoff;
    this.clock = clock;
    this.checkInterval = checkInterval;
    this.apiKeysUsing = apiKeysUsing;
  }

  /** The namespace of the Admin key's Secret. */
  abstract String secretNamespace(R workspace);

  /** A rule of this kind that the schema may not have enforced (an older CRD), or empty. */
  abstract Optional<String> kindProblem(R workspace);

  @Override
  public List<EventSource<?, R>> prepareEventSources(EventSourceContext<R> context) {
    String kind = HasMetadata.getKind(context.getPrimaryResourceClass());
    registry.cache(kind, id -> context.getPrimaryCache()
        .get(new ResourceID(id.name(), id.namespace())).map(HasMetadata.class::cast));
    @SuppressWarnings({"unchecked", "rawtypes"})
    EventSource<?, R> source = (EventSource) secretChanges;
    return List.of(source);
  }

  @Override
  public UpdateControl<R> reconcile(R workspace, Context<R> context) {
    Instant now = clock.instant();
    registry.sweep();
    WorkspaceSpecBase spec = workspace.getSpec();
    WorkspaceId id = WorkspaceId.of(workspace);
    Optional<String> invalid = spec == null ? Optional.of("spec is required") : kindProblem(workspace)
        .or(() -> specProblem(spec));
    boolean ready;
    String reason;
    String message;
    if (invalid.isPresent()) {
      ready = false;
      reason = WorkspaceReasons.INVALID_SPEC;
      message = invalid.get();
      registry.invalid(workspace, spec, message);
    } else {
      WorkspaceRegistry.Connection connection = null;
      Optional<String> secretProblem;
      try {
        connection = registry.connect(workspace, spec, baseUrl(spec), secretNamespace(workspace),
            () -> secretChanges.changed(ResourceID.fromResource(workspace)));
        secretProblem = connection.adminKey().problem();
      } catch (KubernetesClientException e) {
        // e.g. 403: the operator may not read Secrets in that namespace
        secretProblem = Optional.of("cannot watch Secret " + secretNamespace(workspace) + "/"
            + spec.getAdminKeySecretRef().getName() + " (" + e.getCode()
            + "): the operator needs get, list and watch on Secrets there");
      }
      if (secretProblem.isPresent()) {
        ready = false;
        reason = WorkspaceReasons.SECRET_NOT_FOUND;
        message = secretProblem.get();
      } else {
        String[] outcome = verify(connection);
        ready = outcome[0] == null;
        reason = ready ? WorkspaceReasons.VALID : outcome[0];
        message = ready ? "IDmelon at " + baseUrl(spec) + " accepts the Admin key" : outcome[1];
      }
      registry.report(id, ready, reason, message);
    }
    WorkspaceStatus status = workspace.getStatus() == null ? new WorkspaceStatus()
        : Serialization.jsonMapper().convertValue(workspace.getStatus(), WorkspaceStatus.class);
    status.setConditions(Conditions.with(status.getConditions(), Conditions.READY, ready, reason, message,
        workspace.getMetadata().getGeneration(), now));
    status.setObservedGeneration(workspace.getMetadata().getGeneration());
    status.setLastCheckedAt(now.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
    status.setApiKeys(apiKeysUsing.apiKeys(id));
    Duration rotating = emergencyRotation(workspace, status, id, now);
    R written = context.resourceOperations().jsonPatchPrimaryStatus(workspace, r -> {
      r.setStatus(status);
      return r;
    });
    UpdateControl<R> control = UpdateControl.noUpdate();
    if (written != null && !java.util.Objects.equals(written.getMetadata().getGeneration(),
        workspace.getMetadata().getGeneration())) {
      // the spec was edited while this check ran: the cache holds the edit now and may drop its event
      return control.rescheduleAfter(1);
    }
    if (rotating != null) {
      // its ApiKeys are woken (one may have read the workspace before the rotation was recorded), and the progress
      // is written again
      registry.wake(id);
      return control.rescheduleAfter(rotating.toMillis());
    }
    if (invalid.isPresent()) {
      return control; // a spec change brings it back
    }
    String key = id.toString();
    if (ready) {
      backoff.reset(key);
      return control.rescheduleAfter(checkInterval.toMillis());
    }
    // not Ready: look again soon (backoff), never later than the regular check
    long retry = Math.min(backoff.next(key).toMillis(), checkInterval.toMillis());
    return control.rescheduleAfter(retry);
  }

  /**
   * The idmelon.com/reset annotation on a workspace rotates every ApiKey issued from it once: a new value records
   * the moment it started, and each ApiKey whose key was last rotated before it is rotated (paced per workspace by
   * the ApiKey reconciler). A value already there when the workspace is first seen is recorded, not acted on. The
   * progress is counted from the ApiKeys' statuses, so it survives a restart. Returns when to write the progress
   * again while it runs, else null.
   */
  private Duration emergencyRotation(R workspace, WorkspaceStatus status, WorkspaceId id, Instant now) {
    var annotations = workspace.getMetadata().getAnnotations();
    String requested = ApiKey.recordedReset(annotations == null ? null : annotations.get(ApiKey.RESET_ANNOTATION));
    WorkspaceRotation rotation = status.getRotation();
    if (rotation == null) {
      // first seen by this operator (a new workspace, or one from before emergency rotations): record, never act
      rotation = new WorkspaceRotation();
      rotation.setRequest(requested);
      status.setRotation(rotation);
      return null;
    }
    if (requested != null && !requested.equals(rotation.getRequest())) {
      rotation = new WorkspaceRotation();
      rotation.setRequest(requested);
      // the next whole second: a key issued in the same second as the request is rotated too
      rotation.setStartedAt(now.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).plusSeconds(1).toString());
      log.info("{}: emergency rotation of every ApiKey asked for ({})", id,
          Conditions.boundedMessage("'" + requested + "'"));
      status.setRotation(rotation);
    }
    if (rotation.getStartedAt() == null || rotation.getCompletedAt() != null) {
      return null;
    }
    Instant since = Instant.parse(rotation.getStartedAt());
    int total = apiKeysUsing.issued(id); // an ApiKey without a key has nothing to rotate
    int rotated = Math.min(total, apiKeysUsing.rotatedSince(id, since));
    rotation.setRotated(rotated);
    rotation.setRemaining(total - rotated);
    if (total - rotated > 0) {
      status.setConditions(Conditions.with(status.getConditions(), Conditions.ROTATING, true,
          WorkspaceReasons.ROTATING, "rotated " + rotated + " of " + total + " ApiKeys; suspended or denied ones"
              + " wait", workspace.getMetadata().getGeneration(), now));
      // progress is written often at first, then less and less: a rotation held up by a suspended ApiKey costs little
      Duration elapsed = Duration.between(since, now);
      Duration next = elapsed.dividedBy(4);
      return next.compareTo(ROTATION_PROGRESS) < 0 ? ROTATION_PROGRESS
          : next.compareTo(checkInterval) > 0 ? checkInterval : next;
    }
    rotation.setCompletedAt(now.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
    status.setConditions(Conditions.with(status.getConditions(), Conditions.ROTATING, false,
        WorkspaceReasons.ROTATION_COMPLETE, "every ApiKey (" + total + ") was rotated since " + rotation.getStartedAt(),
        workspace.getMetadata().getGeneration(), now));
    log.info("{}: emergency rotation complete ({} ApiKeys)", id, total);
    return null;
  }

  /** {reason, message} of a refusal or an outage; {null, null} when IDmelon accepts the key. */
  private static String[] verify(WorkspaceRegistry.Connection connection) {
    try {
      connection.client().verifyAdminKey();
      return new String[] {null, null};
    } catch (IdmelonRejectedException e) {
      if (e.status() == 401 || e.status() == 403) {
        return new String[] {WorkspaceReasons.ADMIN_KEY_REFUSED,
            "IDmelon refuses the Admin key (" + e.status() + "): put a valid Admin key into the Secret"};
      }
      return new String[] {WorkspaceReasons.UNREACHABLE, e.getMessage()};
    } catch (IdmelonException e) {
      return new String[] {WorkspaceReasons.UNREACHABLE, e.getMessage()};
    }
  }

  /** The rules of both kinds the schema may not have enforced. */
  static Optional<String> specProblem(WorkspaceSpecBase spec) {
    if ((spec.getRegion() == null) == (spec.getBaseUrl() == null)) {
      return Optional.of("set exactly one of spec.region and spec.baseUrl");
    }
    if (spec.getAdminKeySecretRef() == null || spec.getAdminKeySecretRef().getName() == null) {
      return Optional.of("spec.adminKeySecretRef.name is required");
    }
    if (spec.getBaseUrl() != null) {
      Optional<String> url = urlProblem(spec.getBaseUrl());
      if (url.isPresent()) {
        return url;
      }
    }
    if (spec.getApiKeysPath() != null && (!spec.getApiKeysPath().startsWith("/") || spec.getApiKeysPath().contains("?"))) {
      return Optional.of("spec.apiKeysPath must be a URL path starting with /");
    }
    for (String[] field : new String[][] {{"spec.pollInterval", spec.getPollInterval()},
        {"spec.keyPolicy.maxLifetime", spec.getKeyPolicy() == null ? null : spec.getKeyPolicy().getMaxLifetime()}}) {
      if (field[1] != null) {
        try {
          Duration parsed = GoDuration.parse(field[1]);
          if (parsed.isNegative() || parsed.isZero()) {
            return Optional.of(field[0] + " must be a positive duration");
          }
        } catch (IllegalArgumentException | ArithmeticException e) {
          return Optional.of(field[0] + " is not a duration such as 2160h or 10m");
        }
      }
    }
    if (spec.getKeyNamePrefix() != null && spec.getKeyNamePrefix().length() > 50) {
      return Optional.of("spec.keyNamePrefix is longer than 50 characters");
    }
    return Optional.empty();
  }

  /**
   * The Admin key travels only over TLS: http is accepted for a loopback host only (the simulator and tests).
   */
  static Optional<String> urlProblem(String baseUrl) {
    URI uri;
    try {
      uri = URI.create(baseUrl.trim());
    } catch (IllegalArgumentException e) {
      return Optional.of("spec.baseUrl is not a URL");
    }
    if (uri.getHost() == null || uri.getScheme() == null) {
      return Optional.of("spec.baseUrl must be an https URL such as https://skm.idmelon.example.com");
    }
    if ("https".equals(uri.getScheme())) {
      return Optional.empty();
    }
    if ("http".equals(uri.getScheme()) && isLoopback(uri.getHost())) {
      return Optional.empty();
    }
    return Optional.of("spec.baseUrl must use https: the Admin key is sent with every request (http is allowed"
        + " only for a loopback address)");
  }

  private static boolean isLoopback(String host) {
    if (host.equals("localhost")) {
      return true;
    }
    if (!host.matches("^[0-9.]+$") && !host.startsWith("[")) {
      return false; // a name: never resolved here, so not trusted as loopback
    }
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  static URI baseUrl(WorkspaceSpecBase spec) {
    return spec.getRegion() != null ? spec.getRegion().baseUrl() : URI.create(spec.getBaseUrl().trim());
  }

  /** Wakes a workspace when its Admin key's Secret changes. */
  private static final class SecretChanges extends AbstractEventSource<Object, HasMetadata> {
    SecretChanges() {
      super(Object.class, "admin-key-secrets");
    }

    void changed(ResourceID workspace) {
      if (isRunning()) {
        getEventHandler().handleEvent(new Event(workspace));
      }
    }

    @Override
    public java.util.Set<Object> getSecondaryResources(HasMetadata primary) {
      return java.util.Set.of();
    }
  }
}
