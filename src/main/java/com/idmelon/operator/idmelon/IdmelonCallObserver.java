package com.idmelon.operator.idmelon;

import java.time.Duration;

/** Told about every request sent to IDmelon: for metrics. {@code status} is 0 when no answer arrived. */
@FunctionalInterface
public interface IdmelonCallObserver {
  /** @param operation list, create, read, reset, delete or verify (never a key id or value) */
  void observe(String operation, int status, Duration elapsed);

  IdmelonCallObserver NONE = (operation, status, elapsed) -> { };
}
