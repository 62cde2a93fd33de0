package com.idmelon.operator.idmelon;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;

/**
 * The operator's own IDmelon Admin key, read from a file (a mounted Kubernetes Secret). The file is read again when
 * its modification time changes, so a rotated admin key is picked up without a restart.
 */
public final class AdminKeySource {
  private final Path file;
  private volatile Snapshot snapshot;

  private record Snapshot(FileTime modified, SecretValue value) {}

  public AdminKeySource(Path file) {
    this.file = file;
  }

  /** Reads the file now, failing with a message that names the file (never its content). */
  public static AdminKeySource load(Path file) {
    AdminKeySource source = new AdminKeySource(file);
    source.get();
    return source;
  }

  public SecretValue get() {
    try {
      FileTime modified = Files.getLastModifiedTime(file);
      Snapshot current = snapshot;
      if (current != null && current.modified().equals(modified)) {
        return current.value();
      }
      String content = Files.readString(file, StandardCharsets.UTF_8).strip();
      if (content.isEmpty()) {
        throw new IllegalStateException("IDmelon admin key file " + file + " is empty");
      }
      Snapshot fresh = new Snapshot(modified, SecretValue.of(content));
      snapshot = fresh;
      return fresh.value();
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot read the IDmelon admin key file " + file + ": " + e.getClass().getSimpleName(), e);
    }
  }
}
