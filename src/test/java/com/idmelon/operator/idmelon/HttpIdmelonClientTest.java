package com.idmelon.operator.idmelon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import static org.awaitility.Awaitility.await;

import com.idmelon.operator.simulator.IdmelonSimulator;
import com.idmelon.operator.support.MovableClock;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP client against the simulator over a real port: IDmelon's semantics and the error mapping; and against a
 * scripted server for the answers the simulator cannot give (oversized, unreadable, odd headers, redirects).
 */
class HttpIdmelonClientTest {
  /** Where the tests' slf4j-simple writes (src/test/resources/simplelogger.properties). */
  private static final Path LOG = Path.of("target", "test-operator.log");
  @TempDir Path dir;
  private long logMark;
  private Path adminKeyFile;
  private MovableClock clock;
  private IdmelonSimulator simulator;
  private HttpIdmelonClient client;

  @BeforeEach
  void start() throws IOException {
    adminKeyFile = dir.resolve("admin-key");
    Files.writeString(adminKeyFile, "bootstrap\n", StandardCharsets.UTF_8);
    clock = new MovableClock(Instant.parse("2026-11-27T12:00:00Z"));
    simulator = IdmelonSimulator.builder(SecretValue.of("bootstrap")).clock(clock).start();
    client = clientWith(adminKeyFile);
    logMark = Files.exists(LOG) ? Files.size(LOG) : 0; // after the simulator logged: the log file is open
  }

  /** What was logged since this test started. */
  private String loggedSince() throws IOException {
    try (RandomAccessFile file = new RandomAccessFile(LOG.toFile(), "r")) {
      byte[] bytes = new byte[(int) Math.max(0, file.length() - logMark)];
      file.seek(logMark);
      file.readFully(bytes);
      return new String(bytes, StandardCharsets.UTF_8);
    }
  }

  private HttpIdmelonClient clientOf(ScriptedServer server) {
    return new HttpIdmelonClient(server.baseUrl(), "/keys", new AdminKeySource(adminKeyFile),
        Duration.ofSeconds(2), Duration.ofSeconds(5));
  }

  private HttpIdmelonClient clientWith(Path keyFile) {
    return new HttpIdmelonClient(simulator.baseUrl(), simulator.keysPath(), new AdminKeySource(keyFile),
        Duration.ofSeconds(2), Duration.ofSeconds(5));
  }

  @AfterEach
  void stop() {
    simulator.close();
  }

  @Test
  void createdKeyIsShownOnceAndListedWithoutItsSecret() {
    IssuedKey issued = client.create("Reporting", KeyType.Admin, Instant.parse("2027-06-30T00:00:00Z"));
    assertTrue(issued.value().reveal().length() >= 40, "a long random key");
    assertEquals("Reporting", issued.key().name());
    assertEquals(Instant.parse("2027-06-30T00:00:00Z"), issued.key().expiresAt());
    assertEquals(issued.key(), client.read(issued.key().id()).orElseThrow());
    assertEquals(1, client.list().size());
    assertTrue(simulator.requests().stream().allMatch(r -> r.status() < 400));
    assertNotEquals(issued.value().reveal(), client.create("Other", KeyType.Admin, null).value().reveal());
  }

  @Test
  void resetRegeneratesAnAdminKeyAndTheOldSecretStopsWorking() {
    IssuedKey issued = client.create("Admin", KeyType.Admin, null);
    IssuedKey reset = client.reset(issued.key().id());
    assertEquals(issued.key().id(), reset.key().id());
    assertTrue(simulator.authenticate(reset.value().reveal()).isPresent());
    assertTrue(simulator.authenticate(issued.value().reveal()).isEmpty());
  }

  @Test
  void resetOfANonAdminKeyIsRefusedWith400() {
    IssuedKey issued = client.create("Clients", KeyType.Clients, null);
    IdmelonRejectedException e = assertThrows(IdmelonRejectedException.class, () -> client.reset(issued.key().id()));
    assertEquals(400, e.status());
    assertFalse(e.isTransient());
    assertTrue(e.getMessage().contains("reset " + issued.key().id()), e.getMessage());
    assertTrue(simulator.authenticate(issued.value().reveal()).isPresent(), "the key is unchanged");
  }

