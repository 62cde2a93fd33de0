package com.idmelon.operator;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.idmelon.operator.quickstart.QuickStart;
import com.idmelon.operator.support.Kubectl;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every kubectl command the README's quick start lists, run as written (plain kubectl: no --validate=false, no
 * --wait=false) against a running quick start, succeeds without errors or warnings, as on a cluster. Needs kubectl;
 * each behaviour is also proven over HTTP by the embedded API server's own tests.
 */
class QuickStartKubectlTest {
  @TempDir Path dir;

  @Test
  void theReadmesKubectlCommandsWorkAsOnACluster() throws Exception {
    assumeTrue(Kubectl.available(), "kubectl is not installed here");
    List<String> commands = readmeCommands();
    assertTrue(commands.size() >= 10, "the README lists the quick start's kubectl commands: " + commands);
    assertFalse(String.join("\n", commands).contains("--validate=false"));
    assertFalse(String.join("\n", commands).contains("--wait=false"));

    PrintStream out = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    try (QuickStart quickStart = QuickStart.start(dir, 0, 0, out)) {
      quickStart.report(quickStart.apply(Path.of("examples")), Duration.ofSeconds(30));
      Kubectl kubectl = new Kubectl(dir.resolve("kubeconfig"), Files.createDirectories(dir.resolve("kube-cache")));
      List<Process> background = new ArrayList<>();
      try {
        for (String command : commands) {
          List<String> args = words(command.replace("$(date -u +%FT%TZ)",
              Instant.now().truncatedTo(ChronoUnit.SECONDS).toString()));
          assertEquals("kubectl", args.remove(0));
          if (args.get(args.size() - 1).equals("&")) {
            args.remove(args.size() - 1);
            background.add(kubectl.start(args.toArray(String[]::new)));
            continue;
          }
          // the operator sends events in the background; a user reading them a moment later sees them too
          com.idmelon.operator.reconciler.EventRecorder.flush();
          Kubectl.Result result = kubectl.run(Duration.ofSeconds(60), null, args.toArray(String[]::new));
          assertEquals(0, result.exitCode(), command + "\n" + result);
          assertEquals("", result.err(), command + " prints no error or warning\n" + result);
          check(command, result.out());
        }
        for (Process watch : background) {
          assertTrue(watch.isAlive(), "kubectl get -w is still watching");
        }
      } finally {
        for (Process watch : background) {
          watch.destroy();
          watch.waitFor(10, TimeUnit.SECONDS);
        }
      }
    }
  }

  /** What each kind of command must have printed, beyond succeeding. */
  private void check(String command, String out) {
    if (command.startsWith("kubectl get apikeys -A")) {
      assertTrue(out.lines().findFirst().orElse("").matches("NAMESPACE\\s+NAME\\s+TYPE\\s+READY\\s+EXPIRES\\s+KEY ID\\s+AGE"),
          out);
      assertTrue(out.contains("reporting-script") && out.contains("True"), out);
    } else if (command.startsWith("kubectl describe apikey")) {
      assertTrue(out.matches("(?s).*Events:\\s+Type\\s+Reason.*"), "describe lists the ApiKey's events:\n" + out);
    } else if (command.startsWith("kubectl explain apikey.spec")) {
      assertTrue(out.contains("What you ask for"), out);
    } else if (command.startsWith("kubectl delete apikey")) {
      String name = command.split("\\s+")[3];
      await("the deleted ApiKey's Secret " + name + " is collected").atMost(Duration.ofSeconds(10))
          .until(() -> !runQuietly(List.of("get", "secret", name)));
    }
  }

  private boolean runQuietly(List<String> args) {
    try {
      Kubectl kubectl = new Kubectl(dir.resolve("kubeconfig"), dir.resolve("kube-cache"));
      return kubectl.run(args.toArray(String[]::new)).exitCode() == 0;
    } catch (RuntimeException e) {
      return true;
    }
  }

  /** The kubectl lines of the README's quick start block, comments removed. */
  private static List<String> readmeCommands() throws Exception {
    String readme = Files.readString(Path.of("README.md"));
    int start = readme.indexOf("```sh\nexport KUBECONFIG=$PWD/target/quickstart/kubeconfig\n");
    assertTrue(start >= 0, "the README's quick start block");
    String block = readme.substring(start, readme.indexOf("```\n", start + 5));
    return block.lines().filter(l -> l.startsWith("kubectl "))
        .map(l -> l.replaceAll("\\s+#.*$", "").trim()).toList();
  }

  /** Splits a command line as a shell does for these commands (double quotes group, and are removed). */
  private static List<String> words(String line) {
    List<String> words = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    boolean quoted = false;
    boolean any = false;
    for (char c : line.toCharArray()) {
      if (c == '"') {
        quoted = !quoted;
        any = true;
      } else if (Character.isWhitespace(c) && !quoted) {
        if (any) {
          words.add(word.toString());
          word.setLength(0);
          any = false;
        }
      } else {
        word.append(c);
        any = true;
      }
    }
    if (any) {
      words.add(word.toString());
    }
    return words;
  }
}
