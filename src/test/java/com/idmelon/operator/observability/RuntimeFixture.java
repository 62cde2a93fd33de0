package com.idmelon.operator.observability;

import com.idmelon.operator.ApiKeyOperator;
import com.idmelon.operator.OperatorRuntime;
import com.idmelon.operator.idmelon.AdminKeySource;
import com.idmelon.operator.quickstart.EmbeddedKubernetes;
import com.idmelon.operator.quickstart.WorkspaceBootstrap;
import com.idmelon.operator.simulator.IdmelonSimulator;
import com.idmelon.operator.support.OperatorHarness;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.UnaryOperator;

/** The CRUD mock API server, the simulator, and operator runtimes wired as `run` wires them. */
public final class RuntimeFixture implements AutoCloseable {
  public final EmbeddedKubernetes kubernetes;
  public final KubernetesClient client;
  final Path adminKeyFile;
  public final IdmelonSimulator simulator;
  private final HttpClient http = HttpClient.newHttpClient();

  public RuntimeFixture() throws IOException {
    kubernetes = OperatorHarness.startKubernetes();
    client = kubernetes.newClient();
    adminKeyFile = Files.createTempFile("admin-key", "");
    Files.writeString(adminKeyFile, "bootstrap-" + System.nanoTime(), StandardCharsets.UTF_8);
    simulator = IdmelonSimulator.builder(AdminKeySource.load(adminKeyFile).get()).start();
    WorkspaceBootstrap.clusterWorkspace(client, "default", simulator.baseUrl().toString(), simulator.keysPath(),
        AdminKeySource.load(adminKeyFile).get(), spec -> { });
  }

  /** A runtime (as in a pod), with its own Kubernetes client; not started. */
  OperatorRuntime runtime(UnaryOperator<ApiKeyOperator.Options> options) throws IOException {
    return runtime(options, kubernetes.newClient());
  }

  /** A runtime using {@code kubernetesClient} for every Kubernetes request. */
  public OperatorRuntime runtime(UnaryOperator<ApiKeyOperator.Options> options, KubernetesClient kubernetesClient)
      throws IOException {
    return OperatorRuntime.create(kubernetesClient, HealthServer.Settings.ports(0, 0), options.apply(ApiKeyOperator.Options.defaults()
        .withBackoff(Duration.ofMillis(200), Duration.ofSeconds(2)).withRequestTimeout(Duration.ofSeconds(5))));
  }

  public HttpResponse<String> get(OperatorRuntime runtime, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
        + (path.startsWith("/metrics") ? runtime.metricsPort() : runtime.healthPort()) + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Override
  public void close() throws IOException {
    client.close();
    simulator.close();
    kubernetes.close();
    Files.deleteIfExists(adminKeyFile);
  }
}
