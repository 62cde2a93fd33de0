package com.idmelon.operator.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.idmelon.operator.idmelon.SecretValue;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** The simulator's own endpoints (faults switched at run time, whoami for any live key) and the faults they inject. */
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
  void aRequestLimitAdmitsItsBurstThenAnswers429UntilTheNextToken() throws Exception {
    try (IdmelonSimulator simulator = IdmelonSimulator.builder(SecretValue.of("boot")).start()) {
      String keys = simulator.keysPath();
      String set = send(simulator, "POST", "/_simulator/faults", "boot",
          "{\"rateLimitPerSecond\":0.25,\"rateLimitBurst\":2}").body();
      assertTrue(set.contains("requestLimit=0.25/s burst 2"), set);
      assertEquals(200, send(simulator, "GET", keys, "boot", null).statusCode());
      assertEquals(201, send(simulator, "POST", keys, "boot", "{\"name\":\"c\",\"type\":\"Clients\"}").statusCode());
      HttpResponse<String> limited = send(simulator, "GET", keys, "boot", null);
      assertEquals(429, limited.statusCode(), "lists spend tokens like every other call");
      assertEquals("4", limited.headers().firstValue("Retry-After").orElseThrow(),
          "the next token is just under 4 s away at 0.25/s: whole seconds, rounded up");
      assertTrue(send(simulator, "GET", "/_simulator/stats", "boot", null).body().contains("\"tooManyRequests\":1"));

      String cleared = send(simulator, "POST", "/_simulator/faults", "boot", "{}").body();
      assertFalse(cleared.contains("requestLimit"), cleared);
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

  private static String valueOf(HttpResponse<String> answer) {
    return answer.body().replaceAll(".*\"key\":\"([^\"]+)\".*", "$1");
  }

  private static String idOf(HttpResponse<String> answer) {
    return answer.body().replaceAll(".*\"id\":\"([^\"]+)\".*", "$1");
  }

  private HttpResponse<String> create(IdmelonSimulator simulator, String name, String type) throws Exception {
    HttpResponse<String> created = send(simulator, "POST", simulator.keysPath(), "boot",
        "{\"name\":\"" + name + "\",\"type\":\"" + type + "\",\"expiresAt\":null}");
    assertEquals(201, created.statusCode());
    return created;
  }

  private void loseAnswers(IdmelonSimulator simulator) throws Exception {
    assertEquals(200, send(simulator, "POST", "/_simulator/faults", "boot", "{\"loseAnswerRate\":1.0}").statusCode());
  }

  private void clearFaults(IdmelonSimulator simulator) throws Exception {
    assertEquals(200, send(simulator, "POST", "/_simulator/faults", "boot", "{}").statusCode());
  }

  @Test
  void aCreateWhoseAnswerIsLostStillCreatedTheKey() throws Exception {
    try (IdmelonSimulator simulator = IdmelonSimulator.builder(SecretValue.of("boot")).start()) {
      loseAnswers(simulator);
      assertThrows(IOException.class, () -> send(simulator, "POST", simulator.keysPath(), "boot",
          "{\"name\":\"lost-create\",\"type\":\"Clients\",\"expiresAt\":null}"));
      clearFaults(simulator);

      assertTrue(simulator.keys().stream().anyMatch(k -> k.name().equals("lost-create")),
          "the key was created although its answer never arrived");
      assertTrue(send(simulator, "GET", simulator.keysPath(), "boot", null).body().contains("\"lost-create\""));
      assertTrue(simulator.requests().stream().anyMatch(r -> r.method().equals("POST") && r.status() == 0),
          "the lost answer is logged with status 0, like a drop");
    }
  }

  @Test
  void aResetWhoseAnswerIsLostStillChangedTheValue() throws Exception {
    try (IdmelonSimulator simulator = IdmelonSimulator.builder(SecretValue.of("boot")).start()) {
      HttpResponse<String> created = create(simulator, "admin", "Admin");
      String id = idOf(created);
      String before = valueOf(created);
      assertEquals(200, send(simulator, "GET", "/_simulator/whoami", before, null).statusCode());

      loseAnswers(simulator);
      assertThrows(IOException.class,
          () -> send(simulator, "POST", simulator.keysPath() + "/" + id + "/reset", "boot", null));
      clearFaults(simulator);

      assertEquals(401, send(simulator, "GET", "/_simulator/whoami", before, null).statusCode(),
          "the old value stopped working: the reset was done");
      assertTrue(simulator.key(id).isPresent());
    }
  }

  @Test
  void aDeleteWhoseAnswerIsLostStillDeletedTheKey() throws Exception {
    try (IdmelonSimulator simulator = IdmelonSimulator.builder(SecretValue.of("boot")).start()) {
      String id = idOf(create(simulator, "doomed", "Clients"));

      loseAnswers(simulator);
      assertThrows(IOException.class, () -> send(simulator, "DELETE", simulator.keysPath() + "/" + id, "boot", null));
      clearFaults(simulator);

      assertFalse(simulator.key(id).isPresent());
      assertEquals(404, send(simulator, "GET", simulator.keysPath() + "/" + id, "boot", null).statusCode());
    }
  }

  @Test
  void aListThatOmitsEveryKeyIsEmptyWhileTheKeysStayAlive() throws Exception {
    try (IdmelonSimulator simulator = IdmelonSimulator.builder(SecretValue.of("boot")).start()) {
      String admin = valueOf(create(simulator, "admin", "Admin"));
      String client = valueOf(create(simulator, "client", "Clients"));

      assertEquals(200,
          send(simulator, "POST", "/_simulator/faults", "boot", "{\"listOmitRate\":1.0}").statusCode());
      HttpResponse<String> list = send(simulator, "GET", simulator.keysPath(), "boot", null);
      assertEquals(200, list.statusCode());
      assertEquals("[]", list.body());

      assertEquals(200, send(simulator, "GET", "/_simulator/whoami", admin, null).statusCode());
      assertEquals(200, send(simulator, "GET", "/_simulator/whoami", client, null).statusCode());
      assertEquals(200, send(simulator, "GET", simulator.keysPath(), admin, null).statusCode(),
          "the omitted Admin key still calls the API");
      assertEquals(2, simulator.keys().size());

      clearFaults(simulator);
      assertNotEquals("[]", send(simulator, "GET", simulator.keysPath(), "boot", null).body());
    }
  }

  @Test
  void theNewFaultsShowInTheFaultsAnswerAndAreClearedByTheNextPost() throws Exception {
    try (IdmelonSimulator simulator = IdmelonSimulator.builder(SecretValue.of("boot")).start()) {
      String set = send(simulator, "POST", "/_simulator/faults", "boot",
          "{\"loseAnswerRate\":0.25,\"listOmitRate\":0.5}").body();
      assertTrue(set.contains("loseAnswerRate=0.25") && set.contains("listOmitRate=0.5"), set);
      String cleared = send(simulator, "POST", "/_simulator/faults", "boot", "{}").body();
      assertTrue(cleared.contains("loseAnswerRate=0.0") && cleared.contains("listOmitRate=0.0"), cleared);
    }
  }
}
