package com.idmelon.operator.observability;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.idmelon.operator.idmelon.AdminKeySource;
import com.idmelon.operator.idmelon.HttpIdmelonClient;
import com.idmelon.operator.idmelon.SecretValue;
import com.idmelon.operator.simulator.IdmelonSimulator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The periodic admin key check keeps running through a broken admin key file, and readiness follows the file. */
class AdminKeyCheckTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  @TempDir Path dir;
  private Path keyFile;
  private IdmelonSimulator simulator;
  private AdminKeyCheck check;
  private int edits;

  @BeforeEach
  void start() throws IOException {
    keyFile = dir.resolve("admin-key");
    simulator = IdmelonSimulator.builder(SecretValue.of("bootstrap-admin-key")).start();
    write("bootstrap-admin-key");
    HttpIdmelonClient idmelon = new HttpIdmelonClient(simulator.baseUrl(), simulator.keysPath(),
        new AdminKeySource(keyFile), Duration.ofSeconds(1), Duration.ofSeconds(2));
    check = new AdminKeyCheck(idmelon).start(Duration.ofMillis(50));
    await().atMost(WAIT).until(() -> simulator.counts().getOrDefault("verify", 0L) > 0);
  }

  @AfterEach
  void stop() {
    check.close();
    simulator.close();
  }

  /** Rewrites the key file with a later modification time each time, so that it is read again. */
  private void write(String content) throws IOException {
    Files.writeString(keyFile, content, StandardCharsets.UTF_8);
    Files.setLastModifiedTime(keyFile, FileTime.from(Instant.now().plusSeconds(10L * ++edits)));
  }

  private void awaitRecovered() {
    simulator.clearRequests();
    await().atMost(WAIT).until(() -> check.problem().isEmpty());
    await().atMost(WAIT).until(() -> simulator.counts().getOrDefault("verify", 0L) > 0);
    assertTrue(check.problem().isEmpty());
  }

  @Test
  void anEmptiedKeyFileIsReportedAndTheCheckRecoversWhenItIsFixed() throws IOException {
    write("");
    await().atMost(WAIT).until(() -> check.problem().filter(p -> p.contains("is empty")).isPresent());
    assertTrue(check.problem().orElseThrow().startsWith("the admin key file cannot be read: "), check.problem()::get);

    write("bootstrap-admin-key");
    awaitRecovered();
  }

  @Test
  void aMissingOrUnusableKeyFileIsReportedWithoutItsContent() throws IOException {
    Files.delete(keyFile);
    await().atMost(WAIT).until(() -> check.problem().filter(p -> p.contains("NoSuchFileException")).isPresent());

    write("bootstrap-admin-key\nsecond-line-of-the-secret");
    await().atMost(WAIT).until(() -> check.problem().filter(p -> p.contains("cannot carry")).isPresent());
    Optional<String> problem = check.problem();
    assertFalse(problem.orElseThrow().contains("second-line-of-the-secret"), problem::get);
    assertFalse(problem.orElseThrow().contains("bootstrap-admin-key"), problem::get);

    write("bootstrap-admin-key");
    awaitRecovered();
  }

  @Test
  void aRefusedKeyStillCountsAndAFixedFileEndsIt() throws IOException {
    write("revoked");
    await().atMost(WAIT).until(() -> check.problem().filter(p -> p.contains("refuses")).isPresent());
    write("");
    await().atMost(WAIT).until(() -> check.problem().filter(p -> p.contains("cannot be read")).isPresent());
    write("bootstrap-admin-key");
    awaitRecovered();
  }
}
