package com.idmelon.operator.reconciler;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses Go duration strings ({@code 2160h}, {@code 1h30m}, {@code 10m}, {@code 1.5s}) as Kubernetes users write them. */
public final class GoDuration {
  private static final Pattern WHOLE = Pattern.compile("([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h))+");
  private static final Pattern PART = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(ns|us|µs|ms|s|m|h)");

  private GoDuration() {}

  /** @throws IllegalArgumentException when {@code text} is not a Go duration */
  public static Duration parse(String text) {
    if (text == null || !WHOLE.matcher(text).matches()) {
      throw new IllegalArgumentException("'" + text + "' is not a duration such as 2160h, 90m or 1h30m");
    }
    BigDecimal nanos = BigDecimal.ZERO;
    Matcher part = PART.matcher(text);
    while (part.find()) {
      BigDecimal amount = new BigDecimal(part.group(1));
      long unit = switch (part.group(2)) {
        case "ns" -> 1L;
        case "us", "µs" -> 1_000L;
        case "ms" -> 1_000_000L;
        case "s" -> 1_000_000_000L;
        case "m" -> 60_000_000_000L;
        default -> 3_600_000_000_000L;
      };
      nanos = nanos.add(amount.multiply(BigDecimal.valueOf(unit)));
    }
    return Duration.ofNanos(nanos.longValueExact());
  }
}
