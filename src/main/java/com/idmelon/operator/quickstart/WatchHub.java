package com.idmelon.operator.quickstart;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.mockwebserver.http.MockResponse;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;

/**
 * The embedded API server's watches over plain HTTP ({@code GET ...?watch=true}, what kubectl and client-go send),
 * with an API server's semantics: every change of the store is published here under the store's write lock, kept in
 * a bounded history for watches that resume from a {@code resourceVersion}, and streamed to each open watch as one
 * JSON event per line. fabric8 clients watch over WebSocket through fabric8's own listeners instead.
 */
public final class WatchHub {
  static final ObjectMapper JSON = new ObjectMapper();

  /**
   * What a watch sends of each object, per request (e.g. a Table row when the client asks for
   * {@code Accept: application/json;as=Table;...}). It must not modify {@code object}: watches share it.
   */
  @FunctionalInterface
  public interface ObjectView {
    /** @param firstEvent whether this is the first object event of the watch (a Table's column definitions) */
    JsonNode view(ResourcePath path, String accept, JsonNode object, boolean firstEvent);

    ObjectView IDENTITY = (path, accept, object, firstEvent) -> object;
  }

  /** One change of the store: {@code before} null for a creation, {@code after} null for a removal. */
  static final class Change {
    final long resourceVersion;
    private final String path;
    private final String before;
    private final String after;
    private volatile Optional<ResourcePath> resource;
    private volatile JsonNode[] states;

    Change(long resourceVersion, String path, String before, String after) {
      this.resourceVersion = resourceVersion;
      this.path = path;
      this.before = before;
      this.after = after;
    }

    /** The changed resource's path, parsed outside the store's lock, by the first watch that needs it. */
    Optional<ResourcePath> resource() {
      Optional<ResourcePath> parsed = resource;
      if (parsed == null) {
        parsed = ResourcePath.parse(path);
        resource = parsed;
      }
      return parsed;
    }

    /** {before, after}, parsed by the first watch that needs them (null where the object was absent). */
    JsonNode[] states() {
      JsonNode[] parsed = states;
      if (parsed == null) {
        parsed = new JsonNode[] {before == null ? null : parse(before), after == null ? null : parse(after)};
        states = parsed;
      }
      return parsed;
    }
  }

  private final ApiServerDispatcher dispatcher;
  private final Set<HttpWatch> open = new LinkedHashSet<>();
  private final ArrayDeque<Change> history = new ArrayDeque<>();
  private int historyLimit = 1024;
  /** The newest resourceVersion the history no longer holds: watches from before it are too old. */
  private long forgottenUpTo;
  /** The newest resourceVersion published; every change up to it is in the history or forgotten. */
  private long published;
  private volatile long issued;
  private volatile Duration bookmarkInterval = Duration.ofMinutes(1);
  private volatile int maxPending = 1_000;
  private volatile ObjectView view = ObjectView.IDENTITY;
  private volatile Vertx vertx;

  WatchHub(ApiServerDispatcher dispatcher) {
    this.dispatcher = dispatcher;
  }

  /** What watches send of each object (identity by default). */
  public void setObjectView(ObjectView view) {
    this.view = view == null ? ObjectView.IDENTITY : view;
  }

  /** How often watches that allow bookmarks get one (the API server: about every minute). */
  public void setBookmarkInterval(Duration interval) {
    this.bookmarkInterval = interval;
  }

  /**
   * How many changes a watch may have waiting for its client to read before it counts as too slow and is closed,
   * as the API server closes a watcher that does not keep up.
   */
  public void setMaxPending(int changes) {
    this.maxPending = Math.max(1, changes);
  }

  /** How many changes are kept for watches that resume from a resourceVersion; older ones get 410 Expired. */
  public synchronized void setHistoryLimit(int changes) {
    this.historyLimit = Math.max(1, changes);
    trim();
  }

  /** Watches streaming now. */
  public synchronized int openWatches() {
    return open.size();
  }

  int maxPending() {
    return maxPending;
  }

  ObjectView view() {
    return view;
  }

  Duration bookmarkInterval() {
    return bookmarkInterval;
  }

  ApiServerDispatcher dispatcher() {
    return dispatcher;
  }

  void attach(Vertx vertx) {
    this.vertx = vertx;
  }

  /** The store hands out {@code resourceVersion}; a change is published with the last one handed out. */
  long issued(long resourceVersion) {
    issued = resourceVersion;
    return resourceVersion;
  }

  /**
   * A change of the store, under its write lock: only appends and hands the change to the open watches, which
   * parse, filter and write it on their own threads. A removal gets a resourceVersion of its own, as in etcd.
   */
  void publish(String path, String before, String after) {
    if (before == null && after == null || before != null && before.equals(after)) {
      return;
    }
    long resourceVersion = after == null ? dispatcher.requestResourceVersion() : issued;
    Change change = new Change(resourceVersion, path, before, after);
    synchronized (this) {
      history.addLast(change);
      trim();
      published = Math.max(published, resourceVersion);
      for (HttpWatch watch : open) {
        watch.offer(change);
      }
    }
  }

  private void trim() {
    while (history.size() > historyLimit) {
      forgottenUpTo = history.removeFirst().resourceVersion;
    }
  }

  /** Whether a request is a watch over plain HTTP (a WebSocket upgrade goes to fabric8's listeners). */
  static boolean isHttpWatch(HttpServerRequest request) {
    String upgrade = request.getHeader("Upgrade");
    return request.method() == io.vertx.core.http.HttpMethod.GET
        && (upgrade == null || !upgrade.toLowerCase(java.util.Locale.ROOT).contains("websocket"))
        && ResourcePath.parse(request.uri()).map(ResourcePath::watch).orElse(false);
  }

