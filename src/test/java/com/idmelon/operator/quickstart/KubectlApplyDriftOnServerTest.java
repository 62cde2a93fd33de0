package com.idmelon.operator.quickstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.idmelon.operator.crd.v1alpha1.ApiKey;
import com.idmelon.operator.support.CommittedCrds;
import com.idmelon.operator.support.Kubectl;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real kubectl's client-side apply (three-way merge against {@code last-applied-configuration}) and its
 * {@code kubectl diff} (a server-side dry run of that merge) see no drift in the operator's own writes to a user's
 * ApiKey: its {@code idmelon.com/create-attempt} annotation and finalizer, written in one patch, and its status. They
 * are neither shown as a change nor removed, while the merge still does its work on what the user's manifest owns.
 * The operator's write is replayed here exactly as it goes over the wire, in the two forms an operator may send.
 */
class KubectlApplyDriftOnServerTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final String NAMESPACE = "analytics";
  private static final String NAME = "reporting-script";
  private static final String MARKER_ANNOTATION = "idmelon.com/create-attempt";
  private static final String FINALIZER = "apikeys.idmelon.com/finalizer";
  private static final String USER_ANNOTATION = "team.example.com/owner";

  /** The quick start's ApiKey (README), as a user keeps it in Git; extra lines go under metadata. */
  private static String manifest(String metadata, String deletionPolicy) {
    return """
        apiVersion: idmelon.com/v1alpha1
        kind: ApiKey
        metadata:
          name: %s
          namespace: %s
        %s
        spec:
          name: Reporting script                 # the key's Name in IDmelon
          type: Admin                            # Admin | SharedMobile | Clients
          expiresAt: "2027-06-30T00:00:00Z"      # or duration (+ renewBefore), or neither
          secretName: reporting-script-idmelon
          secretTemplate:
            labels: {app: reporting}
          rotation:
            strategy: Reset
          deletionPolicy: %s
        """.formatted(NAME, NAMESPACE, metadata.indent(2).stripTrailing(), deletionPolicy);
  }

  @ParameterizedTest
  @EnumSource(Wire.class)
  void kubectlApplyAndDiffNeitherRemoveNorShowTheOperatorsAnnotationAndFinalizer(Wire wire, @TempDir Path dir)
      throws Exception {
    assumeTrue(Kubectl.available(), "kubectl is not installed here");
    try (EmbeddedKubernetes kubernetes = CommittedCrds.serverWith("apikeys.idmelon.com-v1.yml");
        KubernetesClient client = kubernetes.newClient()) {
      applyDiffAndEdit(new Kubectl(kubernetes, dir), client, wire, dir);
    }
  }

  private static void applyDiffAndEdit(Kubectl kubectl, KubernetesClient client, Wire wire, Path dir)
      throws Exception {
    Path file = dir.resolve("apikey.yaml");
    Files.writeString(file, manifest("", "Delete"));
    Kubectl.Result created = kubectl.run("apply", "-f", file.toString());
    assertEquals("apikey.idmelon.com/" + NAME + " created\n", created.out(), created.toString());

    String marker = "{\"startedAt\":\"2026-11-28T10:00:00Z\",\"name\":\"Reporting script\",\"type\":\"Admin\","
        + "\"mac\":\"Zk3-q_8xV0mR2wYb9Tn4LcPj6HsD1eAu7GiKo5FtWzQ\"}";
    ApiKey operators = replayTheOperatorsFirstWrite(client, apiKey(client), marker, wire);
    assertEquals(marker, operators.getMetadata().getAnnotations().get(MARKER_ANNOTATION));
    assertEquals(List.of(FINALIZER), operators.getMetadata().getFinalizers());
    JsonNode status = JSON.valueToTree(operators.getStatus());

    Kubectl.Result diff = kubectl.run("diff", "-f", file.toString());
    assertEquals(new Kubectl.Result(0, "", ""), diff, "kubectl diff finds no difference");

    Kubectl.Result again = kubectl.run("apply", "-f", file.toString());
    assertEquals("apikey.idmelon.com/" + NAME + " unchanged\n", again.out(), again.toString());
    assertOperatorsWritesIntact(apiKey(client), operators, marker, status);
    assertEquals(operators.getMetadata().getResourceVersion(), apiKey(client).getMetadata().getResourceVersion(),
        "not even a write");

    // an edit: a spec field changed and an annotation of the user's added
    Files.writeString(file, manifest("annotations:\n  " + USER_ANNOTATION + ": platform", "Retain"));
    Kubectl.Result edits = kubectl.run("diff", "-f", file.toString());
    assertEquals(1, edits.exitCode(), "kubectl diff shows the edit\n" + edits);
    assertTrue(edits.out().contains("\n-  deletionPolicy: Delete\n+  deletionPolicy: Retain\n"), edits.out());
    assertTrue(edits.out().contains("\n+    " + USER_ANNOTATION + ": platform\n"), edits.out());
    assertFalse(edits.out().lines().anyMatch(l -> l.startsWith("-") && !l.startsWith("---")
        && (l.contains(MARKER_ANNOTATION) || l.contains(FINALIZER))),
        "neither the operator's annotation nor its finalizer would go\n" + edits.out());
    assertEquals(operators.getMetadata().getResourceVersion(), apiKey(client).getMetadata().getResourceVersion(),
        "kubectl diff's dry run wrote nothing");

    Kubectl.Result edited = kubectl.run("apply", "-f", file.toString());
    assertEquals("apikey.idmelon.com/" + NAME + " configured\n", edited.out(), edited.toString());
    ApiKey afterEdit = apiKey(client);
    assertEquals("Retain", afterEdit.getSpec().getDeletionPolicy().name());
    assertEquals("platform", afterEdit.getMetadata().getAnnotations().get(USER_ANNOTATION));
    assertOperatorsWritesIntact(afterEdit, operators, marker, status);

    // the user's annotation taken out of the manifest again: the three-way merge removes it, and only it
    Files.writeString(file, manifest("", "Retain"));
    Kubectl.Result removed = kubectl.run("apply", "-f", file.toString());
    assertEquals("apikey.idmelon.com/" + NAME + " configured\n", removed.out(), removed.toString());
    ApiKey afterRemoval = apiKey(client);
    assertNull(afterRemoval.getMetadata().getAnnotations().get(USER_ANNOTATION),
        "what left the manifest left the object: the merge ran");
    assertOperatorsWritesIntact(afterRemoval, operators, marker, status);
    assertEquals(new Kubectl.Result(0, "", ""), kubectl.run("diff", "-f", file.toString()));

    Kubectl.Result yaml = kubectl.run("get", "apikey", NAME, "-n", NAMESPACE, "-o", "yaml");
    assertEquals(0, yaml.exitCode(), yaml.toString());
    JsonNode shown = YAML.readTree(yaml.out());
    assertEquals(marker, shown.path("metadata").path("annotations").path(MARKER_ANNOTATION).asText(),
        "a user sees the operator's annotation\n" + yaml.out());
    assertEquals(FINALIZER, shown.path("metadata").path("finalizers").path(0).asText());
  }

  private static void assertOperatorsWritesIntact(ApiKey now, ApiKey operators, String marker, JsonNode status) {
    assertEquals(marker, now.getMetadata().getAnnotations().get(MARKER_ANNOTATION), "the annotation, byte for byte");
    assertEquals(List.of(FINALIZER), now.getMetadata().getFinalizers(), "the finalizer");
    assertEquals(status, JSON.valueToTree(now.getStatus()), "the status");
    assertEquals(operators.getMetadata().getUid(), now.getMetadata().getUid());
  }

  private static ApiKey apiKey(KubernetesClient client) {
    return client.resources(ApiKey.class).inNamespace(NAMESPACE).withName(NAME).get();
  }

  /** The forms the operator's metadata write may take on the wire. */
  enum Wire {
    /** RFC 6902 ({@code application/json-patch+json}): {@code add} operations, as Crossplane's create-pending. */
    JSON_PATCH,
    /** RFC 7386 ({@code application/merge-patch+json}) conditional on the resourceVersion read. */
    MERGE_PATCH
  }

  /**
   * The operator's first write to a user's ApiKey, replayed exactly as it goes over the wire (the operator's own
   * code may take this method's place): ONE patch of the ApiKey itself (not its status subresource) that adds the
   * finalizer and the {@code idmelon.com/create-attempt} annotation, then a JSON patch of the status.
   *
   * @param live the ApiKey as the operator read it
   * @return the ApiKey as the status patch answered it
   */
  private static ApiKey replayTheOperatorsFirstWrite(KubernetesClient client, ApiKey live, String marker, Wire wire) {
    String namespace = live.getMetadata().getNamespace();
    String name = live.getMetadata().getName();
    // fabric8 reads a missing map or list as an empty one
    boolean hasAnnotations = !live.getMetadata().getAnnotations().isEmpty();
    boolean hasFinalizers = !live.getMetadata().getFinalizers().isEmpty();
    String patch;
    if (wire == Wire.JSON_PATCH) {
      ArrayNode operations = JSON.createArrayNode();
      if (hasFinalizers) {
        operations.addObject().put("op", "add").put("path", "/metadata/finalizers/-").put("value", FINALIZER);
      } else {
        operations.addObject().put("op", "add").put("path", "/metadata/finalizers").putArray("value").add(FINALIZER);
      }
      if (hasAnnotations) {
        operations.addObject().put("op", "add").put("path", "/metadata/annotations/idmelon.com~1create-attempt")
            .put("value", marker);
      } else {
        operations.addObject().put("op", "add").put("path", "/metadata/annotations").putObject("value")
            .put(MARKER_ANNOTATION, marker);
      }
      patch = operations.toString();
    } else {
      ObjectNode metadata = JSON.createObjectNode();
      metadata.putObject("metadata").put("resourceVersion", live.getMetadata().getResourceVersion());
      ArrayNode finalizers = ((ObjectNode) metadata.get("metadata")).putArray("finalizers");
      live.getMetadata().getFinalizers().forEach(finalizers::add);
      finalizers.add(FINALIZER);
      ((ObjectNode) metadata.get("metadata")).putObject("annotations").put(MARKER_ANNOTATION, marker);
      patch = metadata.toString();
    }
    client.resources(ApiKey.class).inNamespace(namespace).withName(name)
        .patch(PatchContext.of(wire == Wire.JSON_PATCH ? PatchType.JSON : PatchType.JSON_MERGE), patch);

    ObjectNode status = JSON.createObjectNode();
    status.put("observedGeneration", live.getMetadata().getGeneration());
    status.put("keyId", "k_4e4d63bb23949b6e");
    status.put("keyName", "Reporting script");
    status.put("secretName", "reporting-script-idmelon");
    status.put("issuedAt", "2026-11-28T10:00:01Z");
    status.put("expiresAt", "2027-06-30T00:00:00Z");
    status.putArray("conditions").addObject().put("type", "Ready").put("status", "True").put("reason", "Issued")
        .put("message", "Key k_4e4d63bb23949b6e (Admin) is in Secret reporting-script-idmelon")
        .put("lastTransitionTime", "2026-11-28T10:00:01Z").put("observedGeneration", live.getMetadata().getGeneration());
    ArrayNode statusPatch = JSON.createArrayNode();
    statusPatch.addObject().put("op", "add").put("path", "/status").set("value", status);
    return client.resources(ApiKey.class).inNamespace(namespace).withName(name).subresource("status")
        .patch(PatchContext.of(PatchType.JSON), statusPatch.toString());
  }
}
