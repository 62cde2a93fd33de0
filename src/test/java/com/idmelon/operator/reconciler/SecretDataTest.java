package com.idmelon.operator.reconciler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.idmelon.operator.crd.v1alpha1.ApiKey;
import com.idmelon.operator.crd.v1alpha1.ApiKeyStatus;
import com.idmelon.operator.crd.v1alpha1.SecretTemplate;
import com.idmelon.operator.idmelon.KeyType;
import com.idmelon.operator.idmelon.SecretValue;
import com.idmelon.operator.support.OperatorHarness;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The templates of secretTemplate.data: what they render, and every template or key name refused before issuing. */
class SecretDataTest {
  /** Everything an HTML escaper or a URL encoder would touch. */
  private static final String AWKWARD = "ak_a=b+c/d&e<f>\"g'h`i\\j{{k}}";
  private static final SecretData.Values VALUES = new SecretData.Values(SecretValue.of(AWKWARD), "k_7f3a",
      KeyType.Admin, Instant.parse("2027-06-30T00:00:00Z"), "k8s-prod/Reporting script");
  private static final SecretData.Values NEVER_EXPIRES = new SecretData.Values(SecretValue.of(AWKWARD), "k_7f3a",
      KeyType.Clients, null, "Reporting script");

  private static String render(String template, SecretData.Values values) {
    return SecretData.render(Map.of("out", template), values).get("out");
  }

  private static SecretTemplate templates(Map<String, String> data) {
    SecretTemplate template = new SecretTemplate();
    template.setData(data);
    return template;
  }

  private static Optional<String> problem(String key, String template) {
    Map<String, String> data = new LinkedHashMap<>();
    data.put(key, template);
    return SecretData.problem(templates(data));
  }

  @Test
  void deeplyNestedSectionsAreRefusedBeforeTheParserRecursesIntoThem() {
    // 24 KB, under the size limit: the parser would recurse 1,200 levels and overflow its thread's stack
    Optional<String> deep = problem("deep", "{{#keyId}}".repeat(1200) + "{{/keyId}}".repeat(1200));
    assertTrue(deep.orElseThrow().contains("nest more than " + SecretData.MAX_DEPTH), deep.get());
    assertEquals(Optional.empty(), problem("nested", "{{#keyId}}".repeat(SecretData.MAX_DEPTH) + "x"
        + "{{/keyId}}".repeat(SecretData.MAX_DEPTH)));
  }

  @Test
  void everyFieldIsRenderedVerbatim() {
    assertEquals(AWKWARD, render("{{apiKey}}", VALUES), "no HTML escaping, no encoding");
    assertEquals(AWKWARD + AWKWARD + AWKWARD, render("{{ apiKey }}{{{apiKey}}}{{&apiKey}}", VALUES),
        "the escaped and unescaped forms are the same");
    assertEquals("k_7f3a|Admin|2027-06-30T00:00:00Z|k8s-prod/Reporting script",
        render("{{keyId}}|{{type}}|{{expiresAt}}|{{name}}", VALUES));
    assertEquals("|Clients", render("{{expiresAt}}|{{type}}", NEVER_EXPIRES), "no expiry is empty");
    assertEquals("a  b", render("a {{! a comment }} b", VALUES));
  }

  @Test
  void expiryIsRenderedInWholeSecondsAsIdmelonKeepsIt() {
    SecretData.Values precise = new SecretData.Values(SecretValue.of("v"), "k", KeyType.Admin,
        Instant.parse("2030-03-14T09:26:53.589Z"), "n");
    assertEquals("2030-03-14T09:26:53Z", render("{{expiresAt}}", precise));
  }

  @Test
  void sectionsRenderOnceWhenAFieldIsSetAndInvertedOnesWhenItIsEmpty() {
    String template = "{{#expiresAt}}until {{expiresAt}}{{/expiresAt}}{{^expiresAt}}forever{{/expiresAt}}";
    assertEquals("until 2027-06-30T00:00:00Z", render(template, VALUES));
    assertEquals("forever", render(template, NEVER_EXPIRES));
    assertEquals(AWKWARD, render("{{#apiKey}}{{apiKey}}{{/apiKey}}", VALUES), "a section does not iterate");
  }

