package com.idmelon.operator.support;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.idmelon.operator.ApiKeyOperator;
import com.idmelon.operator.crd.v1alpha1.ApiKey;
import com.idmelon.operator.crd.v1alpha1.ApiKeySpec;
import com.idmelon.operator.crd.v1alpha1.Conditions;
import com.idmelon.operator.idmelon.AdminKeySource;
import com.idmelon.operator.idmelon.KeyType;
import com.idmelon.operator.quickstart.EmbeddedKubernetes;
import com.idmelon.operator.quickstart.WorkspaceBootstrap;
import com.idmelon.operator.reconciler.Checkpoints;
import com.idmelon.operator.simulator.IdmelonSimulator;
import com.idmelon.operator.simulator.SimulatedKey;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The real parts, wired for a test: fabric8's CRUD mock API server over HTTP with the committed CRD from crds/,
 * the IDmelon simulator on a free port, and the operator started against both.
 */
public final class OperatorHarness implements AutoCloseable, AfterAllCallback {
  private static final AtomicInteger NAMESPACES = new AtomicInteger();

  public final EmbeddedKubernetes kubernetes;
  public final KubernetesClient client;
  public final Path adminKeyFile;
  public final AdminKeySource adminKey;
  public final ReconcileCounter reconciles = new ReconcileCounter();
  private final Supplier<String> keyGenerator;
  private final UnaryOperator<ApiKeyOperator.Options> options;
  private final Clock clock;
  private volatile IdmelonSimulator simulator;
  private ApiKeyOperator operator;
  private KubernetesClient operatorClient;

  public OperatorHarness() throws IOException {
    this(null, o -> o);
  }

