package com.idmelon.operator.reconciler;

import java.time.Duration;

/** The Ready condition a reconcile arrived at, and when to look again (null: only on the next event). */
record Outcome(boolean ready, String reason, String message, Duration wakeUp) {
  static Outcome ready(String reason, String message, Duration wakeUp) {
    return new Outcome(true, reason, message, wakeUp);
  }

  static Outcome notReady(String reason, String message, Duration wakeUp) {
    return new Outcome(false, reason, message, wakeUp);
  }
}
