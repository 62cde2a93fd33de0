package com.idmelon.operator.idmelon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link IdmelonClient} over {@code java.net.http}: raw admin key in {@code Authorization}, JSON, RFC 3339.
 *
 * <p>A 429 with {@code Retry-After} closes the client for that long: a rate limit is the workspace's, not one
 * key's, so until it elapses every call fails at once without a request being sent.
 */
public final class HttpIdmelonClient implements IdmelonClient {
  private static final Logger log = LoggerFactory.getLogger(HttpIdmelonClient.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String STATISTICS_PATH = "/administrator/statistics/users";
  private static final int MAX_ERROR_DETAIL = 200;

  private final URI baseUrl;
  private final String keysPath;
  private final AdminKeySource adminKey;
  private final Duration requestTimeout;
  private final HttpClient http;
  private final Clock clock;
  private volatile Instant notBefore = Instant.MIN;
  private volatile IdmelonCallObserver observer = IdmelonCallObserver.NONE;

  public HttpIdmelonClient(
      URI baseUrl, String keysPath, AdminKeySource adminKey, Duration connectTimeout, Duration requestTimeout) {
    this(baseUrl, keysPath, adminKey, connectTimeout, requestTimeout, Clock.systemUTC());
  }

  public HttpIdmelonClient(URI baseUrl, String keysPath, AdminKeySource adminKey, Duration connectTimeout,
      Duration requestTimeout, Clock clock) {
    this.clock = clock;
    this.baseUrl = stripTrailingSlash(baseUrl);
    this.keysPath = keysPath.startsWith("/") ? keysPath : "/" + keysPath;
    this.adminKey = adminKey;
    this.requestTimeout = requestTimeout;
    this.http = HttpClient.newBuilder().connectTimeout(connectTimeout).build();
  }

  /** Reports every request to {@code observer} (metrics). */
  public HttpIdmelonClient observedBy(IdmelonCallObserver observer) {
    this.observer = observer;
    return this;
  }

  @Override
  public List<IdmelonKey> list() {
    JsonNode body = send("list", "list", request(keysPath).GET(), 200);
    if (!body.isArray()) {
      throw malformed("list", "expected a JSON array");
    }
    List<IdmelonKey> keys = new ArrayList<>(body.size());
    for (JsonNode node : body) {
      keys.add(toKey("list", node));
    }
    return keys;
  }

  @Override
  public IssuedKey create(String name, KeyType type, Instant expiresAt) {
    ObjectNode payload = JSON.createObjectNode();
    payload.put("name", name);
    payload.put("type", type.name());
    payload.put("expiresAt", expiresAt == null ? null : expiresAt.toString());
    JsonNode body = send("create", "create", request(keysPath).POST(json(payload)).header("Content-Type", "application/json"), 201);
    return toIssued("create", body);
  }

  @Override
  public Optional<IdmelonKey> read(String id) {
    String operation = "read " + id;
    try {
      return Optional.of(toKey(operation, send("read", operation, request(keyPath(id)).GET(), 200)));
    } catch (IdmelonRejectedException e) {
      if (e.isNotFound()) {
        return Optional.empty();
      }
      throw e;
    }
  }

  @Override
  public IssuedKey reset(String id) {
    String operation = "reset " + id;
    JsonNode body =
        send("reset", operation, request(keyPath(id) + "/reset").POST(HttpRequest.BodyPublishers.noBody()), 200);
    return toIssued(operation, body);
  }

  @Override
  public void delete(String id) {
    String operation = "delete " + id;
    try {
      send("delete", operation, request(keyPath(id)).DELETE(), 204);
    } catch (IdmelonRejectedException e) {
      if (!e.isNotFound()) {
        throw e;
      }
      log.debug("IDmelon key {} was already gone", id);
    }
  }

  @Override
  public Duration requestTimeout() {
    return requestTimeout;
  }

  @Override
  public void verifyAdminKey() {
    send("verify", "verify admin key", request(STATISTICS_PATH).GET(), 200);
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create(baseUrl + path))
        .timeout(requestTimeout)
        .header("Accept", "application/json")
        .header("Authorization", adminKey.get().reveal());
  }

  private String keyPath(String id) {
    return keysPath + "/" + java.net.URLEncoder.encode(id, java.nio.charset.StandardCharsets.UTF_8);
  }