  /** Streams the watch {@code request} asks for, on the request's own event loop. */
  void serve(HttpServerRequest request) {
    ResourcePath path = ResourcePath.parse(request.uri()).orElseThrow();
    Predicate<JsonNode> selected;
    try {
      Predicate<JsonNode> labels = Selectors.labels(path.param("labelSelector"));
      Predicate<JsonNode> fields = Selectors.fields(path.group(), path.plural(), path.param("fieldSelector"));
      selected = labels.and(fields);
    } catch (IllegalArgumentException e) {
      HttpWatch.refuse(request, 400, "BadRequest", e.getMessage());
      return;
    }
    String from = path.param("resourceVersion");
    long resumeAfter;
    try {
      resumeAfter = from == null || from.isEmpty() || from.equals("0") ? -1 : Long.parseUnsignedLong(from);
    } catch (NumberFormatException e) {
      HttpWatch.refuse(request, 400, "BadRequest", "invalid resource version: " + from);
      return;
    }
    HttpWatch watch = new HttpWatch(this, vertx, request, path, selected, timeout(path));
    if (resumeAfter >= 0) {
      String expired = resume(watch, resumeAfter);
      if (expired != null) {
        watch.expire(expired);
      } else {
        watch.start(resumeAfter, List.of());
      }
      return;
    }
    // registered before the list is read: the changes it misses wait in the watch, those it holds are skipped
    synchronized (this) {
      open.add(watch);
    }
    List<JsonNode> initial = new ArrayList<>();
    long listedAt;
    try {
      MockResponse list = dispatcher.handleGet(collection(path));
      JsonNode items = list.getBody() == null ? JSON.createObjectNode() : parse(list.getBody().getBytes());
      listedAt = items.path("metadata").path("resourceVersion").asLong(0);
      items.path("items").forEach(initial::add);
    } catch (RuntimeException e) {
      watch.release();
      HttpWatch.refuse(request, 500, "InternalError", "listing " + collection(path) + ": " + e.getMessage());
      return;
    }
    // as the API server's watch cache: what exists, in key order
    initial.sort(Comparator.comparing((JsonNode o) -> o.path("metadata").path("namespace").asText(""))
        .thenComparing(o -> o.path("metadata").path("name").asText("")));
    watch.start(listedAt, initial);
  }

  /** Registers a watch with the changes after {@code resourceVersion}; the 410 message if they are forgotten. */
  private synchronized String resume(HttpWatch watch, long resourceVersion) {
    if (resourceVersion < forgottenUpTo) {
      return "too old resource version: " + resourceVersion + " (" + forgottenUpTo + ")";
    }
    open.add(watch);
    for (Change change : history) {
      if (change.resourceVersion > resourceVersion) {
        watch.offer(change);
      }
    }
    return null;
  }

  /** Ends every open watch (the server is closing). */
  void closeAll() {
    List<HttpWatch> watches;
    synchronized (this) {
      watches = new ArrayList<>(open);
      open.clear();
    }
    watches.forEach(HttpWatch::release);
  }

  synchronized void remove(HttpWatch watch) {
    open.remove(watch);
  }

  /** A bookmark after everything published so far, in order with the changes. */
  synchronized void bookmark(HttpWatch watch) {
    if (open.contains(watch)) {
      watch.offer(new HttpWatch.Bookmark(published));
    }
  }

  /** The kind a resource path serves, for bookmarks of a watch that has seen no object yet. */
  String[] kind(ResourcePath path) {
    Optional<String> kind = dispatcher.crds().find(path).map(CrdCatalog.Crd::kind);
    if (kind.isEmpty()) {
      String groupVersion = path.group().isEmpty() ? "/api/" + path.version() : "/apis/" + path.groupVersion();
      if (ApiServerDispatcher.discovery(groupVersion) instanceof APIResourceList resources) {
        kind = resources.getResources().stream().filter(r -> r.getName().equals(path.plural()))
            .map(io.fabric8.kubernetes.api.model.APIResource::getKind).findFirst();
      }
    }
    return new String[] {path.groupVersion(), kind.orElse("")};
  }

  /** As the API server: {@code timeoutSeconds}, else a random time between 30 and 60 minutes. */
  private static Duration timeout(ResourcePath path) {
    String seconds = path.param("timeoutSeconds");
    if (seconds != null) {
      try {
        // bounded so that the timer's milliseconds cannot overflow (about 68 years is "no timeout" enough)
        return Duration.ofSeconds(Math.min(Integer.MAX_VALUE, Math.max(0, Long.parseLong(seconds))));
      } catch (NumberFormatException e) {
        // as the API server, an unreadable timeout falls back to the default
      }
    }
    return Duration.ofMinutes(30).plusSeconds(ThreadLocalRandom.current().nextLong(1800));
  }

  private static String collection(ResourcePath path) {
    String base = path.group().isEmpty() ? "/api/" + path.version() : "/apis/" + path.groupVersion();
    return base + (path.namespace() == null ? "" : "/namespaces/" + path.namespace()) + "/" + path.plural();
  }

  static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new IllegalStateException("a stored object is not JSON", e);
    }
  }

  static JsonNode parse(byte[] json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new IllegalStateException("a stored list is not JSON", e);
    }
  }

  /** A Status object as the API server writes it. */
  static ObjectNode status(int code, String reason, String message) {
    ObjectNode status = JSON.createObjectNode();
    status.put("kind", "Status").put("apiVersion", "v1");
    status.putObject("metadata");
    status.put("status", "Failure").put("message", message).put("reason", reason).put("code", code);
    return status;
  }
}
