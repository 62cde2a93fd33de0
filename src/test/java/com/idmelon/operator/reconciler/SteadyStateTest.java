package com.idmelon.operator.reconciler;

import static com.idmelon.operator.support.OperatorHarness.apiKey;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.idmelon.operator.crd.v1alpha1.ApiKey;
import com.idmelon.operator.idmelon.KeyType;
import com.idmelon.operator.support.OperatorHarness;
import io.fabric8.mockwebserver.http.RecordedRequest;
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
    // let the reconcile caused by the operator's own status write pass
    await().atMost(10, TimeUnit.SECONDS).until(() -> {
      int before = harness.reconciles.count(ns, "quiet");
      Thread.sleep(500);
      return harness.reconciles.count(ns, "quiet") == before;
    });
    int reconcilesBefore = harness.reconciles.count(ns, "quiet");
    harness.drainKubernetesRequests();
    harness.simulator().clearRequests();

    // an unrelated annotation makes the operator look again, as a resync or a GitOps re-apply would
    harness.client.resources(ApiKey.class).inNamespace(ns).withName("quiet").edit(k -> {
      k.getMetadata().getAnnotations().put("example.com/touched", "yes");
      return k;
    });
    await().atMost(10, TimeUnit.SECONDS).until(() -> harness.reconciles.count(ns, "quiet") > reconcilesBefore);
    Thread.sleep(500); // a write would follow the reconcile at once; give it the time to arrive

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
