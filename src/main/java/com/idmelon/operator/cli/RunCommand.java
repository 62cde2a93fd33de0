package com.idmelon.operator.cli;

import com.idmelon.operator.ApiKeyOperator;
import com.idmelon.operator.OperatorRuntime;
import com.idmelon.operator.StartupException;
import com.idmelon.operator.config.OperatorConfig;
import com.idmelon.operator.crd.v1alpha1.ApiKey;
import com.idmelon.operator.observability.HealthServer;
import com.idmelon.operator.observability.MetricsToken;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;

/** {@code run}: the operator against the cluster of the standard kubeconfig or the in-cluster service account. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Runs the operator against the cluster of the standard kubeconfig (KUBECONFIG, ~/.kube/config) or the"
          + " in-cluster service account.",
      "",
      "Environment:",
      "  DEFAULT_WORKSPACE       the ClusterWorkspace of ApiKeys without spec.workspaceRef (default: default)",
      "                          IDmelon credentials live in workspaces' Secrets, never in this environment",
      "  WATCH_NAMESPACES        comma-separated namespaces to watch (empty: all)",
      "  METRICS_PORT            port of /metrics (default 8080)",
      "  HEALTH_PORT             port of the probes /healthz and /readyz (default 8081; equal to METRICS_PORT: one",
      "                          port serves all three)",
      "  METRICS_BEARER_TOKEN_FILE  a file holding the bearer token /metrics requires (default: none required);",
      "                          read again when it changes",
      "  POLL_INTERVAL           how often each workspace's key list is read to notice keys deleted there (default 10m)",
      "  WORKSPACE_CHECK_INTERVAL  how often each workspace's Admin key is checked (default 5m)",
      "  DELETION_WORKSPACE_WAIT   how long a deleted ApiKey waits for its missing workspace (default 10m)",
      "  IDMELON_TIMEOUT_SECONDS   how long an IDmelon call may take (default 30)",
      "  MAX_CONCURRENT_RECONCILES  ApiKeys reconciled in parallel (default 10)",
      "  RESTART_TARGETS_ENABLED   roll out spec.restartTargets after a key's value changes (default true; false",
      "                          where the operator may not get and patch Deployments, StatefulSets, DaemonSets)",
      "  LEADER_ELECTION         true to run several replicas with one active leader (default false); the Lease",
      "                          is made in POD_NAMESPACE under the name idmelon-apikey-operator",
      "  LOG_FORMAT              text (default) or json (one JSON object per line)"
    })
public final class RunCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(RunCommand.class);
  static final String LEASE_NAME = "idmelon-apikey-operator";

  @Override
  public Integer call() throws Exception {
    OperatorConfig config = OperatorConfig.fromEnvironment(System.getenv());
    HealthServer.Settings endpoints = endpoints(config);
    KubernetesClient kubernetes = new KubernetesClientBuilder().build();
    checkKubernetes(kubernetes, config);
    ApiKeyOperator.Options options = ApiKeyOperator.Options.defaults()
        .withWatchNamespaces(config.watchNamespaces())
        .withPollInterval(config.pollInterval())
        .withReconcileThreads(config.maxConcurrentReconciles())
        .withDefaultWorkspace(config.defaultWorkspace())
        .withRequestTimeout(config.requestTimeout())
        .withWorkspaceCheckInterval(config.workspaceCheckInterval())
        .withDeletionWait(config.deletionWait())
        .withRestartTargets(config.restartTargets());
    if (config.leaderElection()) {
      String namespace = System.getenv().getOrDefault("POD_NAMESPACE", "default");
      String identity = System.getenv().getOrDefault("POD_NAME",
          System.getenv().getOrDefault("HOSTNAME", "apikey-operator-" + ProcessHandle.current().pid()));
      // exit when leadership is lost: Kubernetes restarts the pod, which then stands by
      options = options.withLeaderElection(new LeaderElectionConfiguration(LEASE_NAME, namespace,
          LeaderElectionConfiguration.LEASE_DURATION_DEFAULT_VALUE,
          LeaderElectionConfiguration.RENEW_DEADLINE_DEFAULT_VALUE,
          LeaderElectionConfiguration.RETRY_PERIOD_DEFAULT_VALUE, identity, null, true));
      log.info("leader election on: Lease {}/{} as {}", namespace, LEASE_NAME, identity);
    }
    OperatorRuntime runtime;
    try {
      runtime = OperatorRuntime.create(kubernetes, endpoints, options);
    } catch (java.net.BindException e) {
      throw new StartupException("cannot serve metrics on port " + config.metricsPort() + " and probes on port "
          + config.healthPort() + ": " + e.getMessage());
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      runtime.close();
      kubernetes.close();
      stopped.countDown();
    }, "shutdown"));
    runtime.start();
    log.info("metrics on :{}/metrics{}, probes on :{}/healthz and /readyz", runtime.metricsPort(),
        config.metricsTokenFile().isPresent() ? " (bearer token required)" : "", runtime.healthPort());
    log.info("operator started (namespaces: {})",
        config.watchNamespaces().isEmpty() ? "all" : String.join(",", config.watchNamespaces()));
    stopped.await();
    return 0;
  }

  static HealthServer.Settings endpoints(OperatorConfig config) {
    HealthServer.Settings settings = HealthServer.Settings.ports(config.metricsPort(), config.healthPort());
    if (config.metricsTokenFile().isEmpty()) {
      return settings;
    }
    try {
      return settings.withMetricsToken(MetricsToken.load(config.metricsTokenFile().get()));
    } catch (java.io.IOException e) {
      throw new StartupException("METRICS_BEARER_TOKEN_FILE: cannot read the metrics token: "
          + (e instanceof java.nio.file.NoSuchFileException ? "no file " + e.getMessage() : e.getMessage()));
    }
  }

  static void checkKubernetes(KubernetesClient kubernetes, OperatorConfig config) {
    String server = kubernetes.getConfiguration().getMasterUrl();
    try {
      var apikeys = kubernetes.resources(ApiKey.class);
      if (config.watchNamespaces().isEmpty()) {
        apikeys.inAnyNamespace().list(new io.fabric8.kubernetes.api.model.ListOptionsBuilder().withLimit(1L).build());
      } else {
        String namespace = config.watchNamespaces().iterator().next();
        apikeys.inNamespace(namespace).list(new io.fabric8.kubernetes.api.model.ListOptionsBuilder().withLimit(1L).build());
      }
    } catch (KubernetesClientException e) {
      if (e.getCode() == 404) {
        throw new StartupException("the ApiKey CRD is not installed in the cluster at " + server
            + ": kubectl apply -f crds/apikeys.idmelon.com-v1.yml");
      }
      if (e.getCode() == 401 || e.getCode() == 403) {
        throw new StartupException("the Kubernetes API server at " + server + " refused to list ApiKeys ("
            + e.getCode() + "): check the service account's RBAC");
      }
      Throwable cause = e;
      while (cause.getCause() != null && cause.getCause() != cause) {
        cause = cause.getCause(); // the root cause says what went wrong: unknown host, refused, TLS...
      }
      throw new StartupException("cannot reach the Kubernetes API server at " + server + ": "
          + cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : " " + cause.getMessage()));
    }
  }
}
