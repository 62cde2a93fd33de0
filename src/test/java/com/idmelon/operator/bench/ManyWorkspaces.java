package com.idmelon.operator.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.idmelon.operator.crd.v1alpha1.ApiKey;
import com.idmelon.operator.crd.v1alpha1.ClusterWorkspace;
import com.idmelon.operator.crd.v1alpha1.WorkspaceRef;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;

/**
 * Many workspaces cost what one does: the same ApiKeys issued from one ClusterWorkspace, then spread over
 * {@value #WORKSPACES} ClusterWorkspaces each on its own IDmelon simulator, in the same run. Reports throughput of
 * both, each workspace's IDmelon calls by operation, the steady state's list calls per workspace (one per poll), and
 * in the full run the operator's live heap at {@code memoryKeys} ApiKeys over one workspace and over ten.
 */
final class ManyWorkspaces {
  static final int WORKSPACES = 10;
  /** How often the steady-state window samples the simulators' list counts. */
  private static final Duration SAMPLE = Duration.ofMillis(200);

  private final BenchConfig config;
  private final Path logs;
  private final BiConsumer<String, Object> put;
  private final List<String> violations;
  private final int heapKeys;

  ManyWorkspaces(BenchConfig config, Path logs, BiConsumer<String, Object> put, List<String> violations) {
    this.config = config;
    this.logs = logs;
    this.put = put;
    this.violations = violations;
    // the heap at 10,000 ApiKeys takes minutes per side: the full run only, or -Dbench.workspaces.heapKeys=N
    String heap = System.getProperty("bench.workspaces.heapKeys", "");
    this.heapKeys = !heap.isBlank() ? Integer.parseInt(heap.trim()) : "full".equals(config.name()) ? config.memoryKeys() : 0;
  }

  /** What one side of the comparison measured. */
  private record Side(double keysPerSecond, double liveHeapMiB) {}

  void run() throws Exception {
    Side one = side(1);
    Side many = side(WORKSPACES);
    put.accept("workspaces.throughputRatio" + WORKSPACES + "To1", Benchmark.round(many.keysPerSecond / one.keysPerSecond));
    if (heapKeys > 0) {
      put.accept("workspaces.liveHeapRatio" + WORKSPACES + "To1." + heapKeys + "Keys",
          Benchmark.round(many.liveHeapMiB / one.liveHeapMiB));
    }
  }

  /** The ApiKeys spread over {@code count} workspaces ("default", "ws-1", ...), each on its own simulator. */
  private Side side(int count) throws Exception {
    String prefix = "workspaces." + count + ".";
    try (Cluster cluster = new Cluster(logs.resolve("workspaces-" + count), "4g", List.of());
        ReadyTracker ready = new ReadyTracker(cluster.client)) {
      List<Cluster.Simulator> simulators = new ArrayList<>(List.of(cluster.defaultWorkspace()));
      for (int i = 1; i < count; i++) {
        simulators.add(cluster.addWorkspace("ws-" + i, List.of()));
      }
      String poll = config.pollInterval().toSeconds() + "s";
      cluster.startOperator(Map.of("POLL_INTERVAL", poll));
      // every workspace Ready before the clock starts, as a platform team's workspaces are before teams use them
      Cluster.waitFor(() -> cluster.client.resources(ClusterWorkspace.class).list().getItems().stream()
          .filter(ManyWorkspaces::ready).count() == count, Duration.ofMinutes(2), count + " workspaces Ready");

      for (Cluster.Simulator simulator : simulators) {
        simulator.stats(true);
      }
      cluster.kubeRequests(true);
      double reconcilesBefore = cluster.metric("operator_sdk_reconciliations_started_total");
      int keys = config.keys();
      long started = Benchmark.createAll(cluster, "key", keys, 4, k -> { }, k -> assign(k, simulators));
      Benchmark.awaitReady(ready, keys, Duration.ofMinutes(15));
      double keysPerSecond = keys / ((ready.last() - started) / 1e9);
      put.accept(prefix + "keysPerSecond", Benchmark.round(keysPerSecond));
      Thread.sleep(3000); // the reconciles that follow the operator's own last status writes
      put.accept(prefix + "kubernetesWritesPerKey", Benchmark.round(Cluster.operatorWrites(cluster.kubeRequests(true)) / (double) keys));
      put.accept(prefix + "reconcilesPerKey", Benchmark.round(
          (cluster.metric("operator_sdk_reconciliations_started_total") - reconcilesBefore) / keys));
      issuedCalls(prefix, simulators, keys);
      // CI (small) watches the steady state of the ten only: the throughput scenario watches one workspace's
      if (count > 1 || "full".equals(config.name())) {
        steadyState(prefix, cluster, simulators);
      }

      if (heapKeys <= keys) {
        return new Side(keysPerSecond, 0);
      }
      // the memory scenario's operator settings, restarted with the issued keys in place, then the rest created
      cluster.stopOperator();
      cluster.startOperator(Map.of("POLL_INTERVAL", poll, "BENCH_OPERATOR_HEAP", "1g", "MAX_CONCURRENT_RECONCILES", "20"));
      Benchmark.createAll(cluster, "mem", heapKeys - keys, 8, k -> { }, k -> assign(k, simulators));
      Benchmark.awaitReady(ready, heapKeys, Duration.ofMinutes(30));
      Thread.sleep(3000);
      double heap = cluster.operatorHeapMiB();
      put.accept(prefix + "liveHeapMiB." + heapKeys + "Keys", Benchmark.round(heap));
      cluster.writeHistogram(logs.resolve("workspaces-" + count + "-histogram.txt"));
      return new Side(keysPerSecond, heap);
    }
  }

