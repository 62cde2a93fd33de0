package com.idmelon.operator.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.idmelon.operator.quickstart.EmbeddedKubernetes;
import com.idmelon.operator.quickstart.WorkspaceBootstrap;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The embedded Kubernetes API, the IDmelon simulator and the operator, each a process of the real jars; plus the
 * benchmark's own Kubernetes client (its requests are counted apart) and readers of the servers' own counts.
 */
final class Cluster implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The operator runs from the production jar (what the image runs); the servers from the tools jar. */
  static final Path JAR = Path.of("target", "apikey-operator.jar");
  static final Path TOOLS_JAR = Path.of("target", "apikey-operator-tools.jar");

  final Path dir;
  final String adminKey;
  final int simulatorPort;
  final String kubeUrl;
  final KubernetesClient client;
  private final Process apiServer;
  private final Process simulator;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  /** The simulators of the workspaces added with {@link #addWorkspace}, stopped with the cluster. */
  private final List<Process> workspaceSimulators = new ArrayList<>();
  private Process operator;
  private int metricsPort;
  private int operatorStarts;

  /** @param simulatorArgs extra flags of the simulator command (latency, faults) */
  Cluster(Path dir, String apiServerHeap, List<String> simulatorArgs) throws Exception {
    this.dir = dir;
    Files.createDirectories(dir);
    for (Path jar : List.of(JAR, TOOLS_JAR)) {
      if (!Files.exists(jar)) {
        throw new IllegalStateException(jar + " is missing: the benchmark runs the real jars (mvn package first)");
      }
    }
    byte[] random = new byte[24];
    new SecureRandom().nextBytes(random);
    adminKey = "bench_" + HexFormat.of().formatHex(random);
    Files.writeString(dir.resolve("admin-key"), adminKey, StandardCharsets.UTF_8);
    Path kubeconfig = dir.resolve("kubeconfig");
    Files.deleteIfExists(kubeconfig);
    apiServer = java(TOOLS_JAR, List.of("-Xmx" + apiServerHeap, "-XX:+UseParallelGC"),
        List.of("apiserver", "--kubeconfig", kubeconfig.toString()), Map.of(), dir.resolve("apiserver.log"));
    Process startedSimulator = null;
    try {
      simulatorPort = freePort();
      List<String> args = new ArrayList<>(List.of("simulator", "--port", Integer.toString(simulatorPort),
          "--admin-key-file", dir.resolve("admin-key").toString()));
      args.addAll(simulatorArgs);
      simulator = startedSimulator = java(TOOLS_JAR, List.of("-Xmx512m"), args, Map.of(), dir.resolve("simulator.log"));
      waitFor(() -> Files.exists(kubeconfig) && Files.size(kubeconfig) > 0, Duration.ofSeconds(30), "the API server");
      String config = Files.readString(kubeconfig);
      Matcher server = Pattern.compile("server: (\\S+)").matcher(config);
      server.find();
      kubeUrl = server.group(1);
      waitFor(() -> get(simulatorUrl("/_simulator/stats"), adminKey).statusCode() == 200, Duration.ofSeconds(30), "the simulator");
      client = new KubernetesClientBuilder().withConfig(new ConfigBuilder(Config.empty())
          .withMasterUrl(kubeUrl).withUserAgent(EmbeddedKubernetes.BENCH_USER_AGENT)
          .withMaxConcurrentRequests(256).withMaxConcurrentRequestsPerHost(256)
          .withRequestTimeout(60_000).build()).build();
      // what a platform team does once: the default ClusterWorkspace and its Admin key Secret
      WorkspaceBootstrap.clusterWorkspace(client, "default", "http://127.0.0.1:" + simulatorPort,
          "/administrator/workspace/apikeys", com.idmelon.operator.idmelon.SecretValue.of(adminKey), spec -> { });
    } catch (Exception | Error e) {
      // a cluster that failed to come up leaves no process behind
      for (Process process : new Process[] {startedSimulator, apiServer}) {
        if (process != null) {
          process.destroyForcibly();
        }
      }
      throw e;
    }
  }

  /** One workspace's IDmelon simulator: its port, its bootstrap Admin key, and its counts read over HTTP. */
  final class Simulator {
    final String workspace;
    final int port;
    final String adminKey;

    private Simulator(String workspace, int port, String adminKey) {
      this.workspace = workspace;
      this.port = port;
      this.adminKey = adminKey;
    }

    /** As {@link Cluster#simulatorStats}, of this simulator. */
    JsonNode stats(boolean reset) throws Exception {
      HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/_simulator/stats"))
          .header("Authorization", adminKey);
      if (reset) {
        request.POST(HttpRequest.BodyPublishers.noBody());
      }
      return JSON.readTree(http.send(request.build(), HttpResponse.BodyHandlers.ofString()).body());
    }
  }

  /** The default ClusterWorkspace's simulator, the one every constructor starts. */
  Simulator defaultWorkspace() {
    return new Simulator("default", simulatorPort, adminKey);
  }

  /**
   * Another IDmelon workspace: a simulator process of its own with its own Admin key, and the ClusterWorkspace
   * {@code name} pointing at it, created as a platform team would (WorkspaceBootstrap).
   */
  Simulator addWorkspace(String name, List<String> simulatorArgs) throws Exception {
    byte[] random = new byte[24];
    new SecureRandom().nextBytes(random);
    String key = "bench_" + HexFormat.of().formatHex(random);
    Path keyFile = dir.resolve(name + "-admin-key");
    Files.writeString(keyFile, key, StandardCharsets.UTF_8);
    int port = freePort();
    List<String> args = new ArrayList<>(List.of("simulator", "--port", Integer.toString(port),
        "--admin-key-file", keyFile.toString()));
    args.addAll(simulatorArgs);
    Process process = java(TOOLS_JAR, List.of("-Xmx512m"), args, Map.of(), dir.resolve("simulator-" + name + ".log"));
    Simulator simulator = new Simulator(name, port, key);
    synchronized (workspaceSimulators) {
      workspaceSimulators.add(process);
    }
    waitFor(() -> {
      if (!process.isAlive()) {
        throw new IllegalStateException("the simulator of " + name + " exited: see " + dir.resolve("simulator-" + name + ".log"));
      }
      return get(URI.create("http://127.0.0.1:" + port + "/_simulator/stats"), key).statusCode() == 200;
    }, Duration.ofSeconds(60), "the simulator of " + name);
    WorkspaceBootstrap.clusterWorkspace(client, name, "http://127.0.0.1:" + port, "/administrator/workspace/apikeys",
        com.idmelon.operator.idmelon.SecretValue.of(key), spec -> { });
    return simulator;
  }

  /** Starts an operator process against this cluster, waits until it is ready. */
  void startOperator(Map<String, String> env) throws Exception {
    startOperator(env, Duration.ofSeconds(60));
  }

  /**
   * As {@link #startOperator(Map)}, waiting up to {@code timeout}: after many SIGKILLs the mock API server's event
   * loop can stall for tens of seconds on the dead watch connections (fabric8's WatchEventsListener).
   */
  void startOperator(Map<String, String> env, Duration timeout) throws Exception {
    metricsPort = freePort();
    Map<String, String> all = new java.util.HashMap<>(Map.of(
        "KUBECONFIG", dir.resolve("kubeconfig").toString(),
        "METRICS_PORT", Integer.toString(metricsPort),
        "HEALTH_PORT", Integer.toString(metricsPort))); // one listener serves metrics and probes
    all.putAll(env);
    operatorStarts++;
    // the chart's JVM settings, the heap capped as its 384Mi limit caps it, unless a run needs more
    String heap = env.getOrDefault("BENCH_OPERATOR_HEAP", "192m");
    List<String> jvm = new java.util.ArrayList<>(List.of("-Xmx" + heap, "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError"));
    if ("true".equals(env.get("BENCH_UNTRIMMED_CACHES"))) {
      jvm.add("-Didmelon.cache.untrimmed=true"); // the caches as they were before trimming, for comparison
    }
    operator = java(JAR, jvm, List.of("run"), all,
        dir.resolve("operator-" + operatorStarts + ".log"));
    waitFor(() -> {
      if (!operator.isAlive()) {
        throw new IllegalStateException("the operator exited: see " + dir.resolve("operator-" + operatorStarts + ".log"));
      }
      return get(URI.create("http://127.0.0.1:" + metricsPort + "/readyz"), null).statusCode() == 200;
    }, timeout, "the operator");
  }

  /** SIGKILL: the operator dies at once, wherever it is. */
  void killOperator() throws InterruptedException {
    operator.destroyForcibly();
    operator.waitFor(30, TimeUnit.SECONDS);
  }

  /** SIGTERM: an orderly stop. */
  void stopOperator() throws InterruptedException {
    operator.destroy();
    if (!operator.waitFor(30, TimeUnit.SECONDS)) {
      operator.destroyForcibly();
    }
  }

  long operatorPid() {
    return operator.pid();
  }

  String metrics() throws Exception {
    return get(URI.create("http://127.0.0.1:" + metricsPort + "/metrics"), null).body();
  }

  double metric(String prefix) throws Exception {
    Matcher matcher = Pattern.compile("^" + Pattern.quote(prefix) + "[^ ]* ([^ ]+)$", Pattern.MULTILINE).matcher(metrics());
    double sum = 0;
    while (matcher.find()) {
      sum += Double.parseDouble(matcher.group(1));
    }
    return sum;
  }

  /** The API server's request counts ("operator POST", "bench GET", "operator WATCH", ...); {@code reset} clears them. */
  Map<String, Long> kubeRequests(boolean reset) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(kubeUrl + "/_bench/requests"));
    if (reset) {
      request.POST(HttpRequest.BodyPublishers.noBody());
    }
    JsonNode node = JSON.readTree(http.send(request.build(), HttpResponse.BodyHandlers.ofString()).body());
    Map<String, Long> counts = new java.util.TreeMap<>();
    node.fields().forEachRemaining(f -> counts.put(f.getKey(), f.getValue().asLong()));
    return counts;
  }

  /** Writes (POST, PUT, PATCH, DELETE) the operator made since the last reset. */
  static long operatorWrites(Map<String, Long> counts) {
    return counts.entrySet().stream()
        .filter(e -> e.getKey().startsWith("operator ") && !e.getKey().endsWith(" GET") && !e.getKey().endsWith(" WATCH"))
        .mapToLong(Map.Entry::getValue).sum();
  }

  /** The simulator's counts: requests by operation, early requests after Retry-After, live keys. */
  JsonNode simulatorStats(boolean reset) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(simulatorUrl("/_simulator/stats")).header("Authorization", adminKey);
    if (reset) {
      request.POST(HttpRequest.BodyPublishers.noBody());
    }
    return JSON.readTree(http.send(request.build(), HttpResponse.BodyHandlers.ofString()).body());
  }

  JsonNode simulatorKeys() throws Exception {
    return JSON.readTree(get(simulatorUrl("/_simulator/keys"), adminKey).body());
  }

  /** Whether IDmelon accepts {@code value} as a live key. */
  boolean accepted(String value) throws Exception {
    return get(simulatorUrl("/_simulator/whoami"), value).statusCode() == 200;
  }

  /** The operator's live heap after a full GC, in MiB, read with jcmd. */
  double operatorHeapMiB() throws Exception {
    jcmd("GC.run");
    Thread.sleep(500);
    double kib = 0;
    for (String line : jcmd("GC.heap_info").split("\n")) {
      Matcher used = Pattern.compile("generation.*used (\\d+)K").matcher(line);
      if (used.find()) {
        kib += Long.parseLong(used.group(1));
      }
    }
    return kib / 1024;
  }

  /** The operator's heap by class (the top of it), for reading where memory goes. */
  void writeHistogram(Path file) throws Exception {
    String histogram = jcmd("GC.class_histogram");
    Files.writeString(file, histogram.lines().limit(60).collect(java.util.stream.Collectors.joining("\n")));
  }

  private String jcmd(String command) throws Exception {
    Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
        Long.toString(operator.pid()), command).redirectErrorStream(true).start();
    String output = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    jcmd.waitFor(60, TimeUnit.SECONDS);
    return output;
  }

  private URI simulatorUrl(String path) {
    return URI.create("http://127.0.0.1:" + simulatorPort + path);
  }

  private HttpResponse<String> get(URI uri, String authorization) throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static Process java(Path jar, List<String> jvm, List<String> args, Map<String, String> env, Path log)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvm);
    command.add("-jar");
    command.add(jar.toString());
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().remove("LOG_FORMAT");
    builder.environment().putAll(env);
    return builder.start();
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  interface Check {
    boolean ok() throws Exception;
  }

  static void waitFor(Check check, Duration timeout, String what) throws Exception {
    Instant deadline = Instant.now().plus(timeout);
    Exception last = null;
    while (Instant.now().isBefore(deadline)) {
      try {
        if (check.ok()) {
          return;
        }
      } catch (IllegalStateException e) {
        throw e;
      } catch (Exception e) {
        last = e;
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("timed out waiting for " + what + (last == null ? "" : ": " + last), last);
  }

  @Override
  public void close() throws Exception {
    client.close();
    List<Process> processes = new ArrayList<>(java.util.Arrays.asList(operator, simulator, apiServer));
    synchronized (workspaceSimulators) {
      processes.addAll(workspaceSimulators);
    }
    for (Process process : processes) {
      if (process != null) {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
      }
    }
  }
}
