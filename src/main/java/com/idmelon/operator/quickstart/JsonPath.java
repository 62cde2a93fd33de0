package com.idmelon.operator.quickstart;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Kubernetes' JSONPath templates ({@code k8s.io/client-go/util/jsonpath}) as an API server evaluates a CRD's
 * {@code additionalPrinterColumns}: fields ({@code .a.b}, {@code ['a.b']}, escaped dots), indexes and slices
 * ({@code [0]}, {@code [-1]}, {@code [1:3:2]}), {@code [*]} and {@code .*}, unions ({@code [0,2]}), recursive descent
 * ({@code ..name}) and filters ({@code [?(@.type=="Ready")]}, {@code [?(@.n>1)]}, {@code [?(@.a)]}), with missing keys
 * allowed. Not supported: {@code range}/{@code end} blocks.
 */
public final class JsonPath {
  private final ListNode root;

  private JsonPath(ListNode root) {
    this.root = root;
  }

  /** An evaluation error (e.g. an index out of bounds, a filter on a non-list): a printer column shows no value. */
  public static final class EvaluationException extends RuntimeException {
    EvaluationException(String message) {
      super(message);
    }
  }

  /** Parses a template ({@code {.spec.type}}; text outside braces is kept as text). */
  public static JsonPath parse(String template) {
    return new JsonPath(new Parser(template).parse());
  }

  /** Parses a CRD printer column's {@code jsonPath} ({@code .spec.type}) as the API server does: {@code {<path>}}. */
  public static JsonPath column(String jsonPath) {
    return parse("{" + jsonPath + "}");
  }

  /**
   * The results of each part of the template, in order (as client-go's {@code FindResults}); a JSON null found at a
   * path is a {@code NullNode} in the results.
   *
   * @throws EvaluationException where client-go's evaluation fails
   */
  public List<List<JsonNode>> find(JsonNode data) {
    List<List<JsonNode>> results = new ArrayList<>();
    List<JsonNode> current = List.of(data);
    for (Node node : root.nodes) {
      results.add(walk(current, node));
    }
    return results;
  }

  // ---------------------------------------------------------------- syntax

  private sealed interface Node permits ListNode, Text, Field, Wildcard, Recursive, Slice, Union, Filter, Literal,
      Identifier {
  }

  private record ListNode(List<Node> nodes) implements Node {
    ListNode() {
      this(new ArrayList<>());
    }
  }

  private record Text(String text) implements Node {
  }

  private record Field(String name) implements Node {
  }

  private record Wildcard() implements Node {
  }

  private record Recursive() implements Node {
  }

  /** {@code [start:end:step]}; {@code derivedEnd}: {@code [n]}, whose end is n+1. */
  private record Slice(Integer start, Integer end, boolean derivedEnd, Integer step) implements Node {
  }

  private record Union(List<ListNode> branches) implements Node {
  }

  private record Filter(ListNode left, ListNode right, String operator) implements Node {
  }

  /** A number or boolean in the template. */
  private record Literal(JsonNode value) implements Node {
  }

  private record Identifier(String name) implements Node {
  }

  /** A port of client-go's jsonpath parser, so that what it accepts (and rejects) is the same. */
  private static final class Parser {
    private static final int EOF = -1;
    private static final Pattern DICT_KEY = Pattern.compile("^'([^']*)'$");
    private static final Pattern SLICE = Pattern.compile("^(-?[\\d]*)(:-?[\\d]*)?(:-?[\\d]*)?$");
    private static final Pattern COMPARISON = Pattern.compile("^([^!<>=]+)([!<>=]+)(.+?)$", Pattern.DOTALL);

    private final String input;
    private final ListNode root = new ListNode();
    private int pos;
    private int start;
    private int width;

    Parser(String input) {
      this.input = input;
    }

    ListNode parse() {
      parseText();
      return root;
    }

    private static ListNode action(String text) {
      return (ListNode) new Parser("{" + text + "}").parse().nodes.get(0);
    }

    private String consume() {
      String value = input.substring(start, pos);
      start = pos;
      return value;
    }

    private int next() {
      if (pos >= input.length()) {
        width = 0;
        return EOF;
      }
      width = 1;
      return input.charAt(pos++);
    }

    private int peek() {
      int r = next();
      pos -= width;
      return r;
    }

    private void backup() {
      pos -= width;
    }

