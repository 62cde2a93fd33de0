package com.idmelon.operator.tools;

import com.idmelon.operator.StartupException;
import com.idmelon.operator.idmelon.AdminKeySource;
import com.idmelon.operator.simulator.Faults;
import com.idmelon.operator.simulator.IdmelonSimulator;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code simulator}: the IDmelon API-keys endpoint on a real port, for the quick start, tests and benchmarks. */
@Command(
    name = "simulator",
    mixinStandardHelpOptions = true,
    description = {
      "Serves a simulator of IDmelon's workspace API-keys endpoint: one-time display of secrets, reset only for",
      "Admin keys, expiry enforced, 401 without a live Admin key. The bootstrap admin key is read from a file.",
      "Faults can also be changed at run time: POST /_simulator/faults with the bootstrap key, e.g.",
      "  {\"minLatencyMs\":0,\"maxLatencyMs\":2000,\"errorRate\":0.05,\"rateLimitRate\":0.05,\"retryAfterSeconds\":2}",
      "  (also dropRate, loseAnswerRate, listOmitRate, outage, rateLimitPerSecond and rateLimitBurst;",
      "  the POST replaces every fault)"
    })
public final class SimulatorCommand implements Callable<Integer> {
  @Option(names = "--port", defaultValue = "8089", description = "Port to listen on (default ${DEFAULT-VALUE}; 0: any free port).")
  int port;

  @Option(names = "--bind", defaultValue = "127.0.0.1", description = "Address to listen on (default ${DEFAULT-VALUE}).")
  String bind;

  @Option(names = "--admin-key-file", required = true, description = "File holding the bootstrap Admin key the operator will use.")
  Path adminKeyFile;

  @Option(names = "--keys-path", defaultValue = IdmelonSimulator.DEFAULT_KEYS_PATH, description = "API-keys path (default ${DEFAULT-VALUE}).")
  String keysPath;

  @Option(names = "--latency-ms", defaultValue = "0", description = "Added latency per call, e.g. 50 or 0-2000 (random in range).")
  String latency;

  @Option(names = "--error-rate", defaultValue = "0", description = "Share of calls answered 503 (0..1).")
  double errorRate;

  @Option(names = "--rate-limit-rate", defaultValue = "0", description = "Share of calls answered 429 with Retry-After (0..1).")
  double rateLimitRate;

  @Option(names = "--retry-after", defaultValue = "1", description = "Retry-After seconds on injected 429s (default ${DEFAULT-VALUE}).")
  int retryAfter;

  @Option(names = "--rate-limit", defaultValue = "0",
      description = "The workspace's request limit, requests per second (a token bucket; 0: none). Beyond it a request"
          + " is answered 429 with Retry-After: the seconds until the next token, rounded up.")
  double requestLimit;

  @Option(names = "--rate-limit-burst", defaultValue = "0",
      description = "Requests the limit lets through at once after a pause (the bucket's size; default: the rate).")
  int requestLimitBurst;

  @Option(names = "--drop-rate", defaultValue = "0", description = "Share of calls whose connection is dropped unanswered (0..1).")
  double dropRate;

  @Option(names = "--lose-answer-rate", defaultValue = "0",
      description = "Share of API-keys calls carried out whose answer is then lost (connection dropped) (0..1).")
  double loseAnswerRate;

  @Option(names = "--list-omit-rate", defaultValue = "0",
      description = "Chance that each key is left out of a list answer (0..1; 1: an empty list).")
  double listOmitRate;

  @Override
  public Integer call() throws Exception {
    AdminKeySource adminKey;
    try {
      adminKey = AdminKeySource.load(adminKeyFile);
    } catch (IllegalStateException e) {
      throw new StartupException(e.getMessage());
    }
    String[] range = latency.split("-", 2);
    Faults faults = new Faults()
        .latency(Duration.ofMillis(Long.parseLong(range[0].trim())),
            Duration.ofMillis(Long.parseLong(range[range.length - 1].trim())))
        .errorRate(errorRate)
        .rateLimit(rateLimitRate, retryAfter)
        .requestLimit(requestLimit, requestLimitBurst > 0 ? requestLimitBurst : (int) Math.ceil(requestLimit))
        .dropRate(dropRate)
        .loseAnswerRate(loseAnswerRate)
        .listOmitRate(listOmitRate);
    IdmelonSimulator simulator;
    try {
      simulator = IdmelonSimulator.builder(adminKey.get())
          .address(InetAddress.getByName(bind))
          .port(port)
          .keysPath(keysPath)
          .faults(faults)
          .start();
    } catch (java.net.BindException e) {
      throw new StartupException("cannot listen on " + bind + ":" + port + ": " + e.getMessage());
    }
    System.out.println("IDmelon simulator on " + simulator.baseUrl() + " (keys path " + keysPath + "; faults: " + faults + ")");
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      simulator.close();
      stopped.countDown();
    }, "shutdown"));
    stopped.await();
    return 0;
  }
}
