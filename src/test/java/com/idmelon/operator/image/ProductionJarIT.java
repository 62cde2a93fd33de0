package com.idmelon.operator.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.abort;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two jars the build makes: the production jar (what the image runs) holds and offers the operator only, and
 * starts; the tools jar runs the simulator, the quick start and the embedded API server; the SBOM describes the
 * production jar.
 */
class ProductionJarIT {
  /** Class-file prefixes of the development tools and of what only they need. */
  private static final List<String> TOOLS_ONLY = List.of(
      "com/idmelon/operator/tools/", "com/idmelon/operator/simulator/", "com/idmelon/operator/quickstart/",
      "io/fabric8/kubernetes/client/server/mock/", "io/fabric8/mockwebserver/", "io/vertx/", "io/netty/",
      "org/bouncycastle/", "dev/cel/");

  @TempDir Path dir;

  @Test
  void productionJarHoldsNoDevelopmentTool() throws IOException {
    try (JarFile jar = new JarFile(Processes.PRODUCTION_JAR.toFile())) {
      List<String> tools = jar.stream().map(JarEntry::getName)
          .filter(name -> TOOLS_ONLY.stream().anyMatch(name::startsWith)).toList();
      assertEquals(List.of(), tools);
      assertTrue(jar.getEntry("com/idmelon/operator/cli/RunCommand.class") != null, "the operator is there");
      assertTrue(jar.getEntry("io/javaoperatorsdk/operator/Operator.class") != null, "with its dependencies");
    }
  }

  /** picocli loads every declared subcommand: a production class naming a tool would fail at start-up. */
  @Test
  void productionClassesNeverNameADevelopmentTool() throws IOException {
    try (JarFile jar = new JarFile(Processes.PRODUCTION_JAR.toFile())) {
      for (JarEntry entry : jar.stream().filter(e -> e.getName().startsWith("com/idmelon/")).toList()) {
        String constants;
        try (InputStream in = jar.getInputStream(entry)) {
          constants = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
        for (String tool : TOOLS_ONLY) {
          assertFalse(constants.contains(tool), entry.getName() + " refers to " + tool);
        }
      }
    }
  }

  @Test
  void productionJarOffersOnlyTheOperator() throws Exception {
    Processes.Result help = Processes.javaJar(Processes.PRODUCTION_JAR, Map.of(), dir, "--help");
    assertEquals(0, help.exitCode(), help.both());
    assertTrue(help.out().contains("Commands:") && help.out().contains("  run "), help.out());
    for (String tool : List.of("simulator", "quickstart", "apiserver")) {
      assertFalse(help.out().contains(tool), help.out());
    }
    Processes.Result version = Processes.javaJar(Processes.PRODUCTION_JAR, Map.of(), dir, "--version");
    assertEquals("apikey-operator 0.1.0", version.out().strip());

    Processes.Result simulator = Processes.javaJar(Processes.PRODUCTION_JAR, Map.of(), dir, "simulator");
    assertEquals(2, simulator.exitCode(), simulator.both());
    assertTrue(simulator.err().contains("Unmatched argument at index 0: 'simulator'"), simulator.err());
  }

  /** With no command the jar runs the operator, which names an API server it cannot reach and stops. */
  @Test
  void productionJarStartsTheOperatorAndNamesAnUnreachableApiServer() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Path kubeconfig = Files.writeString(dir.resolve("kubeconfig"), """
        apiVersion: v1
        kind: Config
        clusters:
        - name: gone
          cluster: {server: "http://127.0.0.1:%d"}
        contexts:
        - name: gone
          context: {cluster: gone, user: nobody}
        current-context: gone
        users:
        - name: nobody
          user: {}
        """.formatted(port));
    // no retries: the client would otherwise back off for about 20 s before giving up
    Map<String, String> env = Map.of("KUBECONFIG", kubeconfig.toString(), "KUBERNETES_REQUEST_RETRY_BACKOFFLIMIT", "0");
    Processes.Result run = Processes.javaJar(Processes.PRODUCTION_JAR, env, dir);
    assertEquals(2, run.exitCode(), run.both());
    assertEquals("", run.out());
    String line = run.err().strip();
    assertEquals(1, line.lines().count(), "one line, no stack trace: " + line);
    assertTrue(line.startsWith("apikey-operator: cannot reach the Kubernetes API server at http://127.0.0.1:" + port),
        line);
  }

