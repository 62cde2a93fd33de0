package com.idmelon.operator.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.idmelon.operator.idmelon.KeyType;
import com.idmelon.operator.idmelon.SecretValue;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real HTTP server with the semantics of IDmelon's workspace API-keys endpoint: the secret is shown only in the
 * create and reset answers and stored only as a SHA-256 hash; only Admin keys can be reset; expired keys stop
 * authenticating; every call needs a live Admin key, raw, in {@code Authorization}. Faults can be injected (see
 * {@link Faults}), among them answers lost after the operation was done and list answers that leave keys out.
 *
 * <p>Besides IDmelon's own endpoints it serves {@code /_simulator/*} for tests and the quick start: {@code whoami}
 * (is the key in {@code Authorization} live, whatever its type), {@code faults} (read or change the injected
 * faults), {@code stats} (request counts; POST clears them) and {@code keys} (every key): the last three need the
 * bootstrap admin key.
 */
public final class IdmelonSimulator implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(IdmelonSimulator.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  public static final String DEFAULT_KEYS_PATH = "/administrator/workspace/apikeys";
  public static final String STATISTICS_PATH = "/administrator/statistics/users";
  /** Requests arriving this soon after a 429 may have been sent before the client saw it. */
  public static final java.time.Duration IN_FLIGHT_GRACE = java.time.Duration.ofMillis(250);

  /** One request as the simulator saw it (arrival time), for tests and benchmarks that count calls at the server. */
  public record Request(Instant at, String method, String path, int status) {
    public boolean isMutating() {
      return !method.equals("GET");
    }
  }

  private final HttpServer server;
  private final ExecutorService executor;
  private final String keysPath;
  private final byte[] bootstrapAdminKeyHash;
  private final Clock clock;
  private final Supplier<String> keyGenerator;
  private final Faults faults;
  private final Map<String, SimulatedKey> keys = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<Request> requests = new ConcurrentLinkedQueue<>();
  private final SecureRandom random = new SecureRandom();
  private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
  private final Map<String, java.util.concurrent.atomic.LongAdder> counts = new ConcurrentHashMap<>();
  private final java.util.concurrent.atomic.LongAdder early = new java.util.concurrent.atomic.LongAdder();
  private final java.util.concurrent.atomic.LongAdder tooManyRequests = new java.util.concurrent.atomic.LongAdder();
  private volatile Instant rateLimitedAt = Instant.MIN;
  private volatile Instant rateLimitedUntil = Instant.MIN;
  private final java.util.concurrent.atomic.AtomicInteger maxInFlight = new java.util.concurrent.atomic.AtomicInteger();

  private IdmelonSimulator(Builder builder) throws IOException {
    this.keysPath = builder.keysPath;
    this.bootstrapAdminKeyHash = hash(builder.bootstrapAdminKey.reveal());
    this.clock = builder.clock;
    this.keyGenerator = builder.keyGenerator != null ? builder.keyGenerator : this::randomKey;
    this.faults = builder.faults;
    this.server = HttpServer.create(new InetSocketAddress(builder.address, builder.port), 128);
    this.executor = Executors.newFixedThreadPool(builder.threads, r -> {
      Thread t = new Thread(r, "idmelon-simulator");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
    log.info("IDmelon simulator listening on {} (keys path {})", baseUrl(), keysPath);
  }

  public static Builder builder(SecretValue bootstrapAdminKey) {
    return new Builder(bootstrapAdminKey);
  }

  /** Options of a simulator; {@link #start()} binds the port. */
  public static final class Builder {
    private final SecretValue bootstrapAdminKey;
    private InetAddress address = InetAddress.getLoopbackAddress();
    private int port;
    private String keysPath = DEFAULT_KEYS_PATH;
    private Clock clock = Clock.systemUTC();
    private Supplier<String> keyGenerator;
    private Faults faults = new Faults();
    private int threads = 16;

    private Builder(SecretValue bootstrapAdminKey) {
      this.bootstrapAdminKey = bootstrapAdminKey;
    }

    /** 0 (the default) takes a free port. */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    public Builder address(InetAddress address) {
      this.address = address;
      return this;
    }

    public Builder keysPath(String keysPath) {
      this.keysPath = keysPath.startsWith("/") ? keysPath : "/" + keysPath;
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    /** Replaces the SecureRandom key generator; tests use it to plant a known canary value. */
    public Builder keyGenerator(Supplier<String> keyGenerator) {
      this.keyGenerator = keyGenerator;
      return this;
    }

    public Builder faults(Faults faults) {
      this.faults = faults;
      return this;
    }

    public Builder threads(int threads) {
      this.threads = threads;
      return this;
    }

    public IdmelonSimulator start() throws IOException {
      return new IdmelonSimulator(this);
    }
  }

  public int port() {
    return server.getAddress().getPort();
  }

  public URI baseUrl() {
    return URI.create("http://" + server.getAddress().getAddress().getHostAddress() + ":" + port());
  }

  public String keysPath() {
    return keysPath;
  }

  public Faults faults() {
    return faults;
  }

  /** Keys that exist (not deleted), expired ones included. */
  public List<SimulatedKey> keys() {
    List<SimulatedKey> all = new ArrayList<>(keys.values());
    all.sort(Comparator.comparing(SimulatedKey::createdAt).thenComparing(SimulatedKey::id));
    return all;
  }

  public Optional<SimulatedKey> key(String id) {
    return Optional.ofNullable(keys.get(id));
  }

  /** The live, unexpired key whose secret is {@code value}, if any: what IDmelon would authenticate. */
  public Optional<SimulatedKey> authenticate(String value) {
    if (value == null || value.isEmpty()) {
      return Optional.empty();
    }
    byte[] presented = hash(value);
    Instant now = clock.instant();
    return keys.values().stream()
        .filter(k -> !k.isExpiredAt(now) && MessageDigest.isEqual(k.secretHash(), presented))
        .findFirst();
  }

  /** What an admin does in the IDmelon panel: deletes a key behind the operator's back. */
  public boolean panelDelete(String id) {
    return keys.remove(id) != null;
  }

  /** What an admin does in the IDmelon panel: ends a key's life now. */
  public void panelExpire(String id) {
    keys.computeIfPresent(id, (k, key) -> new SimulatedKey(
        key.id(), key.name(), key.type(), clock.instant(), key.createdAt(), key.secretHash()));
  }

  public List<Request> requests() {
    return List.copyOf(requests);
  }

  public void clearRequests() {
    requests.clear();
    maxInFlight.set(0);
    counts.clear();
    early.reset();
    tooManyRequests.reset();
  }

  /** Requests by operation (list, create, read, reset, delete, verify, other) since the last clear. */
  public Map<String, Long> counts() {
    Map<String, Long> result = new java.util.TreeMap<>();
    counts.forEach((k, v) -> result.put(k, v.sum()));
    return result;
  }

  /** Requests that arrived before a Retry-After the simulator announced had elapsed (in-flight ones excused). */
  public long earlyRequests() {
    return early.sum();
  }

  /** Requests answered 429 (the request limit's and injected ones) since the last clear. */
  public long tooManyRequests() {
    return tooManyRequests.sum();
  }

  private String operation(String method, String path) {
    if (path.equals(STATISTICS_PATH)) {
      return "verify";
    }
    if (path.equals(keysPath) || path.equals(keysPath + "/")) {
      return method.equals("POST") ? "create" : "list";
    }
    if (path.startsWith(keysPath + "/")) {
      return path.endsWith("/reset") ? "reset" : method.equals("DELETE") ? "delete" : "read";
    }
    return "other";
  }

  /** The most API requests served at the same time since the last {@link #clearRequests()}. */
  public int maxInFlight() {
    return maxInFlight.get();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static final java.util.Set<String> KEYS_OPERATIONS = java.util.Set.of("list", "create", "read", "reset", "delete");

  /** Set while this thread carries out an API-keys call whose answer the faults say to lose. */
  private final ThreadLocal<Boolean> answerLost = ThreadLocal.withInitial(() -> false);

  /** The API request this thread is answering, until it is recorded (HttpExchange attributes are shared). */
  private final ThreadLocal<Request> unrecorded = new ThreadLocal<>();

  /** Adds the API request being answered to {@link #requests()}, once; the simulator's own endpoints are not. */
  private void record(int status) {
    Request request = unrecorded.get();
    if (request != null) {
      unrecorded.remove();
      requests.add(new Request(request.at(), request.method(), request.path(), status));
    }
  }

  private void handle(HttpExchange exchange) throws IOException {
    Instant arrived = clock.instant();
    String method = exchange.getRequestMethod();
    String path = exchange.getRequestURI().getPath();
    int status = 500;
    if (path.startsWith("/_simulator/")) {
      try (exchange) {
        handleSimulator(exchange, method, path);
      }
      return;
    }
    unrecorded.set(new Request(arrived, method, path, 0));
    maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
    // a request arriving while a Retry-After we sent is running, and too late to have been in flight already
    if (arrived.isBefore(rateLimitedUntil) && arrived.isAfter(rateLimitedAt.plus(IN_FLIGHT_GRACE))) {
      early.increment();
    }
    String operation = operation(method, path);
    counts.computeIfAbsent(operation, k -> new java.util.concurrent.atomic.LongAdder()).increment();
    try (exchange) {
      // the workspace's request limit answers before anything else, as a gateway in front of the API would
      java.time.Duration untilToken = faults.takeToken();
      if (!untilToken.isZero()) {
        status = tooManyRequests(exchange, TokenBucket.retryAfterSeconds(untilToken), "request limit reached");
        return;
      }
      java.time.Duration latency = faults.nextLatency();
      if (!latency.isZero()) {
        Thread.sleep(latency.toMillis());
      }
      switch (faults.next()) {
        case DROP -> {
          status = 0;
          record(status);
          return; // closing the exchange without an answer drops the connection
        }
        case SERVER_ERROR -> {
          status = respond(exchange, 503, error("service unavailable (injected)"));
          return;
        }
        case RATE_LIMIT -> {
          status = tooManyRequests(exchange, faults.retryAfterSeconds(), "too many requests (injected)");
          return;
        }
        case PASS -> { }
      }
      if (!isAdmin(exchange.getRequestHeaders().getFirst("Authorization"))) {
        status = respond(exchange, 401, error("a valid Admin API key is required"));
        return;
      }
      if (KEYS_OPERATIONS.contains(operation) && faults.losesAnswer()) {
        answerLost.set(true); // the operation runs; respond() then drops the connection instead of answering
      }
      status = route(exchange, method, path);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      log.warn("simulator failed on {} {}: {}", method, path, e.toString());
      status = 500;
    } finally {
      answerLost.remove();
      inFlight.decrementAndGet();
      record(status); // no answer was sent (dropped, or the simulator failed)
    }
  }

  /** 429 with Retry-After; requests arriving before it elapsed are counted in {@link #earlyRequests()}. */
  private int tooManyRequests(HttpExchange exchange, long retryAfterSeconds, String why) throws IOException {
    Instant now = clock.instant();
    synchronized (this) {
      rateLimitedAt = now;
      Instant until = now.plusSeconds(retryAfterSeconds);
      if (until.isAfter(rateLimitedUntil)) {
        rateLimitedUntil = until;
      }
    }
    tooManyRequests.increment();
    exchange.getResponseHeaders().add("Retry-After", Long.toString(retryAfterSeconds));
    return respond(exchange, 429, error(why));
  }

  private int route(HttpExchange exchange, String method, String path) throws IOException {
    if (path.equals(STATISTICS_PATH) && method.equals("GET")) {
      ObjectNode body = JSON.createObjectNode();
      body.put("users", 0);
      return respond(exchange, 200, body);
    }
    if (path.equals(keysPath) || path.equals(keysPath + "/")) {
      return switch (method) {
        case "GET" -> list(exchange);
        case "POST" -> create(exchange);
        default -> respond(exchange, 405, error("method not allowed"));
      };
    }
    if (path.startsWith(keysPath + "/")) {
      String rest = path.substring(keysPath.length() + 1);
      if (rest.endsWith("/reset") && method.equals("POST")) {
        return reset(exchange, rest.substring(0, rest.length() - "/reset".length()));
      }
      if (!rest.contains("/")) {
        return switch (method) {
          case "GET" -> read(exchange, rest);
          case "DELETE" -> delete(exchange, rest);
          default -> respond(exchange, 405, error("method not allowed"));
        };
      }
    }
    return respond(exchange, 404, error("no such endpoint"));
  }

  private int list(HttpExchange exchange) throws IOException {
    ArrayNode array = JSON.createArrayNode();
    keys().stream().filter(k -> !faults.omitsFromList()).forEach(k -> array.add(describe(k)));
    return respond(exchange, 200, array);
  }

  private int create(HttpExchange exchange) throws IOException {
    if (faults.refusesCreates()) {
      return respond(exchange, 403, error("the workspace's plan allows no more API keys"));
    }
    JsonNode body;
    try (InputStream in = exchange.getRequestBody()) {
      body = JSON.readTree(in);
    } catch (IOException e) {
      return respond(exchange, 400, error("the body is not JSON"));
    }
    if (body == null || !body.isObject()) {
      return respond(exchange, 400, error("the body must be a JSON object"));
    }
    String name = body.path("name").asText("");
    if (name.isBlank() || name.length() > 100) {
      return respond(exchange, 422, error("name must be 1 to 100 characters"));
    }
    KeyType type;
    try {
      type = KeyType.valueOf(body.path("type").asText(""));
    } catch (IllegalArgumentException e) {
      return respond(exchange, 422, error("type must be one of Admin, SharedMobile, Clients"));
    }
    Instant expiresAt = null;
    JsonNode expiry = body.get("expiresAt");
    if (expiry != null && !expiry.isNull()) {
      try {
        expiresAt = OffsetDateTime.parse(expiry.asText()).toInstant();
      } catch (DateTimeParseException e) {
        return respond(exchange, 422, error("expiresAt must be an RFC 3339 timestamp"));
      }
      if (!expiresAt.isAfter(clock.instant())) {
        return respond(exchange, 422, error("expiresAt must be in the future"));
      }
    }
    String value = keyGenerator.get();
    SimulatedKey key = new SimulatedKey(newId(), name, type, expiresAt, clock.instant(), hash(value));
    keys.put(key.id(), key);
    ObjectNode answer = describe(key);
    answer.put("key", value);
    return respond(exchange, 201, answer);
  }

  private int read(HttpExchange exchange, String id) throws IOException {
    SimulatedKey key = keys.get(id);
    return key == null ? respond(exchange, 404, error("no such key")) : respond(exchange, 200, describe(key));
  }

  private int reset(HttpExchange exchange, String id) throws IOException {
    String value = keyGenerator.get();
    SimulatedKey[] updated = new SimulatedKey[1];
    keys.computeIfPresent(id, (k, key) -> {
      if (key.type() != KeyType.Admin) {
        return key;
      }
      updated[0] = new SimulatedKey(key.id(), key.name(), key.type(), key.expiresAt(), key.createdAt(), hash(value));
      return updated[0];
    });
    SimulatedKey current = keys.get(id);
    if (current == null) {
      return respond(exchange, 404, error("no such key"));
    }
    if (updated[0] == null) {
      return respond(exchange, 400, error("only Admin keys can be reset"));
    }
    ObjectNode answer = describe(updated[0]);
    answer.put("key", value);
    return respond(exchange, 200, answer);
  }

  private int delete(HttpExchange exchange, String id) throws IOException {
    if (keys.remove(id) == null) {
      return respond(exchange, 404, error("no such key"));
    }
    if (loseAnswer()) {
      return 0;
    }
    record(204);
    exchange.sendResponseHeaders(204, -1);
    return 204;
  }

  private int handleSimulator(HttpExchange exchange, String method, String path) throws IOException {
    String authorization = exchange.getRequestHeaders().getFirst("Authorization");
    if (path.equals("/_simulator/whoami") && method.equals("GET")) {
      Optional<SimulatedKey> key = authenticate(authorization);
      if (key.isEmpty()) {
        return respond(exchange, 401, error("not a live key"));
      }
      ObjectNode body = JSON.createObjectNode();
      body.put("id", key.get().id());
      body.put("type", key.get().type().name());
      return respond(exchange, 200, body);
    }
    if (path.startsWith("/_simulator/stats") || path.equals("/_simulator/keys")) {
      if (!isBootstrap(authorization)) {
        return respond(exchange, 401, error("the bootstrap admin key is required"));
      }
      if (path.equals("/_simulator/keys")) {
        ArrayNode array = JSON.createArrayNode();
        keys().forEach(k -> array.add(describe(k)));
        return respond(exchange, 200, array);
      }
      ObjectNode stats = JSON.createObjectNode();
      ObjectNode byOperation = stats.putObject("requests");
      counts().forEach(byOperation::put);
      stats.put("earlyRequests", earlyRequests());
      stats.put("tooManyRequests", tooManyRequests());
      stats.put("liveKeys", keys.size());
      stats.put("maxInFlight", maxInFlight());
      if (method.equals("POST")) {
        clearRequests(); // after the snapshot: POST answers the counts it clears
      }
      return respond(exchange, 200, stats);
    }
    if (path.equals("/_simulator/faults")) {
      if (!isBootstrap(authorization)) {
        return respond(exchange, 401, error("the bootstrap admin key is required"));
      }
      if (method.equals("POST")) {
        JsonNode body = JSON.readTree(exchange.getRequestBody());
        Faults changed = faults.clear();
        changed.latency(
            java.time.Duration.ofMillis(body.path("minLatencyMs").asLong(0)),
            java.time.Duration.ofMillis(body.path("maxLatencyMs").asLong(body.path("minLatencyMs").asLong(0))));
        changed.errorRate(body.path("errorRate").asDouble(0));
        changed.rateLimit(body.path("rateLimitRate").asDouble(0), body.path("retryAfterSeconds").asInt(1));
        double perSecond = body.path("rateLimitPerSecond").asDouble(0);
        changed.requestLimit(perSecond, body.path("rateLimitBurst").asInt((int) Math.ceil(perSecond)));
        changed.dropRate(body.path("dropRate").asDouble(0));
        changed.outage(body.path("outage").asBoolean(false));
        changed.loseAnswerRate(body.path("loseAnswerRate").asDouble(0));
        changed.listOmitRate(body.path("listOmitRate").asDouble(0));
        log.info("simulator faults now: {}", faults);
      }
      ObjectNode answer = JSON.createObjectNode();
      answer.put("faults", faults.toString());
      return respond(exchange, 200, answer);
    }
    return respond(exchange, 404, error("no such endpoint"));
  }

  private boolean isBootstrap(String authorization) {
    return authorization != null && MessageDigest.isEqual(bootstrapAdminKeyHash, hash(authorization));
  }

  private boolean isAdmin(String authorization) {
    if (authorization == null || authorization.isEmpty()) {
      return false;
    }
    return isBootstrap(authorization)
        || authenticate(authorization).map(k -> k.type() == KeyType.Admin).orElse(false);
  }

  private ObjectNode describe(SimulatedKey key) {
    ObjectNode node = JSON.createObjectNode();
    node.put("id", key.id());
    node.put("name", key.name());
    node.put("type", key.type().name());
    if (key.expiresAt() == null) {
      node.putNull("expiresAt");
    } else {
      node.put("expiresAt", key.expiresAt().toString());
    }
    node.put("createdAt", key.createdAt().toString());
    return node;
  }

  private static ObjectNode error(String message) {
    ObjectNode node = JSON.createObjectNode();
    node.put("message", message);
    return node;
  }

  /**
   * If this call's answer is to be lost, records it with status 0 and says so: the caller then sends nothing, and
   * closing the exchange without an answer drops the connection.
   */
  private boolean loseAnswer() {
    if (!answerLost.get()) {
      return false;
    }
    record(0);
    return true;
  }

  private int respond(HttpExchange exchange, int status, JsonNode body) throws IOException {
    if (loseAnswer()) {
      return 0;
    }
    record(status); // before the answer leaves: a client that has it must find its request counted
    byte[] bytes = JSON.writeValueAsBytes(body);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
    return status;
  }

  private String newId() {
    byte[] bytes = new byte[8];
    random.nextBytes(bytes);
    return "k_" + HexFormat.of().formatHex(bytes);
  }

  private String randomKey() {
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    return "idm_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static byte[] hash(String value) {
    return SecretValue.sha256(value.getBytes(StandardCharsets.UTF_8));
  }
}
