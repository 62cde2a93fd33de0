package com.idmelon.operator.reconciler;

/**
 * Makes a value a namespace user wrote (an annotation, a name) safe to put into a log line, an event or a status
 * message: control characters become spaces, and a long value is cut and marked, so nobody can forge log lines or
 * bloat a status through it.
 */
final class UserText {
  static final int MAX = 64;

  private UserText() {}

  /** The value in single quotes, sanitised and at most {@link #MAX} characters (then "..." marks the cut). */
  static String quoted(String value) {
    if (value == null) {
      return "''";
    }
    StringBuilder out = new StringBuilder(Math.min(value.length(), MAX) + 5).append('\'');
    int i = 0;
    int taken = 0;
    while (i < value.length() && taken < MAX) {
      int c = value.codePointAt(i);
      i += Character.charCount(c);
      taken++;
      if (com.idmelon.operator.crd.v1alpha1.Conditions.unprintable(c)) {
        out.append(' ');
      } else {
        out.appendCodePoint(c);
      }
    }
    if (i < value.length()) {
      out.append("...");
    }
    return out.append('\'').toString();
  }
}
