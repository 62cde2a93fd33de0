package com.idmelon.operator.quickstart;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.idmelon.operator.quickstart.admission.Admission;
import io.fabric8.kubernetes.api.model.APIGroupBuilder;
import io.fabric8.kubernetes.api.model.APIGroupListBuilder;
import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceBuilder;
import io.fabric8.kubernetes.api.model.APIResourceListBuilder;
import io.fabric8.kubernetes.api.model.APIVersionsBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GroupVersionForDiscoveryBuilder;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.ServerAddressByClientCIDRBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import com.idmelon.operator.crd.v1alpha1.Conditions;
import java.io.IOException;
import java.util.List;
import org.slf4j.LoggerFactory;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * CRUD dispatcher that also answers the discovery requests of kubectl, and SelfSubjectRulesReviews (JOSDK checks
 * its Lease permissions before leader election) with "everything allowed": this server has no RBAC.
 */
public final class ApiServerDispatcher extends KubernetesCrudDispatcher {
  private static final List<String> VERBS =
      List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch");

  /** Requests by client ("bench" for the benchmark's own client, else "operator") and kind. */
  private final java.util.Map<String, java.util.concurrent.atomic.LongAdder> counts =
      new java.util.concurrent.ConcurrentHashMap<>();
  // watches over plain HTTP (kubectl, client-go): fed with every change in processEvent
  private final WatchHub watches = new WatchHub(this);
  private final Queue<EmbeddedKubernetes.Fault> faults = new ConcurrentLinkedQueue<>();

  private final CrdCatalog crds = new CrdCatalog(this::handleGet);
  /** Schema, CEL, pruning and defaults of custom resources, as a cluster admits writes. */
  private final Admission admission = new Admission(crds);
  // OpenAPI v3 discovery for kubectl (validation, explain), built from the stored CRDs
  private final OpenApiDocuments openApi = new OpenApiDocuments(crds);
  private final TableOutput tables = new TableOutput(crds);
  private final GarbageCollector collector = new GarbageCollector(this);
  // the store indexed by name (fabric8 scans it all for each named object); read under fabric8's read lock
  private final StoreIndex index =
      new StoreIndex((io.fabric8.kubernetes.client.server.mock.KubernetesAttributesExtractor) attributeExtractor);
  private volatile java.util.concurrent.locks.Lock readLock;
  private volatile java.util.concurrent.locks.Lock writeLock;

  public ApiServerDispatcher() {
    // kubectl get -w asks its watch for Tables too: one row per event, the columns in the first event only
    watches.setObjectView(tables::watchEventTable);
  }

  /** The CRDs stored here, for Table output, admission and OpenAPI discovery. */
  public CrdCatalog crds() {
    return crds;
  }

  /** The watches over plain HTTP, fed with every change of the store. */
  public WatchHub watches() {
    return watches;
  }

  /** Table output for kubectl get (lists, single objects, watch events). */
  public TableOutput tables() {
    return tables;
  }

  Admission admission() {
    return admission;
  }

  Queue<EmbeddedKubernetes.Fault> faults() {
    return faults;
  }

  java.util.Map<String, java.util.concurrent.atomic.LongAdder> counts() {
    return counts;
  }

  /**
   * Every change to the store passes here, under the store's write lock, with the object's new state (null: removed).
   */
  @Override
  public void processEvent(String path, AttributeSet pathAttributes, AttributeSet oldAttributes,
      GenericKubernetesResource resource, String newState) {
    String before = oldAttributes == null ? null : map.get(oldAttributes);
    // admission: may refuse (AdmissionException, nothing stored) or store the object pruned and defaulted
    newState = admission.admit(path, before, newState);
    GarbageCollector.Admitted admitted = collector.admit(before, resource, newState);
    if (admitted == null) {
      return;
    }
    if (DryRun.intercepted(before, admitted.newState())) {
      return; // ?dryRun=All: admitted and answered, not stored, not watched, not collected
    }
    AttributeSet key = index.keyOf(pathAttributes, admitted.resource(), admitted.newState());
    super.processEvent(path, pathAttributes, oldAttributes, admitted.resource(), admitted.newState());
    index.changed(oldAttributes, key);
    watches.publish(path, before, admitted.newState());
    collector.observe(path, before, admitted.newState());
    if (path != null && path.contains("/customresourcedefinitions")) {
      crds.invalidate();
    }
  }