  @Test
  void deleteRevokesAndAMissingKeyCountsAsDeleted() {
    IssuedKey issued = client.create("Gone", KeyType.SharedMobile, null);
    client.delete(issued.key().id());
    assertTrue(client.read(issued.key().id()).isEmpty());
    assertTrue(simulator.authenticate(issued.value().reveal()).isEmpty());
    client.delete(issued.key().id()); // 404: already gone, no exception
  }

  @Test
  void expiredKeysStopAuthenticatingAndPastExpiriesAreRefused() {
    IssuedKey issued = client.create("Short", KeyType.Admin, clock.instant().plus(Duration.ofHours(1)));
    assertTrue(simulator.authenticate(issued.value().reveal()).isPresent());
    HttpIdmelonClient asIssuedKey = clientWith(writeKey("issued", issued.value().reveal()));
    asIssuedKey.verifyAdminKey(); // a live Admin key may call the statistics endpoint
    clock.advance(Duration.ofHours(2));
    assertTrue(simulator.authenticate(issued.value().reveal()).isEmpty());
    IdmelonRejectedException expired = assertThrows(IdmelonRejectedException.class, asIssuedKey::verifyAdminKey);
    assertTrue(expired.isUnauthorized());
    IdmelonRejectedException past = assertThrows(IdmelonRejectedException.class,
        () -> client.create("Past", KeyType.Admin, clock.instant().minusSeconds(1)));
    assertEquals(422, past.status());
  }

  @Test
  void onlyAnAdminKeyMayCallTheApi() {
    IssuedKey clientsKey = client.create("Clients", KeyType.Clients, null);
    for (String key : new String[] {"wrong", clientsKey.value().reveal()}) {
      HttpIdmelonClient other = clientWith(writeKey("k" + key.length(), key));
      IdmelonRejectedException e = assertThrows(IdmelonRejectedException.class, other::list);
      assertTrue(e.isUnauthorized());
      assertFalse(e.getMessage().contains(key), "the refused key is not in the message");
    }
  }

  @Test
  void rotatedAdminKeyFileIsReadAgain() throws IOException {
    IssuedKey second = client.create("Second admin", KeyType.Admin, null);
    Files.writeString(adminKeyFile, second.value().reveal(), StandardCharsets.UTF_8);
    Files.setLastModifiedTime(adminKeyFile, FileTime.from(Instant.now().plusSeconds(5)));
    client.delete(client.create("x", KeyType.Clients, null).key().id());
    assertTrue(simulator.requests().stream().allMatch(r -> r.status() < 400));
  }

  @Test
  void serverErrorsAndDroppedConnectionsAreTransient() {
    simulator.faults().errorRate(1.0);
    IdmelonException unavailable = assertThrows(IdmelonException.class, client::list);
    assertTrue(unavailable.isTransient());
    assertEquals(503, unavailable.status());

    simulator.faults().clear().dropRate(1.0);
    IdmelonException dropped = assertThrows(IdmelonException.class, client::list);
    assertTrue(dropped.isTransient());
    assertEquals(0, dropped.status());
  }

  @Test
  void retryAfterStopsEveryRequestUntilItElapses() {
    // queueing nothing: a call during the Retry-After fails at once instead of waiting for its end
    HttpIdmelonClient gated = new HttpIdmelonClient(simulator.baseUrl(), simulator.keysPath(),
        new AdminKeySource(adminKeyFile), Duration.ofSeconds(2), Duration.ofSeconds(5), clock)
        .queueingAtMost(Duration.ZERO);
    simulator.faults().rateLimit(1.0, 7);
    IdmelonException limited = assertThrows(IdmelonException.class, gated::list);
    assertTrue(limited.isTransient());
    assertEquals(429, limited.status());
    assertEquals(Duration.ofSeconds(7), limited.retryAfter().orElseThrow());
    simulator.faults().clear();
    int sent = simulator.requests().size();

    clock.advance(Duration.ofSeconds(6));
    IdmelonException waiting = assertThrows(IdmelonException.class,
        () -> gated.create("k", KeyType.Clients, null));
    assertTrue(waiting.isTransient());
    assertEquals(Duration.ofSeconds(1), waiting.retryAfter().orElseThrow(), "the rest of the wait");
    assertEquals(sent, simulator.requests().size(), "no request before Retry-After elapsed");

    clock.advance(Duration.ofSeconds(1));
    gated.create("k", KeyType.Clients, null);
    assertEquals(sent + 1, simulator.requests().size());
  }

