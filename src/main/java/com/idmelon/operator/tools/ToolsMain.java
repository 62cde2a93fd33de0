package com.idmelon.operator.tools;

import com.idmelon.operator.Main;
import com.idmelon.operator.cli.RunCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The tools jar's entry point: the operator plus the development tools (IDmelon simulator, quick start, embedded
 * API server) that the quick start, the benchmark and the tests run. Never the image's entry point.
 */
@Command(
    name = "apikey-operator-tools",
    mixinStandardHelpOptions = true,
    version = Main.VERSION,
    description = {
      "The IDmelon ApiKey operator with its development tools: the IDmelon simulator, the quick start and the",
      "embedded Kubernetes API. For this machine, tests and benchmarks; clusters run the operator's own jar."
    },
    subcommands = {RunCommand.class, SimulatorCommand.class, QuickStartCommand.class, ApiServerCommand.class})
public final class ToolsMain implements Runnable {
  public static void main(String[] args) {
    Main.chooseLogging(System.getenv("LOG_FORMAT"));
    System.exit(execute(args));
  }

  public static int execute(String... args) {
    return Main.execute(new ToolsMain(), args);
  }

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }
}
