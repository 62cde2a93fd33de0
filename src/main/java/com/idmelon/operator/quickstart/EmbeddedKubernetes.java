package com.idmelon.operator.quickstart;

import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.NamedContext;
import io.fabric8.kubernetes.api.model.NamedContextBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.http.TlsVersion;
import io.fabric8.kubernetes.client.impl.BaseClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.vertx.HttpServerRequestHandler;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A Kubernetes API without a cluster: fabric8's mock server in CRUD mode over real HTTP (watches, status
 * subresource, finalizers, conflicts), plus the discovery documents {@code kubectl} needs to talk to it.
 * It garbage-collects owned objects ({@link GarbageCollector}), and admits custom resources as a cluster admits
 * them (see {@link #withoutAdmission}).
 *
 * <p>The HTTP server is our own Vert.x server in front of fabric8's dispatcher: fabric8's request handler serves
 * every request (WebSocket watches of fabric8 clients included) except watches over plain HTTP, which fabric8's
 * MockWebServer cannot stream and {@link WatchHub} streams instead.
 */
public final class EmbeddedKubernetes implements AutoCloseable {
  // the mock server logs every request through java.util.logging; keep the loggers referenced so levels stick
  private static final List<Logger> QUIET = List.of(
      Logger.getLogger("io.fabric8.mockwebserver"), Logger.getLogger("io.fabric8.kubernetes.client.server.mock"),
      Logger.getLogger("io.vertx"), Logger.getLogger("io.netty"));

  /** Requests kept for {@link #takeRequest}: the oldest go first, so long benchmarks do not fill the memory. */
  static final int RECORDED_REQUESTS = 10_000;

  private final Vertx vertx;
  private final HttpServer http;
  private final ApiServerDispatcher dispatcher;
  private final BlockingQueue<RecordedRequest> recorded = new ArrayBlockingQueue<>(RECORDED_REQUESTS);

  private EmbeddedKubernetes(Vertx vertx, ApiServerDispatcher dispatcher) {
    this.vertx = vertx;
    this.dispatcher = dispatcher;
    dispatcher.watches().attach(vertx);
    // as fabric8's MockWebServer serves: HTTP/2 (also cleartext) and HTTP/1.1, Kubernetes' WebSocket subprotocols
    HttpServerOptions options = new HttpServerOptions()
        .setHost("127.0.0.1")
        .setAlpnVersions(List.of(HttpVersion.HTTP_2, HttpVersion.HTTP_1_1))
        .setWebSocketSubProtocols(List.of("v1.channel.k8s.io", "v2.channel.k8s.io", "v3.channel.k8s.io",
            "v4.channel.k8s.io"))
        .setHandle100ContinueAutomatically(true)
        .setHttp2ClearTextEnabled(true);
    HttpServerRequestHandler fabric8 = new HttpServerRequestHandler(vertx) {
      @Override
      protected MockResponse onHttpRequest(RecordedRequest request) {
        record(request);
        return OffLoopWatchClose.of(dispatcher.dispatch(request));
      }
    };
    this.http = vertx.createHttpServer(options).requestHandler(request -> {
      if (WatchHub.isHttpWatch(request)) {
        try {
          watch(request);
        } catch (RuntimeException e) {
          // an API server answers what it could not handle, never with silence (a watch would hang)
          if (!request.response().headWritten()) {
            HttpWatch.refuse(request, 500, "InternalError", "Internal error occurred: " + e.getMessage());
          } else if (!request.response().ended()) {
            request.response().end();
          }
        }
      } else {
        fabric8.handle(request);
      }
    });
  }

  /** Starts on 127.0.0.1 at {@code port} (0: any free port). */
  public static EmbeddedKubernetes start(int port) {
    QUIET.forEach(l -> l.setLevel(Level.WARNING));
    EmbeddedKubernetes kubernetes = new EmbeddedKubernetes(Vertx.vertx(), new ApiServerDispatcher());
    try {
      await(kubernetes.http.listen(port), "listen on 127.0.0.1:" + port);
    } catch (RuntimeException e) {
      kubernetes.close();
      throw e;
    }
    return kubernetes;
  }

  private void watch(HttpServerRequest request) {
    RecordedRequest recordedRequest = new RecordedRequest(request.version().alpnName().toUpperCase(Locale.ROOT),
        HttpMethod.fromVertx(request.method()), request.uri(), Headers.builder().addAll(request.headers()).build(),
        new io.fabric8.mockwebserver.http.Buffer(null));
    record(recordedRequest);
    MockResponse planted = dispatcher.admit(recordedRequest, request.path());
    if (planted != null) {
      request.response().setStatusCode(planted.code());
      planted.getHeaders().toMultimap().forEach((key, values) -> request.response().headers().add(key, values));
      request.response().end(io.vertx.core.buffer.Buffer.buffer(planted.getBody().getBytes()));
      return;
    }
    dispatcher.watches().serve(request);
  }

  private void record(RecordedRequest request) {
    while (!recorded.offer(request)) {
      recorded.poll();
    }
  }

  /**
   * The next request this server received (in arrival order, the last {@value #RECORDED_REQUESTS} kept), waiting at
   * most {@code timeout}; null if none came.
   */
  public RecordedRequest takeRequest(long timeout, TimeUnit unit) throws InterruptedException {
    return recorded.poll(timeout, unit);
  }

  /** The watches over plain HTTP: bookmarks' interval, history kept for resuming, what they send of objects. */
  public WatchHub watches() {
    return dispatcher.watches();
  }

  /** A planted API-server error: answers the first request that matches, once, instead of the server. */
  public static final class Fault {
    final Predicate<RecordedRequest> which;
    private final int code;
    private final String reason;
    private volatile boolean answered;

    private Fault(Predicate<RecordedRequest> which, int code, String reason) {
      this.which = which;
      this.code = code;
      this.reason = reason;
    }

    /** Whether a request has received this error. */
    public boolean answered() {
      return answered;
    }

    MockResponse response(String path) {
      answered = true;
      Status status = new StatusBuilder().withStatus("Failure").withCode(code).withReason(reason)
          .withMessage("Operation cannot be fulfilled on " + path + ": planted " + reason).build();
      return new MockResponse().setResponseCode(code).addHeader("Content-Type", "application/json")
          .setBody(Serialization.asJson(status));
    }
  }

  /**
   * Makes the next request that {@code which} matches fail with {@code code} (e.g. 409 Conflict), as a real API
   * server does under contention; for tests. {@code which} may read the body with {@code getBody().getBytes()}.
   */
  public Fault failNext(Predicate<RecordedRequest> which, int code, String reason) {
    Fault fault = new Fault(which, code, reason);
    dispatcher.faults().add(fault);
    return fault;
  }

  /**
   * Turns admission of custom resources off until the returned handle is closed: writes are stored as sent, neither
   * validated against their CRD's schema and CEL rules nor pruned or defaulted. Only for a test that must plant
   * what a cluster would refuse, e.g. an object stored before a CRD upgrade made it invalid.
   */
  public AdmissionOff withoutAdmission() {
    dispatcher.admission().enforce(false);
    return () -> dispatcher.admission().enforce(true);
  }

  /** Closing it turns admission back on. */
  public interface AdmissionOff extends AutoCloseable {
    @Override
    void close();
  }

  /** Requests received so far that change something (neither GET nor WATCH), from every client. */
  public long writeCount() {
    return dispatcher.counts().entrySet().stream()
        .filter(e -> !e.getKey().endsWith(" GET") && !e.getKey().endsWith(" WATCH"))
        .mapToLong(e -> e.getValue().sum()).sum();
  }

  /** The body of a request as text, without consuming it (the server still reads it after a predicate). */
  public static String body(RecordedRequest request) {
    return request.getBody() == null ? "" : new String(request.getBody().getBytes(), StandardCharsets.UTF_8);
  }

  /**
   * A new client for this server, configured as fabric8's {@code KubernetesMockServer.createClient()} configures it
   * (namespace "test", trusting any certificate, HTTP/1.1, every API group taken as served); the caller closes it.
   */
  public NamespacedKubernetesClient newClient() {
    NamedContext context = new NamedContextBuilder()
        .withName("fabric8-mock-server-context")
        .withNewContext()
        .withNamespace("test")
        .withCluster("localhost:" + port())
        .withUser("fabric8-mock-server-user")
        .endContext()
        .build();
    Config config = new ConfigBuilder(Config.empty())
        .withMasterUrl("http://localhost:" + port() + "/")
        .withTrustCerts(true)
        .withTlsVersions(TlsVersion.TLS_1_2)
        .withNamespace("test")
        .withHttp2Disable(true)
        .addToContexts(context)
        .withCurrentContext(context)
        .withUsername("fabric8-mock-server-user")
        .withOauthToken("secret")
        .build();
    BaseClient client = new KubernetesClientBuilder().withConfig(config).build().adapt(BaseClient.class);
    client.setMatchingGroupPredicate(group -> true);
    return client.adapt(NamespacedKubernetesClient.class);
  }

  /** The User-Agent of the benchmark's own client: its requests are counted apart from the operator's. */
  public static final String BENCH_USER_AGENT = "idmelon-bench";

  /** A new client that sends {@code userAgent}, so that a test can tell its requests from others'. */
  public io.fabric8.kubernetes.client.KubernetesClient newClient(String userAgent) {
    return new KubernetesClientBuilder()
        .withConfig(new ConfigBuilder(Config.empty())
            .withMasterUrl(url())
            .withNamespace("default")
            .withUserAgent(userAgent)
            .withRequestRetryBackoffLimit(0)
            .build())
        .build();
  }

  public String url() {
    return "http://127.0.0.1:" + port();
  }

  private int port() {
    return http.actualPort();
  }

  /** Registers a CRD from its YAML, so that its resources get a status subresource and their scope. */
  public void installCrd(InputStream yaml) {
    try (var client = newClient()) {
      CustomResourceDefinition crd = client.getKubernetesSerialization().unmarshal(yaml, CustomResourceDefinition.class);
      client.resource(crd).create();
    }
  }

  /** Writes a kubeconfig whose current context is this server, for kubectl. */
  public Path writeKubeconfig(Path file) throws IOException {
    String kubeconfig = """
        apiVersion: v1
        kind: Config
        clusters:
        - name: idmelon-quickstart
          cluster:
            server: %s
        users:
        - name: quickstart
          user:
            token: quickstart
        contexts:
        - name: idmelon-quickstart
          context:
            cluster: idmelon-quickstart
            user: quickstart
            namespace: default
        current-context: idmelon-quickstart
        """.formatted(url());
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.writeString(file, kubeconfig, StandardCharsets.UTF_8);
    return file;
  }

  /** Ends every open watch, stops serving and releases Vert.x. */
  @Override
  public void close() {
    dispatcher.watches().closeAll();
    try {
      await(http.close(), "close the HTTP server");
      dispatcher.shutdown();
      dispatcher.close();
      dispatcher.releaseResources();
    } finally {
      await(vertx.close(), "close Vert.x");
    }
  }

  private static <T> T await(Future<T> future, String what) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting to " + what, e);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("could not " + what, e);
    }
  }

  /** Reads a classpath resource, failing clearly if the jar lacks it. */
  public static InputStream classpath(String name) {
    InputStream in = EmbeddedKubernetes.class.getClassLoader().getResourceAsStream(name);
    if (in == null) {
      throw new IllegalStateException(name + " is not on the class path: build with mvn package");
    }
    return in;
  }
}
