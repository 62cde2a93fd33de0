package com.idmelon.operator.quickstart;

import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.function.Predicate;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A Kubernetes API without a cluster: fabric8's mock server in CRUD mode over real HTTP (watches, status
 * subresource, finalizers, conflicts), plus the discovery documents {@code kubectl} needs to talk to it.
 * Custom resources are admitted as a cluster admits them (see {@link #withoutAdmission}). It does not
 * garbage-collect.
 */
public final class EmbeddedKubernetes implements AutoCloseable {
  // the mock server logs every request through java.util.logging; keep the loggers referenced so levels stick
  private static final List<Logger> QUIET = List.of(
      Logger.getLogger("io.fabric8.mockwebserver"), Logger.getLogger("io.fabric8.kubernetes.client.server.mock"),
      Logger.getLogger("io.vertx"), Logger.getLogger("io.netty"));

  private final KubernetesMockServer server;
  private final ApiServerDispatcher dispatcher;

  private EmbeddedKubernetes(KubernetesMockServer server, ApiServerDispatcher dispatcher) {
    this.server = server;
    this.dispatcher = dispatcher;
  }

  /** Starts on 127.0.0.1 at {@code port} (0: any free port). */
  public static EmbeddedKubernetes start(int port) {
    QUIET.forEach(l -> l.setLevel(Level.WARNING));
    ApiServerDispatcher dispatcher = new ApiServerDispatcher();
    KubernetesMockServer server = new KubernetesMockServer(
        new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
    server.init(InetAddress.getLoopbackAddress(), port);
    return new EmbeddedKubernetes(server, dispatcher);
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

  public KubernetesMockServer server() {
    return server;
  }

  /** A new client for this server; the caller closes it. */
  public NamespacedKubernetesClient newClient() {
    return server.createClient();
  }

  /** The User-Agent of the benchmark's own client: its requests are counted apart from the operator's. */
  public static final String BENCH_USER_AGENT = "idmelon-bench";

  /** A new client that sends {@code userAgent}, so that a test can tell its requests from others'. */
  public io.fabric8.kubernetes.client.KubernetesClient newClient(String userAgent) {
    return new io.fabric8.kubernetes.client.KubernetesClientBuilder()
        .withConfig(new io.fabric8.kubernetes.client.ConfigBuilder(io.fabric8.kubernetes.client.Config.empty())
            .withMasterUrl(url())
            .withNamespace("default")
            .withUserAgent(userAgent)
            .withRequestRetryBackoffLimit(0)
            .build())
        .build();
  }

  public String url() {
    return "http://127.0.0.1:" + server.getPort();
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

  @Override
  public void close() {
    server.destroy();
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
