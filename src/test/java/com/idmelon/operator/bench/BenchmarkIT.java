package com.idmelon.operator.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/**
 * Runs the benchmark harness on the packaged jar (failsafe, after `package`). By default the small configuration
 * (CI: the harness cannot rot); `-Dbench.size=full` (bench/run) is the documented run.
 */
class BenchmarkIT {
  @Test
  void harnessRunsAndEveryInvariantHolds() throws Exception {
    BenchConfig config = BenchConfig.fromSystemProperties();
    Benchmark benchmark = new Benchmark(config);
    benchmark.run();
    assertEquals(java.util.List.of(), benchmark.violations(), "the harness found violations");
    assertTrue(Files.exists(config.out().resolve("results.md")));
    if (benchmark.results().containsKey("latency.p50ms")) {
      assertTrue(Files.exists(config.out().resolve("latency.png")));
    }
    if (benchmark.results().containsKey("throughput.0ms.ratio")) {
      assertTrue((Double) benchmark.results().get("throughput.0ms.ratio") > 0);
    }
  }
}
