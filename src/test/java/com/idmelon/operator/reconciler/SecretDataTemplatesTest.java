package com.idmelon.operator.reconciler;

import static com.idmelon.operator.support.OperatorHarness.apiKey;
import static com.idmelon.operator.support.OperatorHarness.data;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.idmelon.operator.crd.v1alpha1.ApiKey;
import com.idmelon.operator.crd.v1alpha1.SecretTemplate;
import com.idmelon.operator.idmelon.KeyType;
import com.idmelon.operator.simulator.IdmelonSimulator;
import com.idmelon.operator.support.OperatorHarness;
import io.fabric8.kubernetes.api.model.Condition;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * spec.secretTemplate.data end to end: rendered keys arrive with the value in one write, follow every rotation, are
 * restored and re-rendered without one, and a template that cannot render stops everything before IDmelon.
 */
class SecretDataTemplatesTest {
  private static final AtomicInteger ISSUED = new AtomicInteger();
  @RegisterExtension
  static final OperatorHarness harness = harness();

  private static final String CONFIG_TEMPLATE = "{\"apiKey\": \"{{apiKey}}\", \"keyId\": \"{{keyId}}\", \"type\":"
      + " \"{{type}}\", \"name\": \"{{name}}\"{{#expiresAt}}, \"expiresAt\": \"{{expiresAt}}\"{{/expiresAt}}}";

  private String ns;

