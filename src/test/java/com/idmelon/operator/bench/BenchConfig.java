package com.idmelon.operator.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** How big a benchmark run is: {@link #full()} is the documented run, {@link #small()} the one CI runs. */
record BenchConfig(
    String name,
    int keys,
    List<Integer> latenciesMs,
    int memoryKeys,
    int unrelatedSecrets,
    int unrelatedSecretBytes,
    int annotatedKeys,
    int latencyRatePerSecond,
    Duration latencyWindow,
    int kills,
    int faultKeys,
    Duration pollInterval,
    Path out) {

  static BenchConfig full() {
    return new BenchConfig("full", 1000, List.of(0, 50), 10_000, 10_000, 100 * 1024, 1000, 10, Duration.ofSeconds(60),
        200, 300, Duration.ofSeconds(10), Path.of("bench", "results"));
  }

  static BenchConfig small() {
    return new BenchConfig("small", 100, List.of(0, 50), 1000, 200, 100 * 1024, 100, 10, Duration.ofSeconds(10),
        20, 40, Duration.ofSeconds(10), Path.of("target", "bench"));
  }

  /** ApiKeys onboarded at once against the rate limit: 1,000 in the full run, 100 (about 10 s of limit) in CI. */
  int rateLimitKeys() {
    return "full".equals(name) ? 1000 : 100;
  }

  /** {@code -Dbench.size=full|small}, and {@code -Dbench.kills=N} to change the number of kills. */
  static BenchConfig fromSystemProperties() {
    BenchConfig base = "full".equals(System.getProperty("bench.size")) ? full() : small();
    String kills = System.getProperty("bench.kills");
    return kills == null || kills.isBlank() ? base : new BenchConfig(base.name, base.keys, base.latenciesMs,
        base.memoryKeys, base.unrelatedSecrets, base.unrelatedSecretBytes, base.annotatedKeys, base.latencyRatePerSecond,
        base.latencyWindow, Integer.parseInt(kills.trim()), base.faultKeys, base.pollInterval, base.out);
  }

  /**
   * The cost curve's steps (ApiKeys): 100, 1,000 and memoryKeys in the full run, none in CI for its time;
   * {@code -Dbench.curve.steps=100,1000,2000} chooses others.
   */
  List<Integer> curveSteps() {
    String steps = System.getProperty("bench.curve.steps", "");
    if (!steps.isBlank()) {
      return java.util.Arrays.stream(steps.split(",")).map(String::trim).map(Integer::valueOf).toList();
    }
    return "full".equals(name) ? List.of(100, 1000, memoryKeys) : List.of();
  }
}
