package com.idmelon.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.idmelon.operator.crd.v1alpha1.ApiKey;
import com.idmelon.operator.quickstart.QuickStart;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's quick start, without the build: every example becomes Ready (one from the second, EU workspace) and
 * the output masks values.
 */
class QuickStartTest {
  @TempDir Path dir;

  @Test
  void quickStartAppliesTheExamplesAndReportsThemReady() throws Exception {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8);
    try (QuickStart quickStart = QuickStart.start(dir, 0, 0, out)) {
      List<ApiKey> applied = quickStart.apply(Path.of("examples"));
      assertEquals(7, applied.size());
      assertEquals(7, quickStart.report(applied, Duration.ofSeconds(30)));
      quickStart.printHowTo(applied);
    }
    String printed = buffer.toString(StandardCharsets.UTF_8);
    assertTrue(printed.contains("default/reporting-script"), printed);
    assertTrue(printed.contains("export KUBECONFIG=" + dir.resolve("kubeconfig").toAbsolutePath()), printed);
    assertTrue(printed.contains("idmelon.com/reset="), printed);
    assertTrue(Files.readString(dir.resolve("kubeconfig")).contains("server: http://127.0.0.1:"));
    assertFalse(printed.matches("(?s).*idm_[A-Za-z0-9_-]{20,}.*"), "no key value is printed unmasked");
    assertTrue(printed.contains("default/eu-kiosk"), printed);
    assertEquals(7, printed.lines().filter(l -> l.endsWith(" yes")).count(), "IDmelon accepts all seven values");
  }
}
