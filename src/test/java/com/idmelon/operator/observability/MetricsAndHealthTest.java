package com.idmelon.operator.observability;

import static com.idmelon.operator.support.OperatorHarness.apiKey;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.idmelon.operator.OperatorRuntime;
import com.idmelon.operator.crd.v1alpha1.ApiKey;
import com.idmelon.operator.crd.v1alpha1.ClusterWorkspace;
import com.idmelon.operator.crd.v1alpha1.Conditions;
import com.idmelon.operator.idmelon.KeyType;
import com.idmelon.operator.quickstart.WorkspaceBootstrap;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** /metrics answers "which keys expire soon?"; /readyz tells when the operator can serve. */
class MetricsAndHealthTest {

  @Test
  void metricsExposeExpiryRenewalReadinessRotationsAndIdmelonCalls() throws Exception {
    try (RuntimeFixture fixture = new RuntimeFixture(); OperatorRuntime runtime = fixture.runtime(o -> o)) {
      runtime.start();
      ApiKey fixed = apiKey("metrics", "fixed", KeyType.Admin);
      fixed.getSpec().setExpiresAt("2031-01-01T00:00:00Z");
      ApiKey renewing = apiKey("metrics", "renewing", KeyType.Clients);
      renewing.getSpec().setDuration("2160h");
      com.idmelon.operator.crd.v1alpha1.Rotation monthly = new com.idmelon.operator.crd.v1alpha1.Rotation();
      monthly.setEvery("720h");
      renewing.getSpec().setRotation(monthly);
      fixture.client.resource(fixed).create();
      fixture.client.resource(renewing).create();
      awaitReady(fixture, "fixed");
      ApiKey renewingReady = awaitReady(fixture, "renewing");

      String metrics = fixture.get(runtime, "/metrics").body();
      ApiKey fixedReady = fixture.client.resources(ApiKey.class).inNamespace("metrics").withName("fixed").get();
      for (ApiKey ready : List.of(fixedReady, renewingReady)) {
        assertFalse(metrics.contains(ready.getStatus().getKeyId()), "no key id in any metric or label");
      }
      assertEquals(1924992000.0, value(metrics,
          "idmelon_apikey_expiration_timestamp_seconds{name=\"fixed\",namespace=\"metrics\",type=\"Admin\"").orElseThrow());
      assertEquals((double) Instant.parse(renewingReady.getStatus().getRenewalTime()).getEpochSecond(), value(metrics,
          "idmelon_apikey_renewal_timestamp_seconds{name=\"renewing\",namespace=\"metrics\",type=\"Clients\"").orElseThrow());
      assertEquals(1.0, value(metrics,
          "idmelon_apikey_ready_status{condition=\"True\",name=\"fixed\",namespace=\"metrics\",type=\"Admin\"").orElseThrow());
      assertEquals(0.0, value(metrics,
          "idmelon_apikey_ready_status{condition=\"False\",name=\"fixed\",namespace=\"metrics\",type=\"Admin\"").orElseThrow());
      assertEquals((double) Instant.parse(renewingReady.getStatus().getNextRotationAt()).getEpochSecond(), value(metrics,
          "idmelon_apikey_next_rotation_timestamp_seconds{name=\"renewing\",namespace=\"metrics\",type=\"Clients\"")
          .orElseThrow());
      assertEquals(Optional.empty(), value(metrics, "idmelon_apikey_next_rotation_timestamp_seconds{name=\"fixed\""),
          "no scheduled rotation without spec.rotation.every");
      assertEquals(Optional.empty(), value(metrics, "idmelon_apikey_renewal_timestamp_seconds{name=\"fixed\""),
          "no renewal for a fixed expiry");
      assertTrue(value(metrics, "idmelon_api_requests_seconds_count{operation=\"create\",status=\"201\"}").orElseThrow() >= 2);
      assertTrue(value(metrics, "operator_sdk_reconciliations_started_total{kind=\"ApiKey\"}").orElseThrow() >= 2);

      fixture.client.resources(ApiKey.class).inNamespace("metrics").withName("fixed").edit(k -> {
        k.getMetadata().getAnnotations().put(ApiKey.RESET_ANNOTATION, "now");
        return k;
      });
      await().atMost(15, TimeUnit.SECONDS).until(() ->
          value(fixture.get(runtime, "/metrics").body(), "idmelon_apikey_rotations_total{trigger=\"reset-annotation\"}")
              .orElse(0.0) == 1.0);

      fixture.client.resources(ApiKey.class).inNamespace("metrics").withName("fixed").delete();
      await().atMost(15, TimeUnit.SECONDS).until(() -> fixture.get(runtime, "/metrics").body().lines()
          .noneMatch(l -> l.startsWith("idmelon_apikey_") && l.contains("name=\"fixed\"")));
      assertTrue(fixture.get(runtime, "/metrics").body().contains("name=\"renewing\""), "the other ApiKey's series stay");
    }
  }

