package com.idmelon.operator.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/** The operator's settings, read once from the environment and checked before anything starts. */
public record OperatorConfig(
    String defaultWorkspace,
    Set<String> watchNamespaces,
    int metricsPort,
    int healthPort,
    Optional<Path> metricsTokenFile,
    boolean leaderElection,
    Duration requestTimeout,
    Duration pollInterval,
    int maxConcurrentReconciles,
    Duration workspaceCheckInterval,
    Duration deletionWait,
    boolean restartTargets) {

  /** The environment variables of the operator that once held an IDmelon credential: refused, never read. */
  private static final List<String> RETIRED = List.of("IDMELON_BASE_URL", "IDMELON_ADMIN_KEY_FILE",
      "IDMELON_APIKEYS_PATH");

  public static OperatorConfig fromEnvironment(Map<String, String> env) {
    for (String retired : RETIRED) {
      if (env.containsKey(retired)) {
        throw new ConfigException(retired + " is no longer read: IDmelon credentials live in workspaces. Create a"
            + " ClusterWorkspace named by DEFAULT_WORKSPACE (see CHANGELOG.md) and unset " + retired);
      }
    }
    String defaultWorkspace = env.getOrDefault("DEFAULT_WORKSPACE", "default").trim();
    if (!defaultWorkspace.matches("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$") || defaultWorkspace.length() > 253) {
      throw new ConfigException("DEFAULT_WORKSPACE '" + defaultWorkspace + "' is not a ClusterWorkspace name");
    }
    Set<String> namespaces = Arrays.stream(env.getOrDefault("WATCH_NAMESPACES", "").split(","))
        .map(String::trim)
        .filter(s -> !s.isEmpty())
        .collect(Collectors.toUnmodifiableSet());
    int metricsPort = integer("METRICS_PORT", env.getOrDefault("METRICS_PORT", "8080"), 0, 65535);
    int healthPort = integer("HEALTH_PORT", env.getOrDefault("HEALTH_PORT", "8081"), 0, 65535);
    if (healthPort == metricsPort && metricsPort == 0) {
      throw new ConfigException("METRICS_PORT and HEALTH_PORT are both 0: give them fixed ports");
    }
    Optional<Path> metricsTokenFile = Optional.ofNullable(env.get("METRICS_BEARER_TOKEN_FILE"))
        .map(String::trim).filter(s -> !s.isEmpty()).map(Path::of);
    boolean leaderElection = bool("LEADER_ELECTION", env.getOrDefault("LEADER_ELECTION", "false"));
    int timeoutSeconds = integer("IDMELON_TIMEOUT_SECONDS", env.getOrDefault("IDMELON_TIMEOUT_SECONDS", "30"), 1, 600);
    Duration pollInterval = duration("POLL_INTERVAL", env.getOrDefault("POLL_INTERVAL", "10m"));
    int concurrency = integer("MAX_CONCURRENT_RECONCILES", env.getOrDefault("MAX_CONCURRENT_RECONCILES", "10"), 1, 200);
    Duration checkInterval = duration("WORKSPACE_CHECK_INTERVAL", env.getOrDefault("WORKSPACE_CHECK_INTERVAL", "5m"));
    Duration deletionWait = duration("DELETION_WORKSPACE_WAIT", env.getOrDefault("DELETION_WORKSPACE_WAIT", "10m"));
    boolean restartTargets = bool("RESTART_TARGETS_ENABLED", env.getOrDefault("RESTART_TARGETS_ENABLED", "true"));
    return new OperatorConfig(defaultWorkspace, namespaces, metricsPort, healthPort, metricsTokenFile, leaderElection,
        Duration.ofSeconds(timeoutSeconds), pollInterval, concurrency, checkInterval, deletionWait, restartTargets);
  }

  private static int integer(String name, String value, int min, int max) {
    try {
      int parsed = Integer.parseInt(value.trim());
      if (parsed < min || parsed > max) {
        throw new ConfigException(name + " must be between " + min + " and " + max + ", not " + value);
      }
      return parsed;
    } catch (NumberFormatException e) {
      throw new ConfigException(name + " '" + value + "' is not a number");
    }
  }

  private static Duration duration(String name, String value) {
    try {
      Duration parsed = com.idmelon.operator.reconciler.GoDuration.parse(value.trim());
      if (!parsed.isZero() && parsed.compareTo(Duration.ofSeconds(10)) < 0) {
        throw new ConfigException(name + " must be 0 (off) or at least 10s, not " + value);
      }
      return parsed;
    } catch (IllegalArgumentException e) {
      throw new ConfigException(name + " '" + value + "' is not a duration such as 10m");
    }
  }

  private static boolean bool(String name, String value) {
    return switch (value.trim().toLowerCase()) {
      case "true", "1", "yes", "on" -> true;
      case "false", "0", "no", "off", "" -> false;
      default -> throw new ConfigException(name + " '" + value + "' must be true or false");
    };
  }
}
