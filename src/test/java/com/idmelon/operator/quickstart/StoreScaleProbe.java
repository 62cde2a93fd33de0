package com.idmelon.operator.quickstart;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import com.idmelon.operator.support.CommittedCrds;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Not a test: a probe of how the embedded API server's cost per request grows with the number of objects it holds.
 * Ten threads in ten namespaces write as the operator does (ApiKey create, status merge patch, finalizer JSON patch,
 * gets by name, Secret create, Event create, label-selected Secret lists) while two watches follow ApiKeys and
 * labelled Secrets; it prints the operations per second for each step of 1,000 ApiKeys.
 * Run: {@code mvn -o test -Dtest=StoreScaleProbe -Dprobe.scale=true [-Dprobe.keys=20000]}.
 */
@EnabledIfSystemProperty(named = "probe.scale", matches = "true")
class StoreScaleProbe {
  private static final int THREADS = 10;
  private static final String LABEL = "app.kubernetes.io/managed-by";

  @Test
  void costPerRequestAsTheStoreGrows() throws Exception {
    int keys = Integer.getInteger("probe.keys", 20_000);
    int step = 1_000;
    try (EmbeddedKubernetes kubernetes = CommittedCrds.serverWith("apikeys.idmelon.com-v1.yml",
        "workspaces.idmelon.com-v1.yml", "clusterworkspaces.idmelon.com-v1.yml");
        KubernetesClient client = kubernetes.newClient("probe")) {
      for (int t = 0; t < THREADS; t++) {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("ns" + t).endMetadata()
            .build()).create();
      }
      AtomicLong seen = new AtomicLong();
      Watcher<Object> counting = new Watcher<>() {
        @Override
        public void eventReceived(Action action, Object resource) {
          seen.incrementAndGet();
        }

        @Override
        public void onClose(WatcherException cause) {
        }
      };
      @SuppressWarnings({"unchecked", "rawtypes"})
      Watch secrets = client.secrets().inAnyNamespace().withLabel(LABEL, "probe").watch((Watcher) counting);
      @SuppressWarnings({"unchecked", "rawtypes"})
      Watch apiKeys = client.genericKubernetesResources("idmelon.com/v1alpha1", "ApiKey").inAnyNamespace()
          .watch((Watcher) counting);
      ExecutorService pool = Executors.newFixedThreadPool(THREADS);
      AtomicLong operations = new AtomicLong();
      System.out.printf("%8s %10s %10s %10s%n", "apikeys", "ops", "seconds", "ops/s");
      for (int done = 0; done < keys; done += step) {
        long opsBefore = operations.get();
        long start = System.nanoTime();
        List<Future<?>> rounds = new ArrayList<>();
        int from = done;
        for (int t = 0; t < THREADS; t++) {
          String namespace = "ns" + t;
          int thread = t;
          rounds.add(pool.submit(() -> {
            for (int i = from / THREADS; i < (from + step) / THREADS; i++) {
              writeOneKey(client, namespace, "k" + thread + "-" + i, i, operations);
            }
            return null;
          }));
        }
        for (Future<?> round : rounds) {
          round.get(30, TimeUnit.MINUTES);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long ops = operations.get() - opsBefore;
        System.out.printf("%8d %10d %10.1f %10.0f%n", done + step, ops, seconds, ops / seconds);
        if (seconds > Integer.getInteger("probe.maxStepSeconds", 120)) {
          System.out.println("step too slow, stopping");
          break;
        }
      }
      System.out.println("watch events received: " + seen.get());
      long start = System.nanoTime();
      int listed = client.secrets().inNamespace("ns0").withLabel(LABEL, "probe").list().getItems().size();
      System.out.printf("list of %d labelled Secrets of one namespace: %d ms%n", listed, (System.nanoTime() - start) / 1_000_000);
      start = System.nanoTime();
      listed = client.genericKubernetesResources("idmelon.com/v1alpha1", "ApiKey").inAnyNamespace().list().getItems()
          .size();
      System.out.printf("list of all %d ApiKeys: %d ms%n", listed, (System.nanoTime() - start) / 1_000_000);
      start = System.nanoTime();
      java.util.concurrent.CountDownLatch firstEvent = new java.util.concurrent.CountDownLatch(1);
      Watch late = client.secrets().inNamespace("ns0").withLabel(LABEL, "probe").watch(new Watcher<Secret>() {
        @Override
        public void eventReceived(Action action, Secret resource) {
          firstEvent.countDown();
        }

        @Override
        public void onClose(WatcherException cause) {
        }
      });
      firstEvent.await(60, TimeUnit.SECONDS);
      System.out.printf("a new labelled Secret watch's first event: %d ms%n", (System.nanoTime() - start) / 1_000_000);
      late.close();
      System.gc();
      System.out.printf("heap used after GC (server, client and probe together): %d MB%n",
          (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20);
      // deletes: the ApiKeys' finalizers removed, then ApiKeys and Secrets deleted, as a key's deletion does
      int deletes = Math.min(1_000, keys) / THREADS;
      start = System.nanoTime();
      List<Future<?>> deleting = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        String namespace = "ns" + t;
        int thread = t;
        deleting.add(pool.submit(() -> {
          var keysHere = client.genericKubernetesResources("idmelon.com/v1alpha1", "ApiKey").inNamespace(namespace);
          for (int i = 0; i < deletes; i++) {
            String name = "k" + thread + "-" + i;
            keysHere.withName(name).delete();
            keysHere.withName(name).patch(PatchContext.of(PatchType.JSON),
                "[{\"op\":\"remove\",\"path\":\"/metadata/finalizers\"}]");
            client.secrets().inNamespace(namespace).withName(name).delete();
          }
          return null;
        }));
      }
      for (Future<?> round : deleting) {
        round.get(30, TimeUnit.MINUTES);
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      System.out.printf("%d deletions (delete, finalizer removal, Secret delete): %.1f s, %.0f ops/s%n",
          deletes * THREADS, seconds, deletes * THREADS * 3 / seconds);
      secrets.close();
      apiKeys.close();
      pool.shutdownNow();
    }
  }

  private static void writeOneKey(KubernetesClient client, String namespace, String name, int i, AtomicLong ops) {
    var apiKeys = client.genericKubernetesResources("idmelon.com/v1alpha1", "ApiKey").inNamespace(namespace);
    GenericKubernetesResource apiKey = new GenericKubernetesResourceBuilder().withApiVersion("idmelon.com/v1alpha1")
        .withKind("ApiKey").withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
        .addToAdditionalProperties("spec", Map.of("name", name, "type", "Clients")).build();
    apiKeys.resource(apiKey).create();
    apiKeys.withName(name).patch(PatchContext.of(PatchType.JSON),
        "[{\"op\":\"add\",\"path\":\"/metadata/finalizers\",\"value\":[\"idmelon.com/apikey\"]}]");
    apiKeys.withName(name).get();
    client.secrets().inNamespace(namespace).withName(name).get(); // absent: the operator looks first
    Secret secret = new SecretBuilder().withNewMetadata().withName(name).withNamespace(namespace)
        .withLabels(Map.of(LABEL, "probe")).endMetadata().addToData("apiKey", "YQ==").build();
    client.secrets().inNamespace(namespace).resource(secret).create();
    apiKeys.withName(name).subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE),
        "{\"status\":{\"observedGeneration\":1}}");
    client.v1().events().inNamespace(namespace).resource(new EventBuilder().withNewMetadata()
        .withName(name + ".ready").withNamespace(namespace).endMetadata().withReason("Issued")
        .withMessage("issued").withType("Normal").withNewInvolvedObject().withKind("ApiKey")
        .withApiVersion("idmelon.com/v1alpha1").withName(name).withNamespace(namespace).endInvolvedObject()
        .build()).create();
    ops.addAndGet(7);
    if (i % 100 == 99) {
      client.secrets().inNamespace(namespace).withLabel(LABEL, "probe").list();
      ops.incrementAndGet();
    }
  }
}
