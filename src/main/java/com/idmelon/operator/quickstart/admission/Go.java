package com.idmelon.operator.quickstart.admission;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** How the API server, written in Go, prints values and reads regular expressions. */
final class Go {
  /** {@code \p{Name}} names Go's regexp knows besides the Unicode categories and scripts it accepts. */
  private static final Pattern UNICODE_CLASS = Pattern.compile("\\\\[pP]\\{\\^?([A-Za-z_]+)}|\\\\[pP]([A-Za-z])");
  /** Java's own class names (POSIX, java.lang.Character, Is/In prefixes): Go refuses them. */
  private static final Pattern JAVA_ONLY_CLASS = Pattern.compile(
      "Lower|Upper|ASCII|Alpha|Digit|Alnum|Punct|Graph|Print|Blank|Cntrl|XDigit|Space|java.*|Is.*|In(?!herited|scriptional).*");
  private static final Pattern PERL_ONLY = Pattern.compile("\\(\\?(?:=|!|<=|<!|>)");

  private Go() {
  }

  /** Go's {@code %q}. */
  static String quote(String s) {
    StringBuilder out = new StringBuilder(s.length() + 2).append('"');
    s.codePoints().forEach(c -> {
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\t' -> out.append("\\t");
        case '\r' -> out.append("\\r");
        case 7 -> out.append("\\a");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        case 11 -> out.append("\\v");
        default -> {
          if (c < 0x20 || c == 0x7f) {
            out.append(String.format("\\x%02x", c));
          } else if (Character.isISOControl(c) || !Character.isDefined(c)) {
            out.append(c > 0xffff ? String.format("\\U%08x", c) : String.format("\\u%04x", c));
          } else {
            out.appendCodePoint(c);
          }
        }
      }
    });
    return out.append('"').toString();
  }

  /** Go's {@code %v} of an int64 or float64. */
  static String number(JsonNode n) {
    if (n.isIntegralNumber()) {
      return n.bigIntegerValue().toString();
    }
    return number(n.asDouble());
  }

  /** Go's {@code %v} of a float64 (shortest representation, exponent from 1e21). */
  static String number(double d) {
    if (d == Math.rint(d) && Math.abs(d) < 1e21) {
      return Long.toString((long) d);
    }
    BigDecimal exact = new BigDecimal(Double.toString(d)).stripTrailingZeros();
    if (Math.abs(d) >= 1e21 || Math.abs(d) < 1e-4) {
      String digits = exact.unscaledValue().abs().toString();
      int exponent = digits.length() - 1 - exact.scale();
      String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
      return (d < 0 ? "-" : "") + mantissa + "e" + (exponent < 0 ? "-" : "+")
          + String.format("%02d", Math.abs(exponent));
    }
    return exact.toPlainString();
  }

  /** Go's {@code %#v} of what encoding/json makes of an object or an array. */
  static String goSyntax(JsonNode value) {
    if (value.isObject()) {
      List<String> keys = new ArrayList<>();
      value.fieldNames().forEachRemaining(keys::add);
      Collections.sort(keys);
      List<String> entries = new ArrayList<>();
      for (String key : keys) {
        entries.add(quote(key) + ":" + element(value.get(key)));
      }
      return "map[string]interface {}{" + String.join(", ", entries) + "}";
    }
    List<String> items = new ArrayList<>();
    value.forEach(item -> items.add(element(item)));
    return "[]interface {}{" + String.join(", ", items) + "}";
  }

  private static String element(JsonNode value) {
    if (value.isNull()) {
      return "interface {}(nil)";
    }
    if (value.isContainerNode()) {
      return goSyntax(value);
    }
    return FieldError.render(value);
  }

  /**
   * Compiles a schema pattern as Go's regexp (RE2) would: empty with Go's error when Go refuses it (Java-only
   * character classes, look-around, possessive or atomic groups), else the Java pattern.
   *
   * @return the pattern, or the error text Go gives
   */
  static Optional<Pattern> regexp(String pattern, StringBuilder error) {
    Matcher unicode = UNICODE_CLASS.matcher(pattern);
    while (unicode.find()) {
      String name = unicode.group(1) != null ? unicode.group(1) : unicode.group(2);
      if (JAVA_ONLY_CLASS.matcher(name).matches()) {
        error.append("error parsing regexp: invalid character class range: `").append(unicode.group()).append('`');
        return Optional.empty();
      }
    }
    Matcher perl = PERL_ONLY.matcher(pattern);
    if (perl.find()) {
      error.append("error parsing regexp: invalid or unsupported Perl syntax: `").append(perl.group()).append('`');
      return Optional.empty();
    }
    try {
      return Optional.of(Pattern.compile(pattern));
    } catch (PatternSyntaxException e) {
      error.append("error parsing regexp: ").append(e.getDescription()).append(": `").append(pattern).append('`');
      return Optional.empty();
    }
  }
}