  /**
   * A harness shared by the tests of one class and closed after them:
   * {@code @RegisterExtension static final OperatorHarness harness = OperatorHarness.shared(Clock.systemUTC());}
   */
  public static OperatorHarness shared(Clock clock) {
    try {
      return new OperatorHarness(null, o -> o, clock);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * As {@link #shared(Clock)}, with the operator's options adjusted (e.g. the inventory poll on):
   * {@code @RegisterExtension static final OperatorHarness harness = OperatorHarness.shared(o -> o.withPollInterval(...));}
   */
  public static OperatorHarness shared(UnaryOperator<ApiKeyOperator.Options> options) {
    try {
      return new OperatorHarness(null, options, Clock.systemUTC());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Registered as a class-level extension ({@link #shared}): the class's tests are over. */
  @Override
  public void afterAll(ExtensionContext context) throws IOException {
    close();
  }

  public OperatorHarness(Supplier<String> keyGenerator) throws IOException {
    this(keyGenerator, o -> o);
  }

  /** {@code options} adjusts the operator's options (fast backoff and no inventory poll are the defaults here). */
  public OperatorHarness(Supplier<String> keyGenerator, UnaryOperator<ApiKeyOperator.Options> options)
      throws IOException {
    this(keyGenerator, options, Clock.systemUTC());
  }

  /** {@code clock} is shared by the operator and the simulator, so that tests can move time for both. */
  public OperatorHarness(Supplier<String> keyGenerator, UnaryOperator<ApiKeyOperator.Options> options, Clock clock)
      throws IOException {
    this.keyGenerator = keyGenerator;
    this.options = options;
    this.clock = clock;
    kubernetes = startKubernetes();
    client = kubernetes.newClient();
    adminKeyFile = Files.createTempFile("idmelon-admin-key", "");
    Files.writeString(adminKeyFile, "bootstrap-admin-key-" + System.nanoTime(), StandardCharsets.UTF_8);
    adminKey = AdminKeySource.load(adminKeyFile);
    simulator = newSimulator(0);
    WorkspaceBootstrap.clusterWorkspace(client, "default", simulator.baseUrl().toString(), simulator.keysPath(),
        adminKey.get(), spec -> { });
    startOperator(Checkpoints.NONE);
  }

  /** Starts fabric8's CRUD mock API server over HTTP with the committed CRDs from crds/ installed. */
  public static EmbeddedKubernetes startKubernetes() throws IOException {
    EmbeddedKubernetes kubernetes = EmbeddedKubernetes.start(0);
    for (String file : new String[] {"apikeys", "workspaces", "clusterworkspaces"}) {
      try (InputStream crd = Files.newInputStream(Path.of("crds", file + ".idmelon.com-v1.yml"))) {
        kubernetes.installCrd(crd);
      }
    }
    return kubernetes;
  }

  /** Starts an operator process (as it were) against the same API server and simulator. */
  public synchronized void startOperator(Checkpoints checkpoints) {
    operatorClient = kubernetes.newClient();
    operator = new ApiKeyOperator(operatorClient, options.apply(
        ApiKeyOperator.Options.defaults()
            .withBackoff(Duration.ofMillis(200), Duration.ofSeconds(2))
            .withRequestTimeout(Duration.ofSeconds(5))
            .withPollInterval(Duration.ZERO)
            .withMetrics(reconciles)
            .withClock(clock)
            .withCheckpoints(checkpoints)));
    operator.start();
  }

  /** Makes the operator look at the ApiKey now (an annotation of nobody's changes) and waits until it has. */
  public void touch(String namespace, String name) {
    int before = reconciles.count(namespace, name);
    retryOnConflict(() -> client.resources(ApiKey.class).inNamespace(namespace).withName(name).edit(k -> {
      k.getMetadata().getAnnotations().put("example.com/touch", Long.toString(System.nanoTime()));
      return k;
    }));
    org.awaitility.Awaitility.await().atMost(10, java.util.concurrent.TimeUnit.SECONDS)
        .until(() -> reconciles.count(namespace, name) > before);
  }

  /** The running operator (its caches, for tests of what it keeps). */
  public synchronized ApiKeyOperator operator() {
    return operator;
  }

  /** Stops the operator: all it kept in memory is gone, as after a crash. */
  public synchronized void stopOperator() {
    operator.close();
    operatorClient.close();
  }

  private IdmelonSimulator newSimulator(int port) throws IOException {
    IdmelonSimulator.Builder builder = IdmelonSimulator.builder(adminKey.get()).port(port).clock(clock);
    if (keyGenerator != null) {
      builder.keyGenerator(keyGenerator);
    }
    return builder.start();
  }

  public IdmelonSimulator simulator() {
    return simulator;
  }

  /** Stops the simulator: IDmelon is down (connection refused). */
  public void stopSimulator() {
    simulator.close();
  }

  /** Starts a fresh simulator on the same port; the keys of the previous one are gone. */
  public void startSimulatorAgain() throws IOException {
    simulator = newSimulator(simulator.port());
  }

  /** A namespace of its own for each test, so tests never see each other's resources. */
  public String newNamespace() {
    return "test-" + NAMESPACES.incrementAndGet();
  }

  public static ApiKey apiKey(String namespace, String name, KeyType type) {
    ApiKey apiKey = new ApiKey();
    apiKey.getMetadata().setNamespace(namespace);
    apiKey.getMetadata().setName(name);
    ApiKeySpec spec = new ApiKeySpec();
    spec.setName("Key " + name);
    spec.setType(type);
    apiKey.setSpec(spec);
    return apiKey;
  }

  public ApiKey create(ApiKey apiKey) {
    return client.resource(apiKey).create();
  }

  /**
   * Stores what a cluster refuses, as an object stored before its CRD's rules existed would be (or one applied to a
   * cluster without CEL validation): first proves that the API server refuses it (422 Invalid), then stores it with
   * admission off, so that the operator's own check can be tested too. Answers the refusal's message.
   */
  public String plantRefused(io.fabric8.kubernetes.api.model.HasMetadata object) {
    io.fabric8.kubernetes.client.KubernetesClientException refused = org.junit.jupiter.api.Assertions.assertThrows(
        io.fabric8.kubernetes.client.KubernetesClientException.class, () -> client.resource(object).create(),
        "the API server refuses " + object.getMetadata().getName());
    assertEquals(422, refused.getCode(), refused.getMessage());
    try (EmbeddedKubernetes.AdmissionOff off = kubernetes.withoutAdmission()) {
      client.resource(object).create();
    }
    return refused.getStatus().getMessage();
  }

  /** Deletes every ApiKey of a namespace and waits until they are gone, so that none acts in a later test. */
  public void deleteApiKeys(String namespace) {
    client.resources(ApiKey.class).inNamespace(namespace).delete();
    await().atMost(30, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(100))
        .until(() -> client.resources(ApiKey.class).inNamespace(namespace).list().getItems().isEmpty());
  }

  public ApiKey get(String namespace, String name) {
    return client.resources(ApiKey.class).inNamespace(namespace).withName(name).get();
  }

  public Optional<Condition> ready(String namespace, String name) {
    ApiKey apiKey = get(namespace, name);
    return apiKey == null || apiKey.getStatus() == null ? Optional.empty() : apiKey.getStatus().condition(Conditions.READY);
  }

  /** Waits until Ready has the given status and reason, and returns the ApiKey as it is then. */
  public ApiKey awaitReady(String namespace, String name, boolean status, String reason) {
    return awaitReady(namespace, name, status, reason, Duration.ofSeconds(20));
  }

  /** As {@link #awaitReady(String, String, boolean, String)}, waiting up to {@code atMost}. */
  public ApiKey awaitReady(String namespace, String name, boolean status, String reason, Duration atMost) {
    await().atMost(atMost).pollInterval(Duration.ofMillis(50)).until(() -> ready(namespace, name)
        .filter(c -> c.getStatus().equals(status ? "True" : "False") && c.getReason().equals(reason))
        .isPresent());
    return get(namespace, name);
  }

  /** Waits until no ApiKey has been reconciled for half a second: the reconciles caused by own writes are over. */
  public void awaitSettled() {
    AtomicInteger seen = new AtomicInteger(-1);
    await().atMost(30, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(500)).until(() -> {
      int now = reconciles.total();
      return seen.getAndSet(now) == now;
    });
  }

  /**
   * Edits a resource the operator also writes (its status): retried on a 409, as kubectl edit would be, because the
   * operator's own status patch can land between the read and the write.
   */
  public static <T> T retryOnConflict(java.util.concurrent.Callable<T> edit) {
    java.util.concurrent.atomic.AtomicReference<T> result = new java.util.concurrent.atomic.AtomicReference<>();
    await().atMost(10, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(50)).ignoreExceptions().until(() -> {
      result.set(edit.call());
      return true;
    });
    return result.get();
  }

  public Secret secret(String namespace, String name) {
    return client.secrets().inNamespace(namespace).withName(name).get();
  }

  /** The events recorded on one ApiKey. */
  public List<Event> events(String namespace, String name) {
    com.idmelon.operator.reconciler.EventRecorder.flush(); // events are sent in the background
    return client.v1().events().inNamespace(namespace).list().getItems().stream()
        .filter(e -> name.equals(e.getInvolvedObject().getName()))
        .toList();
  }

  public static String data(Secret secret, String key) {
    String encoded = secret.getData().get(key);
    return encoded == null ? null : new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
  }

  /**
   * Asserts what every crash or conflict must end in: exactly one live key named for this ApiKey in the simulator
   * (none leaked), the one the status names, whose value in the Secret authenticates, and nothing left pending.
   */
  public void assertOneWorkingKey(String namespace, String name) {
    ApiKey apiKey = get(namespace, name);
    List<SimulatedKey> keys = simulator.keys().stream().filter(k -> k.name().equals("Key " + name)).toList();
    assertEquals(1, keys.size(), "exactly one live key, none leaked: " + keys);
    assertEquals(keys.get(0).id(), apiKey.getStatus().getKeyId());
    String value = data(secret(namespace, name), "apiKey");
    assertEquals(keys.get(0).id(), simulator.authenticate(value).orElseThrow().id(), "the Secret works");
    assertNull(apiKey.getStatus().getPending(), "nothing left pending");
  }

  /** Takes every request the API server received so far; the next call starts from here. */
  public List<RecordedRequest> drainKubernetesRequests() throws InterruptedException {
    List<RecordedRequest> requests = new ArrayList<>();
    RecordedRequest request;
    while ((request = kubernetes.takeRequest(1, TimeUnit.MILLISECONDS)) != null) {
      requests.add(request);
    }
    return requests;
  }

  @Override
  public void close() throws IOException {
    stopOperator();
    client.close();
    simulator.close();
    kubernetes.close();
    Files.deleteIfExists(adminKeyFile);
  }
}
