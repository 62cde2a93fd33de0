package com.idmelon.operator.quickstart;

import com.idmelon.operator.ApiKeyOperator;
import com.idmelon.operator.crd.v1alpha1.ApiKey;
import com.idmelon.operator.crd.v1alpha1.Conditions;
import com.idmelon.operator.idmelon.AdminKeySource;
import com.idmelon.operator.idmelon.SecretValue;
import com.idmelon.operator.reconciler.ManagedSecret;
import com.idmelon.operator.simulator.IdmelonSimulator;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Everything on one machine: an embedded Kubernetes API, the IDmelon simulator and the operator, with the examples
 * applied. Prints what happened and how to drive it with kubectl.
 */
public final class QuickStart implements AutoCloseable {
  /** The second workspace of the quick start: an "EU" workspace on a simulator of its own. */
  public static final String EU_WORKSPACE = "eu";

  private final PrintStream out;
  private final EmbeddedKubernetes kubernetes;
  private final IdmelonSimulator simulator;
  private final IdmelonSimulator euSimulator;
  private final KubernetesClient client;
  private final ApiKeyOperator operator;
  private final Path kubeconfig;

  private QuickStart(PrintStream out, EmbeddedKubernetes kubernetes, IdmelonSimulator simulator,
      IdmelonSimulator euSimulator, KubernetesClient client, ApiKeyOperator operator, Path kubeconfig) {
    this.out = out;
    this.kubernetes = kubernetes;
    this.simulator = simulator;
    this.euSimulator = euSimulator;
    this.client = client;
    this.operator = operator;
    this.kubeconfig = kubeconfig;
  }

  /** Starts the three parts; {@code dir} receives the kubeconfig and the simulator's admin key file. */
  public static QuickStart start(Path dir, int kubePort, int simulatorPort, PrintStream out) throws IOException {
    Files.createDirectories(dir);
    Path adminKeyFile = dir.resolve("idmelon-admin-key");
    byte[] random = new byte[24];
    new SecureRandom().nextBytes(random);
    Files.writeString(adminKeyFile, "idm_admin_" + HexFormat.of().formatHex(random), StandardCharsets.UTF_8);
    try {
      Files.setPosixFilePermissions(adminKeyFile, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException ignored) {
      // not a POSIX file system
    }
    AdminKeySource adminKey = AdminKeySource.load(adminKeyFile);
    SecretValue euAdminKey = SecretValue.of("idm_admin_eu_" + HexFormat.of().formatHex(random));

    EmbeddedKubernetes kubernetes = EmbeddedKubernetes.start(kubePort);
    for (String crd : WorkspaceBootstrap.CRD_RESOURCES) {
      kubernetes.installCrd(EmbeddedKubernetes.classpath(crd));
    }
    Path kubeconfig = kubernetes.writeKubeconfig(dir.resolve("kubeconfig"));
    IdmelonSimulator simulator = IdmelonSimulator.builder(adminKey.get()).port(simulatorPort).start();
    IdmelonSimulator euSimulator = IdmelonSimulator.builder(euAdminKey).port(0).start();
    KubernetesClient client = kubernetes.newClient();
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("default").endMetadata().build())
        .createOr(NonDeletingOperation::update);
    // what a platform team does once: a workspace per IDmelon workspace, its Admin key in a Secret
    WorkspaceBootstrap.clusterWorkspace(client, "default", simulator.baseUrl().toString(), simulator.keysPath(),
        adminKey.get(), spec -> { });
    WorkspaceBootstrap.clusterWorkspace(client, EU_WORKSPACE, euSimulator.baseUrl().toString(),
        euSimulator.keysPath(), euAdminKey, spec -> spec.setKeyNamePrefix("quickstart/"));
    ApiKeyOperator operator = new ApiKeyOperator(client,
        ApiKeyOperator.Options.defaults().withBackoff(Duration.ofSeconds(1), Duration.ofSeconds(30))
            .withRequestTimeout(Duration.ofSeconds(10)).withWorkspaceCheckInterval(Duration.ofMinutes(1)));
    operator.start();
    out.println("Embedded Kubernetes API: " + kubernetes.url());
    out.println("IDmelon simulator:       " + simulator.baseUrl() + " (ClusterWorkspace default; admin key in "
        + adminKeyFile + ")");
    out.println("IDmelon simulator (EU):  " + euSimulator.baseUrl() + " (ClusterWorkspace " + EU_WORKSPACE + ")");
    return new QuickStart(out, kubernetes, simulator, euSimulator, client, operator, kubeconfig);
  }

  /** Applies every manifest in {@code examples} (*.yaml, *.yml) and returns the ApiKeys among them. */
  public List<ApiKey> apply(Path examples) throws IOException {
    List<ApiKey> applied = new ArrayList<>();
    if (!Files.isDirectory(examples)) {
      out.println("No " + examples + " directory: nothing applied");
      return applied;
    }
    List<Path> files;
    try (Stream<Path> list = Files.list(examples)) {
      files = list.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted().toList();
    }
    Set<String> namespaces = new LinkedHashSet<>();
    for (Path file : files) {
      for (HasMetadata resource : client.load(Files.newInputStream(file)).items()) {
        String namespace = resource.getMetadata().getNamespace() == null ? "default" : resource.getMetadata().getNamespace();
        if (namespaces.add(namespace)) {
          client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
              .createOr(NonDeletingOperation::update);
        }
        if ("ApiKey".equals(resource.getKind())) {
          ApiKey apiKey = client.getKubernetesSerialization().convertValue(resource, ApiKey.class);
          apiKey.getMetadata().setNamespace(namespace);
          applied.add(client.resource(apiKey).createOr(NonDeletingOperation::update));
        } else {
          client.resource(resource).inNamespace(namespace).createOr(NonDeletingOperation::update);
        }
        out.println("applied " + file.getFileName() + ": " + resource.getKind() + " " + namespace + "/"
            + resource.getMetadata().getName());
      }
    }
    return applied;
  }

