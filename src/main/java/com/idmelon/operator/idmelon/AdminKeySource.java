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
public final class AdminKeySource implements AdminKey {
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

  /**
   * The key, read again if the file changed. Throws {@link IllegalStateException} naming the file (never its
   * content) when the file is missing, unreadable, empty, or holds what cannot go into {@code Authorization}.
   */
  @Override
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
      if (!fitsAHeader(content)) {
        // java.net.http would refuse the header with a message that quotes the value: the key itself
        throw new IllegalStateException("IDmelon admin key file " + file
            + " holds characters an HTTP header cannot carry (a line break, another control character, or a character beyond Latin-1)");
      }
      Snapshot fresh = new Snapshot(modified, SecretValue.of(content));
      snapshot = fresh;
      return fresh.value();
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot read the IDmelon admin key file " + file + ": " + e.getClass().getSimpleName(), e);
    }
  }

  /** What java.net.http accepts in a header value: space, tab, visible ASCII and 0x80-0xFF. */
  public static boolean fitsAHeader(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      boolean allowed = c == ' ' || c == '\t' || (c >= 0x21 && c <= 0x7E) || (c >= 0x80 && c <= 0xFF);
      if (!allowed) {
        return false;
      }
    }
    return true;
  }
}
