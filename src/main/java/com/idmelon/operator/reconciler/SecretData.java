package com.idmelon.operator.reconciler;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.mustachejava.Binding;
import com.github.mustachejava.Code;
import com.github.mustachejava.Iteration;
import com.github.mustachejava.Mustache;
import com.github.mustachejava.MustacheException;
import com.github.mustachejava.MustacheVisitor;
import com.github.mustachejava.ObjectHandler;
import com.github.mustachejava.SpecMustacheFactory;
import com.github.mustachejava.SpecMustacheVisitor;
import com.github.mustachejava.TemplateContext;
import com.github.mustachejava.util.Wrapper;
import com.idmelon.operator.crd.v1alpha1.ApiKey;
import com.idmelon.operator.crd.v1alpha1.ApiKeyStatus;
import com.idmelon.operator.crd.v1alpha1.SecretTemplate;
import com.idmelon.operator.idmelon.KeyType;
import com.idmelon.operator.idmelon.SecretValue;
import io.fabric8.kubernetes.api.model.Secret;
import java.io.StringReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Renders {@code spec.secretTemplate.data}: extra Secret keys from logic-less Mustache templates over the key's fields.
 *
 * <p>The templates are sandboxed: a template sees exactly five strings and nothing else (no objects, no methods, no
 * lambdas), partials and every other tag that reaches outside the template are refused while parsing (the factory's
 * resolver refuses every name as well, so no file is ever read), and values are written verbatim (no HTML escaping).
 * A rendered value holds the secret, so neither it nor anything the template library says about it leaves this class:
 * errors are reduced to the key name, a line number and a fixed description.
 */
public final class SecretData {
  /** Names of the keys the operator rendered into the Secret, so that a key dropped from the template is removed. */
  public static final String RECORD_ANNOTATION = ManagedSecret.RESERVED_PREFIX + "templated-keys";
  static final int MAX_KEYS = 32;
  static final int MAX_KEY_NAME = 253;
  static final int MAX_TEMPLATE_BYTES = 64 * 1024;
  /**
   * What all templates may render to together, measured with a {@link #ESTIMATED_KEY_LENGTH}-byte key value and every
   * section rendered: Kubernetes refuses a Secret whose data exceeds 1 MiB, and the rest of the Secret (the default
   * keys, up to 256 KiB of annotations, base64 in the request) needs the remainder.
   */
  static final int MAX_RENDERED_BYTES = 512 * 1024;
  /** Longer than any IDmelon key value: the size check before issuing assumes a key value this long. */
  static final int ESTIMATED_KEY_LENGTH = 1024;

  static final String API_KEY = "apiKey";
  static final String KEY_ID = "keyId";
  static final String TYPE = "type";
  static final String EXPIRES_AT = "expiresAt";
  static final String NAME = "name";
  /** The only names a template may use. */
  static final List<String> VARIABLES = List.of(API_KEY, KEY_ID, TYPE, EXPIRES_AT, NAME);

  /** Kubernetes' rule for Secret data keys (IsConfigMapKey). */
  private static final Pattern KEY_NAME = Pattern.compile("[-._a-zA-Z0-9]+");
  private static final Factory FACTORY = new Factory();

  /**
   * The fields a template sees.
   *
   * @param expiresAt null when the key never expires (rendered as an empty string); rendered in whole seconds, as
   *     IDmelon keeps it
   * @param name the key's name in IDmelon, the workspace's keyNamePrefix included
   */
  record Values(SecretValue apiKey, String keyId, KeyType type, Instant expiresAt, String name) {
    private Map<String, String> scope() {
      return Map.of(API_KEY, apiKey.reveal(), KEY_ID, nonNull(keyId), TYPE, type == null ? "" : type.name(),
          EXPIRES_AT, expiresAt == null ? "" : KeyTimes.format(expiresAt), NAME, nonNull(name));
    }

    private static String nonNull(String text) {
      return text == null ? "" : text;
    }
  }

  private SecretData() {}

  /** The templates of {@code spec.secretTemplate.data}, sorted by key name; empty when there are none. */
  static Map<String, String> templatesOf(ApiKey owner) {
    SecretTemplate template = owner.getSpec() == null ? null : owner.getSpec().getSecretTemplate();
    return templatesOf(template);
  }

  static Map<String, String> templatesOf(SecretTemplate template) {
    Map<String, String> sorted = new TreeMap<>();
    if (template != null && template.getData() != null) {
      template.getData().forEach((key, text) -> sorted.put(key, text == null ? "" : text));
    }
    return sorted;
  }

