package com.idmelon.operator.quickstart;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * One watch streamed over plain HTTP: chunked {@code application/json}, one event per line, flushed per event. The
 * store only queues changes here; this watch filters, converts and writes them on its connection's event loop. A
 * client that does not keep up is dropped, as the API server drops it, rather than slowing the store down.
 */
final class HttpWatch {
  /** A bookmark at {@code resourceVersion}, queued in order with the changes. */
  record Bookmark(long resourceVersion) {
  }

  private final WatchHub hub;
  private final Vertx vertx;
  private final Context context;
  private final HttpServerRequest request;
  private final HttpServerResponse response;
  private final ResourcePath path;
  private final Predicate<JsonNode> selected;
  private final Duration timeout;
  private final String accept;
  private final Queue<Object> inbox = new ConcurrentLinkedQueue<>();
  private final AtomicInteger pending = new AtomicInteger();
  private final AtomicBoolean scheduled = new AtomicBoolean();
  private final AtomicBoolean released = new AtomicBoolean();
  private volatile boolean started;
  private volatile boolean overflowed;
  // the fields below belong to the event loop
  private final ArrayDeque<JsonNode> initial = new ArrayDeque<>();
  private long after;
  private boolean first = true;
  private String apiVersion;
  private String kind;
  private long timeoutTimer = -1;
  private long bookmarkTimer = -1;

  HttpWatch(WatchHub hub, Vertx vertx, HttpServerRequest request, ResourcePath path, Predicate<JsonNode> selected,
      Duration timeout) {
    this.hub = hub;
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.request = request;
    this.response = request.response();
    this.path = path;
    this.selected = selected;
    this.timeout = timeout;
    this.accept = request.getHeader("Accept");
  }

  /** Answers a request that cannot become a watch with an API server's Status. */
  static void refuse(HttpServerRequest request, int code, String reason, String message) {
    request.response().setStatusCode(code).putHeader("Content-Type", "application/json")
        .end(WatchHub.status(code, reason, message).toString());
  }

  /** Sends one ERROR event with the 410 Expired Status and ends, as the API server does for a forgotten version. */
  void expire(String message) {
    head();
    write(event("ERROR", WatchHub.status(410, "Expired", message)));
    response.end();
  }

  /**
   * Starts streaming: {@code initial} objects as ADDED, then the queued and coming changes newer than
   * {@code resourceVersion}. On the request's event loop.
   */
  void start(long resourceVersion, List<JsonNode> initialObjects) {
    after = resourceVersion;
    initialObjects.stream().filter(selected).filter(this::named).forEach(initial::add);
    response.closeHandler(v -> release());
    response.exceptionHandler(e -> release());
    head();
    timeoutTimer = vertx.setTimer(Math.max(1, timeout.toMillis()), id -> finish());
    if ("true".equals(path.param("allowWatchBookmarks"))) {
      long every = Math.max(1, hub.bookmarkInterval().toMillis());
      bookmarkTimer = vertx.setPeriodic(every, id -> hub.bookmark(this));
    }
    started = true;
    if (response.closed()) {
      release();
    }
    schedule();
  }

  private void head() {
    response.setStatusCode(200).setChunked(true)
        .putHeader("Content-Type", "application/json")
        .putHeader("Cache-Control", "no-cache, private");
    response.writeHead();
  }

  /** From the store (under its lock) or a timer: never blocks. */
  void offer(Object item) {
    if (released.get() || overflowed) {
      return;
    }
    inbox.add(item);
    if (pending.incrementAndGet() > hub.maxPending()) {
      overflowed = true;
    }
    schedule();
  }

  private void schedule() {
    if (started && scheduled.compareAndSet(false, true)) {
      context.runOnContext(v -> drain());
    }
  }

