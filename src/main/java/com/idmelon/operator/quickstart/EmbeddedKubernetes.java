package com.idmelon.operator.quickstart;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.APIGroupBuilder;
import io.fabric8.kubernetes.api.model.APIGroupListBuilder;
import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceBuilder;
import io.fabric8.kubernetes.api.model.APIResourceListBuilder;
import io.fabric8.kubernetes.api.model.APIVersionsBuilder;
import io.fabric8.kubernetes.api.model.GroupVersionForDiscoveryBuilder;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.ServerAddressByClientCIDRBuilder;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
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
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Predicate;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A Kubernetes API without a cluster: fabric8's mock server in CRUD mode over real HTTP (watches, status
 * subresource, finalizers, conflicts), plus the discovery documents {@code kubectl} needs to talk to it.
 * It does not garbage-collect, apply defaults or validate schemas.
 */
public final class EmbeddedKubernetes implements AutoCloseable {
  // the mock server logs every request through java.util.logging; keep the loggers referenced so levels stick
  private static final List<Logger> QUIET = List.of(
      Logger.getLogger("io.fabric8.mockwebserver"), Logger.getLogger("io.fabric8.kubernetes.client.server.mock"),
      Logger.getLogger("io.vertx"), Logger.getLogger("io.netty"));

  private final KubernetesMockServer server;
  private final DiscoveryDispatcher dispatcher;

  private EmbeddedKubernetes(KubernetesMockServer server, DiscoveryDispatcher dispatcher) {
    this.server = server;
    this.dispatcher = dispatcher;
  }

