package com.idmelon.operator.image;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a command to its end in a real process, its output kept in files (no pipe can fill up and block it). */
final class Processes {
  /** The packaged jars, as the build leaves them (failsafe runs in the project directory, after `package`). */
  static final Path PRODUCTION_JAR = Path.of("target", "apikey-operator.jar");
  static final Path TOOLS_JAR = Path.of("target", "apikey-operator-tools.jar");
  static final Path SBOM = Path.of("target", "bom.json");

  record Result(int exitCode, String out, String err) {
    String both() {
      return out + err;
    }
  }

  private Processes() {}

  /** {@code java -jar jar args...} with the JVM running the tests, LOG_FORMAT unset, {@code env} added. */
  static Result javaJar(Path jar, Map<String, String> env, Path dir, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(java(), "-jar", jar.toAbsolutePath().toString()));
    command.addAll(List.of(args));
    return run(command, env, dir, Duration.ofSeconds(60));
  }

  static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** Runs {@code command} in {@code dir}, which also gets its output. */
  static Result run(List<String> command, Map<String, String> env, Path dir, Duration timeout) throws Exception {
    Files.createDirectories(dir);
    Path out = Files.createTempFile(dir, "out", ".log");
    Path err = Files.createTempFile(dir, "err", ".log");
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
        .redirectOutput(out.toFile()).redirectError(err.toFile());
    builder.environment().remove("LOG_FORMAT");
    builder.environment().putAll(env);
    Process process = builder.start();
    if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      throw new AssertionError(String.join(" ", command) + " did not end within " + timeout + ": " + read(out) + read(err));
    }
    return new Result(process.exitValue(), read(out), read(err));
  }

  /** Whether this Maven run is offline: the CycloneDX plugin then writes no SBOM (its goals need online mode). */
  static boolean mavenOffline() {
    return "offline=true".equals(System.getProperty("build.maven.offline"));
  }

  private static String read(Path file) throws IOException {
    return Files.readString(file, StandardCharsets.UTF_8);
  }
}
