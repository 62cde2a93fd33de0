package com.idmelon.operator.observability;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bearer token a scraper must present for {@code /metrics}, read from a file (a mounted Secret). The file is read
 * again when it changes, so the Secret can be rotated without a restart; if it becomes unreadable or empty, the last
 * good token stays. Compared in constant time; never logged.
 */
public final class MetricsToken {
  private static final Logger log = LoggerFactory.getLogger(MetricsToken.class);
  private static final int MAX_BYTES = 4096;

  private final Path file;
  private volatile byte[] token;
  private volatile FileTime readAt;
  private volatile String lastProblem = "";

  private MetricsToken(Path file, byte[] token, FileTime readAt) {
    this.file = file;
    this.token = token;
    this.readAt = readAt;
  }

  /** Reads the token now; a missing, empty or oversized file is a start-up error naming the file. */
  public static MetricsToken load(Path file) throws IOException {
    FileTime modified = Files.getLastModifiedTime(file);
    byte[] token = read(file);
    if (token.length == 0) {
      throw new IOException("the metrics token file " + file + " is empty");
    }
    return new MetricsToken(file, token, modified);
  }

  private static byte[] read(Path file) throws IOException {
    if (Files.size(file) > MAX_BYTES) {
      throw new IOException("the metrics token file " + file + " is larger than " + MAX_BYTES + " bytes");
    }
    return Files.readString(file, StandardCharsets.UTF_8).strip().getBytes(StandardCharsets.UTF_8);
  }

  /** Whether an Authorization header carries the token. */
  public boolean allows(Optional<String> authorization) {
    refresh();
    if (authorization.isEmpty() || !authorization.get().regionMatches(true, 0, "Bearer ", 0, 7)) {
      return false;
    }
    byte[] presented = authorization.get().substring(7).strip().getBytes(StandardCharsets.UTF_8);
    return MessageDigest.isEqual(presented, token);
  }

  private void refresh() {
    try {
      FileTime modified = Files.getLastModifiedTime(file);
      if (modified.equals(readAt)) {
        return;
      }
      byte[] fresh = read(file);
      if (fresh.length == 0) {
        warnOnce("the metrics token file " + file + " is empty now: the previous token stays");
      } else {
        token = fresh;
        lastProblem = "";
        log.info("the metrics token was read again from {}", file);
      }
      readAt = modified;
    } catch (IOException e) {
      warnOnce("cannot read the metrics token file " + file + " (" + e.getClass().getSimpleName()
          + "): the previous token stays");
    }
  }

  /** A scraper's every request would repeat the same warning: say it once per problem. */
  private void warnOnce(String problem) {
    if (!problem.equals(lastProblem)) {
      lastProblem = problem;
      log.warn(problem);
    }
  }
}
