package com.idmelon.operator.reconciler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class GoDurationTest {
  @Test
  void parsesWhatKubernetesUsersWrite() {
    assertEquals(Duration.ofHours(2160), GoDuration.parse("2160h"));
    assertEquals(Duration.ofMinutes(90), GoDuration.parse("1h30m"));
    assertEquals(Duration.ofMillis(1500), GoDuration.parse("1.5s"));
    assertEquals(Duration.ofMillis(250), GoDuration.parse("250ms"));
    assertEquals(Duration.ZERO, GoDuration.parse("0s"));
  }

  @Test
  void refusesOtherNotations() {
    for (String bad : new String[] {"", "10", "3 days", "P1D", "-1h", "1d", null}) {
      assertThrows(IllegalArgumentException.class, () -> GoDuration.parse(bad), String.valueOf(bad));
    }
  }
}