  /** Starts on 127.0.0.1 at {@code port} (0: any free port). */
  public static EmbeddedKubernetes start(int port) {
    QUIET.forEach(l -> l.setLevel(Level.WARNING));
    DiscoveryDispatcher dispatcher = new DiscoveryDispatcher();
    KubernetesMockServer server = new KubernetesMockServer(
        new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
    server.init(InetAddress.getLoopbackAddress(), port);
    return new EmbeddedKubernetes(server, dispatcher);
  }

  /** A planted API-server error: answers the first request that matches, once, instead of the server. */
  public static final class Fault {
    private final Predicate<RecordedRequest> which;
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

    private MockResponse response(String path) {
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
    dispatcher.faults.add(fault);
    return fault;
  }

  /** Requests received so far that change something (neither GET nor WATCH), from every client. */
  public long writeCount() {
    return dispatcher.counts.entrySet().stream()
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

  /**
   * CRUD dispatcher that also answers the discovery requests of kubectl, and SelfSubjectRulesReviews (JOSDK checks
   * its Lease permissions before leader election) with "everything allowed": this server has no RBAC.
   */
  static final class DiscoveryDispatcher extends KubernetesCrudDispatcher {
    private static final List<String> VERBS =
        List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch");

    /** Requests by client ("bench" for the benchmark's own client, else "operator") and kind. */
    private final java.util.Map<String, java.util.concurrent.atomic.LongAdder> counts =
        new java.util.concurrent.ConcurrentHashMap<>();
    private final Queue<Fault> faults = new ConcurrentLinkedQueue<>();

    @Override
    public MockResponse dispatch(RecordedRequest request) {
      String path = request.getPath() == null ? "" : request.getPath().split("\\?", 2)[0];
      if (path.equals("/_bench/requests")) {
        java.util.Map<String, Long> snapshot = new java.util.TreeMap<>();
        counts.forEach((k, v) -> snapshot.put(k, v.sum()));
        if ("POST".equals(request.getMethod())) {
          counts.clear(); // after the snapshot: POST answers the counts it clears
        }
        return new MockResponse().setResponseCode(200).addHeader("Content-Type", "application/json")
            .setBody(Serialization.asJson(snapshot));
      }
      String client = BENCH_USER_AGENT.equals(request.getHeader("User-Agent")) ? "bench" : "operator";
      String query = request.getPath() == null || !request.getPath().contains("?") ? "" : request.getPath().split("\\?", 2)[1];
      String kind = "GET".equals(request.getMethod()) && (query.contains("watch=true") || query.contains("watch=1"))
          ? "WATCH" : request.getMethod();
      counts.computeIfAbsent(client + " " + kind, k -> new java.util.concurrent.atomic.LongAdder()).increment();
      for (Fault fault : faults) {
        if (fault.which.test(request) && faults.remove(fault)) {
          return fault.response(path);
        }
      }
      if ("POST".equals(request.getMethod())
          && path.equals("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")) {
        var review = Serialization.unmarshal(request.getUtf8Body(),
            io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReview.class);
        review.setStatus(new io.fabric8.kubernetes.api.model.authorization.v1.SubjectRulesReviewStatusBuilder()
            .withIncomplete(false)
            .addNewResourceRule().withApiGroups("*").withResources("*").withVerbs("*").endResourceRule()
            .build());
        return new MockResponse()
            .setResponseCode(201)
            .addHeader("Content-Type", "application/json")
            .setBody(Serialization.asJson(review));
      }
      if ("GET".equals(request.getMethod())) {
        KubernetesResource discovery = discovery(path);
        if (discovery != null) {
          return new MockResponse()
              .setResponseCode(200)
              .addHeader("Content-Type", "application/json")
              .setBody(Serialization.asJson(discovery));
        }
      }
      return super.dispatch(request);
    }

    /**
     * A PATCH that removes the last finalizer of a resource being deleted deletes it; fabric8's mock then answers
     * 202 with no body, where an API server answers 200 with the object. The fabric8 client turns the empty answer
     * into null, which JOSDK's finalizer removal does not expect (NullPointerException logged after every
     * deletion). Answer as an API server does: the object as it was, without finalizers.
     */
    @Override
    public MockResponse handlePatch(RecordedRequest request) {
      MockResponse before = handleGet(request.getPath());
      MockResponse response = super.handlePatch(request);
      boolean deleted = response.code() == 202 && (response.getBody() == null || response.getBody().size() == 0);
      if (!deleted || before.code() != 200 || before.getBody() == null) {
        return response;
      }
      try {
        JsonNode object =
            Serialization.jsonMapper().readTree(before.getBody().getBytes());
        if (object.path("metadata") instanceof ObjectNode metadata) {
          metadata.remove("finalizers");
        }
        return new MockResponse().setResponseCode(200).addHeader("Content-Type", "application/json")
            .setBody(Serialization.jsonMapper().writeValueAsString(object));
      } catch (IOException e) {
        return response;
      }
    }

    private static KubernetesResource discovery(String path) {
      return switch (path) {
        case "/api" -> new APIVersionsBuilder()
            .withVersions("v1")
            .withServerAddressByClientCIDRs(new ServerAddressByClientCIDRBuilder()
                .withClientCIDR("0.0.0.0/0").withServerAddress("127.0.0.1").build())
            .build();
        case "/apis" -> new APIGroupListBuilder()
            .withGroups(group("idmelon.com", "v1alpha1"), group("apiextensions.k8s.io", "v1"),
                group("coordination.k8s.io", "v1"), group("events.k8s.io", "v1"), group("apps", "v1"))
            .build();
        case "/api/v1" -> new APIResourceListBuilder()
            .withGroupVersion("v1")
            .withResources(
                resource("namespaces", "namespace", "Namespace", false, List.of("ns"), List.of()),
                resource("secrets", "secret", "Secret", true, List.of(), List.of()),
                resource("configmaps", "configmap", "ConfigMap", true, List.of("cm"), List.of()),
                resource("events", "event", "Event", true, List.of("ev"), List.of()),
                resource("serviceaccounts", "serviceaccount", "ServiceAccount", true, List.of("sa"), List.of()))
            .build();
        case "/apis/idmelon.com/v1alpha1" -> new APIResourceListBuilder()
            .withGroupVersion("idmelon.com/v1alpha1")
            .withResources(
                resource("apikeys", "apikey", "ApiKey", true, List.of("ak"), List.of("idmelon")),
                new APIResourceBuilder().withName("apikeys/status").withSingularName("").withKind("ApiKey")
                    .withNamespaced(true).withVerbs("get", "patch", "update").build(),
                resource("workspaces", "workspace", "Workspace", true, List.of("ws"), List.of("idmelon")),
                resource("clusterworkspaces", "clusterworkspace", "ClusterWorkspace", false, List.of("cws"),
                    List.of("idmelon")))
            .build();
        case "/apis/apiextensions.k8s.io/v1" -> new APIResourceListBuilder()
            .withGroupVersion("apiextensions.k8s.io/v1")
            .withResources(resource("customresourcedefinitions", "customresourcedefinition",
                "CustomResourceDefinition", false, List.of("crd", "crds"), List.of()))
            .build();
        case "/apis/coordination.k8s.io/v1" -> new APIResourceListBuilder()
            .withGroupVersion("coordination.k8s.io/v1")
            .withResources(resource("leases", "lease", "Lease", true, List.of(), List.of()))
            .build();
        case "/apis/apps/v1" -> new APIResourceListBuilder()
            .withGroupVersion("apps/v1")
            .withResources(
                resource("deployments", "deployment", "Deployment", true, List.of("deploy"), List.of("all")),
                resource("statefulsets", "statefulset", "StatefulSet", true, List.of("sts"), List.of("all")),
                resource("daemonsets", "daemonset", "DaemonSet", true, List.of("ds"), List.of("all")))
            .build();
        case "/apis/events.k8s.io/v1" -> new APIResourceListBuilder()
            .withGroupVersion("events.k8s.io/v1")
            .withResources(resource("events", "event", "Event", true, List.of("ev"), List.of()))
            .build();
        default -> null;
      };
    }

    private static io.fabric8.kubernetes.api.model.APIGroup group(String name, String version) {
      var groupVersion = new GroupVersionForDiscoveryBuilder()
          .withGroupVersion(name + "/" + version).withVersion(version).build();
      return new APIGroupBuilder().withName(name).withVersions(groupVersion).withPreferredVersion(groupVersion).build();
    }

    private static APIResource resource(String plural, String singular, String kind, boolean namespaced,
        List<String> shortNames, List<String> categories) {
      return new APIResourceBuilder()
          .withName(plural)
          .withSingularName(singular)
          .withKind(kind)
          .withNamespaced(namespaced)
          .withVerbs(VERBS)
          .withShortNames(shortNames)
          .withCategories(categories)
          .build();
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
