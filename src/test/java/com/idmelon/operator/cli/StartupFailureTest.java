package com.idmelon.operator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.idmelon.operator.StartupException;
import com.idmelon.operator.config.ConfigException;
import com.idmelon.operator.config.OperatorConfig;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad settings stop the process at start-up with one clear line. */
class StartupFailureTest {
  @TempDir Path dir;

  @Test
  void theRetiredCredentialVariablesAreOneClearLine() {
    for (String retired : new String[] {"IDMELON_BASE_URL", "IDMELON_ADMIN_KEY_FILE", "IDMELON_APIKEYS_PATH"}) {
      ConfigException e = assertThrows(ConfigException.class,
          () -> OperatorConfig.fromEnvironment(Map.of(retired, "/etc/idmelon/admin-key")));
      assertTrue(e.getMessage().startsWith(retired + " is no longer read"), e.getMessage());
      assertTrue(e.getMessage().contains("ClusterWorkspace"), e.getMessage());
      assertEquals(1, e.getMessage().lines().count());
    }
  }

  @Test
  void malformedSettingsAreNamed() {
    assertEquals("default", OperatorConfig.fromEnvironment(Map.of()).defaultWorkspace());
    for (var bad : Map.of("METRICS_PORT", "eighty", "HEALTH_PORT", "70000", "LEADER_ELECTION", "maybe",
        "DEFAULT_WORKSPACE", "Not A Name",
        "WORKSPACE_CHECK_INTERVAL", "often", "DELETION_WORKSPACE_WAIT", "1s").entrySet()) {
      ConfigException e = assertThrows(ConfigException.class,
          () -> OperatorConfig.fromEnvironment(Map.of(bad.getKey(), bad.getValue())));
      assertTrue(e.getMessage().startsWith(bad.getKey()), e.getMessage());
    }
    OperatorConfig config = OperatorConfig.fromEnvironment(Map.of("DEFAULT_WORKSPACE", "eu-prod",
        "WATCH_NAMESPACES", "a, b,,"));
    assertEquals(java.util.Set.of("a", "b"), config.watchNamespaces());
    assertEquals("eu-prod", config.defaultWorkspace());
  }

  @Test
  void restartTargetsAreOnUnlessTurnedOff() {
    assertTrue(OperatorConfig.fromEnvironment(Map.of()).restartTargets());
    assertFalse(OperatorConfig.fromEnvironment(Map.of("RESTART_TARGETS_ENABLED", "false")).restartTargets());
    ConfigException e = assertThrows(ConfigException.class,
        () -> OperatorConfig.fromEnvironment(Map.of("RESTART_TARGETS_ENABLED", "sometimes")));
    assertTrue(e.getMessage().startsWith("RESTART_TARGETS_ENABLED"), e.getMessage());
  }

  @Test
  void aMetricsTokenFileThatCannotBeReadStopsTheStartWithItsName() throws IOException {
    Path absent = dir.resolve("no-token");
    StartupException missing = assertThrows(StartupException.class, () -> RunCommand.endpoints(
        OperatorConfig.fromEnvironment(Map.of("METRICS_BEARER_TOKEN_FILE", absent.toString()))));
    assertTrue(missing.getMessage().contains(absent.toString()), missing.getMessage());
    Path empty = java.nio.file.Files.writeString(dir.resolve("empty-token"), "\n");
    StartupException blank = assertThrows(StartupException.class, () -> RunCommand.endpoints(
        OperatorConfig.fromEnvironment(Map.of("METRICS_BEARER_TOKEN_FILE", empty.toString()))));
    assertTrue(blank.getMessage().contains("is empty"), blank.getMessage());
    OperatorConfig defaults = OperatorConfig.fromEnvironment(Map.of());
    assertEquals(8080, defaults.metricsPort());
    assertEquals(8081, defaults.healthPort(), "probes listen apart from the metrics by default");
  }

  @Test
  void simulatorWithoutReadableKeyFileExitsWithOneLine() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream original = System.err;
    int code;
    try {
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      code = com.idmelon.operator.tools.ToolsMain.execute(
          "simulator", "--port", "0", "--admin-key-file", dir.resolve("absent").toString());
    } finally {
      System.setErr(original);
    }
    assertEquals(2, code);
    String output = err.toString(StandardCharsets.UTF_8).strip();
    assertEquals(1, output.lines().count(), output);
    assertTrue(output.contains("cannot read the IDmelon admin key file"), output);
  }

  @Test
  void unreachableApiServerIsOneClearLine() throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    OperatorConfig config = OperatorConfig.fromEnvironment(Map.of());
    try (KubernetesClient client = new KubernetesClientBuilder().withConfig(new ConfigBuilder()
        .withMasterUrl("http://127.0.0.1:" + port).withRequestRetryBackoffLimit(0).build()).build()) {
      StartupException e = assertThrows(StartupException.class, () -> RunCommand.checkKubernetes(client, config));
      assertTrue(e.getMessage().startsWith("cannot reach the Kubernetes API server at http://127.0.0.1:" + port),
          e.getMessage());
      assertEquals(1, e.getMessage().lines().count());
    }
  }
}
