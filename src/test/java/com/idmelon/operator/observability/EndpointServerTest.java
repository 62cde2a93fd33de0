package com.idmelon.operator.observability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kubelet must get its probe answered whatever other clients do: hold connections open, send half a request,
 * send too much. And /metrics is only for whom the operator is told to serve it.
 */
class EndpointServerTest {
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @Test
  void probesAnswerInTimeWhileHundredsOfIdleAndHalfSentConnectionsAreHeldOpen() throws Exception {
    OperatorMetrics metrics = new OperatorMetrics();
    try (HealthServer server = new HealthServer(HealthServer.Settings.ports(0, 0), metrics, Optional::empty)) {
      List<Socket> flood = new ArrayList<>();
      try {
        // more than the server keeps: the oldest waiting ones are evicted, never the probe that just arrived
        for (int i = 0; i < 400; i++) {
          Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.healthPort());
          if (i % 2 == 1) {
            socket.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: slow\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
          }
          flood.add(socket);
        }
        for (int probe = 0; probe < 20; probe++) {
          HttpResponse<String> healthz = get(server.healthPort(), "/healthz", null);
          assertEquals(200, healthz.statusCode());
          assertEquals("ok\n", healthz.body());
          assertEquals(200, get(server.healthPort(), "/readyz", null).statusCode());
        }
        assertEquals(200, get(server.metricsPort(), "/metrics", null).statusCode(), "metrics are served meanwhile too");
        assertTrue(metrics.scrape().contains("idmelon_endpoint_connections_dropped_total{reason=\"overflow\"}"),
            "evictions are counted");
      } finally {
        for (Socket socket : flood) {
          socket.close();
        }
      }
    }
  }

  @Test
  void idleAndSlowClientsAreCutOffAndOversizedRequestsRefused() throws Exception {
    EndpointServer.Limits limits = new EndpointServer.Limits(Duration.ofMillis(300), Duration.ofMillis(300), 8 * 1024, 256);
    try (HealthServer server = new HealthServer(HealthServer.Settings.ports(0, 0).withLimits(limits),
        new OperatorMetrics(), Optional::empty);
        Socket idle = new Socket(InetAddress.getLoopbackAddress(), server.healthPort());
        Socket slow = new Socket(InetAddress.getLoopbackAddress(), server.healthPort())) {
      slow.getOutputStream().write("GET /healthz HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));
      idle.setSoTimeout(5000);
      slow.setSoTimeout(5000);
      assertEquals(-1, idle.getInputStream().read(), "an idle connection is closed by the server");
      assertEquals(-1, slow.getInputStream().read(), "a request that never ends is closed by the server");

      try (Socket huge = new Socket(InetAddress.getLoopbackAddress(), server.healthPort())) {
        OutputStream out = huge.getOutputStream();
        out.write(("GET /healthz HTTP/1.1\r\nX-Padding: " + "a".repeat(10_000) + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
        huge.setSoTimeout(5000);
        String answer = new String(huge.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertTrue(answer.startsWith("HTTP/1.1 431 "), answer);
      }
      assertEquals(200, get(server.healthPort(), "/healthz", null).statusCode(), "and the server still answers");
    }
  }

  @Test
  void eachPortServesOnlyItsOwnEndpointsAndOnlyGetAndHead() throws Exception {
    try (HealthServer server = new HealthServer(HealthServer.Settings.ports(0, 0), new OperatorMetrics(),
        () -> Optional.of("informers not synced"))) {
      assertEquals(404, get(server.healthPort(), "/metrics", null).statusCode(), "no metrics on the probe port");
      assertEquals(404, get(server.metricsPort(), "/healthz", null).statusCode(), "no probes on the metrics port");
      HttpResponse<String> readyz = get(server.healthPort(), "/readyz?verbose", null);
      assertEquals(503, readyz.statusCode());
      assertEquals("informers not synced\n", readyz.body());
      HttpResponse<String> post = http.send(HttpRequest.newBuilder(uri(server.healthPort(), "/healthz"))
          .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(405, post.statusCode());
      HttpResponse<String> head = http.send(HttpRequest.newBuilder(uri(server.healthPort(), "/healthz"))
          .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, head.statusCode());
      assertEquals("", head.body());
      assertEquals(400, raw(server.healthPort(), "NONSENSE\r\n\r\n"));
    }
    // one port for all three, for setups that want it
    try (java.net.ServerSocket probe = new java.net.ServerSocket(0)) {
      int port = probe.getLocalPort();
      probe.close();
      try (HealthServer shared = new HealthServer(HealthServer.Settings.ports(port, port), new OperatorMetrics(),
          Optional::empty)) {
        assertEquals(200, get(port, "/metrics", null).statusCode());
        assertEquals(200, get(port, "/healthz", null).statusCode());
      }
    }
  }

  @Test
  void metricsAskForTheBearerTokenOfItsFileAndFollowItsRotation(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("token");
    Files.writeString(file, "first-token-3c1e\n");
    MetricsToken token = MetricsToken.load(file);
    try (HealthServer server = new HealthServer(HealthServer.Settings.ports(0, 0).withMetricsToken(token),
        new OperatorMetrics(), Optional::empty)) {
      HttpResponse<String> anonymous = get(server.metricsPort(), "/metrics", null);
      assertEquals(401, anonymous.statusCode());
      assertEquals(Optional.of("Bearer"), anonymous.headers().firstValue("WWW-Authenticate"));
      assertFalse(anonymous.body().contains("first-token"), "the token is never echoed");
      assertEquals(401, get(server.metricsPort(), "/metrics", "Bearer wrong").statusCode());
      assertEquals(401, get(server.metricsPort(), "/metrics", "Basic Zmlyc3QtdG9rZW4tM2MxZQ==").statusCode());
      HttpResponse<String> scraped = get(server.metricsPort(), "/metrics", "Bearer first-token-3c1e");
      assertEquals(200, scraped.statusCode());
      assertTrue(scraped.body().contains("jvm_memory_used_bytes"), "the metrics themselves");
      assertEquals(200, get(server.healthPort(), "/healthz", null).statusCode(), "probes need no token");

      // the mounted Secret is rotated: the file changes under the running operator
      Files.writeString(file, "second-token-77a0");
      Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(5)));
      assertEquals(200, get(server.metricsPort(), "/metrics", "Bearer second-token-77a0").statusCode());
      assertEquals(401, get(server.metricsPort(), "/metrics", "Bearer first-token-3c1e").statusCode());

      // a broken file keeps the last good token instead of opening the metrics to anyone or to no one
      Files.delete(file);
      assertEquals(200, get(server.metricsPort(), "/metrics", "Bearer second-token-77a0").statusCode());
      assertEquals(401, get(server.metricsPort(), "/metrics", null).statusCode());
    }
  }

  private HttpResponse<String> get(int port, String path, String authorization) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri(port, path)).timeout(Duration.ofSeconds(2));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static URI uri(int port, String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  /** Sends raw bytes and returns the status code of the answer. */
  private static int raw(int port, String request) throws IOException {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(5000);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      InputStream in = socket.getInputStream();
      String answer = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
      return Integer.parseInt(answer.substring(9, 12));
    }
  }
}