  @Test
  void readinessIsTheOperatorsOwnAndARefusedWorkspaceKeyShowsOnTheWorkspace() throws Exception {
    try (RuntimeFixture fixture = new RuntimeFixture(); OperatorRuntime runtime = fixture.runtime(o -> o)) {
      assertEquals(200, fixture.get(runtime, "/healthz").statusCode());
      assertEquals(503, fixture.get(runtime, "/readyz").statusCode(), "not ready before the operator started");

      runtime.start();
      await().atMost(15, TimeUnit.SECONDS).until(() -> fixture.get(runtime, "/readyz").statusCode() == 200);
      String workspace = "idmelon_workspace_ready_status{condition=\"True\",kind=\"ClusterWorkspace\","
          + "name=\"default\"";
      await().atMost(15, TimeUnit.SECONDS).until(() ->
          value(fixture.get(runtime, "/metrics").body(), workspace).orElse(0.0) == 1.0);

      // the workspace's Secret now holds a key IDmelon refuses: that workspace is not Ready, the operator still is
      fixture.client.secrets().inNamespace(WorkspaceBootstrap.SYSTEM_NAMESPACE).withName("default-admin-key")
          .edit(s -> {
            s.getData().put("adminKey", java.util.Base64.getEncoder().encodeToString("revoked".getBytes()));
            return s;
          });
      await().atMost(15, TimeUnit.SECONDS).until(() -> {
        var ws = fixture.client.resources(ClusterWorkspace.class).withName("default").get();
        return ws.getStatus() != null && ws.getStatus().condition("Ready")
            .map(c -> c.getReason().equals("AdminKeyRefused")).orElse(false);
      });
      await().atMost(15, TimeUnit.SECONDS).until(() ->
          value(fixture.get(runtime, "/metrics").body(), workspace).orElse(1.0) == 0.0);
      var ready = fixture.get(runtime, "/readyz");
      assertEquals(200, ready.statusCode(), "one workspace's Admin key never takes the operator out of service");
      String metrics = fixture.get(runtime, "/metrics").body();
      assertFalse(metrics.contains("revoked"), "the key itself is never shown");
    }
  }

  private static ApiKey awaitReady(RuntimeFixture fixture, String name) {
    await().atMost(15, TimeUnit.SECONDS).until(() -> {
      ApiKey apiKey = fixture.client.resources(ApiKey.class).inNamespace("metrics").withName(name).get();
      return apiKey != null && Conditions.isTrue(apiKey.getStatus(), Conditions.READY);
    });
    return fixture.client.resources(ApiKey.class).inNamespace("metrics").withName(name).get();
  }

  /** The value of the sample whose name and labels start with {@code prefix}. */
  static Optional<Double> value(String metrics, String prefix) {
    Matcher matcher = Pattern.compile("^" + Pattern.quote(prefix) + "[^ ]* ([^ ]+)$", Pattern.MULTILINE).matcher(metrics);
    return matcher.find() ? Optional.of(Double.parseDouble(matcher.group(1))) : Optional.empty();
  }
}
