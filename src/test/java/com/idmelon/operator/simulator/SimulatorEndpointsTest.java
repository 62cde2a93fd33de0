package com.idmelon.operator.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.idmelon.operator.idmelon.SecretValue;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** The simulator's own endpoints: faults switched at run time, and whoami for any live key. */
class SimulatorEndpointsTest {
  private final HttpClient http = HttpClient.newHttpClient();

  private HttpResponse<String> send(IdmelonSimulator simulator, String method, String path, String key, String body)
      throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(simulator.baseUrl() + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (key != null) {
      request.header("Authorization", key);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void faultsAreSwitchedAtRunTimeWithTheBootstrapKeyOnly() throws Exception {
    try (IdmelonSimulator simulator = IdmelonSimulator.builder(SecretValue.of("boot")).start()) {
      String keys = simulator.keysPath();
      assertEquals(401, send(simulator, "POST", "/_simulator/faults", "wrong", "{\"outage\":true}").statusCode());
      assertEquals(200, send(simulator, "GET", keys, "boot", null).statusCode());

      assertEquals(200, send(simulator, "POST", "/_simulator/faults", "boot", "{\"errorRate\":1.0}").statusCode());
      assertEquals(503, send(simulator, "GET", keys, "boot", null).statusCode());

      send(simulator, "POST", "/_simulator/faults", "boot", "{\"rateLimitRate\":1.0,\"retryAfterSeconds\":9}");
      HttpResponse<String> limited = send(simulator, "GET", keys, "boot", null);
      assertEquals(429, limited.statusCode());
      assertEquals("9", limited.headers().firstValue("Retry-After").orElseThrow());

      send(simulator, "POST", "/_simulator/faults", "boot", "{}");
      assertEquals(200, send(simulator, "GET", keys, "boot", null).statusCode());
    }
  }

  @Test
  void whoamiTellsWhetherAKeyOfAnyTypeIsLive() throws Exception {
    try (IdmelonSimulator simulator = IdmelonSimulator.builder(SecretValue.of("boot")).start()) {
      HttpResponse<String> created = send(simulator, "POST", simulator.keysPath(), "boot",
          "{\"name\":\"c\",\"type\":\"Clients\",\"expiresAt\":null}");
      assertEquals(201, created.statusCode());
      String value = created.body().replaceAll(".*\"key\":\"([^\"]+)\".*", "$1");
      HttpResponse<String> whoami = send(simulator, "GET", "/_simulator/whoami", value, null);
      assertEquals(200, whoami.statusCode());
      assertTrue(whoami.body().contains("\"type\":\"Clients\""));
      assertEquals(401, send(simulator, "GET", "/_simulator/whoami", "nope", null).statusCode());
      assertEquals(401, send(simulator, "GET", simulator.keysPath(), value, null).statusCode(),
          "a Clients key cannot call the admin API");
      assertTrue(!send(simulator, "GET", simulator.keysPath(), "boot", null).body().contains(value),
          "the list never shows a secret");
    }
  }
}
