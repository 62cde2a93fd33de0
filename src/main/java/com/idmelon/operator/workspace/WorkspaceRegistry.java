package com.idmelon.operator.workspace;

import com.idmelon.operator.crd.v1alpha1.ApiKey;
import com.idmelon.operator.crd.v1alpha1.ClusterWorkspace;
import com.idmelon.operator.crd.v1alpha1.Workspace;
import com.idmelon.operator.crd.v1alpha1.WorkspaceRef;
import com.idmelon.operator.crd.v1alpha1.WorkspaceSpecBase;
import com.idmelon.operator.idmelon.HttpIdmelonClient;
import com.idmelon.operator.idmelon.IdmelonCallObserver;
import com.idmelon.operator.reconciler.CacheTrim;
import com.idmelon.operator.reconciler.GoDuration;
import com.idmelon.operator.reconciler.IdmelonClients;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's knowledge of every workspace: one IDmelon client per workspace (its own Admin key, Retry-After
 * budget and connection pool), whether it is Ready, and its policy. The workspace reconcilers keep it current; the
 * ApiKey reconciler asks it which workspace serves an ApiKey ({@link #target}). A change of a workspace's readiness
 * or of a namespace's labels wakes the ApiKeys it concerns, so none stays stuck because it arrived first.
 */
public final class WorkspaceRegistry implements IdmelonClients, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WorkspaceRegistry.class);
  public static final String DEFAULT_KEYS_PATH = "/administrator/workspace/apikeys";

  /** How IDmelon clients are built. */
  public record ClientSettings(Duration connectTimeout, Duration requestTimeout, Duration maxRetryAfter, Clock clock,
      IdmelonCallObserver observer) {}

  /** What one workspace is now; {@code ready} null until first checked. */
  public record State(WorkspaceId id, Boolean ready, String reason, String message) {}

  private static final class Entry implements AutoCloseable {
    final String uid;
    final String specJson;
    final WorkspaceSpecBase spec;
    final AdminKeySecret adminKey;
    final HttpIdmelonClient client;
    volatile State state;

    Entry(String uid, String specJson, WorkspaceSpecBase spec, AdminKeySecret adminKey, HttpIdmelonClient client,
        State state) {
      this.uid = uid;
      this.specJson = specJson;
      this.spec = spec;
      this.adminKey = adminKey;
      this.client = client;
      this.state = state;
    }

    @Override
    public void close() {
      if (adminKey != null) {
        adminKey.close();
      }
    }
  }

  private final KubernetesClient kubernetes;
  private final String defaultWorkspace;
  private final ClientSettings settings;
  private final Map<WorkspaceId, Entry> entries = new ConcurrentHashMap<>();
  private final Map<String, Map<String, String>> namespaceLabels = new ConcurrentHashMap<>();
  private final Map<String, Function<WorkspaceId, Optional<HasMetadata>>> caches = new ConcurrentHashMap<>();
  private volatile Consumer<WorkspaceId> onWorkspaceChange = id -> { };
  private volatile Consumer<String> onNamespaceChange = namespace -> { };
  private SharedIndexInformer<Namespace> namespaces;

  public WorkspaceRegistry(KubernetesClient kubernetes, String defaultWorkspace, ClientSettings settings) {
    this.kubernetes = kubernetes;
    this.defaultWorkspace = defaultWorkspace;
    this.settings = settings;
  }

  public String defaultWorkspace() {
    return defaultWorkspace;
  }

  /** Watches Namespaces for their labels (policy selectors); a label change wakes that namespace's ApiKeys. */
  public synchronized void watchNamespaces() {
    if (namespaces != null) {
      return;
    }
    SharedIndexInformer<Namespace> informer = kubernetes.namespaces().runnableInformer(0);
    if (CacheTrim.ENABLED) {
      informer.itemStore(new CacheTrim.Store<>(CacheTrim::metadataOnly)); // only the labels are read
    }
    namespaces = informer.addEventHandler(new ResourceEventHandler<>() {
      @Override
      public void onAdd(Namespace namespace) {
        labelled(namespace);
      }

      @Override
      public void onUpdate(Namespace old, Namespace namespace) {
        labelled(namespace);
      }

      @Override
      public void onDelete(Namespace namespace, boolean unknownFinalState) {
        namespaceLabels.remove(namespace.getMetadata().getName());
      }
    });
    namespaces.run();
  }

  private void labelled(Namespace namespace) {
    Map<String, String> labels = namespace.getMetadata().getLabels() == null ? Map.of()
        : Map.copyOf(namespace.getMetadata().getLabels());
    Map<String, String> before = namespaceLabels.put(namespace.getMetadata().getName(), labels);
    if (before != null && !before.equals(labels)) {
      onNamespaceChange.accept(namespace.getMetadata().getName());
    }
  }

  @Override
  public void wakeUpWith(Consumer<Predicate<ApiKey>> wake) {
    this.onWorkspaceChange = id -> wake.accept(apiKey -> idFor(apiKey).equals(id));
    this.onNamespaceChange = namespace -> wake.accept(apiKey -> namespace.equals(apiKey.getMetadata().getNamespace()));
  }

  /** A workspace controller's cache, to tell whether a workspace exists. */
  void cache(String kind, Function<WorkspaceId, Optional<HasMetadata>> cache) {
    caches.put(kind, cache);
  }

  /** The reference an ApiKey resolves to: its spec.workspaceRef, else the default ClusterWorkspace. */
  public WorkspaceRef refFor(ApiKey apiKey) {
    WorkspaceRef ref = apiKey.getSpec() == null ? null : apiKey.getSpec().getWorkspaceRef();
    return ref != null && ref.getKind() != null && ref.getName() != null
        ? ref : new WorkspaceRef(WorkspaceRef.CLUSTER_WORKSPACE, defaultWorkspace);
  }

  /** The workspace an ApiKey's reference names. */
  public WorkspaceId idFor(ApiKey apiKey) {
    return WorkspaceId.of(refFor(apiKey), apiKey);
  }

  @Override
  public Target target(ApiKey apiKey, Instant now) {
    WorkspaceRef ref = refFor(apiKey);
    WorkspaceId id = WorkspaceId.of(ref, apiKey);
    Optional<HasMetadata> resource = Optional.ofNullable(caches.get(id.kind())).flatMap(c -> c.apply(id));
    if (resource.isEmpty()) {
      Entry gone = entries.remove(id);
      if (gone != null) {
        gone.close();
      }
      return new Target(ref, false, id + " does not exist", null, "", Optional.empty(), null, null);
    }
    Entry entry = entries.get(id);
    if (entry == null || !Objects.equals(entry.uid, resource.get().getMetadata().getUid()) || entry.state == null
        || entry.state.ready() == null) {
      return new Target(ref, true, id + " has not been checked yet", entry == null ? null : entry.client, "",
          Optional.empty(), null, null);
    }
    String prefix = entry.spec.effectivePrefix();
    Duration poll = entry.spec.getPollInterval() == null ? null : GoDuration.parse(entry.spec.getPollInterval());
    // unreachable says nothing about the key or the policy: ApiKeys still try, and their own failed calls report
    // IdmelonUnavailable and back off, each workspace on its own client
    if (!entry.state.ready() && !WorkspaceReasons.UNREACHABLE.equals(entry.state.reason())) {
      return new Target(ref, true, id + " is not Ready (" + entry.state.reason() + "): " + entry.state.message(),
          entry.client, prefix, Optional.empty(), poll, null);
    }
    String namespace = apiKey.getMetadata().getNamespace();
    Optional<String> denial;
    try {
      denial = apiKey.getSpec() == null ? Optional.empty()
          : Policy.denial(id.toString(), entry.spec, namespace, namespaceLabels.getOrDefault(namespace, Map.of()),
              apiKey.getSpec(), now);
    } catch (RuntimeException unreadable) {
      // an expiresAt or duration that does not parse: the spec validation reports it, and nothing is issued
      denial = Optional.empty();
    }
    return new Target(ref, true, null, entry.client, prefix, denial, poll, rotationSince(resource.get()));
  }

  /** When the workspace's emergency rotation started, from its status (written by its reconciler); else null. */
  static Instant rotationSince(HasMetadata workspace) {
    if (workspace instanceof io.fabric8.kubernetes.client.CustomResource<?, ?> resource
        && resource.getStatus() instanceof com.idmelon.operator.crd.v1alpha1.WorkspaceStatus status
        && status.getRotation() != null && status.getRotation().getStartedAt() != null) {
      try {
        return Instant.parse(status.getRotation().getStartedAt());
      } catch (java.time.format.DateTimeParseException e) {
        return null;
      }
    }
    return null;
  }

  /** Wakes the ApiKeys of a workspace (an emergency rotation started). */
  void wake(WorkspaceId id) {
    onWorkspaceChange.accept(id);
  }

  @Override
  public boolean confirmedMissing(ApiKey apiKey) {
    WorkspaceRef ref = refFor(apiKey);
    try {
      return ref.isCluster()
          ? kubernetes.resources(ClusterWorkspace.class).withName(ref.getName()).get() == null
          : kubernetes.resources(Workspace.class).inNamespace(apiKey.getMetadata().getNamespace())
              .withName(ref.getName()).get() == null;
    } catch (KubernetesClientException e) {
      return false; // not known: keep waiting
    }
  }

  /**
   * The workspace's connection for its current spec: the same client while the spec is unchanged, a new one
   * (and a new watch of its Secret) when it changed.
   */
  synchronized Connection connect(HasMetadata workspace, WorkspaceSpecBase spec, URI baseUrl, String secretNamespace,
      Runnable onSecretChange) {
    WorkspaceId id = WorkspaceId.of(workspace);
    String specJson = Serialization.asJson(spec);
    Entry current = entries.get(id);
    if (current != null && current.uid.equals(workspace.getMetadata().getUid()) && current.specJson.equals(specJson)) {
      return new Connection(current.client, current.adminKey);
    }
    AdminKeySecret adminKey = new AdminKeySecret(kubernetes, secretNamespace, spec.getAdminKeySecretRef().getName(),
        spec.getAdminKeySecretRef().effectiveKey(), onSecretChange);
    String path = spec.getApiKeysPath() == null ? DEFAULT_KEYS_PATH : spec.getApiKeysPath();
    HttpIdmelonClient client = new HttpIdmelonClient(baseUrl, path, adminKey, settings.connectTimeout(),
        settings.requestTimeout(), settings.clock(), settings.maxRetryAfter())
        .observedBy(settings.observer());
    Entry fresh = new Entry(workspace.getMetadata().getUid(), specJson, spec, adminKey, client,
        current == null ? null : current.state);
    entries.put(id, fresh);
    if (current != null) {
      current.close();
      onWorkspaceChange.accept(id); // a changed policy or prefix concerns its ApiKeys at once (a denial may lift)
    }
    log.info("{}: IDmelon client for {}", id, baseUrl);
    return new Connection(client, adminKey);
  }

  /** A workspace's client and Admin key, as the workspace reconciler checks them. */
  record Connection(HttpIdmelonClient client, AdminKeySecret adminKey) {}

  /** Forgets (and stops watching the Secrets of) workspaces that no longer exist. */
  synchronized void sweep() {
    entries.keySet().removeIf(id -> {
      Function<WorkspaceId, Optional<HasMetadata>> cache = caches.get(id.kind());
      if (cache == null || cache.apply(id).isPresent()) {
        return false;
      }
      Entry gone = entries.get(id);
      if (gone != null) {
        gone.close();
      }
      return true;
    });
  }

  /** Records a workspace's check; a change of readiness wakes its ApiKeys. */
  void report(WorkspaceId id, boolean ready, String reason, String message) {
    Entry entry = entries.get(id);
    if (entry == null) {
      return;
    }
    State before = entry.state;
    entry.state = new State(id, ready, reason, message);
    if (before == null || !Objects.equals(before.ready(), ready) || !Objects.equals(before.reason(), reason)) {
      log.info("{}: {} ({}){}", id, ready ? "Ready" : "not Ready", reason, ready ? "" : ": " + message);
      onWorkspaceChange.accept(id);
    }
  }

  /** An unusable spec: no client at all until it is fixed. */
  synchronized void invalid(HasMetadata workspace, WorkspaceSpecBase spec, String message) {
    WorkspaceId id = WorkspaceId.of(workspace);
    Entry current = entries.put(id, new Entry(workspace.getMetadata().getUid(), "", spec, null, null,
        new State(id, false, WorkspaceReasons.INVALID_SPEC, message)));
    if (current != null) {
      current.close();
    }
    if (current == null || current.state == null || !WorkspaceReasons.INVALID_SPEC.equals(current.state.reason())) {
      onWorkspaceChange.accept(id);
    }
  }

  /** A Secret the operator just wrote: if a workspace reads its Admin key from it, the new key is used at once. */
  @Override
  public void secretWritten(Secret secret) {
    for (Entry entry : entries.values()) {
      if (entry.adminKey != null
          && entry.adminKey.isFor(secret.getMetadata().getNamespace(), secret.getMetadata().getName())) {
        entry.adminKey.observed(secret);
      }
    }
  }

  /** Every workspace the operator has checked (for metrics). */
  public Stream<State> states() {
    return entries.values().stream().map(e -> e.state).filter(Objects::nonNull);
  }

  @Override
  public synchronized void close() {
    entries.values().forEach(Entry::close);
    entries.clear();
    if (namespaces != null) {
      namespaces.close();
      namespaces = null;
    }
  }
}
