package com.idmelon.operator.gitops;

import static com.idmelon.operator.support.OperatorHarness.apiKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.idmelon.operator.crd.v1alpha1.ApiKey;
import com.idmelon.operator.crd.v1alpha1.ApiKeyStatus;
import com.idmelon.operator.crd.v1alpha1.ClusterWorkspace;
import com.idmelon.operator.crd.v1alpha1.WorkspaceStatus;
import com.idmelon.operator.crd.v1alpha1.Conditions;
import com.idmelon.operator.crd.v1alpha1.Pending;
import com.idmelon.operator.idmelon.KeyType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.lib.jse.JsePlatform;

/** The Argo CD health check, run by a Lua interpreter on ApiKeys as the operator writes them. */
class ArgoCdHealthCheckTest {
  private static final Path SCRIPT = Path.of("gitops", "argocd", "apikey-health.lua");

  private static final Path WORKSPACE_SCRIPT = Path.of("gitops", "argocd", "workspace-health.lua");

  private static LuaTable health(ApiKey apiKey) throws Exception {
    return health(SCRIPT, apiKey);
  }

  private static LuaTable health(Path script, Object resource) throws Exception {
    Globals globals = JsePlatform.standardGlobals();
    globals.set("obj", toLua(Serialization.jsonMapper().valueToTree(resource)));
    return globals.load(Files.readString(script), "health").call().checktable();
  }

  private static LuaValue toLua(JsonNode node) {
    if (node.isObject()) {
      LuaTable table = new LuaTable();
      node.fields().forEachRemaining(f -> table.set(f.getKey(), toLua(f.getValue())));
      return table;
    }
    if (node.isArray()) {
      LuaTable table = new LuaTable();
      for (int i = 0; i < node.size(); i++) {
        table.set(i + 1, toLua(node.get(i)));
      }
      return table;
    }
    if (node.isNumber()) {
      return LuaValue.valueOf(node.asDouble());
    }
    if (node.isBoolean()) {
      return LuaValue.valueOf(node.asBoolean());
    }
    return node.isNull() ? LuaValue.NIL : LuaValue.valueOf(node.asText());
  }

  private static ApiKey withReady(Boolean ready, String reason) {
    ApiKey apiKey = apiKey("ns", "k", KeyType.Admin);
    apiKey.getMetadata().setGeneration(3L);
    ApiKeyStatus status = new ApiKeyStatus();
    status.setObservedGeneration(3L);
    if (ready != null) {
      Conditions.set(status, Conditions.READY, ready, reason, "details", 3L, Instant.now());
    }
    apiKey.setStatus(status);
    return apiKey;
  }

  @Test
  void readyIsHealthyAndNotReadyIsDegradedWithTheReason() throws Exception {
    assertEquals("Healthy", health(withReady(true, "Issued")).get("status").tojstring());
    LuaTable degraded = health(withReady(false, "SecretConflict"));
    assertEquals("Degraded", degraded.get("status").tojstring());
    assertTrue(degraded.get("message").tojstring().startsWith("SecretConflict: "));
  }

  @Test
  void newUnobservedOrRotatingApiKeysAreProgressing() throws Exception {
    ApiKey fresh = apiKey("ns", "k", KeyType.Admin);
    assertEquals("Progressing", health(fresh).get("status").tojstring());

    ApiKey stale = withReady(true, "Issued");
    stale.getMetadata().setGeneration(4L);
    assertEquals("Progressing", health(stale).get("status").tojstring(), "spec changed, not yet observed");

    ApiKey rotating = withReady(true, "Issued");
    rotating.getStatus().setPending(new Pending(Pending.RESET, "2026-11-27T10:00:00Z", "k_1", "Key k", KeyType.Admin, null));
    assertEquals("Progressing", health(rotating).get("status").tojstring());

    ApiKey requested = withReady(true, "Issued");
    requested.getMetadata().setAnnotations(Map.of(ApiKey.RESET_ANNOTATION, "2026-11-27"));
    assertEquals("Progressing", health(requested).get("status").tojstring(), "annotation not yet acted on");
    requested.getStatus().setLastReset("2026-11-27");
    assertEquals("Healthy", health(requested).get("status").tojstring());
  }

  @Test
  void theConfigMapSnippetCarriesTheTestedScripts() throws Exception {
    JsonNode configMap = new ObjectMapper(new YAMLFactory()).readTree(Path.of("gitops", "argocd", "argocd-cm.yaml").toFile());
    assertEquals(Files.readString(SCRIPT), configMap.path("data").path("resource.customizations.health.idmelon.com_ApiKey").asText());
    for (String kind : new String[] {"Workspace", "ClusterWorkspace"}) {
      assertEquals(Files.readString(WORKSPACE_SCRIPT),
          configMap.path("data").path("resource.customizations.health.idmelon.com_" + kind).asText(), kind);
    }
  }

  @Test
  void aWorkspaceIsHealthyWhenItsAdminKeyIsAcceptedAndDegradedWithTheReasonOtherwise() throws Exception {
    ClusterWorkspace workspace = new ClusterWorkspace();
    workspace.getMetadata().setName("default");
    workspace.getMetadata().setGeneration(2L);
    assertEquals("Progressing", health(WORKSPACE_SCRIPT, workspace).get("status").tojstring(), "not checked yet");
    WorkspaceStatus status = new WorkspaceStatus();
    status.setObservedGeneration(2L);
    status.setConditions(Conditions.with(null, Conditions.READY, true, "Valid", "accepted", 2L, Instant.now()));
    workspace.setStatus(status);
    assertEquals("Healthy", health(WORKSPACE_SCRIPT, workspace).get("status").tojstring());
    status.setConditions(Conditions.with(status.getConditions(), Conditions.READY, false, "AdminKeyRefused", "401",
        2L, Instant.now()));
    LuaTable refused = health(WORKSPACE_SCRIPT, workspace);
    assertEquals("Degraded", refused.get("status").tojstring());
    assertTrue(refused.get("message").tojstring().startsWith("AdminKeyRefused: "));
    workspace.getMetadata().setGeneration(3L);
    assertEquals("Progressing", health(WORKSPACE_SCRIPT, workspace).get("status").tojstring(), "spec not observed");
  }
}
