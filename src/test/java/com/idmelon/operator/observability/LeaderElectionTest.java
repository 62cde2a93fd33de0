package com.idmelon.operator.observability;

import static com.idmelon.operator.support.OperatorHarness.apiKey;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.idmelon.operator.OperatorRuntime;
import com.idmelon.operator.crd.v1alpha1.ApiKey;
import com.idmelon.operator.crd.v1alpha1.Conditions;
import com.idmelon.operator.idmelon.KeyType;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Two replicas against one API server: only the Lease holder reconciles; when it dies, the other takes over. */
class LeaderElectionTest {

  private static LeaderElectionConfiguration lease(String identity) {
    return new LeaderElectionConfiguration("idmelon-apikey-operator", "operators", Duration.ofSeconds(3),
        Duration.ofSeconds(2), Duration.ofMillis(300), identity, null, false);
  }

  @Test
  void onlyTheLeaderReconcilesAndAStandbyTakesOver() throws Exception {
    try (RuntimeFixture fixture = new RuntimeFixture()) {
      fixture.client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("operators")
          .endMetadata().build()).create();
      OperatorRuntime a = fixture.runtime(o -> o.withLeaderElection(lease("replica-a")));
      OperatorRuntime b = fixture.runtime(o -> o.withLeaderElection(lease("replica-b")));
      try {
        a.start();
        await().atMost(15, TimeUnit.SECONDS).until(() -> holder(fixture) != null);
        b.start();
        // which replica leads is decided by the Lease
        OperatorRuntime leader = "replica-a".equals(holder(fixture)) ? a : b;
        OperatorRuntime standby = leader == a ? b : a;

        fixture.client.resource(apiKey("ha", "first", KeyType.Clients)).create();
        awaitReady(fixture, "first");
        // reconciles are counted through the metrics each replica exports
        assertEquals(0.0, reconciles(fixture, standby), "the standby reconciles nothing");
        assertEquals(true, reconciles(fixture, leader) > 0);

        leader.close();
        fixture.client.resource(apiKey("ha", "second", KeyType.Clients)).create();
        awaitReady(fixture, "second");
        await().atMost(15, TimeUnit.SECONDS).until(() -> holder(fixture) != null
            && holder(fixture).equals(standby == a ? "replica-a" : "replica-b"));
        assertEquals(true, reconciles(fixture, standby) > 0, "the standby took over");
        assertEquals(1, fixture.simulator.keys().stream().filter(k -> k.name().equals("Key first")).count());
      } finally {
        a.close();
        b.close();
      }
    }
  }

  private static double reconciles(RuntimeFixture fixture, OperatorRuntime runtime) throws Exception {
    return MetricsAndHealthTest.value(fixture.get(runtime, "/metrics").body(),
        "operator_sdk_reconciliations_started_total{kind=\"ApiKey\"}").orElse(0.0);
  }

  private static String holder(RuntimeFixture fixture) {
    var lease = fixture.client.leases().inNamespace("operators").withName("idmelon-apikey-operator").get();
    return lease == null ? null : lease.getSpec().getHolderIdentity();
  }

  private static void awaitReady(RuntimeFixture fixture, String name) {
    await().atMost(20, TimeUnit.SECONDS).until(() -> {
      ApiKey apiKey = fixture.client.resources(ApiKey.class).inNamespace("ha").withName(name).get();
      return apiKey != null && Conditions.isTrue(apiKey.getStatus(), Conditions.READY);
    });
  }
}
