package com.idmelon.operator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LOG_FORMAT=json: the tools' entry point (which chooses logging as the operator's Main does), in its own JVM, writes
 * one JSON object per log line.
 */
class JsonLogsTest {
  @TempDir Path dir;

  @Test
  void jsonFormatWritesOneObjectPerLine() throws Exception {
    Path key = Files.writeString(dir.resolve("key"), "bootstrap");
    ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), "com.idmelon.operator.tools.ToolsMain",
        "simulator", "--port", "0", "--admin-key-file", key.toString());
    builder.environment().put("LOG_FORMAT", "json");
    builder.redirectErrorStream(true);
    Process process = builder.start();
    List<String> lines = new ArrayList<>();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null) {
        lines.add(line);
        if (line.contains("simulator listening")) {
          break;
        }
      }
    } finally {
      process.destroy();
      process.waitFor(10, TimeUnit.SECONDS);
    }
    String logLine = lines.stream().filter(l -> l.contains("simulator listening")).findFirst()
        .orElseThrow(() -> new AssertionError("no log line in " + lines));
    JsonNode json = new ObjectMapper().readTree(logLine);
    assertEquals("INFO", json.path("level").asText());
    assertEquals("com.idmelon.operator.simulator.IdmelonSimulator", json.path("loggerName").asText());
    assertTrue(json.path("formattedMessage").asText().startsWith("IDmelon simulator listening on http://"), logLine);
    assertNotNull(json.get("timestamp"));
  }
}