  private void drain() {
    scheduled.set(false);
    if (released.get()) {
      return;
    }
    if (overflowed) {
      tooSlow();
      return;
    }
    while (!response.writeQueueFull()) {
      JsonNode object = initial.poll();
      if (object != null) {
        send("ADDED", object);
        continue;
      }
      Object item = inbox.poll();
      if (item == null) {
        return;
      }
      pending.decrementAndGet();
      if (item instanceof WatchHub.Change change) {
        deliver(change);
      } else if (item instanceof Bookmark bookmark) {
        bookmark(Math.max(after, bookmark.resourceVersion()));
      }
    }
    response.drainHandler(v -> schedule());
  }

  /** A change as this watch sees it: entering the selection is ADDED, leaving it DELETED, as the API server does. */
  private void deliver(WatchHub.Change change) {
    if (change.resourceVersion <= after
        || change.resource().filter(r -> r.group().equals(path.group()) && r.plural().equals(path.plural())).isEmpty()) {
      return;
    }
    JsonNode[] states = change.states();
    JsonNode before = states[0];
    JsonNode now = states[1];
    boolean was = before != null && matches(before);
    boolean is = now != null && matches(now);
    if (was && is) {
      send("MODIFIED", now);
    } else if (is) {
      send("ADDED", now);
    } else if (was) {
      ObjectNode gone = before.deepCopy();
      if (gone.path("metadata") instanceof ObjectNode metadata) {
        metadata.put("resourceVersion", Long.toString(change.resourceVersion));
      }
      send("DELETED", gone);
    }
  }

  private boolean matches(JsonNode object) {
    String namespace = object.path("metadata").path("namespace").asText(null);
    return (path.namespace() == null || path.namespace().equals(namespace)) && named(object) && selected.test(object);
  }

  private boolean named(JsonNode object) {
    return path.name() == null || path.name().equals(object.path("metadata").path("name").asText(null));
  }

  private void send(String type, JsonNode object) {
    apiVersion = object.path("apiVersion").asText(apiVersion);
    kind = object.path("kind").asText(kind);
    JsonNode shown = hub.view().view(path, accept, object, first);
    first = false;
    write(event(type, shown));
  }

  private void bookmark(long resourceVersion) {
    if (kind == null) {
      String[] resolved = hub.kind(path);
      apiVersion = resolved[0];
      kind = resolved[1];
    }
    ObjectNode object = WatchHub.JSON.createObjectNode();
    object.put("kind", kind).put("apiVersion", apiVersion);
    object.putObject("metadata").put("resourceVersion", Long.toString(resourceVersion));
    write(event("BOOKMARK", object));
  }

  private static ObjectNode event(String type, JsonNode object) {
    ObjectNode event = WatchHub.JSON.createObjectNode();
    event.put("type", type);
    event.set("object", object);
    return event;
  }

  private void write(ObjectNode event) {
    try {
      response.write(Buffer.buffer(WatchHub.JSON.writeValueAsBytes(event)).appendByte((byte) '\n'));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a watch event is not JSON", e);
    }
  }

  /** Closes a watch whose client does not read, as the API server does; the connection too if it stays stuck. */
  private void tooSlow() {
    release();
    long stuck = vertx.setTimer(10_000, id -> request.connection().close());
    response.end().onComplete(r -> vertx.cancelTimer(stuck));
  }

  /** Ends the response cleanly (timeout, too slow, server closing) and releases the watch. */
  private void finish() {
    release();
    if (!response.ended() && !response.closed()) {
      response.end();
    }
  }

  /** Forgets this watch: off the hub, timers cancelled, nothing queued kept. Idempotent, from any thread. */
  void release() {
    if (!released.compareAndSet(false, true)) {
      return;
    }
    hub.remove(this);
    if (timeoutTimer >= 0) {
      vertx.cancelTimer(timeoutTimer);
    }
    if (bookmarkTimer >= 0) {
      vertx.cancelTimer(bookmarkTimer);
    }
    inbox.clear();
    if (Vertx.currentContext() != context) {
      context.runOnContext(v -> {
        if (!response.ended() && !response.closed()) {
          response.end();
        }
      });
    }
  }
}
