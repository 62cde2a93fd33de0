package com.idmelon.operator.reconciler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.idmelon.operator.crd.v1alpha1.ApiKey;
import com.idmelon.operator.support.Kubectl;
import com.idmelon.operator.support.OperatorHarness;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator's own annotation on an ApiKey ({@code idmelon.com/create-attempt}, written with its finalizer) is no
 * drift for {@code kubectl apply}: the real kubectl, applying the user's manifest with its three-way merge against
 * the running operator, neither removes it nor reports a change, and {@code kubectl diff} shows nothing.
 */
class KubectlApplyDriftTest {
  @RegisterExtension
  static final OperatorHarness harness = OperatorHarness.shared(Clock.systemUTC());

  private static String manifest(String ns, String extraMetadata, String deletionPolicy) {
    return """
        apiVersion: idmelon.com/v1alpha1
        kind: ApiKey
        metadata:
          name: ci-deployer
          namespace: %s
        %s
        spec:
          name: CI deployer
          type: Clients
          deletionPolicy: %s
        """.formatted(ns, extraMetadata, deletionPolicy);
  }

  @Test
  void applyingTheUsersManifestKeepsTheOperatorsAnnotationAndFinalizerAndShowsNoChange(@TempDir Path dir)
      throws Exception {
    assumeTrue(Kubectl.available(), "kubectl is not installed here");
    Kubectl kubectl = new Kubectl(harness.kubernetes, dir);
    String ns = harness.newNamespace();
    Path file = dir.resolve("apikey.yaml");
    Files.writeString(file, manifest(ns, "", "Delete"));

    Kubectl.Result created = kubectl.run(Duration.ofSeconds(60), null, "apply", "-f", file.toString());
    assertEquals(0, created.exitCode(), created.toString());
    assertTrue(created.out().contains("created"), created.toString());
    harness.awaitReady(ns, "ci-deployer", true, Reasons.ISSUED);
    ApiKey issued = harness.get(ns, "ci-deployer");
    String marker = issued.getMetadata().getAnnotations().get(IssueMarker.ANNOTATION);
    assertNotNull(marker, "the operator wrote its marker");
    List<String> finalizers = issued.getMetadata().getFinalizers();
    assertEquals(List.of(StatusStore.FINALIZER), finalizers);

    Kubectl.Result diff = kubectl.run(Duration.ofSeconds(60), null, "diff", "-f", file.toString());
    assertEquals(0, diff.exitCode(), "kubectl diff finds no difference\n" + diff);
    assertEquals("", diff.out(), diff.toString());

    Kubectl.Result again = kubectl.run(Duration.ofSeconds(60), null, "apply", "-f", file.toString());
    assertEquals(0, again.exitCode(), again.toString());
    assertTrue(again.out().contains("unchanged"), "re-applying is no change\n" + again);
    assertEquals(marker, harness.get(ns, "ci-deployer").getMetadata().getAnnotations().get(IssueMarker.ANNOTATION));

    // an edit with a user annotation, then that annotation removed from the manifest: the merge really runs
    Files.writeString(file, manifest(ns, "  annotations:\n    team.example.com/owner: platform", "Retain"));
    Kubectl.Result edited = kubectl.run(Duration.ofSeconds(60), null, "apply", "-f", file.toString());
    assertTrue(edited.out().contains("configured"), edited.toString());
    Files.writeString(file, manifest(ns, "", "Retain"));
    Kubectl.Result removed = kubectl.run(Duration.ofSeconds(60), null, "apply", "-f", file.toString());
    assertTrue(removed.out().contains("configured"), removed.toString());

    ApiKey after = harness.get(ns, "ci-deployer");
    assertFalse(after.getMetadata().getAnnotations().containsKey("team.example.com/owner"),
        "the annotation the user took out of the manifest is gone: the three-way merge ran");
    assertEquals(marker, after.getMetadata().getAnnotations().get(IssueMarker.ANNOTATION),
        "the operator's annotation is kept byte for byte");
    assertEquals(finalizers, after.getMetadata().getFinalizers(), "and its finalizer");
    assertEquals("Retain", after.getSpec().getDeletionPolicy().name());

    Kubectl.Result yaml = kubectl.run(Duration.ofSeconds(60), null, "get", "apikey", "ci-deployer", "-n", ns,
        "-o", "yaml");
    assertTrue(yaml.out().contains(IssueMarker.ANNOTATION), "a user can see it\n" + yaml);
  }
}