  /** Key values hold every character an escaper or encoder would touch. */
  private static OperatorHarness harness() {
    try {
      return new OperatorHarness(() -> "ak_" + ISSUED.incrementAndGet() + "=+/&<>\"'" + System.nanoTime(), o -> o,
          Clock.systemUTC());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @BeforeEach
  void freshNamespace() throws InterruptedException {
    ns = harness.newNamespace();
    harness.simulator().clearRequests();
    harness.drainKubernetesRequests();
  }

  @AfterEach
  void removeApiKeys() {
    harness.deleteApiKeys(ns);
  }

  private static SecretTemplate withData(Map<String, String> templates) {
    SecretTemplate template = new SecretTemplate();
    template.setData(new LinkedHashMap<>(templates));
    return template;
  }

  private ApiKey templated(String name, KeyType type, Map<String, String> templates) {
    ApiKey apiKey = apiKey(ns, name, type);
    apiKey.getSpec().setSecretTemplate(withData(templates));
    return harness.create(apiKey);
  }

  private static List<IdmelonSimulator.Request> keyCalls() {
    String keysPath = harness.simulator().keysPath();
    return harness.simulator().requests().stream().filter(r -> r.path().startsWith(keysPath)).toList();
  }

  private static List<IdmelonSimulator.Request> mutatingKeyCalls() {
    return keyCalls().stream().filter(IdmelonSimulator.Request::isMutating).toList();
  }

  /** The operator's writes to Secrets of this test's namespace since the last drain. */
  private List<String> secretWrites() throws InterruptedException {
    String secrets = "/api/v1/namespaces/" + ns + "/secrets";
    return harness.drainKubernetesRequests().stream()
        .filter(r -> !r.getMethod().equals("GET") && r.getPath().split("\\?")[0].startsWith(secrets))
        .map(r -> r.getMethod() + " " + r.getPath().split("\\?")[0])
        .toList();
  }

  private void editTemplates(String name, Map<String, String> templates) {
    OperatorHarness.retryOnConflict(() -> harness.client.resources(ApiKey.class).inNamespace(ns).withName(name)
        .edit(k -> {
          k.getSpec().setSecretTemplate(templates == null ? null : withData(templates));
          return k;
        }));
  }

  private void editSecret(String name, java.util.function.Consumer<Map<String, String>> change) {
    harness.client.secrets().inNamespace(ns).withName(name).edit(s -> {
      change.accept(s.getData());
      return s;
    });
  }

  private static String encoded(String value) {
    return Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void templatedKeysArriveVerbatimInTheSameWriteAsTheValue() throws InterruptedException {
    ApiKey created = apiKey(ns, "app", KeyType.Clients);
    created.getSpec().setExpiresAt("2030-03-14T09:26:53.589Z");
    created.getSpec().setSecretTemplate(withData(Map.of("IDMELON_API_KEY", "{{ apiKey }}", "config.json", CONFIG_TEMPLATE)));
    harness.create(created);
    ApiKey ready = harness.awaitReady(ns, "app", true, Reasons.ISSUED);
    harness.awaitSettled(); // a Secret that never matched its template would be repaired again and again

    var secret = harness.secret(ns, "app");
    String value = data(secret, "apiKey");
    assertTrue(value.contains("=+/&<>\"'"), "the simulator issued an awkward value");
    assertEquals(value, data(secret, "IDMELON_API_KEY"), "verbatim: no HTML escaping");
    assertEquals("{\"apiKey\": \"" + value + "\", \"keyId\": \"" + ready.getStatus().getKeyId() + "\", \"type\":"
        + " \"Clients\", \"name\": \"Key app\", \"expiresAt\": \"2030-03-14T09:26:53Z\"}", data(secret, "config.json"));
    assertEquals("IDMELON_API_KEY,config.json", secret.getMetadata().getAnnotations().get(SecretData.RECORD_ANNOTATION));
    assertEquals(List.of("POST /api/v1/namespaces/" + ns + "/secrets"), secretWrites(),
        "one write of the Secret, with every key in it, and none after");
  }

  static List<Arguments> refusedTemplates() {
    return List.of(
        Arguments.of("a template that does not render", "config.json", "{\"key\": \"{{#apiKey}}\"}", "config.json", false),
        Arguments.of("a partial", "config.json", "{{> /etc/passwd}}", "partials", false),
        Arguments.of("an unknown variable", "ENV_KEY", "{{ foo }}", "unknown variable 'foo'", false),
        Arguments.of("a key name that is no Secret key", "bad key!", "{{apiKey}}", "'bad key!' is not a valid Secret key",
            false),
        // the CRD's CEL rule refuses this one; stored all the same (no CEL, an older CRD), the operator refuses it too
        Arguments.of("a key name the operator writes", "apiKey", "{{apiKey}}", "'apiKey' is a key the operator writes",
            true));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusedTemplates")
  void aTemplateThatCannotBeRenderedIsAnInvalidSpecWithoutAnyIdmelonCall(String caseName, String key,
      String template, String expected, boolean clusterRefuses) {
    Map<String, String> templates = new LinkedHashMap<>();
    templates.put("IDMELON_API_KEY", "{{apiKey}}");
    templates.put(key, template);
    if (clusterRefuses) {
      ApiKey refused = apiKey(ns, "refused", KeyType.Admin);
      refused.getSpec().setSecretTemplate(withData(templates));
      assertTrue(harness.plantRefused(refused).contains("spec.secretTemplate.data: Invalid value"));
    } else {
      templated("refused", KeyType.Admin, templates);
    }

    await().atMost(20, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(50))
        .until(() -> harness.ready(ns, "refused").isPresent());
    Condition ready = harness.ready(ns, "refused").orElseThrow();
    assertEquals("InvalidSpec", ready.getReason(), caseName + ": " + ready.getMessage());
    assertTrue(ready.getMessage().startsWith("spec.secretTemplate.data"), ready.getMessage());
    assertTrue(ready.getMessage().contains("'" + key + "'"), "the message names the key: " + ready.getMessage());
    assertTrue(ready.getMessage().contains(expected), ready.getMessage());
    await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
        .until(() -> harness.ready(ns, "refused").map(c -> c.getReason().equals("InvalidSpec")).orElse(false));
    assertEquals(List.of(), keyCalls(), "an invalid template never reaches IDmelon");
    assertNull(harness.secret(ns, "refused"), "and writes no Secret");
  }

  @Test
  void editedAndDeletedTemplatedKeysAreRestoredWithoutANewKey() {
    templated("kept", KeyType.Admin, Map.of("IDMELON_API_KEY", "{{apiKey}}", "config.json", CONFIG_TEMPLATE));
    String keyId = harness.awaitReady(ns, "kept", true, Reasons.ISSUED).getStatus().getKeyId();
    var issued = harness.secret(ns, "kept");
    String value = data(issued, "apiKey");
    String config = data(issued, "config.json");
    harness.simulator().clearRequests();

    editSecret("kept", d -> d.put("IDMELON_API_KEY", encoded("tampered")));
    await().atMost(20, TimeUnit.SECONDS).until(() -> value.equals(data(harness.secret(ns, "kept"), "IDMELON_API_KEY")));

    editSecret("kept", d -> d.remove("config.json"));
    await().atMost(20, TimeUnit.SECONDS).until(() -> config.equals(data(harness.secret(ns, "kept"), "config.json")));

    harness.awaitSettled();
    ApiKey after = harness.get(ns, "kept");
    assertEquals(keyId, after.getStatus().getKeyId(), "no new key");
    assertEquals(value, data(harness.secret(ns, "kept"), "apiKey"), "the value is the same");
    assertEquals(List.of(), mutatingKeyCalls(), "nothing was rotated");
    assertTrue(harness.simulator().authenticate(value).isPresent(), "and it still works");
  }

  /** A key removed by a merge patch may linger as null on the mock API server; a real one drops it. */
  @Test
  void aChangedTemplateIsRenderedAgainWithoutRotatingAndDroppedKeysAreRemoved() {
    templated("reshaped", KeyType.Clients, Map.of("IDMELON_API_KEY", "{{apiKey}}", "config.json", CONFIG_TEMPLATE));
    String keyId = harness.awaitReady(ns, "reshaped", true, Reasons.ISSUED).getStatus().getKeyId();
    String value = data(harness.secret(ns, "reshaped"), "apiKey");
    harness.simulator().clearRequests();

    editTemplates("reshaped", Map.of("IDMELON_API_KEY", "Bearer {{apiKey}}", "KEY_ID", "{{keyId}}"));
    await().atMost(20, TimeUnit.SECONDS).until(() -> {
      var secret = harness.secret(ns, "reshaped");
      return ("Bearer " + value).equals(data(secret, "IDMELON_API_KEY")) && keyId.equals(data(secret, "KEY_ID"))
          && data(secret, "config.json") == null;
    });
    assertEquals("IDMELON_API_KEY,KEY_ID",
        harness.secret(ns, "reshaped").getMetadata().getAnnotations().get(SecretData.RECORD_ANNOTATION));

    editTemplates("reshaped", null);
    await().atMost(20, TimeUnit.SECONDS).until(() -> {
      var secret = harness.secret(ns, "reshaped");
      return data(secret, "IDMELON_API_KEY") == null && data(secret, "KEY_ID") == null
          && secret.getMetadata().getAnnotations().get(SecretData.RECORD_ANNOTATION) == null;
    });
    harness.awaitSettled();
    assertEquals(keyId, harness.get(ns, "reshaped").getStatus().getKeyId(), "no new key");
    assertEquals(value, data(harness.secret(ns, "reshaped"), "apiKey"));
    assertEquals(List.of(), mutatingKeyCalls(), "nothing was rotated");
  }

  @Test
  void everyRotationRendersTheNewValueInTheSameWrite() {
    Map<String, String> templates = Map.of("IDMELON_API_KEY", "{{apiKey}}", "KEY_ID", "{{keyId}}");
    templated("admin", KeyType.Admin, templates);
    templated("clients", KeyType.Clients, templates);
    String adminId = harness.awaitReady(ns, "admin", true, Reasons.ISSUED).getStatus().getKeyId();
    String clientsId = harness.awaitReady(ns, "clients", true, Reasons.ISSUED).getStatus().getKeyId();
    String adminValue = data(harness.secret(ns, "admin"), "apiKey");
    String clientsValue = data(harness.secret(ns, "clients"), "apiKey");

    for (String name : List.of("admin", "clients")) {
      OperatorHarness.retryOnConflict(() -> harness.client.resources(ApiKey.class).inNamespace(ns).withName(name)
          .edit(k -> {
            k.getMetadata().getAnnotations().put(ApiKey.RESET_ANNOTATION, "rotate");
            return k;
          }));
    }
    harness.awaitReady(ns, "admin", true, Reasons.RESET);
    harness.awaitReady(ns, "clients", true, Reasons.REPLACED);

    var admin = harness.secret(ns, "admin");
    assertFalse(adminValue.equals(data(admin, "apiKey")), "reset gave a new value");
    assertEquals(data(admin, "apiKey"), data(admin, "IDMELON_API_KEY"));
    assertEquals(adminId, data(admin, "KEY_ID"), "a reset keeps the key id");
    var clients = harness.secret(ns, "clients");
    String newClientsId = harness.get(ns, "clients").getStatus().getKeyId();
    assertFalse(clientsId.equals(newClientsId));
    assertFalse(clientsValue.equals(data(clients, "apiKey")));
    assertEquals(data(clients, "apiKey"), data(clients, "IDMELON_API_KEY"));
    assertEquals(newClientsId, data(clients, "KEY_ID"));
  }

  @Test
  void anApiKeyWithoutTemplatesWritesItsSecretOnceAsBefore() throws InterruptedException {
    harness.create(apiKey(ns, "plain", KeyType.Clients));
    harness.awaitReady(ns, "plain", true, Reasons.ISSUED);
    harness.awaitSettled();
    assertEquals(List.of("POST /api/v1/namespaces/" + ns + "/secrets"), secretWrites());
    assertNull(harness.secret(ns, "plain").getMetadata().getAnnotations().get(SecretData.RECORD_ANNOTATION));
  }
}