    private void parseText() {
      while (true) {
        if (input.startsWith("{", pos)) {
          if (pos > start) {
            root.nodes.add(new Text(consume()));
          }
          pos++;
          consume();
          ListNode action = new ListNode();
          root.nodes.add(action);
          if (parseInsideAction(action)) {
            continue;
          }
          return;
        }
        if (next() == EOF) {
          break;
        }
      }
      if (pos > start) {
        root.nodes.add(new Text(consume()));
      }
    }

    /** Parses one action up to its closing brace; answers whether text follows (false at the end of the input). */
    private boolean parseInsideAction(ListNode cur) {
      while (true) {
        if (input.startsWith("}", pos)) {
          pos++;
          consume();
          return true;
        }
        if (input.startsWith("[?(", pos)) {
          parseFilter(cur);
          continue;
        }
        if (input.startsWith("..", pos)) {
          if (!cur.nodes.isEmpty() && cur.nodes.get(cur.nodes.size() - 1) instanceof Recursive) {
            throw new IllegalArgumentException("invalid multiple recursive descent");
          }
          pos += 2;
          consume();
          cur.nodes.add(new Recursive());
          if (isAlphaNumeric(peek())) {
            parseField(cur);
          }
          continue;
        }
        int r = next();
        if (r == EOF || r == '\r' || r == '\n') {
          throw new IllegalArgumentException("unclosed action");
        } else if (r == ' ' || r == '@' || r == '$') {
          consume();
        } else if (r == '[') {
          parseArray(cur);
        } else if (r == '"' || r == '\'') {
          parseQuote(cur, r);
        } else if (r == '.') {
          parseField(cur);
        } else if (r == '+' || r == '-' || Character.isDigit(r)) {
          backup();
          parseNumber(cur);
        } else if (isAlphaNumeric(r)) {
          backup();
          parseIdentifier(cur);
        } else {
          throw new IllegalArgumentException("unrecognized character in action: " + (char) r);
        }
      }
    }

    private void parseIdentifier(ListNode cur) {
      int r;
      do {
        r = next();
      } while (!isTerminator(r));
      backup();
      String value = consume();
      cur.nodes.add(value.equals("true") || value.equals("false")
          ? new Literal(BooleanNode.valueOf(Boolean.parseBoolean(value))) : new Identifier(value));
    }

    private void parseNumber(ListNode cur) {
      int r = peek();
      if (r == '+' || r == '-') {
        next();
      }
      do {
        r = next();
      } while (r == '.' || (r != EOF && Character.isDigit(r)));
      backup();
      String value = consume();
      try {
        cur.nodes.add(new Literal(LongNode.valueOf(Long.parseLong(value))));
      } catch (NumberFormatException notInteger) {
        try {
          cur.nodes.add(new Literal(DoubleNode.valueOf(Double.parseDouble(value))));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("cannot parse number " + value);
        }
      }
    }

    private void parseArray(ListNode cur) {
      while (true) {
        int r = next();
        if (r == EOF || r == '\n') {
          throw new IllegalArgumentException("unterminated array");
        }
        if (r == ']') {
          break;
        }
      }
      String text = consume();
      text = text.substring(1, text.length() - 1);
      if (text.equals("*")) {
        text = ":";
      }
      String[] parts = text.split(",", -1);
      if (parts.length > 1) {
        List<ListNode> branches = new ArrayList<>();
        for (String part : parts) {
          branches.add(action("[" + part.strip() + "]"));
        }
        cur.nodes.add(new Union(branches));
        return;
      }
      Matcher key = DICT_KEY.matcher(text);
      if (key.matches()) {
        cur.nodes.addAll(action("." + key.group(1)).nodes);
        return;
      }
      Matcher slice = SLICE.matcher(text);
      if (!slice.matches()) {
        throw new IllegalArgumentException("invalid array index " + text);
      }
      Integer[] params = new Integer[3];
      boolean derived = false;
      for (int i = 0; i < 3; i++) {
        String value = slice.group(i + 1) == null ? "" : slice.group(i + 1);
        if (!value.isEmpty()) {
          if (i > 0) {
            value = value.substring(1);
          }
          if (!(i > 0 && value.isEmpty())) {
            try {
              params[i] = Integer.parseInt(value);
            } catch (NumberFormatException e) {
              throw new IllegalArgumentException("array index " + value + " is not a number");
            }
          }
        } else if (i == 1) {
          params[1] = (params[0] == null ? 0 : params[0]) + 1;
          derived = true;
        }
      }
      cur.nodes.add(new Slice(params[0], params[1], derived, params[2]));
    }