  @Test
  void callsQueueForTheirTurnUnderARequestLimitAndNoneArrivesBeforeItsRetryAfter() throws Exception {
    // real time at both ends: the limit, the Retry-After and the pace are all about real seconds
    try (IdmelonSimulator limited = IdmelonSimulator.builder(SecretValue.of("bootstrap")).start()) {
      limited.faults().requestLimit(5, 5);
      HttpIdmelonClient paced = new HttpIdmelonClient(limited.baseUrl(), limited.keysPath(),
          new AdminKeySource(adminKeyFile), Duration.ofSeconds(2), Duration.ofSeconds(5));
      java.util.concurrent.ExecutorService callers = java.util.concurrent.Executors.newFixedThreadPool(4);
      List<java.util.concurrent.Future<Integer>> calls = new java.util.ArrayList<>();
      for (int i = 0; i < 4; i++) {
        calls.add(callers.submit(() -> {
          int refused = 0;
          for (int done = 0; done < 6; ) {
            try {
              paced.create("queued", KeyType.Clients, null);
              done++;
            } catch (IdmelonException e) {
              assertEquals(429, e.status(), e.getMessage()); // the limit, answered or not sent: nothing else
              refused++;
            }
          }
          return refused;
        }));
      }
      int refused = 0;
      for (java.util.concurrent.Future<Integer> call : calls) {
        refused += call.get(60, TimeUnit.SECONDS);
      }
      callers.shutdown();
      assertEquals(24, limited.keys().size(), "every call was carried out once");
      assertEquals(0, limited.earlyRequests(), "no request arrived before a Retry-After elapsed");
      assertTrue(paced.pacedPerSecond() > 0, "two 429s taught the client the limit");
      // after the first two 429s the calls wait for their turn: a few more 429s at most, not one per call
      assertTrue(limited.tooManyRequests() < 24, "429s: " + limited.tooManyRequests());
      assertTrue(refused <= limited.tooManyRequests(), "a refused call is a 429, never an error of its own");
    }
  }