  /** Waits until each ApiKey reports Ready (True or False) and prints one line per key. Returns the number Ready. */
  public int report(List<ApiKey> apiKeys, Duration timeout) throws InterruptedException {
    Instant deadline = Instant.now().plus(timeout);
    List<ApiKey> current = new ArrayList<>();
    while (true) {
      current.clear();
      for (ApiKey key : apiKeys) {
        ApiKey fresh = client.resources(ApiKey.class).inNamespace(key.getMetadata().getNamespace())
            .withName(key.getMetadata().getName()).get();
        if (fresh != null) {
          current.add(fresh);
        }
      }
      boolean settled = current.stream().allMatch(k -> k.getStatus() != null
          && k.getStatus().condition(Conditions.READY).isPresent()
          && k.getStatus().getObservedGeneration() != null);
      boolean allReady = current.stream().allMatch(k -> Conditions.isTrue(k.getStatus(), Conditions.READY));
      if ((settled && allReady) || Instant.now().isAfter(deadline)) {
        break;
      }
      Thread.sleep(200);
    }
    out.println();
    out.printf("%-34s %-13s %-6s %-20s %-28s %-16s %s%n",
        "APIKEY", "TYPE", "READY", "KEY ID", "SECRET", "apiKey (masked)", "IDmelon accepts it");
    int ready = 0;
    for (ApiKey key : current) {
      var status = key.getStatus();
      boolean isReady = Conditions.isTrue(status, Conditions.READY);
      ready += isReady ? 1 : 0;
      String value = null;
      if (status != null && status.getSecretName() != null) {
        Secret secret = client.secrets().inNamespace(key.getMetadata().getNamespace()).withName(status.getSecretName()).get();
        if (secret != null && secret.getData() != null && secret.getData().get(ManagedSecret.API_KEY) != null) {
          value = new String(Base64.getDecoder().decode(secret.getData().get(ManagedSecret.API_KEY)), StandardCharsets.UTF_8);
        }
      }
      String reason = status == null ? "-" : status.condition(Conditions.READY).map(c -> c.getReason()).orElse("-");
      out.printf("%-34s %-13s %-6s %-20s %-28s %-16s %s%n",
          key.getMetadata().getNamespace() + "/" + key.getMetadata().getName(),
          key.getSpec().getType(),
          isReady ? "True" : "False",
          status == null || status.getKeyId() == null ? "-" : status.getKeyId(),
          status == null || status.getSecretName() == null ? "-" : status.getSecretName(),
          mask(value),
          value == null ? "-" : accepted(value) ? "yes" : "NO");
      if (!isReady) {
        out.println("    " + reason + ": " + (status == null ? "" : status.condition(Conditions.READY).get().getMessage()));
      }
    }
    return ready;
  }

  private boolean accepted(String value) {
    return simulator.authenticate(value).isPresent() || euSimulator.authenticate(value).isPresent();
  }

  public void printHowTo(List<ApiKey> apiKeys) {
    ApiKey first = apiKeys.isEmpty() ? null : apiKeys.get(0);
    String ns = first == null ? "default" : first.getMetadata().getNamespace();
    String name = first == null ? "NAME" : first.getMetadata().getName();
    out.println();
    out.println("Use kubectl against it (in another terminal):");
    out.println("  export KUBECONFIG=" + kubeconfig.toAbsolutePath());
    out.println("  kubectl get apikeys -A");
    out.println("  kubectl get apikeys -w &");
    out.println("  kubectl -n " + ns + " annotate apikey " + name + " idmelon.com/reset=\"$(date -u +%FT%TZ)\" --overwrite");
    out.println("  kubectl -n " + ns + " describe apikey " + name);
    out.println("  kubectl -n " + ns + " delete apikey " + name);
    out.println("  kubectl apply -f examples/admin-fixed-expiry.yaml");
    out.println("  kubectl explain apikey.spec");
    out.println("(what this embedded API server does as a cluster does, and what it does not: see README.md)");
  }

  /** Prints a line whenever an ApiKey's Ready condition or key id changes, until interrupted. */
  public void follow() throws InterruptedException {
    out.println();
    out.println("Watching ApiKeys; press Ctrl-C to stop.");
    java.util.Map<String, String> seen = new java.util.HashMap<>();
    while (!Thread.currentThread().isInterrupted()) {
      for (ApiKey key : client.resources(ApiKey.class).inAnyNamespace().list().getItems()) {
        String ref = key.getMetadata().getNamespace() + "/" + key.getMetadata().getName();
        var status = key.getStatus();
        String line = status == null ? "pending" : status.condition(Conditions.READY)
            .map(c -> "Ready=" + c.getStatus() + " " + c.getReason() + " key " + status.getKeyId()
                + " fingerprint " + status.getFingerprint())
            .orElse("pending");
        if (!line.equals(seen.put(ref, line))) {
          out.println(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + " " + ref + ": " + line);
        }
      }
      Thread.sleep(500);
    }
  }

  static String mask(String value) {
    if (value == null) {
      return "-";
    }
    return value.length() <= 8 ? "****" : value.substring(0, 4) + "****" + " (" + SecretValue.of(value).fingerprint() + ")";
  }

  @Override
  public void close() {
    operator.close();
    client.close();
    simulator.close();
    euSimulator.close();
    kubernetes.close();
  }
}
