package com.idmelon.operator;

import com.idmelon.operator.cli.QuickStartCommand;
import com.idmelon.operator.cli.RunCommand;
import com.idmelon.operator.cli.SimulatorCommand;
import com.idmelon.operator.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The jar's entry point: {@code run} (the default), {@code simulator}, {@code quickstart}. */
@Command(
    name = "apikey-operator",
    mixinStandardHelpOptions = true,
    version = "apikey-operator 0.1.0",
    description = "Manages IDmelon workspace API keys from Kubernetes ApiKey resources.",
    subcommands = {RunCommand.class, SimulatorCommand.class, QuickStartCommand.class})
public final class Main implements Runnable {

  public static void main(String[] args) {
    System.exit(execute(args.length == 0 ? new String[] {"run"} : args));
  }

  public static int execute(String... args) {
    CommandLine cli = new CommandLine(new Main());
    // a start-up failure is one clear line, not a stack trace
    cli.setExecutionExceptionHandler((e, command, parsed) -> {
      String message = e instanceof ConfigException || e instanceof StartupException
          ? e.getMessage()
          : e.getClass().getSimpleName() + ": " + e.getMessage();
      command.getErr().println("apikey-operator: " + message);
      return 2;
    });
    return cli.execute(args);
  }

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }
}
