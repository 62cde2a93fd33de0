package com.idmelon.operator.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** The operator's settings, read once from the environment and checked before anything starts. */
public record OperatorConfig(
    URI baseUrl,
    Path adminKeyFile,
    String keysPath,
    Set<String> watchNamespaces,
    int metricsPort,
    boolean leaderElection,
    Duration requestTimeout,
    Duration pollInterval,
    int maxConcurrentReconciles) {

  public static final String DEFAULT_BASE_URL = "https://skm.idmelon.com";
  public static final String DEFAULT_KEYS_PATH = "/administrator/workspace/apikeys";

  public static OperatorConfig fromEnvironment(Map<String, String> env) {
    URI baseUrl = url(env.getOrDefault("IDMELON_BASE_URL", DEFAULT_BASE_URL));
    String keyFile = env.get("IDMELON_ADMIN_KEY_FILE");
    if (keyFile == null || keyFile.isBlank()) {
      throw new ConfigException("IDMELON_ADMIN_KEY_FILE is not set: point it at a file holding the operator's IDmelon"
          + " Admin key (a mounted Secret)");
    }
    Path adminKeyFile = Path.of(keyFile);
    if (!Files.isReadable(adminKeyFile) || Files.isDirectory(adminKeyFile)) {
      throw new ConfigException("IDMELON_ADMIN_KEY_FILE " + adminKeyFile + " is missing or not a readable file");
    }
    String keysPath = env.getOrDefault("IDMELON_APIKEYS_PATH", DEFAULT_KEYS_PATH).trim();
    if (!keysPath.startsWith("/") || keysPath.contains("?") || keysPath.contains(" ")) {
      throw new ConfigException("IDMELON_APIKEYS_PATH '" + keysPath + "' must be a URL path starting with /");
    }
    Set<String> namespaces = Arrays.stream(env.getOrDefault("WATCH_NAMESPACES", "").split(","))
        .map(String::trim)
        .filter(s -> !s.isEmpty())
        .collect(Collectors.toUnmodifiableSet());
    int metricsPort = integer("METRICS_PORT", env.getOrDefault("METRICS_PORT", "8080"), 0, 65535);
    boolean leaderElection = bool("LEADER_ELECTION", env.getOrDefault("LEADER_ELECTION", "false"));
    int timeoutSeconds = integer("IDMELON_TIMEOUT_SECONDS", env.getOrDefault("IDMELON_TIMEOUT_SECONDS", "30"), 1, 600);
    Duration pollInterval = duration("POLL_INTERVAL", env.getOrDefault("POLL_INTERVAL", "10m"));
    int concurrency = integer("MAX_CONCURRENT_RECONCILES", env.getOrDefault("MAX_CONCURRENT_RECONCILES", "10"), 1, 200);
    return new OperatorConfig(baseUrl, adminKeyFile, keysPath, namespaces, metricsPort, leaderElection,
        Duration.ofSeconds(timeoutSeconds), pollInterval, concurrency);
  }

  private static URI url(String value) {
    try {
      URI uri = new URI(value.trim());
      if (!("https".equals(uri.getScheme()) || "http".equals(uri.getScheme())) || uri.getHost() == null) {
        throw new ConfigException("IDMELON_BASE_URL '" + value + "' must be an http(s) URL such as " + DEFAULT_BASE_URL);
      }
      return uri;
    } catch (URISyntaxException e) {
      throw new ConfigException("IDMELON_BASE_URL '" + value + "' is not a URL");
    }
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
