package com.idmelon.operator.idmelon;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A plain HTTP server on 127.0.0.1 that answers what a test scripts: for answers the simulator cannot give (an
 * oversized body, an unreadable entry, a strange header, a redirect). It remembers every request it received.
 */
final class ScriptedServer implements AutoCloseable {
  /** One request as received; {@code authorization} is null when the header was absent. */
  record Received(String method, String path, String authorization, String body) {}

  @FunctionalInterface
  interface Answer {
    void answer(HttpExchange exchange) throws IOException;
  }

  private final HttpServer server;
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
    Thread thread = new Thread(r, "scripted-server");
    thread.setDaemon(true);
    return thread;
  });

  ScriptedServer(Answer answer) throws IOException {
    this(InetAddress.getLoopbackAddress(), answer);
  }

  /** On another address, e.g. 127.0.0.2: another host as far as an HTTP client can tell. */
  ScriptedServer(InetAddress address, Answer answer) throws IOException {
    server = HttpServer.create(new InetSocketAddress(address, 0), 16);
    server.createContext("/", exchange -> {
      try (exchange) {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        received.add(new Received(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
            exchange.getRequestHeaders().getFirst("Authorization"), body));
        answer.answer(exchange);
      }
    });
    server.setExecutor(executor); // an answer that blocks must not block the server's dispatcher
    server.start();
  }

  /** Answers {@code status} with {@code body} as JSON to every request. */
  static ScriptedServer json(int status, String body) throws IOException {
    return new ScriptedServer(exchange -> send(exchange, status, body));
  }

  static void send(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      exchange.getResponseBody().write(bytes);
    }
  }

  URI baseUrl() {
    return URI.create("http://" + server.getAddress().getAddress().getHostAddress() + ":" + server.getAddress().getPort());
  }

  List<Received> received() {
    return List.copyOf(received);
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