  /**
   * What is wrong with {@code spec.secretTemplate.data}, as a message naming the key; empty when every template
   * renders within the limits. Pure: a template is only compiled and rendered over placeholder values.
   */
  static Optional<String> problem(SecretTemplate template) {
    Map<String, String> templates = templatesOf(template);
    if (templates.size() > MAX_KEYS) {
      return Optional.of("spec.secretTemplate.data has " + templates.size() + " keys; at most " + MAX_KEYS
          + " are allowed");
    }
    Map<String, Mustache> compiled = new TreeMap<>();
    for (Map.Entry<String, String> entry : templates.entrySet()) {
      String key = entry.getKey();
      Optional<String> badName = keyNameProblem(key);
      if (badName.isPresent()) {
        return badName;
      }
      int bytes = entry.getValue().getBytes(StandardCharsets.UTF_8).length;
      if (bytes > MAX_TEMPLATE_BYTES) {
        return Optional.of("spec.secretTemplate.data: the template of " + UserText.quoted(key) + " is " + bytes
            + " bytes; at most " + MAX_TEMPLATE_BYTES + " are allowed");
      }
      try {
        compiled.put(key, compile(entry.getValue()));
      } catch (Refused e) {
        return Optional.of("spec.secretTemplate.data: the template of " + UserText.quoted(key) + " does not render: "
            + e.getMessage());
      }
    }
    Budget budget = new Budget(MAX_RENDERED_BYTES);
    Fields placeholders = new Fields(new Values(SecretValue.of("k".repeat(ESTIMATED_KEY_LENGTH)), "k".repeat(64),
        KeyType.SharedMobile, Instant.parse("2000-01-01T00:00:00Z"), "n".repeat(100)).scope(), true);
    for (Map.Entry<String, Mustache> entry : compiled.entrySet()) {
      budget.add(entry.getKey().length());
      entry.getValue().execute(budget, placeholders);
      if (budget.exceeded()) {
        return Optional.of("spec.secretTemplate.data renders to more than " + MAX_RENDERED_BYTES / 1024
            + " KiB (counting a key value of " + ESTIMATED_KEY_LENGTH + " bytes and every section); Kubernetes"
            + " refuses a Secret over 1 MiB");
      }
    }
    return Optional.empty();
  }

  private static Optional<String> keyNameProblem(String key) {
    if (key.isEmpty() || key.length() > MAX_KEY_NAME || !KEY_NAME.matcher(key).matches() || key.equals(".")
        || key.startsWith("..")) {
      return Optional.of("spec.secretTemplate.data: " + UserText.quoted(key) + " is not a valid Secret key (at most "
          + MAX_KEY_NAME + " letters, digits, '-', '_' or '.', and not '.' or starting with '..')");
    }
    if (ManagedSecret.DATA_KEYS.contains(key)) {
      return Optional.of("spec.secretTemplate.data: " + UserText.quoted(key) + " is a key the operator writes itself"
          + " (apiKey, keyId, type, expiresAt); choose another name");
    }
    return Optional.empty();
  }

  /**
   * The rendered value of each template, by key name. Only called for a spec that passed {@link #problem}; should a
   * template fail all the same, the exception names the key and carries nothing the library said.
   */
  static Map<String, String> render(Map<String, String> templates, Values values) {
    Map<String, String> rendered = new TreeMap<>();
    Fields fields = new Fields(values.scope(), false);
    for (Map.Entry<String, String> entry : templates.entrySet()) {
      try {
        Budget out = new Budget(Integer.MAX_VALUE);
        compile(entry.getValue()).execute(out, fields);
        rendered.put(entry.getKey(), out.toString());
      } catch (RuntimeException e) {
        throw new IllegalStateException("spec.secretTemplate.data: the template of " + UserText.quoted(entry.getKey())
            + " does not render", null);
      }
    }
    return rendered;
  }

  /** The record annotation's value for these templates: their key names, sorted, comma-separated. */
  static String record(Map<String, String> templates) {
    return String.join(",", templates.keySet());
  }

  /**
   * Whether the Secret holds every templated key rendered from its own value and the status's key, and no key a
   * template no longer names. A Secret without a value is left to drift detection, which rotates.
   */
  static boolean applied(Secret secret, ApiKey owner, ApiKeyStatus status) {
    Map<String, String> templates = templatesOf(owner);
    Map<String, String> annotations = secret.getMetadata().getAnnotations();
    String recorded = annotations == null ? null : annotations.get(RECORD_ANNOTATION);
    if (templates.isEmpty()) {
      return recorded == null;
    }
    String apiKey = ManagedSecret.decoded(secret, ManagedSecret.API_KEY);
    if (apiKey == null || apiKey.isEmpty()) {
      return true;
    }
    if (!record(templates).equals(recorded)) {
      return false;
    }
    Map<String, String> wanted = render(templates, new Values(SecretValue.of(apiKey), status.getKeyId(),
        owner.getSpec().getType(), KeyTimes.parse(status.getExpiresAt()), status.getKeyName()));
    return wanted.entrySet().stream().allMatch(e -> e.getValue().equals(ManagedSecret.decoded(secret, e.getKey())));
  }

