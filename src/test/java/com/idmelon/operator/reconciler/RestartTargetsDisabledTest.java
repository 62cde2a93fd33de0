package com.idmelon.operator.reconciler;

import static com.idmelon.operator.support.OperatorHarness.apiKey;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.idmelon.operator.crd.v1alpha1.ApiKey;
import com.idmelon.operator.crd.v1alpha1.RestartTarget;
import com.idmelon.operator.crd.v1alpha1.WorkloadKind;
import com.idmelon.operator.idmelon.KeyType;
import com.idmelon.operator.support.OperatorHarness;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An installation without restarts (RESTART_TARGETS_ENABLED=false, chart value restartTargets.enabled=false, so no
 * RBAC on workloads): keys are issued and rotated as usual, the ApiKey says once that its targets are not rolled out,
 * and the operator never touches a workload, so it never meets a refusal.
 */
class RestartTargetsDisabledTest {
  @RegisterExtension
  static final OperatorHarness harness = OperatorHarness.shared(o -> o.withRestartTargets(false));

  @Test
  void keysAreRotatedAndTheApiKeySaysItsTargetsAreNotRolledOut() throws Exception {
    String ns = harness.newNamespace();
    harness.client.resource(new DeploymentBuilder().withNewMetadata().withName("web").withNamespace(ns).endMetadata()
        .withNewSpec().withNewSelector().addToMatchLabels("app", "web").endSelector().withNewTemplate()
        .withNewMetadata().addToLabels("app", "web").endMetadata().withNewSpec().addNewContainer().withName("app")
        .withImage("example.com/web:1").endContainer().endSpec().endTemplate().endSpec().build()).create();
    ApiKey wanted = apiKey(ns, "admin", KeyType.Admin);
    wanted.getSpec().setRestartTargets(List.of(new RestartTarget(WorkloadKind.Deployment, "web")));
    harness.create(wanted);
    String fp0 = harness.awaitReady(ns, "admin", true, Reasons.ISSUED).getStatus().getFingerprint();

    harness.client.resources(ApiKey.class).inNamespace(ns).withName("admin").edit(k -> {
      k.getMetadata().getAnnotations().put(ApiKey.RESET_ANNOTATION, "rotate-1");
      return k;
    });
    harness.awaitReady(ns, "admin", true, Reasons.RESET);
    await().atMost(10, TimeUnit.SECONDS).until(() -> !fp0.equals(harness.get(ns, "admin").getStatus().getFingerprint()));
    harness.awaitSettled();

    Condition condition = harness.get(ns, "admin").getStatus().condition(Rollouts.CONDITION).orElseThrow();
    assertEquals("False", condition.getStatus());
    assertEquals(Rollouts.RESTARTS_DISABLED, condition.getReason());
    assertTrue(condition.getMessage().contains("Deployment/web are not rolled out"), condition.getMessage());
    assertNull(harness.get(ns, "admin").getStatus().getRolledOutFingerprint());
    assertEquals(1, harness.events(ns, "admin").stream()
        .filter(e -> Rollouts.RESTARTS_DISABLED.equals(e.getReason())).count(), "said once, not per reconcile");
    assertEquals(List.of(), harness.drainKubernetesRequests().stream()
        .filter(r -> r.getPath().startsWith("/apis/apps/") && !r.getMethod().equals("POST"))
        .map(r -> r.getMethod() + " " + r.getPath()).toList(), "no workload is read or patched");
  }
}
