package com.idmelon.operator.observability;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * Serves {@code /metrics} (Prometheus text format), {@code /healthz} (liveness: the process answers) and
 * {@code /readyz} (readiness: 503 with the reason while not ready).
 */
public final class HealthServer implements AutoCloseable {
  private final HttpServer server;

  /** @param notReadyBecause empty when ready, else why not */
  public HealthServer(int port, OperatorMetrics metrics, Supplier<Optional<String>> notReadyBecause) throws IOException {
    server = HttpServer.create(new InetSocketAddress(port), 16);
    server.setExecutor(Executors.newFixedThreadPool(2, r -> {
      Thread thread = new Thread(r, "health-server");
      thread.setDaemon(true);
      return thread;
    }));
    server.createContext("/metrics", exchange ->
        respond(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape()));
    server.createContext("/healthz", exchange -> respond(exchange, 200, "text/plain", "ok\n"));
    server.createContext("/readyz", exchange -> {
      Optional<String> problem = notReadyBecause.get();
      respond(exchange, problem.isPresent() ? 503 : 200, "text/plain", problem.map(p -> p + "\n").orElse("ready\n"));
    });
    server.start();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private static void respond(HttpExchange exchange, int status, String type, String body) throws IOException {
    try (exchange) {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", type);
      exchange.sendResponseHeaders(status, bytes.length);
      exchange.getResponseBody().write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