  /**
   * Adds to a merge patch of {@code existing} towards {@code desired} the removal of the templated keys the Secret's
   * record names but {@code desired} no longer has, and of the record itself when no template is left. The cached
   * Secret may not hold those keys any more (the cache keeps only the current template's), so the record says which.
   */
  static void dropUnwanted(Secret existing, Secret desired, ObjectNode patch) {
    Map<String, String> annotations = existing.getMetadata().getAnnotations();
    String recorded = annotations == null ? null : annotations.get(RECORD_ANNOTATION);
    if (recorded == null || recorded.isEmpty()) {
      return;
    }
    Map<String, String> wanted = desired.getData() == null ? Map.of() : desired.getData();
    ObjectNode data = patch.has("data") ? (ObjectNode) patch.get("data") : patch.putObject("data");
    for (String key : recorded.split(",")) {
      if (!wanted.containsKey(key) && keyNameProblem(key).isEmpty()) { // never a default key
        data.putNull(key);
      }
    }
    Map<String, String> wantedAnnotations = desired.getMetadata().getAnnotations();
    if (wantedAnnotations == null || !wantedAnnotations.containsKey(RECORD_ANNOTATION)) {
      ObjectNode metadata = (ObjectNode) patch.get("metadata");
      ObjectNode patchAnnotations = metadata.has("annotations") && metadata.get("annotations").isObject()
          ? (ObjectNode) metadata.get("annotations") : metadata.putObject("annotations");
      patchAnnotations.putNull(RECORD_ANNOTATION);
    }
  }

  /** Sections nest at most this deep: the parser recurses per level, and no config file needs more. */
  static final int MAX_DEPTH = 8;

  private static Mustache compile(String template) {
    int depth = 0;
    for (int i = template.indexOf("{{"); i >= 0; i = template.indexOf("{{", i + 2)) {
      char tag = i + 2 < template.length() ? template.charAt(i + 2) : ' ';
      if (tag == '#' || tag == '^') {
        depth++;
        if (depth > MAX_DEPTH) {
          throw new Refused(0, "sections nest more than " + MAX_DEPTH + " deep");
        }
      } else if (tag == '/') {
        depth = Math.max(0, depth - 1);
      }
    }
    try {
      return FACTORY.compile(new StringReader(template), "template");
    } catch (StackOverflowError e) {
      throw new Refused(0, "it nests too deeply");
    } catch (Refused e) {
      throw e;
    } catch (MustacheException e) {
      throw new Refused(e.getContext() == null ? 0 : e.getContext().line(), parseError(e));
    } catch (RuntimeException e) {
      throw new Refused(0, "it does not parse");
    }
  }

  /**
   * A fixed description of a parse error: the library's own message quotes the template, which may hold anything, so
   * it is only used to pick one of these.
   */
  private static String parseError(MustacheException e) {
    String said = String.valueOf(e.getMessage());
    if (said.startsWith("Mismatched start/end tags")) {
      return "a section is closed with another name than it was opened with, or closed without being opened";
    }
    if (said.startsWith("Failed to close")) {
      return "a section is never closed";
    }
    if (said.startsWith("Improperly closed variable")) {
      return "a tag is not closed with }} (or a {{{ with }}})";
    }
    if (said.startsWith("Empty mustache")) {
      return "an empty tag {{}}";
    }
    return "it does not parse";
  }

  /** A template refused while parsing, with a message fit for a status: no template text beyond a quoted name. */
  private static final class Refused extends RuntimeException {
    Refused(int line, String why) {
      super((line > 0 ? "line " + line + ": " : "") + why, null, false, false);
    }
  }

  /**
   * The only scope a template sees: the five strings. {@code everySection} renders every section and inverted section
   * once, for the size estimate.
   */
  private record Fields(Map<String, String> values, boolean everySection) {}

  /** A writer that keeps what it is given up to a limit, then only counts. */
  private static final class Budget extends Writer {
    private final StringBuilder out = new StringBuilder();
    private final long limit;
    private long bytes;

    Budget(long limit) {
      this.limit = limit;
    }

    void add(long count) {
      bytes += count;
    }

    boolean exceeded() {
      return bytes > limit;
    }

    @Override
    public void write(char[] chars, int offset, int length) {
      String text = new String(chars, offset, length);
      bytes += text.getBytes(StandardCharsets.UTF_8).length;
      if (!exceeded()) {
        out.append(text);
      }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}

