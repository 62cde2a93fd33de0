package com.idmelon.operator.quickstart;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.idmelon.operator.quickstart.admission.AdmissionException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Server-side dry run as an API server serves it ({@code ?dryRun=All}, or {@code dryRun: [All]} in a DELETE's
 * DeleteOptions), for {@code kubectl diff}, {@code kubectl apply --dry-run=server} and clients' {@code dryRun()}.
 *
 * <p>The write goes as far as the store (conflict and existence checks, admission with its validation, pruning and
 * defaults, deletion marks) and is answered with what would be stored, with the status code of the real write; but
 * nothing is stored, no watch hears of it, no resourceVersion is spent (an update answers the one the object has, a
 * create none) and the garbage collector is not told. A value other than {@code All} is refused, before anything
 * else, as the API server's option validation refuses it (422 Invalid).
 */
final class DryRun {
  private static final String ALL = "All";
  /** The options each write decodes its query into: the kind an API server names when it refuses one. */
  private static final Map<String, String> OPTIONS = Map.of("POST", "CreateOptions", "PUT", "UpdateOptions",
      "PATCH", "PatchOptions", "DELETE", "DeleteOptions");
  /** The dry run this thread is serving: a write is served on one thread, down to the store. */
  private static final ThreadLocal<DryRun> CURRENT = new ThreadLocal<>();

  /** What each change of the store would have stored (null: a removal), in order. */
  private final List<String> wouldStore = new ArrayList<>();

  private DryRun() {
  }

  /** Serves {@code request} with {@code next}, as a dry run if it asks for one. */
  static MockResponse serve(RecordedRequest request, Supplier<MockResponse> next) {
    String options = OPTIONS.get(request.getMethod());
    List<String> values = options == null ? List.of() : values(request);
    if (values.isEmpty()) {
      return next.get();
    }
    if (!values.stream().allMatch(ALL::equals)) {
      AdmissionException refused = AdmissionException.unsupportedOption(options, "dryRun", values, List.of(ALL));
      return new MockResponse().setResponseCode(refused.code()).addHeader("Content-Type", "application/json")
          .setBody(refused.body());
    }
    DryRun dryRun = new DryRun();
    CURRENT.set(dryRun);
    MockResponse response;
    try {
      response = next.get();
    } finally {
      CURRENT.remove();
    }
    boolean oneObject = !"DELETE".equals(request.getMethod())
        || ResourcePath.parse(request.getPath()).map(ResourcePath::name).isPresent();
    if (oneObject && dryRun.wouldStore.size() == 1 && dryRun.wouldStore.get(0) != null
        && response.code() >= 200 && response.code() < 300) {
      response.setBody(dryRun.wouldStore.get(0)); // the store's handlers answer what they meant to store
    }
    return response;
  }

  /**
   * Under the store's write lock, with a change admitted and about to be stored: whether this thread serves a dry
   * run, which then keeps what would be stored for its answer instead of storing it.
   *
   * @param before the stored object, null on create
   * @param after what would be stored, null for a removal
   */
  static boolean intercepted(String before, String after) {
    DryRun dryRun = CURRENT.get();
    if (dryRun == null) {
      return false;
    }
    dryRun.wouldStore.add(after == null ? null : withResourceVersionOf(before, after));
    return true;
  }

  /** Whether this thread serves a dry run: it spends no resourceVersion (what it would spend is never answered). */
  static boolean active() {
    return CURRENT.get() != null;
  }

  /** {@code after} with {@code before}'s resourceVersion, or with none on create (nothing was written). */
  private static String withResourceVersionOf(String before, String after) {
    try {
      JsonNode object = Serialization.jsonMapper().readTree(after);
      if (!(object.path("metadata") instanceof ObjectNode metadata)) {
        return after;
      }
      JsonNode version = before == null ? null
          : Serialization.jsonMapper().readTree(before).path("metadata").get("resourceVersion");
      if (version == null) {
        metadata.remove("resourceVersion");
      } else {
        metadata.set("resourceVersion", version);
      }
      return object.toString();
    } catch (IOException e) {
      throw new UncheckedIOException("the store holds an object that is not JSON", e);
    }
  }

  /**
   * The dryRun values sent: a DELETE's DeleteOptions body, when it has one, decides alone (as the API server reads
   * one or the other); else every {@code dryRun} of the query.
   */
  private static List<String> values(RecordedRequest request) {
    List<String> values = new ArrayList<>();
    if ("DELETE".equals(request.getMethod()) && request.getBody() != null && request.getBody().size() > 0) {
      try {
        Serialization.jsonMapper().readTree(request.getBody().getBytes()).path("dryRun")
            .forEach(v -> values.add(v.asText()));
      } catch (IOException e) {
        throw new UncheckedIOException(e); // answered 400, as a body that does not decode
      }
      return values;
    }
    String uri = request.getPath() == null ? "" : request.getPath();
    int question = uri.indexOf('?');
    for (String pair : question < 0 ? new String[0] : uri.substring(question + 1).split("&")) {
      String[] keyValue = pair.split("=", 2);
      try {
        if (URLDecoder.decode(keyValue[0], StandardCharsets.UTF_8).equals("dryRun")) {
          values.add(keyValue.length == 2 ? URLDecoder.decode(keyValue[1], StandardCharsets.UTF_8) : "");
        }
      } catch (IllegalArgumentException badEscape) {
        // as Go's url.Values: a pair that does not decode is left out
      }
    }
    return values;
  }
}
