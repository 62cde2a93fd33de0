package com.idmelon.operator.idmelon;

import java.util.regex.Pattern;

/**
 * The shape of an IDmelon key id: 1 to 128 letters, digits, {@code _} or {@code -}. Ids of any other shape never go
 * into a URL and are quoted in messages only cleaned and cut.
 */
public final class IdmelonKeyId {
  private static final Pattern SHAPE = Pattern.compile("[A-Za-z0-9_-]{1,128}");
  /** How much of a foreign value a message quotes. */
  static final int QUOTED_LENGTH = 64;

  private IdmelonKeyId() {}

  /** True when {@code id} has the shape of an IDmelon key id, so it can be put into a URL path as it is. */
  public static boolean isValid(String id) {
    return id != null && SHAPE.matcher(id).matches();
  }

  /** {@code id} fit for a log line or a message: control and format characters replaced, at most 64 characters. */
  public static String forMessage(String id) {
    return printable(id, QUOTED_LENGTH);
  }

  /** {@code value} with control, format and separator characters replaced by '?', cut to {@code max} code points. */
  static String printable(String value, int max) {
    if (value == null) {
      return "(none)";
    }
    StringBuilder out = new StringBuilder(Math.min(value.length(), max) + 1);
    int count = 0;
    for (int i = 0; i < value.length(); ) {
      int codePoint = value.codePointAt(i);
      i += Character.charCount(codePoint);
      if (count == max) {
        return out.append('…').toString();
      }
      out.appendCodePoint(isPrintable(codePoint) ? codePoint : '?');
      count++;
    }
    return out.toString();
  }

  private static boolean isPrintable(int codePoint) {
    return switch (Character.getType(codePoint)) {
      case Character.CONTROL, Character.FORMAT, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR,
          Character.SURROGATE, Character.PRIVATE_USE, Character.UNASSIGNED -> false;
      default -> true;
    };
  }
}