    private void parseFilter(ListNode cur) {
      pos += 3;
      consume();
      boolean begin = false;
      boolean end = false;
      int pair = 0;
      loop:
      while (true) {
        int r = next();
        switch (r) {
          case EOF, '\n' -> throw new IllegalArgumentException("unterminated filter");
          case '"', '\'' -> {
            if (!begin) {
              begin = true;
              pair = r;
              continue;
            }
            if (input.charAt(pos - 2) != '\\' && r == pair) {
              end = true;
            }
          }
          case ')' -> {
            if (begin == end) {
              break loop;
            }
          }
          default -> {
          }
        }
      }
      if (next() != ']') {
        throw new IllegalArgumentException("unclosed array expect ]");
      }
      String text = consume();
      text = text.substring(0, text.length() - 2);
      Matcher comparison = COMPARISON.matcher(text);
      if (!comparison.matches()) {
        cur.nodes.add(new Filter(action(text), new ListNode(), "exists"));
      } else {
        cur.nodes.add(new Filter(action(comparison.group(1)), action(comparison.group(3)), comparison.group(2)));
      }
    }

    private void parseQuote(ListNode cur, int quote) {
      while (true) {
        int r = next();
        if (r == EOF || r == '\n') {
          throw new IllegalArgumentException("unterminated quoted string");
        }
        if (r == quote && input.charAt(pos - 2) != '\\') {
          break;
        }
      }
      String value = consume();
      cur.nodes.add(new Text(unquote(value.substring(1, value.length() - 1))));
    }

    private void parseField(ListNode cur) {
      consume();
      while (true) {
        int r = next();
        if (r == '\\') {
          next();
        } else if (isTerminator(r)) {
          backup();
          break;
        }
      }
      String value = consume();
      cur.nodes.add(value.equals("*") ? new Wildcard() : new Field(value.replace("\\", "")));
    }