    @Override
    public String toString() {
      return out.toString();
    }
  }

  /** A spec-conformant Mustache factory that knows only the five names and nothing outside the template. */
  private static final class Factory extends SpecMustacheFactory {
    Factory() {
      super(name -> {
        throw new Refused(0, "partials ({{> ...}}) are not supported");
      });
      mc.setAllowChangingDelimeters(false);
      setObjectHandler(new FieldsOnly());
    }

    @Override
    public void encode(String value, Writer writer) {
      try {
        writer.write(value); // Secret data, not HTML: verbatim
      } catch (java.io.IOException e) {
        throw new MustacheException("Failed to write");
      }
    }

    /** Sees every tag before the parser acts on it: the one place a delimiter change can be told apart. */
    @Override
    public String translate(String tag) {
      if (tag.startsWith("=")) {
        throw new Refused(0, "changing the delimiters ({{=...=}}) is not supported");
      }
      return tag;
    }

    @Override
    public MustacheVisitor createMustacheVisitor() {
      return new Visitor(this);
    }

    @Override
    public Mustache compilePartial(String name) {
      throw new Refused(0, "partials ({{> ...}}) are not supported");
    }
  }

  /** Refuses every tag but comments, values and sections over the five names, while the template is parsed. */
  private static final class Visitor extends SpecMustacheVisitor {
    Visitor(Factory factory) {
      super(factory);
    }

    private static void known(TemplateContext tc, String variable) {
      if (!VARIABLES.contains(variable)) {
        throw new Refused(tc.line(), "unknown variable " + UserText.quoted(variable)
            + " (a template sees apiKey, keyId, type, expiresAt and name)");
      }
    }

    @Override
    public void value(TemplateContext tc, String variable, boolean encoded) {
      known(tc, variable);
      super.value(tc, variable, encoded);
    }

    @Override
    public void iterable(TemplateContext tc, String variable, Mustache mustache) {
      known(tc, variable);
      super.iterable(tc, variable, mustache);
    }

    @Override
    public void notIterable(TemplateContext tc, String variable, Mustache mustache) {
      known(tc, variable);
      super.notIterable(tc, variable, mustache);
    }

    @Override
    public void partial(TemplateContext tc, String variable, String indent) {
      throw new Refused(tc.line(), "partials ({{> ...}}) are not supported");
    }

    @Override
    public void dynamicPartial(TemplateContext tc, String variable, String indent) {
      throw new Refused(tc.line(), "partials ({{> ...}}) are not supported");
    }

    @Override
    public void extend(TemplateContext tc, String variable, Mustache mustache) {
      throw new Refused(tc.line(), "template inheritance ({{< ...}}) is not supported");
    }

    @Override
    public void name(TemplateContext tc, String variable, Mustache mustache) {
      throw new Refused(tc.line(), "blocks ({{$ ...}}) are not supported");
    }

    @Override
    public void checkName(TemplateContext tc, String variable, Mustache mustache) {
      throw new Refused(tc.line(), "{{? ...}} tags are not supported");
    }

    @Override
    public void pragma(TemplateContext tc, String pragma, String args) {
      throw new Refused(tc.line(), "pragmas ({{% ...}}) are not supported");
    }
  }

  /**
   * Looks names up in the {@link Fields} at the bottom of the scopes and nowhere else: no reflection, no methods, no
   * dotted names. A non-empty string is true for a section, an empty one false; a section renders its body once, with
   * the same five names.
   */
  private static final class FieldsOnly implements ObjectHandler {
    @Override
    public Wrapper find(String name, List<Object> scopes) {
      return s -> lookup(name, s);
    }

    @Override
    public Object coerce(Object object) {
      return object;
    }

    @Override
    public Writer iterate(Iteration iteration, Writer writer, Object object, List<Object> scopes) {
      return every(scopes) || !String.valueOf(object).isEmpty() ? iteration.next(writer, object, scopes) : writer;
    }

    @Override
    public Writer falsey(Iteration iteration, Writer writer, Object object, List<Object> scopes) {
      return every(scopes) || String.valueOf(object).isEmpty() ? iteration.next(writer, object, scopes) : writer;
    }

    @Override
    public Binding createBinding(String name, TemplateContext tc, Code code) {
      return scopes -> lookup(name, scopes);
    }

    @Override
    public String stringify(Object object) {
      return String.valueOf(object);
    }

    private static Fields fields(List<Object> scopes) {
      return (Fields) scopes.get(0);
    }

    private static boolean every(List<Object> scopes) {
      return fields(scopes).everySection();
    }

    private static String lookup(String name, List<Object> scopes) {
      return fields(scopes).values().getOrDefault(name, "");
    }
  }
}
