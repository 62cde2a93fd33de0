package com.idmelon.operator.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * How cost grows with the number of ApiKeys: one workspace, ApiKeys created in batches up to each step (100,
 * 1,000, 10,000), and after each batch the Kubernetes writes, IDmelon calls and reconciles per new key, and the
 * operator's live heap. Writes cost-curve.md (a table) and cost-curve.png beside results.md.
 */
final class CostCurve {
  private final BenchConfig config;
  private final Path logs;
  private final BiConsumer<String, Object> put;

  CostCurve(BenchConfig config, Path logs, BiConsumer<String, Object> put) {
    this.config = config;
    this.logs = logs;
    this.put = put;
  }

  /** One step of the curve: per new key of the batch that reached {@code keys}, and the heap at {@code keys}. */
  private record Step(int keys, double writesPerKey, double idmelonCallsPerKey, double reconcilesPerKey,
      double liveHeapMiB) {}

  void run(List<Integer> steps) throws Exception {
    List<Step> curve = new ArrayList<>();
    try (Cluster cluster = new Cluster(logs.resolve("curve"), "4g", List.of());
        ReadyTracker ready = new ReadyTracker(cluster.client)) {
      // the memory scenario's operator settings, so that the heap at the last step matches its figure
      cluster.startOperator(Map.of("POLL_INTERVAL", config.pollInterval().toSeconds() + "s",
          "BENCH_OPERATOR_HEAP", "1g", "MAX_CONCURRENT_RECONCILES", "20"));
      int have = 0;
      for (int keys : steps) {
        int batch = keys - have;
        cluster.kubeRequests(true);
        cluster.simulatorStats(true);
        double reconcilesBefore = cluster.metric("operator_sdk_reconciliations_started_total");
        Benchmark.createAll(cluster, "curve" + keys, batch, 8, k -> { }, k -> { });
        Benchmark.awaitReady(ready, keys, Duration.ofMinutes(30));
        Thread.sleep(3000); // the reconciles that follow the operator's own last status writes
        double writes = Cluster.operatorWrites(cluster.kubeRequests(true)) / (double) batch;
        double calls = Benchmark.total(cluster.simulatorStats(true)) / (double) batch;
        double reconciles = (cluster.metric("operator_sdk_reconciliations_started_total") - reconcilesBefore) / batch;
        Step step = new Step(keys, Benchmark.round(writes), Benchmark.round(calls), Benchmark.round(reconciles),
            Benchmark.round(cluster.operatorHeapMiB()));
        put.accept("curve." + keys + "Keys", step.toString());
        curve.add(step);
        have = keys;
      }
    }
    StringBuilder md = new StringBuilder("| ApiKeys | Kubernetes writes per new key | IDmelon calls per new key"
        + " | reconciles per new key | live heap (MiB) |\n|---|---|---|---|---|\n");
    for (Step step : curve) {
      md.append("| ").append(step.keys()).append(" | ").append(step.writesPerKey()).append(" | ")
          .append(step.idmelonCallsPerKey()).append(" | ").append(step.reconcilesPerKey()).append(" | ")
          .append(step.liveHeapMiB()).append(" |\n");
    }
    md.append("\nOne workspace, IDmelon latency 0 ms, POLL_INTERVAL ").append(config.pollInterval().toSeconds())
        .append(" s, operator -Xmx1g and MAX_CONCURRENT_RECONCILES 20 (the memory scenario's settings); each row counts")
        .append(" the batch that brought the ApiKeys from the row above to its own number, the heap after a full GC.\n");
    Files.createDirectories(config.out());
    Files.writeString(config.out().resolve("cost-curve.md"), md.toString());
    System.out.println(md);
    Report.curve(curve.stream().mapToInt(Step::keys).toArray(),
        new String[] {"Kubernetes writes per new key", "IDmelon calls per new key", "reconciles per new key",
            "live heap (MiB)"},
        new double[][] {
            curve.stream().mapToDouble(Step::writesPerKey).toArray(),
            curve.stream().mapToDouble(Step::idmelonCallsPerKey).toArray(),
            curve.stream().mapToDouble(Step::reconcilesPerKey).toArray(),
            curve.stream().mapToDouble(Step::liveHeapMiB).toArray()},
        config.out().resolve("cost-curve.png"), "Cost by number of ApiKeys (one workspace, full GC for the heap)");
  }
}
