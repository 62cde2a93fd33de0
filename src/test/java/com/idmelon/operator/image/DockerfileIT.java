package com.idmelon.operator.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.abort;

import com.idmelon.operator.image.Dockerfile.Instruction;
import com.idmelon.operator.image.Dockerfile.Stage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Dockerfile, checked without Docker (the project's machines have no engine to build it): it parses, pins its
 * base images by digest, hides no failed step, copies only what exists, runs the production jar on a shell-less
 * runtime, and its build stage makes, from the build context alone, the very jars this build made.
 */
class DockerfileIT {
  private static final Path DOCKERFILE = Path.of("Dockerfile");
  /** registry/repository:tag@sha256:64 hex digits */
  private static final Pattern PINNED =
      Pattern.compile("[a-z0-9.-]+(:[0-9]+)?(/[a-z0-9._-]+)*:[A-Za-z0-9._-]+@sha256:[0-9a-f]{64}");
  private static final Pattern HIDDEN_FAILURE =
      Pattern.compile("\\|\\|\\s*(true|:|exit\\s+0)\\b|\\bset\\s+\\+e\\b|;\\s*true\\b");

  @TempDir Path dir;

  @Test
  void everyLineIsAnInstructionACommentOrAContinuation() throws IOException {
    Dockerfile dockerfile = Dockerfile.read(DOCKERFILE);
    assertEquals(2, dockerfile.stages().size(), "a build stage and the runtime");
    assertEquals("build", dockerfile.stages().get(0).name());
  }

  @Test
  void baseImagesArePinnedByDigestAndTheirSourceIsNoted() throws IOException {
    Dockerfile dockerfile = Dockerfile.read(DOCKERFILE);
    String comments = String.join("\n", dockerfile.comments());
    List<String> stageNames = new ArrayList<>();
    for (Stage stage : dockerfile.stages()) {
      String image = stage.image();
      if (!stageNames.contains(image)) {
        assertTrue(PINNED.matcher(image).matches(),
            "line " + stage.from().line() + ": " + image + " is not pinned as image:tag@sha256:<64 hex>");
        String tagged = image.substring(0, image.indexOf('@'));
        assertTrue(comments.contains(tagged), "no comment says where the digest of " + tagged + " comes from");
      }
      if (stage.name() != null) {
        stageNames.add(stage.name());
      }
    }
    assertTrue(comments.contains("Renovate") || comments.contains("Dependabot"),
        "a comment says what keeps the digests current");
  }

  @Test
  void noStepHidesAFailure() throws IOException {
    for (Stage stage : Dockerfile.read(DOCKERFILE).stages()) {
      for (Instruction run : stage.all("RUN")) {
        assertFalse(HIDDEN_FAILURE.matcher(run.arguments()).find(),
            "line " + run.line() + " hides a failed command: " + run.arguments());
      }
    }
  }

  @Test
  void theBuildContextHoldsWhatTheBuildStageCopiesAndNothingLocal() throws IOException {
    Dockerfile dockerfile = Dockerfile.read(DOCKERFILE);
    Dockerfile.Context context = Dockerfile.Context.read(Path.of(".dockerignore"));
    for (Stage stage : dockerfile.stages()) {
      assertTrue(stage.all("ADD").isEmpty(), "COPY, not ADD (which fetches URLs and unpacks archives)");
      for (Instruction copy : stage.all("COPY")) {
        if (copy.flag("from").isPresent()) {
          continue;
        }
        List<String> paths = copy.paths();
        for (String source : paths.subList(0, paths.size() - 1)) {
          assertTrue(Files.exists(Path.of(source)), "line " + copy.line() + " copies " + source + ", which is not in the repository");
          assertTrue(context.includes(source), "line " + copy.line() + " copies " + source + ", which .dockerignore leaves out");
        }
      }
    }
    for (String local : List.of("target/apikey-operator.jar", ".git/HEAD", "src/test/java", "helm", "README.md")) {
      assertFalse(context.includes(local), local + " must not reach the build context");
    }
  }

  @Test
  void theRuntimeRunsOnlyTheProductionJarWithoutAShellAsNonRoot() throws IOException {
    Dockerfile dockerfile = Dockerfile.read(DOCKERFILE);
    Stage runtime = dockerfile.runtime();
    assertTrue(runtime.image().startsWith("gcr.io/distroless/java17-"), "a distroless Java 17 runtime: " + runtime.image());
    assertTrue(runtime.all("RUN").isEmpty() && runtime.all("SHELL").isEmpty(), "the runtime has no shell to RUN with");

    String buildDir = dockerfile.stage("build").workdir() + "/";
    String jarInImage = null;
    List<Path> missing = new ArrayList<>();
    for (Instruction copy : runtime.all("COPY")) {
      assertEquals("build", copy.flag("from").orElse(null), "line " + copy.line() + ": the runtime copies only build outputs");
      List<String> paths = copy.paths();
      assertEquals(2, paths.size(), "line " + copy.line() + ": one file per COPY");
      assertTrue(paths.get(0).startsWith(buildDir + "target/"), "line " + copy.line() + " copies no build output: " + paths.get(0));
      Path built = Path.of(paths.get(0).substring(buildDir.length()));
      assertFalse(built.toString().contains("tools"), "the tools stay out of the image: " + built);
      if (!Files.isRegularFile(built)) {
        missing.add(built);
      }
      if (built.equals(Processes.PRODUCTION_JAR)) {
        jarInImage = paths.get(1);
      }
    }
    assertNotNull(jarInImage, "the runtime copies " + Processes.PRODUCTION_JAR);

    Instruction entrypoint = runtime.last("ENTRYPOINT").orElseThrow();
    assertEquals(List.of("/usr/bin/java", "-jar", jarInImage), entrypoint.json());
    assertEquals(List.of("run"), runtime.last("CMD").orElseThrow().json());
    try (JarFile jar = new JarFile(Processes.PRODUCTION_JAR.toFile())) {
      assertEquals("com.idmelon.operator.Main", jar.getManifest().getMainAttributes().getValue("Main-Class"));
    }
    String user = runtime.last("USER").orElseThrow().arguments().trim();
    assertTrue(user.equals("65532") || user.equals("65532:65532"), "non-root uid 65532: " + user);
    List<String> exposed = runtime.all("EXPOSE").stream().flatMap(e -> e.words().stream()).toList();
    assertTrue(exposed.containsAll(List.of("8080", "8081")), "metrics 8080 and health 8081: " + exposed);

    if (missing.equals(List.of(Processes.SBOM)) && Processes.mavenOffline()) {
      abort("target/bom.json is written by online builds only (the CycloneDX goals need online mode), as the image's is");
    }
    assertEquals(List.of(), missing, "the Maven build does not make these files that the image copies");
  }

  /**
   * Replays the build stage's `mvn ... package` in a directory holding only what the Dockerfile copies (filtered by
   * .dockerignore): the context is enough, and the jars come out byte for byte as this build made them.
   */
  @Test
  void theBuildStageMakesTheSameJarsFromTheContextAlone() throws Exception {
    String mavenHome = System.getProperty("build.maven.home");
    if (mavenHome == null || mavenHome.isBlank() || mavenHome.startsWith("${")) {
      abort("build.maven.home is set by the pom's failsafe configuration; not run outside Maven");
    }
    Dockerfile dockerfile = Dockerfile.read(DOCKERFILE);
    Stage build = dockerfile.stage("build");
    Dockerfile.Context context = Dockerfile.Context.read(Path.of(".dockerignore"));
    Path staged = dir.resolve("context");
    for (Instruction copy : build.all("COPY")) {
      List<String> paths = copy.paths();
      for (String source : paths.subList(0, paths.size() - 1)) {
        copyContext(Path.of(source), staged.resolve(source), context);
      }
    }
    Instruction packaging = build.all("RUN").stream().filter(r -> r.words().contains("package")).findFirst()
        .orElseThrow(() -> new AssertionError("the build stage runs no `mvn ... package`"));
    List<String> words = packaging.words();
    assertEquals("mvn", words.get(0), "line " + packaging.line() + " is replayed here: keep it one plain mvn command");
    assertTrue(words.stream().noneMatch(w -> w.matches(".*(&&|\\|\\||;|\\||`|\\$).*")),
        "line " + packaging.line() + " is replayed here: keep it one plain mvn command");
    List<String> command = new ArrayList<>(List.of(Path.of(mavenHome, "bin", "mvn").toString()));
    if (Processes.mavenOffline()) {
      command.add("-o");
    }
    String repository = System.getProperty("build.maven.repo.local");
    if (repository != null && !repository.isBlank() && !repository.startsWith("${")) {
      command.add("-Dmaven.repo.local=" + repository);
    }
    command.addAll(words.subList(1, words.size()));
    Processes.Result result = Processes.run(command,
        Map.of("JAVA_HOME", Path.of(System.getProperty("java.home")).toString()), staged, Duration.ofMinutes(10));
    assertEquals(0, result.exitCode(), String.join(" ", command) + " failed in " + staged + ":\n" + result.both());

    for (Path built : List.of(Processes.PRODUCTION_JAR, Processes.TOOLS_JAR, Processes.SBOM)) {
      Path replayed = staged.resolve(built);
      if (built.equals(Processes.SBOM) && (!Files.exists(built) || !Files.exists(replayed))) {
        continue; // written only by online builds
      }
      assertEquals(sha256(built), sha256(replayed), replayed + " differs from " + built + ": the build is not reproducible");
    }
  }

  private static void copyContext(Path source, Path target, Dockerfile.Context context) throws IOException {
    try (Stream<Path> files = Files.walk(source)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        if (context.includes(file.toString())) {
          Path to = target.resolve(source.relativize(file).toString());
          Files.createDirectories(to.getParent());
          Files.copy(file, to);
        }
      }
    }
  }

  private static String sha256(Path file) throws Exception {
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buffer = new byte[1 << 16];
      for (int n; (n = in.read(buffer)) > 0; ) {
        digest.update(buffer, 0, n);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }
}
