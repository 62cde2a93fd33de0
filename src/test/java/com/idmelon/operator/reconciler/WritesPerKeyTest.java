package com.idmelon.operator.reconciler;

import static com.idmelon.operator.support.OperatorHarness.apiKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.idmelon.operator.crd.v1alpha1.ApiKey;
import com.idmelon.operator.idmelon.KeyType;
import com.idmelon.operator.support.OperatorHarness;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What a new key costs the API server, counted there: the finalizer with the marker of the first create (one patch),
 * the Secret, the status, and one event; one reconcile, none triggered by the operator's own writes.
 */
class WritesPerKeyTest {
  private static final int KEYS = 24;

  @RegisterExtension
  static final OperatorHarness harness = OperatorHarness.shared(Clock.systemUTC());

  @Test
  void aNewKeyCostsThreeStateWritesOneEventAndOneReconcile() throws Exception {
    // the workspace is checked once the operator starts: until then new keys wait (and say so)
    String warmUp = harness.newNamespace();
    harness.create(apiKey(warmUp, "first", KeyType.Clients));
    harness.awaitReady(warmUp, "first", true, Reasons.ISSUED);
    harness.awaitSettled();
    String ns = harness.newNamespace();
    harness.drainKubernetesRequests();
    List<String> names = IntStream.range(0, KEYS).mapToObj(i -> "key-" + i).toList();
    for (int i = 0; i < KEYS; i++) {
      harness.create(apiKey(ns, names.get(i), KeyType.values()[i % 3]));
    }
    names.forEach(name -> harness.awaitReady(ns, name, true, Reasons.ISSUED));
    harness.awaitSettled();

    String apiKeys = "/apis/idmelon.com/v1alpha1/namespaces/" + ns + "/apikeys";
    Map<String, Long> writes = harness.drainKubernetesRequests().stream()
        .filter(r -> !r.getMethod().equals("GET"))
        .filter(r -> !(r.getMethod().equals("POST") && path(r).equals(apiKeys))) // the test's own creates
        .collect(Collectors.groupingBy(WritesPerKeyTest::kind, TreeMap::new, Collectors.counting()));
    assertEquals(Map.of("PATCH apikey", (long) KEYS, "PATCH apikey/status", (long) KEYS, "POST event", (long) KEYS,
        "POST secret", (long) KEYS), writes, "per key: finalizer with marker, status, Secret, one event; nothing else");

    int reconciles = names.stream().mapToInt(name -> harness.reconciles.count(ns, name)).sum();
    assertTrue(reconciles <= KEYS * 1.5, "at most 1.5 reconciles per new key, had " + reconciles + " for " + KEYS);

    for (String name : names) {
      ApiKey apiKey = harness.get(ns, name);
      assertTrue(apiKey.hasFinalizer(StatusStore.FINALIZER), "the finalizer is there");
      assertNotNull(apiKey.getMetadata().getAnnotations().get(IssueMarker.ANNOTATION), "the marker stays, as history");
      assertNull(apiKey.getStatus().getPending(), "the status never held a marker");
      harness.assertOneWorkingKey(ns, name);
    }
  }

  private static String path(RecordedRequest request) {
    return request.getPath().split("\\?", 2)[0];
  }

  private static String kind(RecordedRequest request) {
    String path = path(request);
    String resource = path.contains("/events") ? "event" : path.contains("/secrets") ? "secret"
        : path.endsWith("/status") ? "apikey/status" : path.contains("/apikeys/") ? "apikey" : path;
    return request.getMethod() + " " + resource;
  }
}