  @Test
  void toolsJarRunsTheDevelopmentTools() throws Exception {
    Processes.Result help = Processes.javaJar(Processes.TOOLS_JAR, Map.of(), dir, "--help");
    assertEquals(0, help.exitCode(), help.both());
    for (String command : List.of("run", "simulator", "quickstart", "apiserver")) {
      assertTrue(help.out().contains("  " + command + " "), command + " missing from:\n" + help.out());
    }
    Processes.Result simulator = Processes.javaJar(Processes.TOOLS_JAR, Map.of(), dir, "simulator", "--help");
    assertEquals(0, simulator.exitCode(), simulator.both());
    assertTrue(simulator.out().contains("--admin-key-file"), simulator.out());

    try (JarFile jar = new JarFile(Processes.TOOLS_JAR.toFile())) {
      List<String> operatorClasses = jar.stream().map(JarEntry::getName)
          .filter(n -> n.endsWith(".class") && TOOLS_ONLY.stream().noneMatch(n::startsWith)).toList();
      assertEquals(List.of(), operatorClasses, "the tools jar takes the operator from the production jar");
    }
  }

  /** The embedded API server needs the mock server from target/tools-lib/, on the tools jar's Class-Path. */
  @Test
  void toolsJarServesTheEmbeddedApiServer() throws Exception {
    Path kubeconfig = dir.resolve("kubeconfig");
    Process apiserver = new ProcessBuilder(Processes.java(), "-jar", Processes.TOOLS_JAR.toAbsolutePath().toString(),
        "apiserver", "--kubeconfig", kubeconfig.toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("apiserver.log").toFile()).start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!(Files.exists(kubeconfig) && Files.size(kubeconfig) > 0) && apiserver.isAlive()
          && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      assertTrue(Files.exists(kubeconfig) && Files.readString(kubeconfig).contains("server: http://127.0.0.1:"),
          "no kubeconfig written: " + Files.readString(dir.resolve("apiserver.log")));
    } finally {
      apiserver.destroy();
      apiserver.waitFor(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void sbomListsWhatTheProductionJarHoldsAndNoTool() throws Exception {
    if (!Files.exists(Processes.SBOM)) {
      if (Processes.mavenOffline()) {
        abort("target/bom.json is written by online builds only (the CycloneDX goals need online mode)");
      }
      throw new AssertionError("the build wrote no " + Processes.SBOM);
    }
    JsonNode bom = new ObjectMapper().readTree(Processes.SBOM.toFile());
    assertEquals("CycloneDX", bom.path("bomFormat").asText());
    JsonNode subject = bom.path("metadata").path("component");
    assertEquals("com.idmelon.operator:apikey-operator:application",
        subject.path("group").asText() + ":" + subject.path("name").asText() + ":" + subject.path("type").asText());
    Set<String> components = new TreeSet<>();
    for (JsonNode component : bom.path("components")) {
      components.add(component.path("group").asText() + ":" + component.path("name").asText() + ":"
          + component.path("version").asText());
    }
    assertTrue(components.stream().anyMatch(c -> c.startsWith("io.javaoperatorsdk:operator-framework-core:")), components.toString());
    assertTrue(components.stream().anyMatch(c -> c.startsWith("io.fabric8:kubernetes-client:")), components.toString());
    List<String> tools = components.stream().filter(c -> c.matches(
        "io\\.fabric8:(kubernetes-server-mock|mockwebserver):.*|io\\.vertx:.*|io\\.netty:.*|org\\.bouncycastle:.*"
            + "|org\\.junit.*|org\\.awaitility:.*|dev\\.cel:.*|com\\.marcnuri.*")).toList();
    assertEquals(List.of(), tools, "development or test dependencies in the SBOM");

    // every Maven-built library in the jar keeps its pom.properties: each must be in the SBOM, same version
    List<String> unlisted = new ArrayList<>();
    try (JarFile jar = new JarFile(Processes.PRODUCTION_JAR.toFile())) {
      for (JarEntry entry : jar.stream().filter(e -> e.getName().matches("META-INF/maven/[^/]+/[^/]+/pom\\.properties")).toList()) {
        Properties library = new Properties();
        try (InputStream in = jar.getInputStream(entry)) {
          library.load(in);
        }
        String id = library.getProperty("groupId") + ":" + library.getProperty("artifactId") + ":" + library.getProperty("version");
        if (!id.startsWith("com.idmelon.operator:apikey-operator:") && !components.contains(id)) {
          unlisted.add(id);
        }
      }
    }
    assertEquals(List.of(), unlisted, "in the production jar but not in its SBOM");
  }
}
