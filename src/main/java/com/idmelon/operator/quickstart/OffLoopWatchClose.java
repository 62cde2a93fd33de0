package com.idmelon.operator.quickstart;

import io.fabric8.mockwebserver.http.ByteString;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A WebSocket watch of fabric8's mock, closed off the event loop. fabric8's listener, on close, waits (up to a
 * minute) for its sender thread, whose write in flight waits (up to 30 s) for the event loop that close blocks: when a
 * client closed a watch while an event was on its way to it, the whole server stood still for 30 s.
 */
final class OffLoopWatchClose extends WebSocketListener {
  private static final ExecutorService CLOSING = Executors.newCachedThreadPool(task -> {
    Thread thread = new Thread(task, "embedded-kubernetes-watch-close");
    thread.setDaemon(true);
    return thread;
  });

  private final WebSocketListener watch;

  private OffLoopWatchClose(WebSocketListener watch) {
    this.watch = watch;
  }

  /** {@code response}, its WebSocket listener (if any) closed off the event loop. */
  static MockResponse of(MockResponse response) {
    WebSocketListener listener = response.getWebSocketListener();
    return listener == null ? response : response.withWebSocketUpgrade(new OffLoopWatchClose(listener));
  }

  @Override
  public void onBeforeAccept(WebSocket webSocket, Response response) {
    watch.onBeforeAccept(webSocket, response);
  }

  @Override
  public void onOpen(WebSocket webSocket, Response response) {
    watch.onOpen(webSocket, response);
  }

  @Override
  public void onMessage(WebSocket webSocket, String text) {
    watch.onMessage(webSocket, text);
  }

  @Override
  public void onMessage(WebSocket webSocket, ByteString bytes) {
    watch.onMessage(webSocket, bytes);
  }

  @Override
  public void onMessage(WebSocket webSocket, byte[] bytes) {
    watch.onMessage(webSocket, bytes);
  }

  @Override
  public void onClosing(WebSocket webSocket, int code, String reason) {
    watch.onClosing(webSocket, code, reason);
  }

  @Override
  public void onClosed(WebSocket webSocket, int code, String reason) {
    CLOSING.execute(() -> watch.onClosed(webSocket, code, reason));
  }

  @Override
  public void onFailure(WebSocket webSocket, Throwable failure, Response response) {
    CLOSING.execute(() -> watch.onFailure(webSocket, failure, response));
  }
}