    private static String unquote(String s) {
      StringBuilder out = new StringBuilder();
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c != '\\' || i + 1 == s.length()) {
          out.append(c);
          continue;
        }
        char e = s.charAt(++i);
        switch (e) {
          case 'n' -> out.append('\n');
          case 't' -> out.append('\t');
          case 'r' -> out.append('\r');
          case 'u' -> {
            if (i + 4 >= s.length()) {
              throw new IllegalArgumentException("invalid escape in " + s);
            }
            out.append((char) Integer.parseInt(s.substring(i + 1, i + 5), 16));
            i += 4;
          }
          default -> out.append(e);
        }
      }
      return out.toString();
    }

    private static boolean isTerminator(int r) {
      return switch (r) {
        case EOF, ' ', '\t', '\r', '\n', '.', ',', '[', ']', '$', '@', '{', '}' -> true;
        default -> false;
      };
    }

    private static boolean isAlphaNumeric(int r) {
      return r == '_' || (r != EOF && Character.isLetterOrDigit(r));
    }
  }

  // ---------------------------------------------------------------- evaluation

  private static List<JsonNode> walk(List<JsonNode> values, Node node) {
    if (node instanceof ListNode list) {
      return evalList(values, list);
    } else if (node instanceof Text text) {
      return List.of(TextNode.valueOf(text.text()));
    } else if (node instanceof Field field) {
      return evalField(values, field.name());
    } else if (node instanceof Slice slice) {
      return evalSlice(values, slice);
    } else if (node instanceof Filter filter) {
      return evalFilter(values, filter);
    } else if (node instanceof Literal literal) {
      return values.stream().map(v -> literal.value()).toList();
    } else if (node instanceof Wildcard) {
      List<JsonNode> results = new ArrayList<>();
      values.forEach(v -> results.addAll(children(v)));
      return results;
    } else if (node instanceof Recursive) {
      return evalRecursive(values);
    } else if (node instanceof Union union) {
      List<JsonNode> results = new ArrayList<>();
      union.branches().forEach(branch -> results.addAll(evalList(values, branch)));
      return results;
    }
    throw new EvaluationException("unrecognized identifier " + ((Identifier) node).name());
  }

  private static List<JsonNode> evalList(List<JsonNode> values, ListNode list) {
    List<JsonNode> current = values;
    for (Node node : list.nodes()) {
      current = walk(current, node);
    }
    return current;
  }

  private static List<JsonNode> evalField(List<JsonNode> values, String name) {
    List<JsonNode> results = new ArrayList<>();
    for (JsonNode value : values) {
      if (value.isObject() && value.has(name)) {
        results.add(value.get(name));
      }
    }
    return results; // missing keys are allowed, as for printer columns
  }

  private static List<JsonNode> evalSlice(List<JsonNode> values, Slice slice) {
    List<JsonNode> results = new ArrayList<>();
    for (JsonNode value : values) {
      if (value.isNull()) {
        continue;
      }
      if (!value.isArray()) {
        throw new EvaluationException(kindOf(value) + " is not array or slice");
      }
      int length = value.size();
      int start = slice.start() == null ? 0 : slice.start();
      if (start < 0) {
        start += length;
      }
      int end = slice.end() == null ? length : slice.end();
      if (end < 0 || (end == 0 && slice.derivedEnd())) {
        end += length;
      }
      if (end == start) {
        return results; // zero elements requested: client-go stops here
      }
      if (start >= length || start < 0) {
        throw new EvaluationException("array index out of bounds: index " + start + ", length " + length);
      }
      if (end > length || end < 0) {
        throw new EvaluationException("array index out of bounds: index " + (end - 1) + ", length " + length);
      }
      if (start > end) {
        throw new EvaluationException("starting index " + start + " is greater than ending index " + end);
      }
      int step = 1;
      if (slice.step() != null) {
        if (slice.step() <= 0) {
          throw new EvaluationException("step must be > 0");
        }
        step = slice.step();
      }
      for (int i = start; i < end; i += step) {
        results.add(value.get(i));
      }
    }
    return results;
  }

  /** What {@code *} and {@code ..} visit: an object's values, a list's items, a string's bytes. */
  private static List<JsonNode> children(JsonNode value) {
    List<JsonNode> children = new ArrayList<>();
    if (value.isObject() || value.isArray()) {
      value.elements().forEachRemaining(children::add);
    } else if (value.isTextual()) {
      for (byte b : value.asText().getBytes(StandardCharsets.UTF_8)) {
        children.add(LongNode.valueOf(b & 0xff));
      }
    }
    return children;
  }

  private static List<JsonNode> evalRecursive(List<JsonNode> values) {
    List<JsonNode> results = new ArrayList<>();
    for (JsonNode value : values) {
      List<JsonNode> children = children(value);
      if (!children.isEmpty()) {
        results.add(value);
        results.addAll(evalRecursive(children));
      }
    }
    return results;
  }

  private static List<JsonNode> evalFilter(List<JsonNode> values, Filter filter) {
    List<JsonNode> results = new ArrayList<>();
    for (JsonNode value : values) {
      if (!value.isArray()) {
        throw new EvaluationException(kindOf(value) + " is not array or slice and cannot be filtered");
      }
      for (JsonNode item : value) {
        List<JsonNode> lefts;
        if (filter.operator().equals("exists")) {
          try {
            lefts = evalList(List.of(item), filter.left());
          } catch (EvaluationException e) {
            continue;
          }
          if (!lefts.isEmpty()) {
            results.add(item);
          }
          continue;
        }
        lefts = evalList(List.of(item), filter.left());
        if (lefts.isEmpty()) {
          continue;
        }
        if (lefts.size() > 1) {
          throw new EvaluationException("can only compare one element at a time");
        }
        List<JsonNode> rights = evalList(List.of(item), filter.right());
        if (rights.isEmpty()) {
          continue;
        }
        if (rights.size() > 1) {
          throw new EvaluationException("can only compare one element at a time");
        }
        if (compare(filter.operator(), lefts.get(0), rights.get(0))) {
          results.add(item);
        }
      }
    }
    return results;
  }

  private enum Kind { BOOL, INT, FLOAT, STRING }

  private static Kind comparable(JsonNode value) {
    if (value.isBoolean()) {
      return Kind.BOOL;
    } else if (value.isIntegralNumber() && value.canConvertToLong()) {
      return Kind.INT;
    } else if (value.isNumber()) {
      return Kind.FLOAT; // JSON numbers beyond int64 are float64 in Go
    } else if (value.isTextual()) {
      return Kind.STRING;
    }
    throw new EvaluationException("invalid type for comparison");
  }

  /** Go template's eq/lt semantics: both sides of one kind, else an error. */
  private static boolean compare(String operator, JsonNode left, JsonNode right) {
    Kind kind = comparable(left);
    if (kind != comparable(right)) {
      throw new EvaluationException("incompatible types for comparison");
    }
    boolean equal = switch (kind) {
      case BOOL -> left.booleanValue() == right.booleanValue();
      case INT -> left.longValue() == right.longValue();
      case FLOAT -> left.doubleValue() == right.doubleValue();
      case STRING -> left.textValue().equals(right.textValue());
    };
    if (operator.equals("==")) {
      return equal;
    } else if (operator.equals("!=")) {
      return !equal;
    }
    if (kind == Kind.BOOL) {
      if (!List.of("<", ">", "<=", ">=").contains(operator)) {
        throw new EvaluationException("unrecognized filter operator " + operator);
      }
      throw new EvaluationException("invalid type for comparison");
    }
    int order = switch (kind) {
      case INT -> Long.compare(left.longValue(), right.longValue());
      case FLOAT -> Double.compare(left.doubleValue(), right.doubleValue());
      default -> left.textValue().compareTo(right.textValue());
    };
    return switch (operator) {
      case "<" -> order < 0;
      case ">" -> order > 0;
      case "<=" -> order <= 0;
      case ">=" -> order >= 0;
      default -> throw new EvaluationException("unrecognized filter operator " + operator);
    };
  }

  private static String kindOf(JsonNode value) {
    return value.isNull() ? "<nil>" : value.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
  }

  // ---------------------------------------------------------------- printing

  /**
   * One result as client-go's {@code PrintResults} writes it: objects and lists as compact JSON (Go's encoding: keys
   * sorted), strings as they are, numbers and booleans as Go prints them, a JSON null as {@code <no value>}.
   */
  public static String text(JsonNode value) {
    if (value.isObject() || value.isArray()) {
      StringBuilder json = new StringBuilder();
      goJson(value, json);
      return json.toString();
    } else if (value.isNull()) {
      return "<no value>";
    } else if (value.isTextual()) {
      return value.textValue();
    } else if (value.isIntegralNumber() && value.canConvertToLong()) {
      return Long.toString(value.longValue());
    } else if (value.isNumber()) {
      return goFloat(value.doubleValue(), false);
    }
    return value.asText();
  }

  private static void goJson(JsonNode value, StringBuilder out) {
    if (value.isObject()) {
      Map<String, JsonNode> sorted = new TreeMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        sorted.put(field.getKey(), field.getValue());
      }
      out.append('{');
      boolean first = true;
      for (Map.Entry<String, JsonNode> field : sorted.entrySet()) {
        if (!first) {
          out.append(',');
        }
        first = false;
        goString(field.getKey(), out);
        out.append(':');
        goJson(field.getValue(), out);
      }
      out.append('}');
    } else if (value.isArray()) {
      out.append('[');
      for (int i = 0; i < value.size(); i++) {
        if (i > 0) {
          out.append(',');
        }
        goJson(value.get(i), out);
      }
      out.append(']');
    } else if (value.isTextual()) {
      goString(value.textValue(), out);
    } else if (value.isIntegralNumber() && value.canConvertToLong()) {
      out.append(value.longValue());
    } else if (value.isNumber()) {
      out.append(goFloat(value.doubleValue(), true));
    } else {
      out.append(value.isNull() ? "null" : value.asText());
    }
  }

  /** A string as Go's encoding/json writes it (HTML-safe). */
  private static void goString(String s, StringBuilder out) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == '\u2028' || c == '\u2029') {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }

  /**
   * A float64 as Go writes it: {@code fmt.Print} ({@code %v}: exponent form below 1e-4 or from 1e6) or, for
   * {@code json}, encoding/json (exponent form below 1e-6 or from 1e21, exponent without a leading zero).
   */
  static String goFloat(double value, boolean json) {
    if (value == 0) {
      return (1 / value < 0) ? "-0" : "0";
    }
    BigDecimal decimal = new BigDecimal(Double.toString(value)).stripTrailingZeros();
    String digits = decimal.unscaledValue().abs().toString();
    int exponent = digits.length() - decimal.scale() - 1;
    double abs = Math.abs(value);
    boolean scientific = json ? (abs < 1e-6 || abs >= 1e21) : (exponent < -4 || exponent >= 6);
    String sign = value < 0 ? "-" : "";
    if (!scientific) {
      return sign + decimal.abs().toPlainString();
    }
    String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
    int e = Math.abs(exponent);
    String exp = (!json && e < 10) ? "0" + e : Integer.toString(e);
    return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + exp;
  }
}