  /**
   * ApiKey {@code <prefix>-i} sits in namespace {@code bench-(i % 10)} (Benchmark.createAll) and uses workspace
   * {@code (i / 10) % count}, so every namespace uses every workspace and each workspace gets the same share.
   */
  private static void assign(ApiKey apiKey, List<Cluster.Simulator> simulators) {
    String name = apiKey.getMetadata().getName();
    int index = Integer.parseInt(name.substring(name.lastIndexOf('-') + 1));
    String workspace = simulators.get((index / 10) % simulators.size()).workspace;
    apiKey.getSpec().setWorkspaceRef(new WorkspaceRef(WorkspaceRef.CLUSTER_WORKSPACE, workspace));
  }

  private static boolean ready(ClusterWorkspace workspace) {
    return workspace.getStatus() != null && workspace.getStatus().getConditions() != null
        && workspace.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  /** Each workspace's IDmelon calls while its keys were issued; each must have issued exactly its own share. */
  private void issuedCalls(String prefix, List<Cluster.Simulator> simulators, int keys) throws Exception {
    Map<String, String> byWorkspace = new LinkedHashMap<>();
    for (Cluster.Simulator simulator : simulators) {
      JsonNode stats = simulator.stats(true);
      byWorkspace.put(simulator.workspace, stats.path("requests").toString());
      int share = keys / simulators.size(); // keys is a multiple of 10 × the number of workspaces
      long live = stats.path("liveKeys").asLong();
      if (live != share || stats.path("requests").path("create").asLong() != share) {
        violations.add("workspaces: " + simulator.workspace + " holds " + live + " keys after "
            + stats.path("requests").path("create").asLong() + " creates, where its ApiKeys are " + share);
      }
    }
    put.accept(prefix + "idmelonCallsByWorkspace", byWorkspace);
  }

  /**
   * With every key settled, samples each simulator's list count for 3.6 poll intervals (as the throughput
   * scenario's steady state): each workspace must be listed at least once, never twice within one poll interval,
   * and nothing else may reach IDmelon or the API server.
   */
  private void steadyState(String prefix, Cluster cluster, List<Cluster.Simulator> simulators) throws Exception {
    Duration window = config.pollInterval().multipliedBy(36).dividedBy(10);
    cluster.kubeRequests(true);
    for (Cluster.Simulator simulator : simulators) {
      simulator.stats(true);
    }
    Map<String, List<Long>> listedAt = new TreeMap<>();
    Map<String, Long> lastCount = new TreeMap<>();
    long start = System.nanoTime();
    long end = start + window.toNanos();
    while (System.nanoTime() < end) {
      for (Cluster.Simulator simulator : simulators) {
        long lists = simulator.stats(false).path("requests").path("list").asLong();
        long before = lastCount.getOrDefault(simulator.workspace, 0L);
        for (long n = before; n < lists; n++) {
          listedAt.computeIfAbsent(simulator.workspace, k -> new ArrayList<>()).add(System.nanoTime());
        }
        lastCount.put(simulator.workspace, lists);
      }
      Thread.sleep(SAMPLE.toMillis());
    }
    Map<String, Long> listsByWorkspace = new TreeMap<>();
    Map<String, Long> callsByOperation = new TreeMap<>();
    double shortestGap = Double.MAX_VALUE;
    for (Cluster.Simulator simulator : simulators) {
      JsonNode requests = simulator.stats(true).path("requests");
      requests.fields().forEachRemaining(f -> callsByOperation.merge(f.getKey(), f.getValue().asLong(), Long::sum));
      long lists = requests.path("list").asLong();
      listsByWorkspace.put(simulator.workspace, lists);
      List<Long> times = listedAt.getOrDefault(simulator.workspace, List.of());
      for (int i = 1; i < times.size(); i++) {
        shortestGap = Math.min(shortestGap, (times.get(i) - times.get(i - 1)) / 1e9);
      }
      if (lists == 0) {
        violations.add("workspaces: " + simulator.workspace + " was not listed once in " + window.toSeconds()
            + " s of steady state");
      }
    }
    // besides the lists, only a workspace's periodic admin-key check (verify, WORKSPACE_CHECK_INTERVAL) may come
    long besides = callsByOperation.entrySet().stream()
        .filter(e -> !e.getKey().equals("list") && !e.getKey().equals("verify")).mapToLong(Map.Entry::getValue).sum();
    long writes = Cluster.operatorWrites(cluster.kubeRequests(true));
    put.accept(prefix + "steadyState.window", window.toSeconds() + " s, POLL_INTERVAL " + config.pollInterval().toSeconds()
        + " s, list counts sampled every " + SAMPLE.toMillis() + " ms");
    put.accept(prefix + "steadyState.listsByWorkspace", listsByWorkspace);
    put.accept(prefix + "steadyState.shortestSecondsBetweenTwoListsOfOneWorkspace",
        shortestGap == Double.MAX_VALUE ? "n/a (one list each)" : Benchmark.round(shortestGap));
    put.accept(prefix + "steadyState.idmelonCallsByOperation", callsByOperation);
    put.accept(prefix + "steadyState.kubernetesWrites", writes);
    // a poll lists a workspace once its interval (plus jitter) ran out, so two lists of one workspace are at least
    // an interval apart; less (minus a second for the sampling's own delay) is a second list within one poll
    if (shortestGap < config.pollInterval().toSeconds() - 1) {
      violations.add("workspaces: a workspace was listed twice within " + Benchmark.round(shortestGap)
          + " s, under one poll interval");
    }
    if (besides + writes > 0) {
      violations.add("workspaces: steady state made " + callsByOperation + " IDmelon calls and " + writes
          + " Kubernetes writes; only lists and admin-key checks belong there");
    }
  }
}
