package com.idmelon.operator.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.idmelon.operator.crd.v1alpha1.ApiKey;
import com.idmelon.operator.crd.v1alpha1.ApiKeySpec;
import com.idmelon.operator.crd.v1alpha1.Conditions;
import com.idmelon.operator.crd.v1alpha1.Rotation;
import com.idmelon.operator.crd.v1alpha1.RotationStrategy;
import com.idmelon.operator.idmelon.KeyType;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The benchmark and fault harness: every part a process of the real jars, every count taken at the servers.
 * {@link #run()} runs all scenarios and writes results.md, results.json and latency.png into the config's out dir.
 */
final class Benchmark {
  private static final int CONCURRENCY = 10; // the operator's default MAX_CONCURRENT_RECONCILES
  private static final int NAMESPACES = 10;
  /** The workspace's request limit in the rate-limit scenario (issue 13: 1,000 keys at 10 requests/s). */
  private static final int RATE_LIMIT_PER_SECOND = 10;
  private final BenchConfig config;
  private final Map<String, Object> results = new LinkedHashMap<>();
  private final List<String> violations = new ArrayList<>();
  private final Path logs;

  Benchmark(BenchConfig config) {
    this.config = config;
    this.logs = config.out().resolve("logs");
  }

  Map<String, Object> results() {
    return results;
  }

  List<String> violations() {
    return violations;
  }

  void run() throws Exception {
    Files.createDirectories(logs);
    results.put("machine", Runtime.getRuntime().availableProcessors() + " cores, "
        + (Runtime.getRuntime().maxMemory() >> 20) + " MiB max heap of the harness JVM, Java "
        + System.getProperty("java.version") + ", " + System.getProperty("os.name") + " " + System.getProperty("os.arch"));
    results.put("config", config.name());
    String only = System.getProperty("bench.only", "");
    java.util.function.Predicate<String> selected = name -> only.isBlank() || List.of(only.split(",")).contains(name);
    try {
      if (selected.test("throughput")) {
        for (int latency : config.latenciesMs()) {
          double baseline = baseline(latency);
          double operator = throughput(latency);
          put("throughput." + latency + "ms.baselineKeysPerSecond", baseline);
          put("throughput." + latency + "ms.operatorKeysPerSecond", operator);
          put("throughput." + latency + "ms.ratio", operator / baseline);
        }
      }
      if (selected.test("memory")) {
        memory();
      }
      if (selected.test("annotations")) {
        double plain = annotatedHeap(false, 0);
        double untrimmed = annotatedHeap(true, 200 * 1024);
        double trimmed = annotatedHeap(false, 200 * 1024);
        String prefix = "memory.annotations." + config.annotatedKeys() + "Keys.";
        put(prefix + "liveHeapMiBWithout", round(plain));
        put(prefix + "liveHeapMiBWith200KiBUntrimmedCaches", round(untrimmed));
        put(prefix + "liveHeapMiBWith200KiB", round(trimmed));
        put(prefix + "ratioTrimmedToUntrimmed", round(trimmed / untrimmed));
        put(prefix + "ratioTrimmedToWithout", round(trimmed / plain));
        // what the annotations add: trimmed, only parsing buffers sized to the largest object read (per thread,
        // not per ApiKey); untrimmed, every byte of every annotation
        if (trimmed - plain > (untrimmed - plain) / 2) {
          violations.add("trimmed caches save less than half of what large annotations add to the heap: "
              + round(trimmed) + " MiB against " + round(untrimmed) + " MiB untrimmed and " + round(plain) + " MiB without");
        }
      }
      if (selected.test("latency")) {
        latency();
      }
      if (selected.test("faults")) {
        faults();
      }
      if (selected.test("ratelimit")) {
        rateLimit();
      }
      if (selected.test("chaos")) {
        chaos();
      }
      if (selected.test("workspaces")) {
        new ManyWorkspaces(config, logs, this::put, violations).run();
      }
      if (selected.test("curve") && !config.curveSteps().isEmpty()) {
        new CostCurve(config, logs, this::put).run(config.curveSteps());
      }
    } catch (Exception e) {
      violations.add("the run failed: " + e);
      throw e;
    } finally {
      Report.write(config, results, violations);
    }
  }

  private void put(String key, Object value) {
    results.put(key, value);
    System.out.println("[bench] " + key + " = " + value);
  }

  static ApiKey apiKey(String ns, String name, KeyType type) {
    ApiKey apiKey = new ApiKey();
    apiKey.getMetadata().setNamespace(ns);
    apiKey.getMetadata().setName(name);
    ApiKeySpec spec = new ApiKeySpec();
    spec.setName("bench " + ns + "/" + name);
    spec.setType(type);
    spec.setDuration("2160h");
    apiKey.setSpec(spec);
    return apiKey;
  }

  private static List<String> simulatorLatency(int ms) {
    return ms == 0 ? List.of() : List.of("--latency-ms", Integer.toString(ms));
  }

  /** Creates {@code count} ApiKeys from {@code threads} threads; {@code created} is told each one's name. */
  private static long createAll(Cluster cluster, String prefix, int count, int threads, Consumer<ApiKey> created)
      throws Exception {
    return createAll(cluster, prefix, count, threads, created, k -> { });
  }

  static long createAll(Cluster cluster, String prefix, int count, int threads, Consumer<ApiKey> created,
      Consumer<ApiKey> shape) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    long started = System.nanoTime();
    List<Future<?>> futures = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ApiKey apiKey = apiKey("bench-" + (i % NAMESPACES), prefix + "-" + i, KeyType.values()[i % 3]);
      shape.accept(apiKey);
      futures.add(pool.submit(() -> {
        cluster.client.resource(apiKey).create();
        created.accept(apiKey);
        return null;
      }));
    }
    for (Future<?> future : futures) {
      future.get();
    }
    pool.shutdown();
    return started;
  }

  static void awaitReady(ReadyTracker ready, int count, Duration timeout) throws Exception {
    Cluster.waitFor(() -> ready.count() >= count, timeout, count + " ApiKeys Ready (have " + ready.count() + ")");
  }

  /** The bare minimum per key at the same concurrency: finalizer, IDmelon create, Secret, status. */
  private double baseline(int latencyMs) throws Exception {
    // the same Ready watch as the operator run, so that both pay the same measuring cost at the API server
    try (Cluster cluster = new Cluster(logs.resolve("baseline-" + latencyMs), "2g", simulatorLatency(latencyMs));
        ReadyTracker ready = new ReadyTracker(cluster.client)) {
      ExecutorService workers = Executors.newFixedThreadPool(CONCURRENCY);
      HttpClient http = HttpClient.newHttpClient();
      AtomicLong lastDone = new AtomicLong();
      List<Future<?>> done = Collections.synchronizedList(new ArrayList<>());
      ObjectMapper json = new ObjectMapper();
      long started = createAll(cluster, "baseline", config.keys(), 4, apiKey -> done.add(workers.submit(() -> {
        var resource = cluster.client.resources(ApiKey.class).inNamespace(apiKey.getMetadata().getNamespace())
            .withName(apiKey.getMetadata().getName());
        resource.patch(PatchContext.of(PatchType.JSON_MERGE), "{\"metadata\":{\"finalizers\":[\"apikeys.idmelon.com/finalizer\"]}}");
        ObjectNode body = json.createObjectNode().put("name", apiKey.getSpec().getName())
            .put("type", apiKey.getSpec().getType().name()).putNull("expiresAt");
        HttpResponse<String> createdKey = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + cluster.simulatorPort + "/administrator/workspace/apikeys"))
            .header("Authorization", cluster.adminKey).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), HttpResponse.BodyHandlers.ofString());
        JsonNode key = json.readTree(createdKey.body());
        cluster.client.resource(new SecretBuilder().withNewMetadata().withName(apiKey.getMetadata().getName())
            .withNamespace(apiKey.getMetadata().getNamespace()).endMetadata()
            .addToData("apiKey", Base64.getEncoder().encodeToString(key.path("key").asText().getBytes(StandardCharsets.UTF_8)))
            .build()).create();
        resource.subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE),
            "{\"status\":{\"keyId\":\"" + key.path("id").asText() + "\",\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\","
                + "\"reason\":\"Issued\",\"message\":\"baseline\",\"lastTransitionTime\":\"" + Instant.now().toString().substring(0, 19) + "Z\"}]}}");
        lastDone.accumulateAndGet(System.nanoTime(), Math::max);
        return null;
      })));
      for (Future<?> future : new ArrayList<>(done)) {
        future.get();
      }
      workers.shutdown();
      return config.keys() / ((lastDone.get() - started) / 1e9);
    }
  }

  /** The operator from creation to all Ready; at 0 ms also cost per key, steady state, restart, memory. */
  private double throughput(int latencyMs) throws Exception {
    try (Cluster cluster = new Cluster(logs.resolve("operator-" + latencyMs), "2g", simulatorLatency(latencyMs));
        ReadyTracker ready = new ReadyTracker(cluster.client)) {
      cluster.startOperator(Map.of("POLL_INTERVAL", config.pollInterval().toSeconds() + "s"));
      cluster.kubeRequests(true);
      cluster.simulatorStats(true);
      double reconcilesBefore = cluster.metric("operator_sdk_reconciliations_started_total");
      long started = createAll(cluster, "key", config.keys(), 4, k -> { });
      awaitReady(ready, config.keys(), Duration.ofMinutes(15));
      double keysPerSecond = config.keys() / ((ready.last() - started) / 1e9);
      if (latencyMs != 0) {
        return keysPerSecond;
      }
      Thread.sleep(3000); // the reconciles that follow the operator's own last status writes
      Map<String, Long> kube = cluster.kubeRequests(true);
      JsonNode idmelon = cluster.simulatorStats(true);
      put("costPerKey.kubernetesWrites", Cluster.operatorWrites(kube) / (double) config.keys());
      put("costPerKey.kubernetesWritesByMethod", perKey(kube));
      put("costPerKey.idmelonCalls", total(idmelon) / (double) config.keys());
      put("costPerKey.idmelonCallsByOperation", perKey(idmelon.path("requests")));
      put("costPerKey.reconciles",
          (cluster.metric("operator_sdk_reconciliations_started_total") - reconcilesBefore) / config.keys());

      // steady state: three poll periods (plus their jitter) with every key settled
      Thread.sleep(config.pollInterval().multipliedBy(36).dividedBy(10).toMillis());
      kube = cluster.kubeRequests(true);
      idmelon = cluster.simulatorStats(true);
      put("steadyState.window", config.pollInterval().multipliedBy(36).dividedBy(10).toSeconds() + " s, POLL_INTERVAL "
          + config.pollInterval().toSeconds() + " s, " + config.keys() + " keys");
      put("steadyState.kubernetesWrites", Cluster.operatorWrites(kube));
      put("steadyState.idmelonMutatingCalls", mutating(idmelon));
      put("steadyState.idmelonReads", total(idmelon) - mutating(idmelon));
      put("memory.liveHeapMiB." + config.keys() + "Keys", round(cluster.operatorHeapMiB()));

      // restart: stop, start, and count until nothing happens for 3 s
      cluster.stopOperator();
      cluster.kubeRequests(true);
      cluster.simulatorStats(true);
      long restarted = System.nanoTime();
      cluster.startOperator(Map.of("POLL_INTERVAL", config.pollInterval().toSeconds() + "s"));
      long lastChange = System.nanoTime();
      long lastSeen = -1;
      while (System.nanoTime() - lastChange < 3_000_000_000L) {
        long activity = Cluster.operatorWrites(cluster.kubeRequests(false)) + total(cluster.simulatorStats(false));
        if (activity != lastSeen) {
          lastSeen = activity;
          lastChange = System.nanoTime();
        }
        Thread.sleep(100);
      }
      kube = cluster.kubeRequests(false);
      idmelon = cluster.simulatorStats(false);
      put("restart.kubernetesWrites", Cluster.operatorWrites(kube));
      put("restart.idmelonCalls", total(idmelon));
      put("restart.secondsUntilIdle", round((lastChange - restarted) / 1e9));
      return keysPerSecond;
    }
  }

  /** Live heap with many ApiKeys, then with many large unrelated Secrets the operator must not cache. */
  private void memory() throws Exception {
    try (Cluster cluster = new Cluster(logs.resolve("memory"), "6g", List.of());
        ReadyTracker ready = new ReadyTracker(cluster.client)) {
      cluster.startOperator(Map.of("BENCH_OPERATOR_HEAP", "1g", "MAX_CONCURRENT_RECONCILES", "20"));
      createAll(cluster, "mem", config.memoryKeys(), 8, k -> { });
      awaitReady(ready, config.memoryKeys(), Duration.ofMinutes(30));
      Thread.sleep(3000);
      put("memory.liveHeapMiB." + config.memoryKeys() + "Keys", round(cluster.operatorHeapMiB()));
      ExecutorService pool = Executors.newFixedThreadPool(8);
      byte[] payload = new byte[config.unrelatedSecretBytes()];
      new Random(1).nextBytes(payload);
      String data = Base64.getEncoder().encodeToString(payload);
      List<Future<?>> futures = new ArrayList<>();
      for (int i = 0; i < config.unrelatedSecrets(); i++) {
        int n = i;
        futures.add(pool.submit(() -> cluster.client.resource(new SecretBuilder().withNewMetadata()
            .withName("unrelated-" + n).withNamespace("bench-" + (n % NAMESPACES)).endMetadata()
            .addToData("blob", data).build()).create()));
      }
      for (Future<?> future : futures) {
        future.get();
      }
      pool.shutdown();
      Thread.sleep(10_000);
      put("memory.liveHeapMiB." + config.memoryKeys() + "KeysPlus" + config.unrelatedSecrets() + "UnrelatedSecrets",
          round(cluster.operatorHeapMiB()));
    }
  }

  /**
   * Live heap with ApiKeys that each carry 200 KiB of annotations a tenant added (as kubectl's last-applied
   * annotation or anyone's notes can), with the caches trimmed as shipped or untrimmed as before.
   */
  private double annotatedHeap(boolean untrimmed, int annotationBytes) throws Exception {
    String blob = "n".repeat(annotationBytes);
    try (Cluster cluster = new Cluster(logs.resolve("annotations-" + annotationBytes + (untrimmed ? "-untrimmed" : "")),
        "4g",
        List.of());
        ReadyTracker ready = new ReadyTracker(cluster.client)) {
      cluster.startOperator(Map.of("BENCH_OPERATOR_HEAP", "1g", "MAX_CONCURRENT_RECONCILES", "20",
          "BENCH_UNTRIMMED_CACHES", Boolean.toString(untrimmed)));
      createAll(cluster, "ann", config.annotatedKeys(), 4,
          k -> { }, k -> k.getMetadata().setAnnotations(blob.isEmpty() ? null : Map.of("team.example.com/notes", blob)));
      awaitReady(ready, config.annotatedKeys(), Duration.ofMinutes(20));
      Thread.sleep(3000);
      double heap = cluster.operatorHeapMiB();
      cluster.writeHistogram(logs.resolve("annotations-" + annotationBytes + (untrimmed ? "-untrimmed" : "")
          + "-histogram.txt"));
      return heap;
    }
  }

  /** Creation to Ready at a sustained rate, with 50 ms IDmelon latency. */
  private void latency() throws Exception {
    try (Cluster cluster = new Cluster(logs.resolve("latency"), "2g", simulatorLatency(50));
        ReadyTracker ready = new ReadyTracker(cluster.client)) {
      cluster.startOperator(Map.of());
      int count = (int) (config.latencyRatePerSecond() * config.latencyWindow().toSeconds());
      Map<String, Long> createdAt = new ConcurrentHashMap<>();
      var scheduler = Executors.newScheduledThreadPool(4);
      long period = 1_000_000_000L / config.latencyRatePerSecond();
      List<Future<?>> futures = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        ApiKey apiKey = apiKey("bench-" + (i % NAMESPACES), "lat-" + i, KeyType.values()[i % 3]);
        futures.add(scheduler.schedule(() -> {
          createdAt.put(apiKey.getMetadata().getNamespace() + "/" + apiKey.getMetadata().getName(), System.nanoTime());
          cluster.client.resource(apiKey).create();
          return null;
        }, i * period, TimeUnit.NANOSECONDS));
      }
      for (Future<?> future : futures) {
        future.get();
      }
      scheduler.shutdown();
      awaitReady(ready, count, Duration.ofMinutes(5));
      List<Double> millis = new ArrayList<>();
      createdAt.forEach((ref, t) -> millis.add((ready.readyAt.get(ref) - t) / 1e6));
      Collections.sort(millis);
      put("latency.rate", config.latencyRatePerSecond() + "/s for " + config.latencyWindow().toSeconds() + " s, IDmelon 50 ms");
      put("latency.p50ms", round(percentile(millis, 50)));
      put("latency.p99ms", round(percentile(millis, 99)));
      put("latency.maxms", round(millis.get(millis.size() - 1)));
      Report.plot(millis, config.out().resolve("latency.png"),
          "Creation to Ready, " + count + " ApiKeys at " + config.latencyRatePerSecond() + "/s, IDmelon latency 50 ms");
    }
  }

  /** 5 % 5xx, 0-2 s latency and 5 % 429 with Retry-After: everything converges, nothing is sent early. */
  private void faults() throws Exception {
    List<String> faults = List.of("--latency-ms", "0-2000", "--error-rate", "0.05", "--rate-limit-rate", "0.05",
        "--retry-after", "1");
    try (Cluster cluster = new Cluster(logs.resolve("faults"), "2g", faults);
        ReadyTracker ready = new ReadyTracker(cluster.client)) {
      cluster.startOperator(Map.of());
      cluster.simulatorStats(true);
      long started = System.nanoTime();
      createAll(cluster, "fault", config.faultKeys(), 4, k -> { });
      awaitReady(ready, config.faultKeys(), Duration.ofMinutes(20));
      JsonNode stats = cluster.simulatorStats(false);
      put("faults.keys", config.faultKeys());
      put("faults.secondsToAllReady", round((ready.last() - started) / 1e9));
      put("faults.idmelonRequests", total(stats));
      put("faults.requestsBeforeRetryAfterElapsed", stats.path("earlyRequests").asLong());
      if (stats.path("earlyRequests").asLong() != 0) {
        violations.add(stats.path("earlyRequests").asLong() + " requests reached IDmelon before a Retry-After elapsed");
      }
      Map<String, Integer> keysByName = keysByName(cluster);
      long duplicates = keysByName.values().stream().filter(n -> n > 1).count();
      put("faults.duplicateKeys", duplicates);
      if (duplicates > 0 || keysByName.size() != config.faultKeys()) {
        violations.add("faults: " + keysByName.size() + " distinct keys for " + config.faultKeys() + " ApiKeys, "
            + duplicates + " duplicated");
      }
    }
  }

  /**
   * Onboarding many keys at once against the workspace's request limit (a token bucket at the simulator): how much of
   * the limit the operator uses. Efficiency is keys issued per second divided by the limit in requests per second;
   * the list polls and the admin-key check spend tokens too, so they are in it. Nothing may be sent before a
   * Retry-After elapsed, and no key may be duplicated.
   */
  private void rateLimit() throws Exception {
    int keys = config.rateLimitKeys();
    int perSecond = RATE_LIMIT_PER_SECOND;
    List<String> limit = List.of("--rate-limit", Integer.toString(perSecond), "--rate-limit-burst",
        Integer.toString(perSecond));
    try (Cluster cluster = new Cluster(logs.resolve("ratelimit"), "2g", limit);
        ReadyTracker ready = new ReadyTracker(cluster.client)) {
      cluster.startOperator(Map.of("POLL_INTERVAL", config.pollInterval().toSeconds() + "s"));
      cluster.simulatorStats(true);
      long started = createAll(cluster, "limited", keys, 4, k -> { });
      awaitReady(ready, keys, Duration.ofMinutes(20));
      double seconds = (ready.last() - started) / 1e9;
      JsonNode stats = cluster.simulatorStats(false);
      String prefix = "rateLimit." + keys + "Keys.";
      put(prefix + "limit", perSecond + " requests/s, burst " + perSecond);
      put(prefix + "secondsToAllReady", round(seconds));
      put(prefix + "keysPerSecond", round(keys / seconds));
      put(prefix + "efficiency", round(keys / seconds / perSecond));
      put(prefix + "idmelonRequestsByOperation", stats.path("requests").toString());
      put(prefix + "answered429", stats.path("tooManyRequests").asLong());
      put(prefix + "requestsBeforeRetryAfterElapsed", stats.path("earlyRequests").asLong());
      if (stats.path("earlyRequests").asLong() != 0) {
        violations.add(stats.path("earlyRequests").asLong() + " requests reached IDmelon before a Retry-After elapsed"
            + " (rate limit)");
      }
      Map<String, Integer> keysByName = keysByName(cluster);
      long duplicates = keysByName.values().stream().filter(n -> n > 1).count();
      put(prefix + "duplicateKeys", duplicates);
      if (duplicates > 0 || keysByName.size() != keys) {
        violations.add("rate limit: " + keysByName.size() + " distinct keys for " + keys + " ApiKeys, " + duplicates
            + " duplicated");
      }
    }
  }

  /** Random SIGKILLs while keys are created, reset, replaced and deleted; then every invariant is checked. */
  private void chaos() throws Exception {
    try (Cluster cluster = new Cluster(logs.resolve("chaos"), "2g", List.of());
        ReadyTracker tracker = new ReadyTracker(cluster.client)) {
      cluster.startOperator(Map.of());
      AtomicBoolean running = new AtomicBoolean(true);
      Map<String, ApiKey> live = new ConcurrentHashMap<>();
      AtomicLong operations = new AtomicLong();
      Thread workload = new Thread(() -> {
        int next = 0;
        ThreadLocalRandom random = ThreadLocalRandom.current();
        while (running.get()) {
          try {
            double roll = random.nextDouble();
            List<String> names = new ArrayList<>(live.keySet());
            if (names.size() < 30 || roll < 0.4) {
              ApiKey apiKey = apiKey("chaos-" + (next % 3), "k-" + next, KeyType.values()[next % 3]);
              if (next % 2 == 0) {
                Rotation rotation = new Rotation();
                rotation.setStrategy(apiKey.getSpec().getType() == KeyType.Admin ? RotationStrategy.Reset : RotationStrategy.Replace);
                apiKey.getSpec().setRotation(rotation);
              }
              next++;
              cluster.client.resource(apiKey).create();
              live.put(apiKey.getMetadata().getNamespace() + "/" + apiKey.getMetadata().getName(), apiKey);
            } else if (roll < 0.8) {
              String[] ref = names.get(random.nextInt(names.size())).split("/");
              cluster.client.resources(ApiKey.class).inNamespace(ref[0]).withName(ref[1]).edit(k -> {
                k.getMetadata().getAnnotations().put(ApiKey.RESET_ANNOTATION, "r" + random.nextInt(1_000_000));
                return k;
              });
            } else {
              String ref = names.get(random.nextInt(names.size()));
              live.remove(ref);
              String[] parts = ref.split("/");
              cluster.client.resources(ApiKey.class).inNamespace(parts[0]).withName(parts[1]).delete();
            }
            operations.incrementAndGet();
            Thread.sleep(random.nextLong(20, 120));
          } catch (InterruptedException e) {
            return;
          } catch (RuntimeException e) {
            // a conflict on an ApiKey being deleted: skip it
          }
        }
      }, "chaos-workload");
      workload.start();
      for (int kill = 0; kill < config.kills(); kill++) {
        Thread.sleep(ThreadLocalRandom.current().nextLong(200, 2000));
        cluster.killOperator();
        cluster.startOperator(Map.of(), Duration.ofMinutes(5));
      }
      running.set(false);
      workload.join();
      // converge: every remaining ApiKey Ready with its latest reset done, nothing pending or retiring, deletions done
      Cluster.waitFor(() -> {
        List<ApiKey> all = cluster.client.resources(ApiKey.class).inAnyNamespace().list().getItems();
        return all.size() == live.size() && all.stream().allMatch(k -> k.getStatus() != null
            && Conditions.isTrue(k.getStatus(), Conditions.READY) && k.getStatus().getPending() == null
            && k.getStatus().retiringOrEmpty().isEmpty()
            && java.util.Objects.equals(k.resetRequest(), k.getStatus().getLastReset()));
      }, Duration.ofMinutes(10), "the chaos run to converge");
      List<ApiKey> all = cluster.client.resources(ApiKey.class).inAnyNamespace().list().getItems();
      Map<String, Integer> keysByName = keysByName(cluster);
      int notAccepted = 0;
      int missing = 0;
      int duplicates = 0;
      for (ApiKey apiKey : all) {
        Integer count = keysByName.remove(apiKey.getSpec().getName());
        if (count == null) {
          missing++;
        } else if (count > 1) {
          duplicates += count - 1;
        }
        var secret = cluster.client.secrets().inNamespace(apiKey.getMetadata().getNamespace()).withName(apiKey.secretName()).get();
        String value = secret == null ? null : new String(Base64.getDecoder().decode(secret.getData().get("apiKey")), StandardCharsets.UTF_8);
        if (value == null || !cluster.accepted(value)) {
          notAccepted++;
        }
      }
      int leaked = keysByName.values().stream().mapToInt(Integer::intValue).sum();
      put("chaos.kills", config.kills());
      put("chaos.operations", operations.get());
      put("chaos.apiKeysAtEnd", all.size());
      put("chaos.secretsNotAccepted", notAccepted);
      put("chaos.apiKeysWithoutKey", missing);
      put("chaos.duplicateKeys", duplicates);
      put("chaos.leakedKeys", leaked);
      if (notAccepted + missing + duplicates + leaked > 0) {
        violations.add("chaos: " + notAccepted + " Secrets refused by IDmelon, " + missing + " ApiKeys without a key, "
            + duplicates + " duplicate keys, " + leaked + " leaked keys");
      }
    }
  }

  private static Map<String, Integer> keysByName(Cluster cluster) throws Exception {
    Map<String, Integer> byName = new HashMap<>();
    for (JsonNode key : cluster.simulatorKeys()) {
      byName.merge(key.path("name").asText(), 1, Integer::sum);
    }
    return byName;
  }

  private Map<String, Double> perKey(Map<String, Long> kube) {
    Map<String, Double> result = new java.util.TreeMap<>();
    kube.forEach((k, v) -> {
      if (k.startsWith("operator ") && !k.endsWith("WATCH")) {
        result.put(k.substring("operator ".length()), round(v / (double) config.keys()));
      }
    });
    return result;
  }

  private Map<String, Double> perKey(JsonNode byOperation) {
    Map<String, Double> result = new java.util.TreeMap<>();
    byOperation.fields().forEachRemaining(f -> result.put(f.getKey(), round(f.getValue().asLong() / (double) config.keys())));
    return result;
  }

  static long total(JsonNode stats) {
    long sum = 0;
    for (JsonNode count : stats.path("requests")) {
      sum += count.asLong();
    }
    return sum;
  }

  private static long mutating(JsonNode stats) {
    JsonNode requests = stats.path("requests");
    return requests.path("create").asLong() + requests.path("reset").asLong() + requests.path("delete").asLong();
  }

  static double percentile(List<Double> sorted, int p) {
    int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(index, sorted.size() - 1)));
  }

  static double round(double value) {
    return Math.round(value * 100) / 100.0;
  }
}