  @Test
  void aJsonFileRendersWithStandaloneSectionLinesRemoved() {
    String template = """
        {
          "apiKey": "{{apiKey}}",
          {{#expiresAt}}
          "expiresAt": "{{expiresAt}}",
          {{/expiresAt}}
          "keyId": "{{keyId}}"
        }
        """;
    assertEquals("""
        {
          "apiKey": "%s",
          "expiresAt": "2027-06-30T00:00:00Z",
          "keyId": "k_7f3a"
        }
        """.formatted(AWKWARD), render(template, VALUES));
    assertEquals("""
        {
          "apiKey": "%s",
          "keyId": "k_7f3a"
        }
        """.formatted(AWKWARD), render(template, NEVER_EXPIRES));
  }

  @Test
  void theExampleRendersAJsonFileWithAndWithoutAnExpiry() throws Exception {
    var yaml = new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory());
    ApiKey example = yaml.readValue(Path.of("examples", "templated-secret-data.yaml").toFile(), ApiKey.class);
    assertEquals(Optional.empty(), SpecValidator.validate(example, null, true, Instant.now()));
    Map<String, String> templates = SecretData.templatesOf(example);
    SecretData.Values dated = new SecretData.Values(SecretValue.of("ak_a=b+c/d&e"), "k_1", KeyType.Clients,
        Instant.parse("2027-06-30T00:00:00Z"), "Kiosk app");
    assertEquals("ak_a=b+c/d&e", SecretData.render(templates, dated).get("IDMELON_API_KEY"));
    var json = new com.fasterxml.jackson.databind.ObjectMapper();
    var config = json.readTree(SecretData.render(templates, dated).get("config.json")).path("idmelon");
    assertEquals("ak_a=b+c/d&e", config.path("apiKey").asText());
    assertEquals("2027-06-30T00:00:00Z", config.path("expiresAt").asText());
    assertEquals("Kiosk app", config.path("keyName").asText());
    SecretData.Values plain = new SecretData.Values(SecretValue.of("ak_plain"), "k_1", KeyType.Clients, null, "Kiosk");
    var undated = json.readTree(SecretData.render(templates, plain).get("config.json")).path("idmelon");
    assertEquals("ak_plain", undated.path("apiKey").asText());
    assertFalse(undated.has("expiresAt"));
    assertEquals("Clients", undated.path("type").asText());
  }

  @Test
  void validTemplatesPass() {
    assertEquals(Optional.empty(), SecretData.problem(null));
    assertEquals(Optional.empty(), SecretData.problem(templates(null)));
    assertEquals(Optional.empty(), SecretData.problem(templates(Map.of("IDMELON_API_KEY", "{{ apiKey }}",
        "config.json", "{\"key\": \"{{apiKey}}\", \"id\": \"{{keyId}}\"}", "plain-text_1.txt", "no fields at all",
        "expiry", "{{#expiresAt}}{{expiresAt}}{{/expiresAt}}{{^expiresAt}}never{{/expiresAt}}"))));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
      "unknown variable         | {{ foo }}                      | line 1: unknown variable 'foo'",
      "unknown on a later line  | a\\nb\\n{{apikey}}             | line 3: unknown variable 'apikey'",
      "dotted name              | {{apiKey.length}}              | unknown variable 'apiKey.length'",
      "implicit iterator        | {{#apiKey}}{{.}}{{/apiKey}}    | unknown variable '.'",
      "dynamic name             | {{*apiKey}}                    | unknown variable '*apiKey'",
      "unknown section          | {{#items}}x{{/items}}          | unknown variable 'items'",
      "unknown inverted section | {{^items}}x{{/items}}          | unknown variable 'items'",
      "partial                  | {{> /etc/passwd}}              | partials ({{> ...}}) are not supported",
      "dynamic partial          | {{>*apiKey}}                   | partials ({{> ...}}) are not supported",
      "inheritance              | {{<base}}{{/base}}             | template inheritance",
      "block                    | {{$body}}x{{/body}}            | blocks",
      "pragma                   | {{%IMPLICIT-ITERATOR}}         | pragmas",
      "delimiter change         | {{=<% %>=}}<% apiKey %>        | changing the delimiters",
      "unclosed section         | {{#apiKey}}x                   | a section is never closed",
      "mismatched section       | {{#apiKey}}x{{/keyId}}         | closed with another name",
      "end without start        | x{{/apiKey}}                   | closed with another name",
      "unclosed tag             | {{apiKey                       | a tag is not closed",
      "unclosed triple          | {{{apiKey}}                    | a tag is not closed",
      "empty tag                | {{}}                           | an empty tag",
  })
  void aTemplateThatDoesNotRenderIsRefusedNamingItsKey(String caseName, String template, String expected) {
    Optional<String> problem = problem("config.json", template.replace("\\n", "\n"));
    assertTrue(problem.isPresent(), caseName + " is refused");
    assertTrue(problem.get().startsWith("spec.secretTemplate.data: the template of 'config.json' does not render: "),
        problem.get());
    assertTrue(problem.get().contains(expected), problem.get());
  }

  @Test
  void aPartialNeverReadsAFile() throws Exception {
    Path partial = Files.createTempFile(Path.of("target"), "partial", ".mustache");
    try {
      Files.writeString(partial, "{{apiKey}}");
      String name = partial.getFileName().toString();
      for (String template : new String[] {"{{> " + name + "}}", "{{> target/" + name + "}}",
          "{{> " + partial.toAbsolutePath() + "}}"}) {
        assertTrue(problem("k", template).orElseThrow().contains("partials ({{> ...}}) are not supported"));
        assertThrows(IllegalStateException.class, () -> render(template, VALUES));
      }
    } finally {
      Files.delete(partial);
    }
  }

  @Test
  void whatAParseErrorSaysNeverQuotesTheTemplate() {
    String canary = "CANARY-literal-in-a-template";
    for (String template : new String[] {canary + "{{#apiKey}}", "{{#" + canary + "}}x{{/other}}", "{{" + canary,
        "{{{" + canary + "}}", "{{#apiKey}}{{/" + canary + "}}"}) {
      String problem = problem("k", template).orElseThrow();
      assertFalse(problem.contains(canary), problem);
    }
    // a name the template uses is quoted (a variable is no value), cut and without line breaks
    String unknown = problem("k", "{{" + "x".repeat(500) + "}}").orElseThrow();
    assertTrue(unknown.length() < 300, unknown);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "with a space        | bad key",
      "with a slash        | conf/app.json",
      "a dot               | .",
      "two dots            | ..",
      "starting with dots  | ..data",
      "non-ASCII           | clé",
      "empty               | ''",
  })
  void aKeyThatIsNoValidSecretKeyIsRefusedNamingIt(String caseName, String key) {
    String name = key.equals("''") ? "" : key;
    String problem = problem(name, "{{apiKey}}").orElseThrow(() -> new AssertionError(caseName + " is refused"));
    assertTrue(problem.startsWith("spec.secretTemplate.data: '" + name + "' is not a valid Secret key"), problem);
  }

  @Test
  void longKeysAndTheDefaultKeysAreRefused() {
    assertEquals(Optional.empty(), problem("k".repeat(253), "x"));
    assertTrue(problem("k".repeat(254), "x").orElseThrow().contains("is not a valid Secret key"));
    for (String taken : new String[] {"apiKey", "keyId", "type", "expiresAt"}) {
      assertEquals("spec.secretTemplate.data: '" + taken + "' is a key the operator writes itself (apiKey, keyId,"
          + " type, expiresAt); choose another name", problem(taken, "{{apiKey}}").orElseThrow());
    }
    assertEquals(Optional.empty(), problem("name", "{{name}}"), "name is no default key");
  }

  @Test
  void countAndSizesAreBounded() {
    Map<String, String> many = new LinkedHashMap<>();
    for (int i = 0; i < 33; i++) {
      many.put("key-" + i, "{{apiKey}}");
    }
    assertEquals(Optional.of("spec.secretTemplate.data has 33 keys; at most 32 are allowed"),
        SecretData.problem(templates(many)));
    many.remove("key-0");
    assertEquals(Optional.empty(), SecretData.problem(templates(many)));

    assertEquals(Optional.empty(), problem("big", "x".repeat(64 * 1024)));
    assertEquals(Optional.of("spec.secretTemplate.data: the template of 'big' is 65538 bytes; at most 65536 are"
        + " allowed"), problem("big", "\u00e9".repeat(32 * 1024 + 1)), "counted in UTF-8 bytes");

    // 32 templates of 1,000 key values each would be 32 MB with a 1 KiB key
    Map<String, String> huge = new LinkedHashMap<>();
    for (int i = 0; i < 32; i++) {
      huge.put("key-" + i, "{{apiKey}}".repeat(1000));
    }
    String problem = SecretData.problem(templates(huge)).orElseThrow();
    assertTrue(problem.startsWith("spec.secretTemplate.data renders to more than 512 KiB"), problem);
    // an inverted section counts too, although a key with an expiry would never render it
    String hidden = SecretData.problem(templates(Map.of("k",
        "{{^apiKey}}" + "{{apiKey}}".repeat(600) + "{{/apiKey}}"))).orElseThrow();
    assertTrue(hidden.startsWith("spec.secretTemplate.data renders to more than"), hidden);
  }

  @Test
  void aSecretIsAppliedWhenEveryTemplatedKeyHoldsItsRenderingAndNoDroppedKeyIsLeft() {
    ApiKey owner = OperatorHarness.apiKey("ns", "k", KeyType.Admin);
    owner.getMetadata().setUid("uid-1");
    owner.getSpec().setSecretTemplate(templates(Map.of("ENV_KEY", "{{apiKey}}", "id.txt", "{{keyId}} {{name}}")));
    ApiKeyStatus status = new ApiKeyStatus();
    status.setKeyId("k_1");
    status.setKeyName("Key k");
    status.setExpiresAt("2027-06-30T00:00:00Z");
    Secret secret = ManagedSecret.build(owner, "k_1", KeyType.Admin, Instant.parse("2027-06-30T00:00:00Z"),
        SecretValue.of(AWKWARD), "Key k");
    assertEquals(AWKWARD, OperatorHarness.data(secret, "ENV_KEY"));
    assertEquals("k_1 Key k", OperatorHarness.data(secret, "id.txt"));
    assertEquals("ENV_KEY,id.txt", secret.getMetadata().getAnnotations().get(SecretData.RECORD_ANNOTATION));
    assertTrue(SecretData.applied(secret, owner, status));

    Secret edited = new io.fabric8.kubernetes.api.model.SecretBuilder(secret).build();
    edited.getData().put("id.txt", java.util.Base64.getEncoder().encodeToString("k_2 Key k".getBytes()));
    assertFalse(SecretData.applied(edited, owner, status), "an edited templated key");
    Secret removed = new io.fabric8.kubernetes.api.model.SecretBuilder(secret).build();
    removed.getData().remove("ENV_KEY");
    assertFalse(SecretData.applied(removed, owner, status), "a removed templated key");

    owner.getSpec().getSecretTemplate().setData(Map.of("ENV_KEY", "{{apiKey}}"));
    assertFalse(SecretData.applied(secret, owner, status), "a key the template dropped is still there");
    Secret desired = ManagedSecret.build(owner, "k_1", KeyType.Admin, Instant.parse("2027-06-30T00:00:00Z"),
        SecretValue.of(AWKWARD), "Key k");
    ObjectNode patch = Serialization.jsonMapper().valueToTree(desired);
    SecretData.dropUnwanted(secret, desired, patch);
    assertTrue(patch.path("data").path("id.txt").isNull(), "the dropped key is removed: " + patch.path("data"));
    assertFalse(patch.path("data").path("ENV_KEY").isNull());

    owner.getSpec().setSecretTemplate(null);
    assertFalse(SecretData.applied(secret, owner, status), "no template left, but its keys are");
    Secret plain = ManagedSecret.build(owner, "k_1", KeyType.Admin, null, SecretValue.of(AWKWARD), "Key k");
    assertTrue(SecretData.applied(plain, owner, status), "without templates nothing changes");
    assertEquals(null, plain.getMetadata().getAnnotations().get(SecretData.RECORD_ANNOTATION));
    patch = Serialization.jsonMapper().valueToTree(plain);
    SecretData.dropUnwanted(secret, plain, patch);
    assertTrue(patch.path("metadata").path("annotations").path(SecretData.RECORD_ANNOTATION).isNull());
    assertTrue(patch.path("data").path("ENV_KEY").isNull());
    assertTrue(patch.path("data").path("id.txt").isNull());
  }

  @Test
  void aForgedRecordNeverRemovesADefaultKey() {
    ApiKey owner = OperatorHarness.apiKey("ns", "k", KeyType.Admin);
    Secret plain = ManagedSecret.build(owner, "k_1", KeyType.Admin, null, SecretValue.of("v"), "Key k");
    Secret forged = new io.fabric8.kubernetes.api.model.SecretBuilder(plain).build();
    forged.getMetadata().getAnnotations().put(SecretData.RECORD_ANNOTATION, "apiKey,keyId,type,../x");
    ObjectNode patch = Serialization.jsonMapper().valueToTree(plain);
    SecretData.dropUnwanted(forged, plain, patch);
    assertFalse(patch.path("data").path("apiKey").isNull());
    assertFalse(patch.path("data").has("../x"));
  }
}
