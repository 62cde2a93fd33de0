package com.idmelon.operator.support;

import com.idmelon.operator.quickstart.EmbeddedKubernetes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real {@code kubectl}, where this machine has one, against an embedded API server. Tests that use it
 * start with {@code assumeTrue(Kubectl.available())}: kubectl is not on every test machine, and every behaviour it
 * checks is also proven by a test that sends kubectl's requests over HTTP.
 */
public final class Kubectl {
  private final Path kubeconfig;
  private final Path cacheDir;

  public Kubectl(EmbeddedKubernetes kubernetes, Path dir) {
    try {
      this.kubeconfig = kubernetes.writeKubeconfig(dir.resolve("kubeconfig"));
      this.cacheDir = Files.createDirectories(dir.resolve("kube-cache"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** kubectl with an existing kubeconfig (e.g. the quick start's), caching discovery in {@code cacheDir}. */
  public Kubectl(Path kubeconfig, Path cacheDir) {
    this.kubeconfig = kubeconfig;
    this.cacheDir = cacheDir;
  }

  /** Whether {@code kubectl} is on the PATH. */
  public static boolean available() {
    try {
      Process process = new ProcessBuilder("kubectl", "version", "--client").redirectErrorStream(true).start();
      process.getInputStream().readAllBytes();
      return process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** What a kubectl run printed and how it ended. */
  public record Result(int exitCode, String out, String err) {
    @Override
    public String toString() {
      return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  /** Runs {@code kubectl args...} (with {@code stdin}, may be null) and waits at most {@code timeout}. */
  public Result run(Duration timeout, String stdin, String... args) {
    List<String> command = new ArrayList<>();
    command.add("kubectl");
    command.add("--kubeconfig=" + kubeconfig);
    command.add("--cache-dir=" + cacheDir);
    command.addAll(List.of(args));
    try {
      Process process = new ProcessBuilder(command).start();
      CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(process.getInputStream()));
      CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(process.getErrorStream()));
      try (var in = process.getOutputStream()) {
        if (stdin != null) {
          in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
      }
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor();
        return new Result(-1, out.join(), err.join() + "\n(killed after " + timeout + ")");
      }
      return new Result(process.exitValue(), out.join(), err.join());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Runs {@code kubectl args...} with a one-minute limit and no input. */
  public Result run(String... args) {
    return run(Duration.ofMinutes(1), null, args);
  }

  /** Starts {@code kubectl args...} and leaves it running (e.g. {@code get -w}); the caller destroys it. */
  public Process start(String... args) {
    List<String> command = new ArrayList<>(List.of("kubectl", "--kubeconfig=" + kubeconfig, "--cache-dir=" + cacheDir));
    command.addAll(List.of(args));
    try {
      return new ProcessBuilder(command).start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String read(java.io.InputStream in) {
    try {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }
}