  @Override
  public long requestResourceVersion() {
    if (DryRun.active()) {
      return 0; // a dry run spends no resourceVersion
    }
    return watches.issued(super.requestResourceVersion());
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    try {
      if (ProtobufBodies.protobuf(request)) {
        RecordedRequest json = ProtobufBodies.asJson(request);
        if (json == null) {
          return Patches.unsupported(request,
              "application/json, application/yaml; protobuf for Namespaces, Secrets and ConfigMaps only");
        }
        request = json;
      }
      return serve(request);
    } catch (RuntimeException e) {
      return failed(request, e);
    }
  }

  /**
   * What a request that broke a handler is answered: a body that is not JSON is the client's error (400, as an API
   * server decodes bodies first); anything else a 500 Status. Never silence, and neither the answer nor the log
   * repeats what the exception says: Jackson's messages quote the body, which may be a Secret.
   */
  private static MockResponse failed(RecordedRequest request, RuntimeException e) {
    boolean undecodable = false;
    StringBuilder chain = new StringBuilder();
    for (Throwable cause = e; cause != null && chain.length() < 1_000; cause = cause.getCause()) {
      undecodable |= cause instanceof com.fasterxml.jackson.core.JsonProcessingException;
      StackTraceElement[] at = cause.getStackTrace();
      chain.append(chain.length() == 0 ? "" : " <- ").append(cause.getClass().getName())
          .append(at.length == 0 ? "" : " at " + at[0]);
    }
    String path = Conditions.boundedMessage(request.getPath() == null ? "" : request.getPath().split("\\?", 2)[0]);
    if (undecodable) {
      return status(400, "BadRequest", "the body of the request could not be decoded as JSON");
    }
    LoggerFactory.getLogger(ApiServerDispatcher.class).warn("{} {} failed: {}", request.getMethod(), path, chain);
    return status(500, "InternalError", "Internal error occurred: " + e.getClass().getSimpleName());
  }

  private static MockResponse status(int code, String reason, String message) {
    return new MockResponse().setResponseCode(code).addHeader("Content-Type", "application/json")
        .setBody(Serialization.asJson(new io.fabric8.kubernetes.api.model.StatusBuilder().withStatus("Failure")
            .withCode(code).withReason(reason).withMessage(message).build()));
  }

