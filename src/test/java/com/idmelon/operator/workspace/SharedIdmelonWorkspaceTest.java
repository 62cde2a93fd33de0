package com.idmelon.operator.workspace;

import static com.idmelon.operator.support.OperatorHarness.apiKey;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.idmelon.operator.crd.v1alpha1.ApiKey;
import com.idmelon.operator.crd.v1alpha1.ClusterWorkspace;
import com.idmelon.operator.idmelon.KeyType;
import com.idmelon.operator.quickstart.WorkspaceBootstrap;
import com.idmelon.operator.reconciler.Checkpoints;
import com.idmelon.operator.reconciler.Reasons;
import com.idmelon.operator.simulator.SimulatedKey;
import com.idmelon.operator.support.DieAt;
import com.idmelon.operator.support.OperatorHarness;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Two clusters, each with its operator, share one IDmelon workspace under different keyNamePrefixes: the clean-up of
 * an interrupted create in one never deletes a key of the other, even one of the same name made in the same window.
 */
class SharedIdmelonWorkspaceTest {

  private static void prefix(OperatorHarness cluster, String prefix, OperatorHarness idmelonOf) {
    OperatorHarness.retryOnConflict(() -> cluster.client.resources(ClusterWorkspace.class).withName("default").edit(w -> {
      w.getSpec().setKeyNamePrefix(prefix);
      w.getSpec().setBaseUrl(idmelonOf.simulator().baseUrl().toString());
      return w;
    }));
    cluster.client.secrets().inNamespace(WorkspaceBootstrap.SYSTEM_NAMESPACE).withName("default-admin-key").edit(s -> {
      s.getData().put("adminKey", java.util.Base64.getEncoder().encodeToString(
          idmelonOf.adminKey.get().reveal().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
      return s;
    });
  }

  @Test
  void anOrphanSearchInOneClusterNeverDeletesTheOtherClustersKeys() throws Exception {
    try (OperatorHarness east = new OperatorHarness(); OperatorHarness west = new OperatorHarness()) {
      prefix(east, "east/", east);
      prefix(west, "west/", east); // west's operator uses east's IDmelon: one shared workspace
      String ns = "shared";

      // west issues "Key twin"; east's operator dies right after IDmelon created its own "Key twin"
      DieAt dieAt = new DieAt(Checkpoints.Point.IDMELON_ANSWERED, null);
      east.stopOperator();
      east.startOperator(dieAt);
      east.create(apiKey(ns, "twin", KeyType.Clients));
      dieAt.awaitDeath();
      west.create(apiKey(ns, "twin", KeyType.Clients));
      String westKey = west.awaitReady(ns, "twin", true, Reasons.ISSUED).getStatus().getKeyId();

      // east comes back: its orphan search runs over the same IDmelon, inside the same window
      east.stopOperator();
      east.startOperator(Checkpoints.NONE);
      String eastKey = east.awaitReady(ns, "twin", true, Reasons.ISSUED).getStatus().getKeyId();

      List<String> live = east.simulator().keys().stream().map(SimulatedKey::name).sorted().toList();
      assertEquals(List.of("east/Key twin", "west/Key twin"), live, "east's orphan is gone, west's key is untouched");
      assertTrue(east.simulator().key(westKey).isPresent());
      assertTrue(east.simulator().key(eastKey).isPresent());
      await().atMost(5, TimeUnit.SECONDS).until(() -> west.ready(ns, "twin")
          .map(c -> c.getStatus().equals("True")).orElse(false));
    }
  }
}
