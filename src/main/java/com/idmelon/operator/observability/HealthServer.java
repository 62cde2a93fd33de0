package com.idmelon.operator.observability;

import com.idmelon.operator.observability.EndpointServer.Request;
import com.idmelon.operator.observability.EndpointServer.Response;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The operator's endpoints: {@code /metrics} (Prometheus text format) on the metrics port, {@code /healthz}
 * (liveness: the process answers) and {@code /readyz} (readiness: 503 with the reason while not ready) on the health
 * port. Two ports let a NetworkPolicy open the probes to the kubelet and the metrics to the monitoring namespaces
 * only; the same port for both serves all three. With a {@link MetricsToken}, {@code /metrics} asks for it.
 */
public final class HealthServer implements AutoCloseable {
  private final EndpointServer metricsServer;
  private final EndpointServer healthServer;

  /** @param notReadyBecause empty when ready, else why not */
  public HealthServer(Settings settings, OperatorMetrics metrics, Supplier<Optional<String>> notReadyBecause)
      throws IOException {
    Optional<MetricsToken> token = settings.metricsToken();
    EndpointServer.Limits limits = settings.limits();
    Map<String, Function<Request, Response>> probes = Map.of(
        "/healthz", request -> Response.text(200, "ok\n"),
        "/readyz", request -> notReadyBecause.get()
            .map(problem -> Response.text(503, problem + "\n"))
            .orElse(Response.text(200, "ready\n")));
    Function<Request, Response> scrape = request -> {
      if (token.isPresent() && !token.get().allows(request.header("Authorization"))) {
        return Response.text(401, "a bearer token is required\n");
      }
      return new Response(200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape());
    };
    EndpointServer.Listener dropped = metrics::endpointConnectionDropped;
    if (settings.metricsPort() == settings.healthPort() && settings.metricsPort() != 0) {
      Map<String, Function<Request, Response>> all = new HashMap<>(probes);
      all.put("/metrics", scrape);
      metricsServer = new EndpointServer("metrics", settings.metricsPort(), all, limits, dropped);
      healthServer = metricsServer;
    } else {
      metricsServer = new EndpointServer("metrics", settings.metricsPort(), Map.of("/metrics", scrape), limits, dropped);
      try {
        healthServer = new EndpointServer("health", settings.healthPort(), probes, limits, dropped);
      } catch (IOException e) {
        metricsServer.close();
        throw e;
      }
    }
  }

  /**
   * Where and how the endpoints listen: port 0 asks for any free port (tests), equal ports share one listener; with
   * a token, {@code /metrics} asks for it.
   */
  public record Settings(int metricsPort, int healthPort, Optional<MetricsToken> metricsToken,
      EndpointServer.Limits limits) {
    public static Settings ports(int metricsPort, int healthPort) {
      return new Settings(metricsPort, healthPort, Optional.empty(), EndpointServer.Limits.DEFAULT);
    }

    public Settings withMetricsToken(MetricsToken token) {
      return new Settings(metricsPort, healthPort, Optional.of(token), limits);
    }

    public Settings withLimits(EndpointServer.Limits limits) {
      return new Settings(metricsPort, healthPort, metricsToken, limits);
    }
  }

  public int metricsPort() {
    return metricsServer.port();
  }

  public int healthPort() {
    return healthServer.port();
  }

  @Override
  public void close() {
    metricsServer.close();
    if (healthServer != metricsServer) {
      healthServer.close();
    }
  }
}