  private JsonNode send(String kind, String operation, HttpRequest.Builder builder, int expectedStatus) {
    Instant now = clock.instant();
    Instant resumeAt = notBefore;
    if (now.isBefore(resumeAt)) {
      throw new IdmelonUnavailableException(operation, 429, "IDmelon " + operation + " not sent: IDmelon asked to"
          + " wait until " + resumeAt + " (429 Retry-After)", Duration.between(now, resumeAt), null);
    }
    HttpRequest request = builder.build();
    HttpResponse<String> response;
    long started = System.nanoTime();
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString());
      observer.observe(kind, response.statusCode(), Duration.ofNanos(System.nanoTime() - started));
    } catch (HttpTimeoutException e) {
      observer.observe(kind, 0, Duration.ofNanos(System.nanoTime() - started));
      throw new IdmelonUnavailableException(operation, 0, "IDmelon " + operation + " timed out", null, e);
    } catch (IOException e) {
      observer.observe(kind, 0, Duration.ofNanos(System.nanoTime() - started));
      throw new IdmelonUnavailableException(
          operation, 0, "IDmelon " + operation + " failed: " + describe(e), null, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IdmelonUnavailableException(operation, 0, "IDmelon " + operation + " was interrupted", null, e);
    }
    int status = response.statusCode();
    log.debug("IDmelon {} -> {}", operation, status);
    if (status == expectedStatus) {
      return parse(operation, response.body());
    }
    String detail = errorDetail(response.body());
    String message = "IDmelon " + operation + " answered " + status + detail;
    if (status == 429) {
      Duration retryAfter = response.headers().firstValue("Retry-After").flatMap(HttpIdmelonClient::seconds).orElse(null);
      if (retryAfter != null) {
        Instant until = clock.instant().plus(retryAfter);
        synchronized (this) {
          if (until.isAfter(notBefore)) {
            notBefore = until;
          }
        }
      }
      throw new IdmelonUnavailableException(operation, status, message, retryAfter, null);
    }
    if (status >= 500 || status == 408) {
      throw new IdmelonUnavailableException(operation, status, message, null, null);
    }
    throw new IdmelonRejectedException(operation, status, message);
  }

  private static Optional<Duration> seconds(String value) {
    try {
      long seconds = Long.parseLong(value.trim());
      return seconds < 0 ? Optional.empty() : Optional.of(Duration.ofSeconds(seconds));
    } catch (NumberFormatException e) {
      return Optional.empty(); // an HTTP-date Retry-After is rare from APIs; fall back to our own backoff
    }
  }

  /** Error answers never carry key values, but we still only quote a short {@code message} field. */
  private static String errorDetail(String body) {
    if (body == null || body.isBlank()) {
      return "";
    }
    try {
      JsonNode node = JSON.readTree(body);
      JsonNode message = node.path("message");
      if (message.isTextual()) {
        String text = message.asText();
        return ": " + (text.length() > MAX_ERROR_DETAIL ? text.substring(0, MAX_ERROR_DETAIL) + "..." : text);
      }
    } catch (IOException ignored) {
      // not JSON: say nothing rather than echo an unknown body
    }
    return "";
  }

  private static String describe(IOException e) {
    String message = e.getMessage();
    return e.getClass().getSimpleName() + (message == null ? "" : " (" + message + ")");
  }

  private static JsonNode parse(String operation, String body) {
    if (body == null || body.isBlank()) {
      return JSON.nullNode();
    }
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      throw malformed(operation, "the answer is not JSON");
    }
  }

  private IssuedKey toIssued(String operation, JsonNode node) {
    IdmelonKey key = toKey(operation, node);
    JsonNode value = node.path("key");
    if (!value.isTextual() || value.asText().isBlank()) {
      throw malformed(operation, "the answer has no key value");
    }
    return new IssuedKey(key, SecretValue.of(value.asText()));
  }

  private static IdmelonKey toKey(String operation, JsonNode node) {
    String id = node.path("id").asText(null);
    String typeName = node.path("type").asText(null);
    if (id == null || id.isBlank() || typeName == null) {
      throw malformed(operation, "a key without id or type");
    }
    KeyType type;
    try {
      type = KeyType.valueOf(typeName);
    } catch (IllegalArgumentException e) {
      throw malformed(operation, "unknown key type '" + typeName + "'");
    }
    return new IdmelonKey(
        id, node.path("name").asText(""), type, instant(operation, node, "expiresAt"), instant(operation, node, "createdAt"));
  }

  private static Instant instant(String operation, JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    try {
      return java.time.OffsetDateTime.parse(value.asText()).toInstant();
    } catch (DateTimeParseException e) {
      throw malformed(operation, field + " is not an RFC 3339 timestamp");
    }
  }

  /** An answer we cannot understand (a proxy's HTML page, a truncated body) is treated as a passing outage. */
  private static IdmelonUnavailableException malformed(String operation, String what) {
    return new IdmelonUnavailableException(
        operation, 0, "IDmelon " + operation + " gave an unexpected answer: " + what, null, null);
  }

  private static HttpRequest.BodyPublisher json(JsonNode node) {
    try {
      return HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(node));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static URI stripTrailingSlash(URI uri) {
    String text = uri.toString();
    return text.endsWith("/") ? URI.create(text.substring(0, text.length() - 1)) : uri;
  }
}
