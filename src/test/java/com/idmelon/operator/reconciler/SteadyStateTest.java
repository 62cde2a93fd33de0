package com.idmelon.operator.reconciler;

import static com.idmelon.operator.support.OperatorHarness.apiKey;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.idmelon.operator.crd.v1alpha1.ApiKey;
import com.idmelon.operator.idmelon.KeyType;
import com.idmelon.operator.support.OperatorHarness;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A settled ApiKey costs nothing: looking at it again writes nothing and calls nobody. */
class SteadyStateTest {
  private OperatorHarness harness;

  @BeforeEach
  void start() throws Exception {
    harness = new OperatorHarness();
  }

  @AfterEach
  void stop() throws Exception {
    harness.close();
  }

  @Test
  void settledApiKeyIsReconciledWithoutAnyWriteOrIdmelonCall() throws Exception {
    String ns = harness.newNamespace();
    harness.create(apiKey(ns, "quiet", KeyType.Admin));
    harness.awaitReady(ns, "quiet", true, Reasons.ISSUED);
    harness.awaitSettled(); // the reconcile caused by the operator's own status write is over
    int reconcilesBefore = harness.reconciles.count(ns, "quiet");
    harness.drainKubernetesRequests();
    harness.simulator().clearRequests();

    // an unrelated annotation makes the operator look again, as a resync or a GitOps re-apply would
    harness.client.resources(ApiKey.class).inNamespace(ns).withName("quiet").edit(k -> {
      k.getMetadata().getAnnotations().put("example.com/touched", "yes");
      return k;
    });
    await().atMost(10, TimeUnit.SECONDS).until(() -> harness.reconciles.count(ns, "quiet") > reconcilesBefore);
    // a write would follow the reconcile at once: nothing may arrive for half a second
    long writesSoFar = harness.kubernetes.writeCount();
    await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5))
        .until(() -> harness.kubernetes.writeCount() == writesSoFar && harness.simulator().requests().isEmpty());

    String testsOwnEdit = "/apis/idmelon.com/v1alpha1/namespaces/" + ns + "/apikeys/quiet";
    List<String> operatorWrites = harness.drainKubernetesRequests().stream()
        .filter(r -> !r.getMethod().equals("GET"))
        .map(RecordedRequest::getPath)
        .filter(path -> !path.split("\\?")[0].equals(testsOwnEdit))
        .toList();
    assertEquals(List.of(), operatorWrites, "a settled ApiKey makes no write to Kubernetes");
    assertEquals(List.of(), harness.simulator().requests(), "a settled ApiKey makes no call to IDmelon");
  }
}
