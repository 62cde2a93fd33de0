package com.idmelon.operator.idmelon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.idmelon.operator.simulator.IdmelonSimulator;
import com.idmelon.operator.support.MovableClock;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP client against the simulator over a real port: IDmelon's semantics and the error mapping. */
class HttpIdmelonClientTest {
  @TempDir Path dir;
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
    HttpIdmelonClient gated = new HttpIdmelonClient(simulator.baseUrl(), simulator.keysPath(),
        new AdminKeySource(adminKeyFile), Duration.ofSeconds(2), Duration.ofSeconds(5), clock);
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
}
