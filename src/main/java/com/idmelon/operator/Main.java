package com.idmelon.operator;

import com.idmelon.operator.cli.RunCommand;
import com.idmelon.operator.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The production jar's entry point: the operator and nothing else ({@code run}, also the default).
 *
 * <p>The simulator, the quick start and the embedded API server live in the tools jar ({@code tools.ToolsMain});
 * this class must not name them, since picocli loads every declared subcommand and the production jar leaves them
 * out.
 */
@Command(
    name = "apikey-operator",
    mixinStandardHelpOptions = true,
    version = Main.VERSION,
    description = "Manages IDmelon workspace API keys from Kubernetes ApiKey resources.",
    subcommands = {RunCommand.class})
public final class Main implements Runnable {
  public static final String VERSION = "apikey-operator 0.1.0";

  public static void main(String[] args) {
    chooseLogging(System.getenv("LOG_FORMAT"));
    System.exit(execute(args.length == 0 ? new String[] {"run"} : args));
  }

  /**
   * Two SLF4J providers ship in the jar: slf4j-simple for human-readable lines (the default) and Logback, whose
   * built-in JsonEncoder writes one JSON object per line for log pipelines (LOG_FORMAT=json). The choice must be
   * made before the first logger exists.
   */
  public static void chooseLogging(String format) {
    if (System.getProperty("slf4j.provider") != null) {
      return;
    }
    System.setProperty("slf4j.internal.verbosity", "WARN"); // no notice about the provider chosen below
    boolean json = "json".equalsIgnoreCase(format == null ? "" : format.trim());
    System.setProperty("slf4j.provider",
        json ? "ch.qos.logback.classic.spi.LogbackServiceProvider" : "org.slf4j.simple.SimpleServiceProvider");
  }

  public static int execute(String... args) {
    return execute(new Main(), args);
  }

  /** Runs {@code command} (this jar's or the tools jar's top command) with one-line start-up failures. */
  public static int execute(Object command, String... args) {
    CommandLine cli = new CommandLine(command);
    // a start-up failure is one clear line, not a stack trace
    cli.setExecutionExceptionHandler((e, failed, parsed) -> {
      String message = e instanceof ConfigException || e instanceof StartupException
          ? e.getMessage()
          : e.getClass().getSimpleName() + ": " + e.getMessage();
      failed.getErr().println("apikey-operator: " + message);
      return 2;
    });
    return cli.execute(args);
  }

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }
}