  private MockResponse serve(RecordedRequest request) {
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
    MockResponse planted = admit(request, path);
    if (planted != null) {
      return planted;
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
    if ("GET".equals(request.getMethod()) && path.startsWith("/openapi/")) {
      return openApi.answer(request, path);
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
    // a Table where kubectl get asks for one; DELETE's propagation policy for the garbage collector
    // refusals answered, Warning headers; dry runs answered, not stored
    return json(tables.answer(request, DryRun.serve(request,
        () -> collector.dispatch(request, () -> admission.serve(request, () -> super.dispatch(request))))));
  }

  /**
   * fabric8's mock sends JSON without a Content-Type; client-go (kubectl) then takes it for protobuf ("proto: cannot
   * parse"). An API server always says what it sends.
   */
  private static MockResponse json(MockResponse response) {
    if (response.getBody() != null && response.getBody().size() > 0 && response.getHeaders().get("Content-Type") == null
        && response.getWebSocketListener() == null) {
      response.addHeader("Content-Type", "application/json");
    }
    return response;
  }

  /** Counts a request by client and kind; answers it with a planted fault if one matches, else null. */
  MockResponse admit(RecordedRequest request, String path) {
    String client = EmbeddedKubernetes.BENCH_USER_AGENT.equals(request.getHeader("User-Agent")) ? "bench" : "operator";
    String query = request.getPath() == null || !request.getPath().contains("?") ? "" : request.getPath().split("\\?", 2)[1];
    String kind = "GET".equals(request.getMethod()) && (query.contains("watch=true") || query.contains("watch=1"))
        ? "WATCH" : request.getMethod();
    counts.computeIfAbsent(client + " " + kind, k -> new java.util.concurrent.atomic.LongAdder()).increment();
    for (EmbeddedKubernetes.Fault fault : faults) {
      if (fault.which.test(request) && faults.remove(fault)) {
        return fault.response(path);
      }
    }
    return null;
  }

  /** Lists selected by field and label selectors as an API server selects them (fabric8's mock cannot). */
  @Override
  public MockResponse handleGet(String path) {
    return ListSelection.answer(path, crds, super::handleGet).orElseGet(() -> getByName(path));
  }

  /** A GET of one named object, from the index; fabric8 (a scan) answers anything else. */
  private MockResponse getByName(String path) {
    java.util.concurrent.locks.Lock lock = readLock;
    AttributeSet query = lock == null || path.contains("watch=") ? null : getKey(path);
    String name = query == null ? null : StoreIndex.exactName(query);
    if (name == null) {
      return super.handleGet(path);
    }
    lock.lock();
    try {
      java.util.Map.Entry<AttributeSet, String> found = index.find(map, name, query);
      return found == null ? new MockResponse().setResponseCode(404)
          : new MockResponse().setResponseCode(200).setBody(found.getValue());
    } finally {
      lock.unlock();
    }
  }

  /** One object by its attributes (writes and conflict checks), from the index where the query names it. */
  @Override
  public java.util.Map.Entry<AttributeSet, String> findResource(AttributeSet attributes) {
    String name = StoreIndex.exactName(attributes);
    return name == null ? super.findResource(attributes) : index.find(map, name, attributes);
  }

  /** A DELETE of one named object, found in the index; fabric8 (a scan) deletes anything else. */
  @Override
  public MockResponse handleDelete(String path) {
    java.util.concurrent.locks.Lock lock = writeLock;
    AttributeSet query = lock == null ? null : getKey(path);
    String name = query == null ? null : StoreIndex.exactName(query);
    if (name == null) {
      return super.handleDelete(path);
    }
    lock.lock();
    try {
      List<java.util.Map.Entry<AttributeSet, String>> found = index.findAll(map, name, query);
      found.forEach(entry -> StoreIndex.delete(this, path, query, entry));
      return found.isEmpty() ? new MockResponse().setResponseCode(404)
          : new MockResponse().setResponseCode(200).setBody(found.get(0).getValue());
    } finally {
      lock.unlock();
    }
  }

  /** fabric8's store lock, as its reads and writes take it: the index is read under it. */
  @Override
  protected void locked(java.util.concurrent.locks.Lock lock) {
    if (lock instanceof java.util.concurrent.locks.ReentrantReadWriteLock.ReadLock) {
      readLock = lock;
    } else if (lock instanceof java.util.concurrent.locks.ReentrantReadWriteLock.WriteLock) {
      writeLock = lock;
    }
  }

  @Override
  public void reset() {
    super.reset();
    index.clear();
  }

  /** Stops the garbage collector. */
  void close() {
    collector.close();
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
    RecordedRequest patch = Patches.asMergePatch(request);
    if (patch == null) {
      return Patches.unsupported(request);
    }
    MockResponse response = super.handlePatch(patch);
    boolean deleted = response.code() == 202 && (response.getBody() == null || response.getBody().size() == 0);
    if (response.code() == 202 && !deleted) {
      return response.setResponseCode(200); // an API server answers a patch 200 with the object
    }
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

  /** A JSON merge patch as RFC 7386 says (fabric8's mock kept {@code null}s instead of removing the keys). */
  @Override
  public JsonNode merge(JsonNode current, String patch)
      throws io.fabric8.kubernetes.client.server.mock.crud.KubernetesCrudDispatcherException {
    try {
      return Patches.mergePatch(current.deepCopy(), Serialization.jsonMapper().readTree(patch));
    } catch (IOException e) {
      throw new io.fabric8.kubernetes.client.server.mock.crud.KubernetesCrudDispatcherException(
          "the patch is not JSON", 400);
    }
  }

  static KubernetesResource discovery(String path) {
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