  @Test
  void unreachableIdmelonIsTransient() throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    HttpIdmelonClient nowhere = new HttpIdmelonClient(URI.create("http://127.0.0.1:" + port), "/x",
        new AdminKeySource(adminKeyFile), Duration.ofSeconds(1), Duration.ofSeconds(1));
    IdmelonException e = assertThrows(IdmelonException.class, nowhere::list);
    assertTrue(e.isTransient());
    assertTrue(e.getMessage().startsWith("IDmelon list failed"), e.getMessage());
  }

  @Test
  void keysPathIsConfigurable() throws IOException {
    simulator.close();
    simulator = IdmelonSimulator.builder(SecretValue.of("bootstrap")).keysPath("/custom/keys").start();
    HttpIdmelonClient custom = new HttpIdmelonClient(simulator.baseUrl(), "/custom/keys",
        new AdminKeySource(adminKeyFile), Duration.ofSeconds(1), Duration.ofSeconds(2));
    assertNull(custom.create("k", KeyType.Clients, null).key().expiresAt());
    assertTrue(simulator.requests().get(0).path().startsWith("/custom/keys"));
  }

  private Path writeKey(String name, String value) {
    try {
      Path file = dir.resolve(name);
      Files.writeString(file, value, StandardCharsets.UTF_8);
      return file;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void keyIdsOfAnotherShapeAreRefusedBeforeAnyRequest() {
    String longId = "k".repeat(129);
    List<String> ids = java.util.Arrays.asList("../../statistics/users", "k_1/reset", "k_1?x=1", "a b", "%2e%2e", "",
        "k_1\n2026-01-01 INFO forged line\u001b[31m", longId, "ké", null);
    for (String id : ids) {
      for (Runnable call : List.<Runnable>of(() -> client.read(id), () -> client.reset(id), () -> client.delete(id))) {
        IdmelonRejectedException e = assertThrows(IdmelonRejectedException.class, call::run);
        assertEquals(0, e.status());
        assertFalse(e.isNotFound());
        assertTrue(e.getMessage().contains("is not an IDmelon key id"), e.getMessage());
        assertTrue(e.getMessage().chars().noneMatch(Character::isISOControl), e.getMessage());
        assertTrue(e.getMessage().length() < 200, e.getMessage());
      }
    }
    IdmelonRejectedException cut = assertThrows(IdmelonRejectedException.class, () -> client.read(longId));
    assertTrue(cut.getMessage().contains("\"" + "k".repeat(64) + "…\""), cut.getMessage());
    assertTrue(simulator.requests().isEmpty(), "no request was sent: " + simulator.requests());

    assertTrue(IdmelonKeyId.isValid("k_0123abcdef-XYZ"));
    assertTrue(IdmelonKeyId.isValid("k".repeat(128)));
    assertFalse(IdmelonKeyId.isValid(longId));
    String id = client.create("Valid", KeyType.Admin, null).key().id();
    assertTrue(IdmelonKeyId.isValid(id), "the ids IDmelon gives pass");
    assertTrue(client.read(id).isPresent());
  }

  @Test
  void aRetryAfterLongerThanTheCapIsCutToIt() throws IOException {
    HttpIdmelonClient capped = new HttpIdmelonClient(simulator.baseUrl(), simulator.keysPath(),
        new AdminKeySource(adminKeyFile), Duration.ofSeconds(2), Duration.ofSeconds(5), clock, Duration.ofMinutes(1));
    simulator.faults().rateLimit(1.0, 86_400);
    IdmelonException limited = assertThrows(IdmelonException.class, capped::list);
    assertEquals(Duration.ofMinutes(1), limited.retryAfter().orElseThrow());
    assertTrue(loggedSince().contains("WARN com.idmelon.operator.idmelon.HttpIdmelonClient")
        && loggedSince().contains("Retry-After 86400 s, more than the 60 s allowed"), loggedSince());
    simulator.faults().clear();

    clock.advance(Duration.ofMinutes(1));
    assertEquals(0, capped.list().size(), "the client calls again once the cap elapsed");
  }

  @Test
  void aRetryAfterThatIsNotSecondsIsIgnored() throws IOException {
    for (String value : List.of("Wed, 21 Oct 2026 07:28:00 GMT", "-5", "1.5", "soon")) {
      try (ScriptedServer server = new ScriptedServer(exchange -> {
        exchange.getResponseHeaders().add("Retry-After", value);
        ScriptedServer.send(exchange, 429, "{\"message\":\"slow down\"}");
      })) {
        HttpIdmelonClient scripted = clientOf(server);
        IdmelonException limited = assertThrows(IdmelonException.class, scripted::list);
        assertEquals(429, limited.status());
        assertTrue(limited.isTransient());
        assertTrue(limited.retryAfter().isEmpty(), value);
        assertThrows(IdmelonException.class, scripted::list);
        assertEquals(2, server.received().size(), "no wait was imposed by \"" + value + "\"");
        assertTrue(loggedSince().contains("Retry-After that is not a number of seconds (\"" + value + "\")"),
            loggedSince());
      }
    }
  }

  @Test
  void oneUnreadableListEntryIsSkippedAndTheOthersAreReturned() throws IOException {
    String good = "{\"id\":\"k_good%d\",\"name\":\"fine\",\"type\":\"Admin\",\"expiresAt\":null,"
        + "\"createdAt\":\"2026-11-27T12:00:00Z\"}";
    String list = "[" + String.format(good, 1)
        + ",{\"id\":\"k_newtype\",\"name\":\"WHOLE-ENTRY\",\"type\":\"Robot\",\"createdAt\":\"2026-11-27T12:00:00Z\"}"
        + ",{\"id\":\"k_badtime\",\"name\":\"WHOLE-ENTRY\",\"type\":\"Admin\",\"createdAt\":\"yesterday\"}"
        + ",{\"name\":\"WHOLE-ENTRY\",\"type\":\"Admin\",\"createdAt\":\"2026-11-27T12:00:00Z\"}"
        + ",{\"id\":\"../x\",\"name\":\"WHOLE-ENTRY\",\"type\":\"Admin\",\"createdAt\":\"2026-11-27T12:00:00Z\"}"
        + "," + String.format(good, 2) + "]";
    try (ScriptedServer server = ScriptedServer.json(200, list)) {
      HttpIdmelonClient scripted = clientOf(server);
      List<IdmelonKey> keys = scripted.list();
      assertEquals(List.of("k_good1", "k_good2"), keys.stream().map(IdmelonKey::id).toList());
      assertEquals(4, scripted.lastListSkipped());
      String log = loggedSince();
      assertTrue(log.contains("entry 2 of 6 skipped: key k_newtype has an unknown type \"Robot\""), log);
      assertTrue(log.contains("entry 3 of 6 skipped: key k_badtime: createdAt \"yesterday\" is not an RFC 3339"), log);
      assertTrue(log.contains("entry 4 of 6 skipped: a key without id"), log);
      assertTrue(log.contains("entry 5 of 6 skipped: the id \"../x\" is not an IDmelon key id"), log);
      assertFalse(log.contains("WHOLE-ENTRY"), "the warning names the problem, not the entry");
    }
    client.create("k", KeyType.Clients, null);
    assertEquals(1, client.list().size());
    assertEquals(0, client.lastListSkipped());
  }

  @Test
  void anUnreadableSingleKeyAnswerStillFailsTheCall() throws IOException {
    try (ScriptedServer server = ScriptedServer.json(200,
        "{\"id\":\"k_1\",\"name\":\"n\",\"type\":\"Robot\",\"createdAt\":\"2026-11-27T12:00:00Z\"}")) {
      IdmelonException e = assertThrows(IdmelonException.class, () -> clientOf(server).read("k_1"));
      assertTrue(e.isTransient());
      assertEquals("IDmelon read k_1 gave an unexpected answer: key k_1 has an unknown type \"Robot\"", e.getMessage());
    }
  }

  @Test
  void anAnswerLargerThanTheCapIsRefusedWithoutReadingItAll() throws IOException {
    AtomicLong written = new AtomicLong();
    AtomicBoolean stopped = new AtomicBoolean();
    byte[] chunk = new byte[64 * 1024];
    java.util.Arrays.fill(chunk, (byte) ' ');
    try (ScriptedServer server = new ScriptedServer(exchange -> {
      exchange.sendResponseHeaders(200, 0); // chunked: no length announced, 1 GiB of blanks if nobody stops it
      try (OutputStream out = exchange.getResponseBody()) {
        out.write('[');
        while (written.get() < 1024L * 1024 * 1024) {
          out.write(chunk);
          written.addAndGet(chunk.length);
        }
      } catch (IOException closedByTheClient) {
        // expected: the client hung up
      } finally {
        stopped.set(true);
      }
    })) {
      IdmelonUnavailableException e = assertThrows(IdmelonUnavailableException.class, clientOf(server)::list);
      assertEquals("IDmelon list answered more than 8 MiB; refused", e.getMessage());
      await().atMost(Duration.ofSeconds(20)).untilTrue(stopped);
      assertTrue(written.get() < 128L * 1024 * 1024, "the client stopped reading early: " + written.get());
    }

    try (ScriptedServer announced = ScriptedServer.json(200, "[" + " ".repeat(2048) + "]")) {
      HttpIdmelonClient small = new HttpIdmelonClient(announced.baseUrl(), "/keys", new AdminKeySource(adminKeyFile),
          Duration.ofSeconds(2), Duration.ofSeconds(5), Clock.systemUTC(), Duration.ofMinutes(5), 1024);
      IdmelonUnavailableException e = assertThrows(IdmelonUnavailableException.class, () -> small.read("k_1"));
      assertEquals("IDmelon read k_1 answered more than 1 KiB; refused", e.getMessage());
    }
  }

  @Test
  void expiryIsSentInWholeSecondsUtc() throws IOException {
    String answer = "{\"id\":\"k_1\",\"name\":\"n\",\"type\":\"Admin\",\"expiresAt\":\"2030-03-14T09:26:53Z\","
        + "\"createdAt\":\"2026-11-27T12:00:00Z\",\"key\":\"v\"}";
    try (ScriptedServer server = ScriptedServer.json(201, answer)) {
      clientOf(server).create("n", KeyType.Admin, Instant.parse("2030-03-14T09:26:53.987654321Z"));
      String sent = server.received().get(0).body();
      assertTrue(sent.contains("\"expiresAt\":\"2030-03-14T09:26:53Z\""), sent);
    }
    IssuedKey issued = client.create("k", KeyType.Admin, Instant.parse("2030-03-14T09:26:53.5Z"));
    assertEquals(Instant.parse("2030-03-14T09:26:53Z"), issued.key().expiresAt());
  }

  @Test
  void aCallThatIsNotAnsweredFailsAfterTheRequestTimeoutItReports() throws IOException {
    CountDownLatch release = new CountDownLatch(1);
    try (ScriptedServer silent = new ScriptedServer(exchange -> {
      try {
        release.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    })) {
      HttpIdmelonClient impatient = new HttpIdmelonClient(silent.baseUrl(), "/keys", new AdminKeySource(adminKeyFile),
          Duration.ofSeconds(1), Duration.ofMillis(500));
      assertEquals(Duration.ofMillis(500), impatient.requestTimeout());
      long started = System.nanoTime();
      IdmelonUnavailableException e = assertThrows(IdmelonUnavailableException.class, impatient::list);
      Duration took = Duration.ofNanos(System.nanoTime() - started);
      assertEquals("IDmelon list timed out", e.getMessage());
      assertTrue(took.compareTo(impatient.requestTimeout()) >= 0 && took.compareTo(Duration.ofSeconds(5)) < 0,
          took.toString());
    } finally {
      release.countDown();
    }
    assertEquals(Duration.ofSeconds(5), client.requestTimeout());
  }

  @Test
  void aRedirectIsNotFollowedAndTheAdminKeyNeverReachesItsTarget() throws IOException {
    // another host (127.0.0.2 is loopback too on Linux, but another host to an HTTP client) and another port
    try (ScriptedServer elsewhere = new ScriptedServer(java.net.InetAddress.getByName("127.0.0.2"),
            exchange -> ScriptedServer.send(exchange, 200, "[]"));
        ScriptedServer otherPort = ScriptedServer.json(200, "[]");
        ScriptedServer redirecting = new ScriptedServer(exchange -> {
          int status = exchange.getRequestMethod().equals("GET") ? 302 : 307;
          ScriptedServer target = exchange.getRequestMethod().equals("DELETE") ? otherPort : elsewhere;
          exchange.getResponseHeaders().add("Location", target.baseUrl() + exchange.getRequestURI().getPath());
          exchange.sendResponseHeaders(status, -1);
        })) {
      HttpIdmelonClient redirected = clientOf(redirecting);
      IdmelonRejectedException list = assertThrows(IdmelonRejectedException.class, redirected::list);
      assertEquals(302, list.status());
      assertTrue(list.getMessage().contains("not followed"), list.getMessage());
      IdmelonRejectedException delete = assertThrows(IdmelonRejectedException.class, () -> redirected.delete("k_1"));
      assertEquals(307, delete.status());
      assertThrows(IdmelonRejectedException.class, () -> redirected.create("n", KeyType.Admin, null));

      assertEquals(3, redirecting.received().size());
      assertEquals("bootstrap", redirecting.received().get(0).authorization());
      assertTrue(elsewhere.received().isEmpty(), "nothing reached the other host: " + elsewhere.received());
      assertTrue(otherPort.received().isEmpty(), "nothing reached the other port: " + otherPort.received());
    }
  }

  @Test
  void anAdminKeyFileWithALineBreakInsideFailsWithoutQuotingTheKey() {
    Path broken = writeKey("broken", "bootstrap\nsecond-line-of-the-secret\n");
    // an unusable key is a refusal of our own: nothing is sent, and the message names the file, never the key
    IdmelonRejectedException e = assertThrows(IdmelonRejectedException.class, () -> clientWith(broken).list());
    assertTrue(e.getMessage().contains(broken.toString()), "names the file: " + e.getMessage());
    assertFalse(e.getMessage().contains("second-line-of-the-secret"), e.getMessage());
    assertFalse(e.getMessage().contains("bootstrap"), e.getMessage());
    assertTrue(simulator.requests().isEmpty());
  }
}
