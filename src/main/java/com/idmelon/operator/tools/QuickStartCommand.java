package com.idmelon.operator.tools;

import com.idmelon.operator.crd.v1alpha1.ApiKey;
import com.idmelon.operator.quickstart.QuickStart;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code quickstart}: embedded Kubernetes API + IDmelon simulator + operator, examples applied. */
@Command(
    name = "quickstart",
    mixinStandardHelpOptions = true,
    description = "Starts an embedded Kubernetes API, the IDmelon simulator and the operator on this machine,"
        + " applies the examples, prints what happened and how to use kubectl against it.")
public final class QuickStartCommand implements Callable<Integer> {
  @Option(names = "--examples", defaultValue = "examples", description = "Directory of manifests to apply (default ${DEFAULT-VALUE}).")
  Path examples;

  @Option(names = "--dir", defaultValue = "target/quickstart", description = "Where the kubeconfig and admin key file go (default ${DEFAULT-VALUE}).")
  Path dir;

  @Option(names = "--kube-port", defaultValue = "0", description = "Port of the embedded Kubernetes API (default: any free port).")
  int kubePort;

  @Option(names = "--simulator-port", defaultValue = "0", description = "Port of the IDmelon simulator (default: any free port).")
  int simulatorPort;

  @Option(names = "--exit", description = "Stop after printing the result instead of running until Ctrl-C.")
  boolean exit;

  @Override
  public Integer call() throws Exception {
    QuickStart quickStart = QuickStart.start(dir, kubePort, simulatorPort, System.out);
    Runtime.getRuntime().addShutdownHook(new Thread(quickStart::close, "shutdown"));
    List<ApiKey> applied = quickStart.apply(examples);
    int ready = quickStart.report(applied, Duration.ofSeconds(60));
    System.out.println();
    System.out.println(ready + " of " + applied.size() + " ApiKeys are Ready.");
    if (exit) {
      return ready == applied.size() ? 0 : 1;
    }
    quickStart.printHowTo(applied);
    quickStart.follow();
    return 0;
  }
}
