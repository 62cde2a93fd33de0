package com.idmelon.operator.idmelon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link IdmelonClient} over {@code java.net.http}: raw admin key in {@code Authorization}, JSON, RFC 3339.
 *
 * <p>A 429 with {@code Retry-After} closes the client for that long: a rate limit is the workspace's, not one
 * key's, so no request is sent until it elapses. A Retry-After longer than {@code maxRetryAfter} is cut to it, and
 * one that is not a number of seconds is ignored. Requests are paced to the rate IDmelon admits ({@link RequestPace},
 * learned from its 429s): a call waits for its turn when it is at most {@link #queueingAtMost the queueing limit}
 * away, else fails at once, unsent, as IDmelon unavailable with the wait as its {@code retryAfter}.
 *
 * <p>What the client does not trust: key ids go into a URL only when they have IDmelon's id shape
 * ({@link IdmelonKeyId}); answers larger than {@code maxAnswerBytes} are refused without being held in memory;
 * redirects are not followed (they would carry the admin key elsewhere); one unreadable entry of a list is
 * skipped, not the whole list.
 */
public final class HttpIdmelonClient implements IdmelonClient {
  private static final Logger log = LoggerFactory.getLogger(HttpIdmelonClient.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String STATISTICS_PATH = "/administrator/statistics/users";
  private static final int MAX_ERROR_DETAIL = 200;
  /** Longer than any rate limit IDmelon plausibly means; a larger Retry-After would stall every ApiKey. */
  public static final Duration DEFAULT_MAX_RETRY_AFTER = Duration.ofMinutes(5);
  /** A list of thousands of keys is well under a megabyte. */
  public static final long DEFAULT_MAX_ANSWER_BYTES = 8L * 1024 * 1024;
  /**
   * How long a call may wait for its turn: a queue of the operator's ten reconciles at a few requests a second, plus a
   * one-second Retry-After, fits; a longer wait is better spent by the ApiKey rescheduled (its thread is free).
   */
  public static final Duration DEFAULT_QUEUEING = Duration.ofSeconds(5);

  private final URI baseUrl;
  private final String keysPath;
  private final AdminKey adminKey;
  private final Duration requestTimeout;
  private final Duration maxRetryAfter;
  private final long maxAnswerBytes;
  private final HttpClient http;
  private final Clock clock;
  private volatile Instant notBefore = Instant.MIN;
  private volatile IdmelonCallObserver observer = IdmelonCallObserver.NONE;
  private volatile int lastListSkipped;
  private final RequestPace pace = new RequestPace(System::nanoTime);
  private volatile Duration queueing = DEFAULT_QUEUEING;

  public HttpIdmelonClient(
      URI baseUrl, String keysPath, AdminKey adminKey, Duration connectTimeout, Duration requestTimeout) {
    this(baseUrl, keysPath, adminKey, connectTimeout, requestTimeout, Clock.systemUTC());
  }

  public HttpIdmelonClient(URI baseUrl, String keysPath, AdminKey adminKey, Duration connectTimeout,
      Duration requestTimeout, Clock clock) {
    this(baseUrl, keysPath, adminKey, connectTimeout, requestTimeout, clock, DEFAULT_MAX_RETRY_AFTER);
  }

  public HttpIdmelonClient(URI baseUrl, String keysPath, AdminKey adminKey, Duration connectTimeout,
      Duration requestTimeout, Clock clock, Duration maxRetryAfter) {
    this(baseUrl, keysPath, adminKey, connectTimeout, requestTimeout, clock, maxRetryAfter, DEFAULT_MAX_ANSWER_BYTES);
  }

  /**
   * @param maxRetryAfter the longest wait a 429's Retry-After may impose; a longer one is cut to it
   * @param maxAnswerBytes the largest answer body read; a larger answer fails the call as unavailable
   */
  public HttpIdmelonClient(URI baseUrl, String keysPath, AdminKey adminKey, Duration connectTimeout,
      Duration requestTimeout, Clock clock, Duration maxRetryAfter, long maxAnswerBytes) {
    if (maxRetryAfter.isNegative() || maxAnswerBytes <= 0) {
      throw new IllegalArgumentException("maxRetryAfter must not be negative and maxAnswerBytes must be positive");
    }
    this.clock = clock;
    this.baseUrl = stripTrailingSlash(baseUrl);
    this.keysPath = keysPath.startsWith("/") ? keysPath : "/" + keysPath;
    this.adminKey = adminKey;
    this.requestTimeout = requestTimeout;
    this.maxRetryAfter = maxRetryAfter;
    this.maxAnswerBytes = maxAnswerBytes;
    // never follow a redirect: it would send the admin key in Authorization to whatever host the answer names
    this.http = HttpClient.newBuilder()
        .connectTimeout(connectTimeout)
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
  }

  /** Reports every request to {@code observer} (metrics). */
  public HttpIdmelonClient observedBy(IdmelonCallObserver observer) {
    this.observer = observer;
    return this;
  }

  /** The longest a call waits for its turn (a Retry-After or the pace); {@link Duration#ZERO}: never waits. */
  public HttpIdmelonClient queueingAtMost(Duration queueing) {
    this.queueing = queueing;
    return this;
  }

  /** Requests a second this client now sends at most: learned from IDmelon's 429s; 0 while none limits it. */
  public double pacedPerSecond() {
    return pace.perSecond();
  }

  @Override
  public Duration requestTimeout() {
    return requestTimeout;
  }

  @Override
  public int lastListSkipped() {
    return lastListSkipped;
  }

  @Override
  public List<IdmelonKey> list() {
    JsonNode body = send("list", "list", request(keysPath).GET(), 200);
    if (!body.isArray()) {
      throw malformed("list", "expected a JSON array");
    }
    List<IdmelonKey> keys = new ArrayList<>(body.size());
    int skipped = 0;
    for (int i = 0; i < body.size(); i++) {
      try {
        keys.add(toKey(body.get(i)));
      } catch (UnreadableKey e) {
        skipped++;
        log.warn("IDmelon list: entry {} of {} skipped: {}", i + 1, body.size(), e.getMessage());
      }
    }
    lastListSkipped = skipped;
    return keys;
  }

  @Override
  public IssuedKey create(String name, KeyType type, Instant expiresAt) {
    ObjectNode payload = JSON.createObjectNode();
    payload.put("name", name);
    payload.put("type", type.name());
    // IDmelon keeps expiries in whole seconds: 2030-03-14T09:26:53Z
    payload.put("expiresAt", expiresAt == null ? null : expiresAt.truncatedTo(ChronoUnit.SECONDS).toString());
    JsonNode body = send("create", "create", request(keysPath).POST(json(payload)).header("Content-Type", "application/json"), 201);
    return toIssued("create", body);
  }

  @Override
  public Optional<IdmelonKey> read(String id) {
    requireValidId("read", id);
    String operation = "read " + id;
    try {
      return Optional.of(key(operation, send("read", operation, request(keyPath(id)).GET(), 200)));
    } catch (IdmelonRejectedException e) {
      if (e.isNotFound()) {
        return Optional.empty();
      }
      throw e;
    }
  }

  @Override
  public IssuedKey reset(String id) {
    requireValidId("reset", id);
    String operation = "reset " + id;
    JsonNode body =
        send("reset", operation, request(keyPath(id) + "/reset").POST(HttpRequest.BodyPublishers.noBody()), 200);
    return toIssued(operation, body);
  }

  @Override
  public void delete(String id) {
    requireValidId("delete", id);
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
  public void verifyAdminKey() {
    send("verify", "verify admin key", request(STATISTICS_PATH).GET(), 200);
  }

  @Override
  public String attest(String claim) {
    return code(attestationKey(currentAdminKey()), claim);
  }

  @Override
  public boolean verify(String claim, String mac) {
    byte[] given = mac.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    byte[] current = attestationKey(currentAdminKey());
    if (java.security.MessageDigest.isEqual(code(current, claim).getBytes(java.nio.charset.StandardCharsets.UTF_8),
        given)) {
      return true;
    }
    for (byte[] earlier : earlierAttestationKeys) {
      if (java.security.MessageDigest.isEqual(code(earlier, claim).getBytes(java.nio.charset.StandardCharsets.UTF_8),
          given)) {
        return true;
      }
    }
    return false;
  }

  private String currentAdminKey() {
    try {
      return adminKey.get().reveal();
    } catch (IllegalStateException e) {
      throw new IdmelonRejectedException("attest", 0, "the workspace's Admin key cannot be read: " + e.getMessage());
    }
  }

  /**
   * The key codes are made with, derived from the Admin key (so the code never doubles as anything the Admin key
   * signs elsewhere). When the Admin key changes, the one before is remembered (the last {@value #EARLIER_KEYS}, in
   * memory only).
   */
  private synchronized byte[] attestationKey(String admin) {
    if (!admin.equals(lastAdmin)) {
      if (lastAttestationKey != null) {
        earlierAttestationKeys.addFirst(lastAttestationKey);
        while (earlierAttestationKeys.size() > EARLIER_KEYS) {
          earlierAttestationKeys.removeLast();
        }
      }
      lastAdmin = admin;
      lastAttestationKey = hmac(admin.getBytes(java.nio.charset.StandardCharsets.UTF_8),
          "idmelon-apikey-operator/attest/v1".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    return lastAttestationKey;
  }

  private static final int EARLIER_KEYS = 4;
  private String lastAdmin;
  private byte[] lastAttestationKey;
  private final java.util.concurrent.ConcurrentLinkedDeque<byte[]> earlierAttestationKeys =
      new java.util.concurrent.ConcurrentLinkedDeque<>();

  private static String code(byte[] key, String claim) {
    return java.util.Base64.getUrlEncoder().withoutPadding()
        .encodeToString(hmac(key, claim.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
  }

  private static byte[] hmac(byte[] key, byte[] message) {
    try {
      javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
      mac.init(new javax.crypto.spec.SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(message);
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e); // every Java runtime has it
    }
  }

  /** An id of another shape could change the URL (a {@code /}, {@code ..}, {@code ?}) or smuggle text into logs. */
  private static void requireValidId(String kind, String id) {
    if (IdmelonKeyId.isValid(id)) {
      return;
    }
    String shown = id == null ? "no key id" : "\"" + IdmelonKeyId.forMessage(id) + "\"";
    throw new IdmelonRejectedException(kind + " " + shown, 0, "IDmelon " + kind + " not sent: " + shown
        + " is not an IDmelon key id (1 to 128 letters, digits, '_' or '-')");
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create(baseUrl + path))
        .timeout(requestTimeout)
        .header("Accept", "application/json");
  }

  /** Only called with ids {@link IdmelonKeyId#isValid valid}, which need no escaping in a path. */
  private String keyPath(String id) {
    return keysPath + "/" + id;
  }

  private JsonNode send(String kind, String operation, HttpRequest.Builder builder, int expectedStatus) {
    awaitTurn(operation);
    long sentAt = pace.now();
    HttpRequest request;
    try {
      String admin = adminKey.get().reveal();
      attestationKey(admin); // a replaced Admin key is remembered for the markers made under it
      request = builder.header("Authorization", admin).build();
    } catch (IllegalStateException e) {
      throw new IdmelonRejectedException(operation, 0, "IDmelon " + operation + " not sent: " + e.getMessage());
    }
    HttpResponse<byte[]> response;
    long started = System.nanoTime();
    try {
      response = http.send(request, info -> new CappedBody(info, maxAnswerBytes));
      observer.observe(kind, response.statusCode(), Duration.ofNanos(System.nanoTime() - started));
    } catch (HttpTimeoutException e) {
      observer.observe(kind, 0, Duration.ofNanos(System.nanoTime() - started));
      throw new IdmelonUnavailableException(operation, 0, "IDmelon " + operation + " timed out", null, e);
    } catch (IOException e) {
      AnswerTooLarge tooLarge = AnswerTooLarge.in(e);
      if (tooLarge != null) {
        observer.observe(kind, tooLarge.status, Duration.ofNanos(System.nanoTime() - started));
        throw new IdmelonUnavailableException(operation, 0,
            "IDmelon " + operation + " answered more than " + bytes(maxAnswerBytes) + "; refused", null, null);
      }
      observer.observe(kind, 0, Duration.ofNanos(System.nanoTime() - started));
      throw new IdmelonUnavailableException(
          operation, 0, "IDmelon " + operation + " failed: " + describe(e), null, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IdmelonUnavailableException(operation, 0, "IDmelon " + operation + " was interrupted", null, e);
    }
    int status = response.statusCode();
    log.debug("IDmelon {} -> {}", operation, status);
    if (status == 429) {
      pace.limited(sentAt);
    } else {
      pace.admitted();
    }
    if (status == expectedStatus) {
      return parse(operation, response.body());
    }
    String detail = errorDetail(response.body());
    String message = "IDmelon " + operation + " answered " + status + detail;
    if (status == 429) {
      Duration retryAfter = retryAfter(operation, response.headers());
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
    if (status >= 300 && status < 400) {
      String location = response.headers().firstValue("Location")
          .map(l -> " to \"" + IdmelonKeyId.printable(l, 120) + "\"").orElse("");
      message += " (a redirect" + location + ", not followed: check the IDmelon base URL)";
    }
    throw new IdmelonRejectedException(operation, status, message);
  }

  /**
   * Waits for this call's turn, or fails it unsent when the turn is farther than {@link #queueing}. A 429 that came
   * back while it waited (another call's) closes the client: the call then takes a new turn after it.
   */
  private void awaitTurn(String operation) {
    while (true) {
      Instant now = clock.instant();
      Instant resumeAt = notBefore;
      Duration closed = now.isBefore(resumeAt) ? Duration.between(now, resumeAt) : Duration.ZERO;
      RequestPace.Turn turn = pace.take(queueing, closed);
      if (!turn.granted()) {
        throw new IdmelonUnavailableException(operation, 429, "IDmelon " + operation + " not sent: " + (closed.isZero()
            ? "the workspace's request rate is used up for " + turn.delay().toMillis() + " ms (paced to its 429s)"
            : "IDmelon asked to wait until " + resumeAt + " (429 Retry-After)"), turn.delay(), null);
      }
      if (turn.delay().isZero()) {
        return;
      }
      try {
        Thread.sleep(turn.delay().toMillis(), turn.delay().toNanosPart() % 1_000_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IdmelonUnavailableException(operation, 0, "IDmelon " + operation + " was interrupted", null, e);
      }
      if (notBefore.equals(resumeAt) || !clock.instant().isBefore(notBefore)) {
        return;
      }
    }
  }

  /** A 429's wait: whole seconds, cut to {@link #maxRetryAfter}; anything else (an HTTP-date too) is ignored. */
  private Duration retryAfter(String operation, HttpHeaders headers) {
    String value = headers.firstValue("Retry-After").map(String::trim).orElse(null);
    if (value == null) {
      return null;
    }
    if (!value.matches("[0-9]+")) {
      log.warn("IDmelon {} answered 429 with a Retry-After that is not a number of seconds (\"{}\"): ignored, "
          + "retrying with the operator's own backoff", operation, IdmelonKeyId.printable(value, 64));
      return null;
    }
    String digits = value.replaceFirst("^0+(?=.)", "");
    // more than 18 digits does not fit a long: certainly over the cap
    if (digits.length() > 18 || Duration.ofSeconds(Long.parseLong(digits)).compareTo(maxRetryAfter) > 0) {
      log.warn("IDmelon {} answered 429 with Retry-After {} s, more than the {} s allowed: waiting {} s only",
          operation, IdmelonKeyId.printable(value, 24), maxRetryAfter.toSeconds(), maxRetryAfter.toSeconds());
      return maxRetryAfter;
    }
    return Duration.ofSeconds(Long.parseLong(digits));
  }

  /** Error answers never carry key values, but we still only quote a short {@code message} field. */
  private static String errorDetail(byte[] body) {
    if (body == null || body.length == 0) {
      return "";
    }
    try {
      JsonNode node = JSON.readTree(body);
      JsonNode message = node == null ? null : node.path("message");
      if (message != null && message.isTextual()) {
        return ": " + IdmelonKeyId.printable(message.asText(), MAX_ERROR_DETAIL);
      }
    } catch (IOException ignored) {
      // not JSON: say nothing rather than echo an unknown body
    }
    return "";
  }

  private static String describe(IOException e) {
    String message = e.getMessage();
    // a server can put anything into a protocol error: printable and short, like every text from outside
    return e.getClass().getSimpleName() + (message == null ? "" : " (" + IdmelonKeyId.printable(message, 200) + ")");
  }

  private static JsonNode parse(String operation, byte[] body) {
    try {
      JsonNode node = body == null || body.length == 0 ? null : JSON.readTree(body);
      return node == null || node.isMissingNode() ? JSON.nullNode() : node;
    } catch (IOException e) {
      throw malformed(operation, "the answer is not JSON");
    }
  }

  private IssuedKey toIssued(String operation, JsonNode node) {
    IdmelonKey key = key(operation, node);
    JsonNode value = node.path("key");
    if (!value.isTextual() || value.asText().isBlank()) {
      throw malformed(operation, "the answer has no key value");
    }
    return new IssuedKey(key, SecretValue.of(value.asText()));
  }

  /** The one key of a create, reset or read answer: unreadable, the whole call fails. */
  private static IdmelonKey key(String operation, JsonNode node) {
    try {
      return toKey(node);
    } catch (UnreadableKey e) {
      throw malformed(operation, e.getMessage());
    }
  }

  private static IdmelonKey toKey(JsonNode node) throws UnreadableKey {
    if (!node.isObject()) {
      throw new UnreadableKey("not a JSON object");
    }
    JsonNode idNode = node.get("id");
    if (idNode == null || idNode.isNull()) {
      throw new UnreadableKey("a key without id");
    }
    String id = idNode.asText();
    if (!idNode.isTextual() || !IdmelonKeyId.isValid(id)) {
      throw new UnreadableKey("the id \"" + IdmelonKeyId.forMessage(id) + "\" is not an IDmelon key id");
    }
    JsonNode typeNode = node.get("type");
    if (typeNode == null || typeNode.isNull()) {
      throw new UnreadableKey("key " + id + " has no type");
    }
    KeyType type;
    try {
      type = KeyType.valueOf(typeNode.asText());
    } catch (IllegalArgumentException e) {
      throw new UnreadableKey(
          "key " + id + " has an unknown type \"" + IdmelonKeyId.printable(typeNode.asText(), 32) + "\"");
    }
    return new IdmelonKey(
        id, node.path("name").asText(""), type, instant(id, node, "expiresAt"), instant(id, node, "createdAt"));
  }

  private static Instant instant(String id, JsonNode node, String field) throws UnreadableKey {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    try {
      return java.time.OffsetDateTime.parse(value.asText()).toInstant();
    } catch (DateTimeParseException e) {
      throw new UnreadableKey("key " + id + ": " + field + " \"" + IdmelonKeyId.printable(value.asText(), 40)
          + "\" is not an RFC 3339 timestamp");
    }
  }

  /** What is wrong with one key of an answer; the message names the problem and never quotes the whole entry. */
  private static final class UnreadableKey extends Exception {
    UnreadableKey(String problem) {
      super(problem, null, false, false);
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

  static String bytes(long bytes) {
    if (bytes % (1024 * 1024) == 0) {
      return bytes / (1024 * 1024) + " MiB";
    }
    if (bytes % 1024 == 0) {
      return bytes / 1024 + " KiB";
    }
    return bytes + " bytes";
  }

  /** An answer body that went past the cap; carried through {@code HttpClient.send} as the cause of an IOException. */
  private static final class AnswerTooLarge extends IOException {
    private final int status;

    AnswerTooLarge(int status) {
      super("answer too large", null);
      this.status = status;
    }

    static AnswerTooLarge in(Throwable failure) {
      for (Throwable t = failure; t != null; t = t.getCause()) {
        if (t instanceof AnswerTooLarge tooLarge) {
          return tooLarge;
        }
      }
      return null;
    }
  }

  /**
   * Collects an answer body up to {@code max} bytes; past that it cancels the transfer (the connection is closed)
   * and fails, so no more than {@code max} bytes are ever held. A larger Content-Length fails before reading.
   */
  private static final class CappedBody implements HttpResponse.BodySubscriber<byte[]> {
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();
    private final long max;
    private final int status;
    private final long declared;
    private ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    private Flow.Subscription subscription;
    private long received;

    CappedBody(HttpResponse.ResponseInfo info, long max) {
      this.max = max;
      this.status = info.statusCode();
      this.declared = info.headers().firstValueAsLong("Content-Length").orElse(-1);
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      this.subscription = subscription;
      if (declared > max) {
        refuse();
        return;
      }
      subscription.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
      if (result.isDone()) {
        return;
      }
      for (ByteBuffer item : items) {
        received += item.remaining();
        if (received > max) {
          refuse();
          return;
        }
        byte[] chunk = new byte[item.remaining()];
        item.get(chunk);
        buffer.write(chunk, 0, chunk.length);
      }
    }

    private void refuse() {
      buffer = null;
      subscription.cancel();
      result.completeExceptionally(new AnswerTooLarge(status));
    }

    @Override
    public void onError(Throwable failure) {
      buffer = null;
      result.completeExceptionally(failure);
    }

    @Override
    public void onComplete() {
      if (!result.isDone()) {
        result.complete(buffer.toByteArray());
        buffer = null;
      }
    }

    @Override
    public CompletionStage<byte[]> getBody() {
      return result;
    }
  }
}
