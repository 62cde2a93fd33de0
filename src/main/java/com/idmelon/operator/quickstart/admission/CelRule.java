package com.idmelon.operator.quickstart.admission;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.extensions.CelExtensions;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import java.util.Map;

/**
 * One {@code x-kubernetes-validations} entry, compiled once: its rule and message expression as programs, whether
 * it is a transition rule (it reads {@code oldSelf}), and what a failure reports (message, field path, reason).
 */
final class CelRule {
  private static final CelOptions OPTIONS = CelOptions.current().enableHeterogeneousNumericComparisons(true).build();
  private static final CelCompiler COMPILER = CelCompilerFactory.standardCelCompilerBuilder()
      .setOptions(OPTIONS)
      .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
      .addLibraries(CelExtensions.strings(), CelExtensions.math(OPTIONS), CelExtensions.encoders(),
          CelExtensions.sets(OPTIONS))
      .addVar("self", SimpleType.DYN)
      .addVar("oldSelf", SimpleType.DYN)
      .build();
  private static final CelRuntime RUNTIME = CelRuntimeFactory.standardCelRuntimeBuilder()
      .setOptions(OPTIONS)
      .addLibraries(CelExtensions.strings(), CelExtensions.math(OPTIONS), CelExtensions.encoders(),
          CelExtensions.sets(OPTIONS))
      .build();

  final String rule;
  final String message;
  final String messageExpression;
  /** {@code fieldPath} normalised as the API server prints it ({@code expiresAt}, {@code data[a.b]}), or "". */
  final String fieldPath;
  /** FieldValueInvalid (the default), FieldValueForbidden, FieldValueRequired or FieldValueDuplicate. */
  final String reason;
  final boolean usesOldSelf;
  /** Why the rule does not compile, or null. */
  final String compileError;
  private final CelRuntime.Program program;
  private final CelRuntime.Program messageProgram;

  CelRule(JsonNode validation) {
    rule = validation.path("rule").asText("");
    message = validation.path("message").asText("");
    messageExpression = validation.path("messageExpression").asText("");
    fieldPath = normalise(validation.path("fieldPath").asText(""));
    reason = validation.path("reason").asText("FieldValueInvalid");
    CelRuntime.Program compiled = null;
    CelRuntime.Program compiledMessage = null;
    boolean oldSelf = false;
    String error = null;
    try {
      CelAbstractSyntaxTree ast = COMPILER.compile(rule).getAst();
      oldSelf = ast.getReferenceMap().values().stream().anyMatch(r -> r.name().equals("oldSelf"));
      compiled = RUNTIME.createProgram(ast);
      if (!messageExpression.isEmpty()) {
        compiledMessage = RUNTIME.createProgram(COMPILER.compile(messageExpression).getAst());
      }
    } catch (CelValidationException e) {
      error = "compilation failed: " + e.getMessage();
    } catch (CelEvaluationException | RuntimeException e) {
      error = "compilation failed: " + e.getMessage();
    }
    program = compiled;
    messageProgram = compiledMessage;
    usesOldSelf = oldSelf;
    compileError = error;
  }

  /** True, false, or the evaluation error (as {@code no such key: x} and the like). */
  Object evaluate(Map<String, Object> activation) {
    try {
      return program.eval(activation);
    } catch (CelEvaluationException e) {
      return new EvaluationError(e.getMessage());
    }
  }

  /**
   * The failure's detail: the message expression's result when it gives a usable one-line string, else
   * {@code message}, else {@code failed rule: <rule>}.
   */
  String detail(Map<String, Object> activation) {
    if (messageProgram != null) {
      try {
        if (messageProgram.eval(activation) instanceof String text) {
          String trimmed = text.strip();
          if (!trimmed.isEmpty() && trimmed.length() <= 5 * 1024 && trimmed.indexOf('\n') < 0) {
            return trimmed;
          }
        }
      } catch (CelEvaluationException e) {
        // the API server falls back to the message, as here
      }
    }
    return message.isBlank() ? "failed rule: " + rule.strip() : message.strip();
  }

  /** {@code ruleErrorString}: the message, else the rule. */
  String errorString() {
    return message.isBlank() ? rule.strip() : message.strip();
  }

  record EvaluationError(String message) {
  }

  /** {@code .a.b} as {@code a.b}, {@code ['a.b']} as {@code [a.b]}: how field.Path prints a validated fieldPath. */
  private static String normalise(String fieldPath) {
    String path = fieldPath.replaceAll("\\['((?:[^'\\\\]|\\\\.)*)']", "[$1]");
    return path.startsWith(".") ? path.substring(1) : path;
  }
}
