package com.idmelon.operator.quickstart;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The embedded API server's garbage collector: deletes the objects whose owners ({@code metadata.ownerReferences})
 * are all gone, and carries out a DELETE's {@code propagationPolicy}, as a cluster's API server and
 * kube-controller-manager do.
 *
 * <ul>
 *   <li>Background (the default): once an owner is removed, its dependents are deleted, cascading; a dependent
 *       with finalizers is marked and stays until they go. A dependent with several owners goes with the last.
 *   <li>Foreground: the owner is marked and gets the {@code foregroundDeletion} finalizer; its dependents are
 *       deleted, and once those with {@code blockOwnerDeletion: true} are gone the finalizer is removed.
 *   <li>Orphan ({@code orphanDependents: true}): the owner gets the {@code orphan} finalizer; its dependents lose
 *       their ownerReferences to it, then the finalizer is removed.
 * </ul>
 *
 * <p>Like the real one it runs apart from requests: the store reports every change under its write lock
 * ({@link #observe}, a queue append), and one thread builds the owner graph from those changes and writes through
 * the dispatcher like any client (so watches see the deletions), never holding the store's lock. An ownerReference
 * resolves as on a cluster: by uid, kind and name, to a cluster-scoped owner or one in the dependent's namespace;
 * one that does not resolve counts as absent, and a dependent whose owners are all absent when it is written is
 * collected.
 */
final class GarbageCollector implements AutoCloseable {
  static final String FOREGROUND = "foregroundDeletion";
  static final String ORPHAN = "orphan";
  private static final Logger LOG = Logger.getLogger(GarbageCollector.class.getName());
  private static final int ATTEMPTS = 10;
  /** Built-in cluster-scoped kinds: an ownerReference to any other built-in kind names a namespaced owner. */
  private static final Set<String> CLUSTER_SCOPED_KINDS = Set.of("Namespace", "Node", "PersistentVolume",
      "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "StorageClass", "PriorityClass",
      "APIService", "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration", "CertificateSigningRequest",
      "RuntimeClass", "IngressClass", "VolumeAttachment", "CSIDriver", "CSINode");

  /** The deletion a thread is carrying out through the store: its policy, and the uid it must still have. */
  private record Deletion(String policy, String uid) {
  }

  private static final ThreadLocal<Deletion> DELETING = new ThreadLocal<>();

  /** A change of the store: {@code after} null is a removal, then {@code before} is what was removed. */
  private record Change(String path, String before, String after) {
  }

  private record Task(boolean orphan, String uid) {
  }

  /** What the store keeps of a change (see {@link #admit}). */
  record Admitted(GenericKubernetesResource resource, String newState) {
  }

  private final ApiServerDispatcher store;
  private final BlockingQueue<Change> changes = new LinkedBlockingQueue<>();
  private final Thread thread;
  private volatile boolean closed;

  // the owner graph: touched by the collector thread only
  private final Map<String, Node> nodes = new HashMap<>();
  private final Map<String, Set<String>> dependentsByOwner = new HashMap<>();
  private final Set<Task> work = new LinkedHashSet<>();
  private final Map<Task, Integer> deferred = new HashMap<>();
  private boolean conflicted;

  GarbageCollector(ApiServerDispatcher store) {
    this.store = store;
    this.thread = new Thread(this::run, "embedded-kubernetes-garbage-collector");
    thread.setDaemon(true);
    thread.start();
  }

  // ---- on request threads ----

  /**
   * Dispatches {@code request}; a DELETE with its propagation policy (DeleteOptions body, or the
   * {@code propagationPolicy} and {@code orphanDependents} query parameters), answered with the object as it is
   * after the request when it stays (finalizers), as an API server answers.
   */
  MockResponse dispatch(RecordedRequest request, Supplier<MockResponse> dispatch) {
    if (!"DELETE".equals(request.getMethod())) {
      return dispatch.get();
    }
    DELETING.set(new Deletion(policy(request), null));
    MockResponse response;
    try {
      response = dispatch.get();
    } finally {
      DELETING.remove();
    }
    ResourcePath path = ResourcePath.parse(request.getPath()).orElse(null);
    if (response.code() == 200 && response.getBody() != null && path != null && path.name() != null) {
      MockResponse now = store.handleGet(request.getPath().split("\\?", 2)[0]);
      try {
        if (now.code() == 200 && now.getBody() != null
            && uid(json(response.getBody().getBytes())).equals(uid(json(now.getBody().getBytes())))) {
          response.setBody(now.getBody().readUtf8());
        }
      } catch (IllegalArgumentException notAnObject) {
        // answer as the store did
      }
    }
    return response;
  }

  /** The propagation policy a DELETE asks for, or null (Background, the default of every kind served here). */
  static String policy(RecordedRequest request) {
    ResourcePath path = ResourcePath.parse(request.getPath()).orElse(null);
    String policy = path == null ? null : path.param("propagationPolicy");
    String orphan = path == null ? null : path.param("orphanDependents");
    if (request.getBody() != null && request.getBody().size() > 0) {
      JsonNode options = json(request.getBody().getBytes());
      if (options.path("propagationPolicy").isTextual()) {
        policy = options.path("propagationPolicy").asText();
      }
      if (options.path("orphanDependents").isBoolean()) {
        orphan = options.path("orphanDependents").asText();
      }
    }
    if (policy == null && orphan != null) {
      policy = Boolean.parseBoolean(orphan) ? "Orphan" : "Background";
    }
    return policy;
  }

  /**
   * Under the store's write lock, before a change is stored: what to store instead while a thread deletes through
   * the store. A deletion with the Foreground or Orphan policy marks the object with that policy's finalizer
   * instead of removing it; a collector's deletion of an object that has since been replaced (other uid) is
   * dropped: answers null.
   *
   * @return what to store, null for nothing
   */
  Admitted admit(String before, GenericKubernetesResource resource, String newState) {
    Deletion deletion = DELETING.get();
    if (deletion == null || before == null) {
      return new Admitted(resource, newState);
    }
    if (deletion.uid() != null && !deletion.uid().equals(uid(json(before.getBytes(StandardCharsets.UTF_8))))) {
      return null;
    }
    String finalizer = "Foreground".equals(deletion.policy()) ? FOREGROUND
        : "Orphan".equals(deletion.policy()) ? ORPHAN : null;
    if (finalizer == null) {
      return new Admitted(resource, newState);
    }
    ObjectNode object = (ObjectNode) json((newState == null ? before : newState).getBytes(StandardCharsets.UTF_8));
    ObjectNode metadata = metadata(object);
    if (newState == null) {
      metadata.put("deletionTimestamp", ZonedDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS)
          .format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
      metadata.put("resourceVersion", String.valueOf(store.requestResourceVersion()));
    }
    List<String> finalizers = new ArrayList<>(strings(metadata.path("finalizers")));
    finalizers.removeAll(List.of(FOREGROUND, ORPHAN));
    finalizers.add(finalizer);
    ArrayNode array = metadata.putArray("finalizers");
    finalizers.forEach(array::add);
    return new Admitted(null, object.toString());
  }

  /** Under the store's write lock, after a change: queues it for the collector. {@code after} null: removed. */
  void observe(String path, String before, String after) {
    if (!closed && !Objects.equals(before, after)) {
      changes.add(new Change(path, after == null ? before : null, after));
    }
  }

  @Override
  public void close() {
    closed = true;
    thread.interrupt();
  }

  // ---- on the collector thread ----

  private void run() {
    while (!closed) {
      try {
        apply(changes.take());
        drain();
        // a deferred task waits for a change: its write conflicted with one
        deferred.keySet().forEach(work::add);
        while (!work.isEmpty() && !closed) {
          Task task = work.iterator().next();
          work.remove(task);
          conflicted = false;
          try {
            if (task.orphan()) {
              orphanDependents(task.uid());
            } else {
              attemptToDelete(task.uid());
            }
          } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "garbage collection of " + task.uid() + " failed", e);
          }
          if (!conflicted) {
            deferred.remove(task);
          } else if (deferred.merge(task, 1, Integer::sum) > ATTEMPTS) {
            deferred.remove(task);
            LOG.warning("garbage collector gave up on " + task.uid() + " after " + ATTEMPTS + " conflicting writes");
          }
          drain();
        }
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "garbage collector: a change could not be read", e);
      }
    }
  }

  private void drain() {
    for (Change change = changes.poll(); change != null; change = changes.poll()) {
      apply(change);
    }
  }

  private void apply(Change change) {
    if (change.after() == null) {
      removed(json(change.before().getBytes(StandardCharsets.UTF_8)));
    } else {
      stored(change.path(), json(change.after().getBytes(StandardCharsets.UTF_8)));
    }
  }

  private void stored(String requestPath, JsonNode object) {
    String uid = uid(object);
    if (uid.isEmpty()) {
      return;
    }
    Node old = nodes.get(uid);
    Node node = Node.of(object, requestPath, old);
    nodes.put(uid, node);
    Set<String> oldOwners = old == null ? Set.of() : old.ownerUids();
    Set<String> newOwners = node.ownerUids();
    oldOwners.stream().filter(o -> !newOwners.contains(o)).forEach(o -> forgetDependent(o, uid));
    newOwners.forEach(o -> dependentsByOwner.computeIfAbsent(o, k -> new HashSet<>()).add(uid));

    // an owner that is absent, or does not resolve from the dependent's namespace: verify the dependent
    if (newOwners.stream().anyMatch(o -> !oldOwners.contains(o) && resolve(node.owner(o), node) == null)) {
      work.add(new Task(false, uid));
    }
    if (old != null && !old.owners.equals(node.owners)) {
      // an owner waiting for its dependents may no longer be blocked
      Set<String> owners = new HashSet<>(oldOwners);
      owners.addAll(newOwners);
      owners.stream().map(nodes::get).filter(o -> o != null && o.deletingDependents())
          .forEach(o -> work.add(new Task(false, o.uid)));
    }
    if (node.deleting && node.finalizers.contains(ORPHAN)
        && !(old != null && old.deleting && old.finalizers.contains(ORPHAN))) {
      work.add(new Task(true, uid));
    }
    if (node.deletingDependents() && !(old != null && old.deletingDependents())) {
      dependentsByOwner.getOrDefault(uid, Set.of()).forEach(d -> work.add(new Task(false, d)));
      work.add(new Task(false, uid));
    }
  }

  private void removed(JsonNode object) {
    Node node = nodes.remove(uid(object));
    if (node == null) {
      return;
    }
    for (String owner : node.ownerUids()) {
      forgetDependent(owner, node.uid);
      Node ownerNode = nodes.get(owner);
      if (ownerNode != null && ownerNode.deletingDependents()) {
        work.add(new Task(false, owner));
      }
    }
    dependentsByOwner.getOrDefault(node.uid, Set.of()).forEach(d -> work.add(new Task(false, d)));
  }

  private void forgetDependent(String owner, String dependent) {
    Set<String> dependents = dependentsByOwner.get(owner);
    if (dependents != null && dependents.remove(dependent) && dependents.isEmpty()) {
      dependentsByOwner.remove(owner);
    }
  }

  /** The garbage collector's {@code attemptToDeleteItem}: collect an object whose owners are all gone or going. */
  private void attemptToDelete(String uid) {
    Node node = nodes.get(uid);
    if (node == null) {
      return;
    }
    if (node.deleting) {
      if (node.deletingDependents()) {
        finishForegroundDeletion(node);
      }
      return;
    }
    if (node.owners.isEmpty()) {
      return;
    }
    List<Owner> solid = new ArrayList<>();
    List<Owner> gone = new ArrayList<>();
    boolean waiting = false;
    for (Owner ref : node.owners) {
      if (node.namespace.isEmpty() && ownerNamespaced(ref)) {
        return; // a cluster-scoped object cannot have a namespaced owner: the reference never resolves
      }
      Node owner = resolve(ref, node);
      if (owner == null) {
        gone.add(ref);
      } else if (owner.deletingDependents()) {
        gone.add(ref);
        waiting = true;
      } else {
        solid.add(ref);
      }
    }
    if (!solid.isEmpty()) {
      if (!gone.isEmpty()) {
        Set<String> remove = new HashSet<>();
        gone.forEach(o -> remove.add(o.uid()));
        update(node, o -> removeOwnerReferences(o, remove::contains));
      }
      return;
    }
    String policy;
    if (waiting && dependentsByOwner.containsKey(uid)) {
      policy = "Foreground";
    } else if (node.finalizers.contains(ORPHAN)) {
      policy = "Orphan";
    } else if (node.finalizers.contains(FOREGROUND)) {
      policy = "Foreground";
    } else {
      policy = "Background";
    }
    delete(node, policy);
  }

  /** An owner deleted in the foreground goes once no dependent blocks it. */
  private void finishForegroundDeletion(Node owner) {
    List<Node> blocking = dependentsByOwner.getOrDefault(owner.uid, Set.of()).stream().map(nodes::get)
        .filter(d -> d != null && d.owner(owner.uid) != null && d.owner(owner.uid).blockOwnerDeletion()).toList();
    if (blocking.isEmpty()) {
      update(owner, o -> removeFinalizer(o, FOREGROUND));
    } else {
      blocking.stream().filter(d -> !d.deletingDependents()).forEach(d -> work.add(new Task(false, d.uid)));
    }
  }

  /** An owner deleted with the Orphan policy: its dependents lose their references to it, then it goes. */
  private void orphanDependents(String uid) {
    Node owner = nodes.get(uid);
    if (owner == null || !owner.finalizers.contains(ORPHAN)) {
      return;
    }
    for (String dependent : List.copyOf(dependentsByOwner.getOrDefault(uid, Set.of()))) {
      Node node = nodes.get(dependent);
      if (node != null && !update(node, o -> removeOwnerReferences(o, uid::equals))) {
        return; // deferred: retried after the conflicting change
      }
    }
    update(owner, o -> removeFinalizer(o, ORPHAN));
  }

  private Node resolve(Owner ref, Node dependent) {
    Node owner = ref == null ? null : nodes.get(ref.uid());
    if (owner == null || !owner.kind.equals(ref.kind()) || !owner.name.equals(ref.name())
        || !group(owner.apiVersion).equals(group(ref.apiVersion()))) {
      return null;
    }
    return owner.namespace.isEmpty() || owner.namespace.equals(dependent.namespace) ? owner : null;
  }

  private boolean ownerNamespaced(Owner ref) {
    Node owner = nodes.get(ref.uid());
    if (owner != null) {
      return !owner.namespace.isEmpty();
    }
    String group = group(ref.apiVersion());
    return store.crds().all().stream().filter(c -> c.group().equals(group) && c.kind().equals(ref.kind()))
        .findFirst().map(CrdCatalog.Crd::namespaced).orElse(!CLUSTER_SCOPED_KINDS.contains(ref.kind()));
  }

  private void delete(Node node, String policy) {
    if (node.path == null) {
      return;
    }
    DELETING.set(new Deletion(policy, node.uid));
    try {
      store.handleDelete(node.path);
    } finally {
      DELETING.remove();
    }
  }

  /**
   * Reads the object, changes it with {@code change} (false: nothing to change) and writes it back with its
   * resourceVersion; a conflict defers the task. Answers whether nothing remains to be done.
   */
  private boolean update(Node node, Predicate<ObjectNode> change) {
    if (node.path == null) {
      return true;
    }
    MockResponse current = store.handleGet(node.path);
    if (current.code() != 200 || current.getBody() == null) {
      return true;
    }
    JsonNode object = json(current.getBody().getBytes());
    if (!node.uid.equals(uid(object)) || !(object instanceof ObjectNode writable) || !change.test(writable)) {
      return true;
    }
    RecordedRequest put = new RecordedRequest("HTTP/1.1", HttpMethod.PUT, node.path,
        Headers.builder().add("Content-Type", "application/json").build(),
        new Buffer(writable.toString().getBytes(StandardCharsets.UTF_8)));
    int code = store.handleUpdate(put).code();
    if (code == 409) {
      conflicted = true;
      return false;
    }
    if (code >= 300) {
      LOG.warning("garbage collector could not update " + node.path + ": " + code);
    }
    return true;
  }

  private static boolean removeOwnerReferences(ObjectNode object, Predicate<String> uid) {
    ObjectNode metadata = metadata(object);
    List<JsonNode> kept = new ArrayList<>();
    metadata.path("ownerReferences").forEach(r -> {
      if (!uid.test(r.path("uid").asText(""))) {
        kept.add(r);
      }
    });
    if (kept.size() == metadata.path("ownerReferences").size()) {
      return false;
    }
    if (kept.isEmpty()) {
      metadata.remove("ownerReferences");
    } else {
      metadata.putArray("ownerReferences").addAll(kept);
    }
    return true;
  }

  private static boolean removeFinalizer(ObjectNode object, String finalizer) {
    ObjectNode metadata = metadata(object);
    List<String> finalizers = new ArrayList<>(strings(metadata.path("finalizers")));
    if (!finalizers.remove(finalizer)) {
      return false;
    }
    ArrayNode array = metadata.putArray("finalizers");
    finalizers.forEach(array::add);
    return true;
  }

  // ---- the graph ----

  private record Owner(String uid, String apiVersion, String kind, String name, boolean blockOwnerDeletion) {
  }

  /** An object as the collector knows it. */
  private static final class Node {
    final String uid;
    final String apiVersion;
    final String kind;
    final String namespace;
    final String name;
    /** Where to read, write and delete it; null when its request path did not say. */
    final String path;
    final List<Owner> owners;
    final boolean deleting;
    final List<String> finalizers;

    private Node(JsonNode object, String path) {
      JsonNode metadata = object.path("metadata");
      this.uid = uid(object);
      this.apiVersion = object.path("apiVersion").asText("");
      this.kind = object.path("kind").asText("");
      this.namespace = metadata.path("namespace").asText("");
      this.name = metadata.path("name").asText("");
      this.path = path;
      List<Owner> refs = new ArrayList<>();
      metadata.path("ownerReferences").forEach(r -> refs.add(new Owner(r.path("uid").asText(""),
          r.path("apiVersion").asText(""), r.path("kind").asText(""), r.path("name").asText(""),
          r.path("blockOwnerDeletion").asBoolean(false))));
      this.owners = List.copyOf(refs);
      this.deleting = metadata.hasNonNull("deletionTimestamp");
      this.finalizers = strings(metadata.path("finalizers"));
    }

    static Node of(JsonNode object, String requestPath, Node old) {
      String path = ResourcePath.parse(requestPath).map(p -> {
        String namespace = object.path("metadata").path("namespace").asText("");
        return (p.group().isEmpty() ? "/api/" + p.version() : "/apis/" + p.group() + "/" + p.version())
            + (namespace.isEmpty() ? "" : "/namespaces/" + namespace) + "/" + p.plural() + "/"
            + object.path("metadata").path("name").asText("");
      }).orElse(old == null ? null : old.path);
      return new Node(object, path);
    }

    Set<String> ownerUids() {
      Set<String> uids = new HashSet<>();
      owners.forEach(o -> uids.add(o.uid()));
      return uids;
    }

    Owner owner(String uid) {
      return owners.stream().filter(o -> o.uid().equals(uid)).findFirst().orElse(null);
    }

    boolean deletingDependents() {
      return deleting && finalizers.contains(FOREGROUND);
    }
  }

  private static ObjectNode metadata(ObjectNode object) {
    return object.get("metadata") instanceof ObjectNode metadata ? metadata : object.putObject("metadata");
  }

  private static String group(String apiVersion) {
    int slash = apiVersion.indexOf('/');
    return slash < 0 ? "" : apiVersion.substring(0, slash);
  }

  private static String uid(JsonNode object) {
    return object.path("metadata").path("uid").asText("");
  }

  private static List<String> strings(JsonNode array) {
    List<String> values = new ArrayList<>();
    array.forEach(v -> values.add(v.asText()));
    return values;
  }

  private static JsonNode json(byte[] bytes) {
    try {
      return Serialization.jsonMapper().readTree(bytes);
    } catch (IOException e) {
      throw new IllegalArgumentException("not JSON", e);
    }
  }
}
