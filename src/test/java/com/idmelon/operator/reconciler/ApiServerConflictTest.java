package com.idmelon.operator.reconciler;

import static com.idmelon.operator.quickstart.EmbeddedKubernetes.body;
import static com.idmelon.operator.support.OperatorHarness.apiKey;
import static com.idmelon.operator.support.OperatorHarness.data;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.idmelon.operator.crd.v1alpha1.ApiKey;
import com.idmelon.operator.idmelon.KeyType;
import com.idmelon.operator.quickstart.EmbeddedKubernetes.Fault;
import com.idmelon.operator.support.OperatorHarness;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The API server answers 409 Conflict to one of the operator's writes, as it does when another writer got there
 * first: the operator tries again and still ends with exactly one working key in IDmelon, none leaked.
 */
class ApiServerConflictTest {
  @RegisterExtension
  static final OperatorHarness harness = OperatorHarness.shared(Clock.systemUTC());

  /** The writes made while issuing a key, in their order. */
  enum Write {
    FINALIZER_WITH_MARKER, SECRET_CREATE, STATUS_WITH_KEY
  }

  private static Predicate<RecordedRequest> matching(Write write, String ns, String name) {
    String apiKeyPath = "/apis/idmelon.com/v1alpha1/namespaces/" + ns + "/apikeys/" + name;
    return r -> {
      String path = r.getPath().split("\\?", 2)[0];
      String body = body(r);
      return switch (write) {
        case FINALIZER_WITH_MARKER -> r.getMethod().equals("PATCH") && path.equals(apiKeyPath)
            && body.contains("finalizers") && body.contains(IssueMarker.ANNOTATION);
        case SECRET_CREATE -> r.getMethod().equals("POST") && path.equals("/api/v1/namespaces/" + ns + "/secrets");
        case STATUS_WITH_KEY -> r.getMethod().equals("PATCH") && path.equals(apiKeyPath + "/status")
            && body.contains("fingerprint");
      };
    };
  }

  @ParameterizedTest
  @EnumSource(Write.class)
  void conflictWhileIssuingStillLeavesOneWorkingKey(Write write) {
    String ns = harness.newNamespace();
    String name = "conflict-" + write.name().toLowerCase().replace('_', '-');
    Fault conflict = harness.kubernetes.failNext(matching(write, ns, name), 409, "Conflict");

    harness.create(apiKey(ns, name, KeyType.Clients));

    harness.awaitReady(ns, name, true, Reasons.ISSUED);
    assertTrue(conflict.answered(), "the API server answered 409 to the " + write + " write");
    await().atMost(10, TimeUnit.SECONDS).untilAsserted(() -> harness.assertOneWorkingKey(ns, name));
  }

  @ParameterizedTest
  @EnumSource(value = KeyType.class, names = {"Admin", "SharedMobile"})
  void conflictOnTheSecretDuringAResetStillLeavesOneWorkingKey(KeyType type) {
    String ns = harness.newNamespace();
    String name = "conflict-reset-" + type.name().toLowerCase();
    harness.create(apiKey(ns, name, type));
    harness.awaitReady(ns, name, true, Reasons.ISSUED);
    String oldValue = data(harness.secret(ns, name), "apiKey");
    Fault conflict = harness.kubernetes.failNext(r -> r.getMethod().equals("PATCH")
        && r.getPath().split("\\?", 2)[0].equals("/api/v1/namespaces/" + ns + "/secrets/" + name), 409, "Conflict");

    harness.client.resources(ApiKey.class).inNamespace(ns).withName(name).edit(k -> {
      k.getMetadata().getAnnotations().put(ApiKey.RESET_ANNOTATION, "after-conflict");
      return k;
    });

    await().atMost(20, TimeUnit.SECONDS).until(() -> "after-conflict".equals(harness.get(ns, name).getStatus().getLastReset())
        && harness.ready(ns, name).map(c -> c.getStatus().equals("True")).orElse(false));
    assertTrue(conflict.answered(), "the API server answered 409 to the Secret's update");
    await().atMost(10, TimeUnit.SECONDS).untilAsserted(() -> harness.assertOneWorkingKey(ns, name));
    assertTrue(harness.simulator().authenticate(oldValue).isEmpty(), "the value from before the reset is dead");
  }

  @Test
  void refusedSecretCreateLeavesAWarningWithoutTheValue() {
    String ns = harness.newNamespace();
    String name = "conflict-reported";
    harness.kubernetes.failNext(matching(Write.SECRET_CREATE, ns, name), 409, "Conflict");
    harness.create(apiKey(ns, name, KeyType.Clients));

    harness.awaitReady(ns, name, true, Reasons.ISSUED);
    String value = data(harness.secret(ns, name), "apiKey");
    assertTrue(harness.events(ns, name).stream()
            .anyMatch(e -> "Warning".equals(e.getType()) && Reasons.SECRET_CONFLICT.equals(e.getReason())),
        "the refused create left a SecretConflict Warning event");
    harness.events(ns, name).forEach(e -> assertTrue(!e.getMessage().contains(value), "no event shows the value"));
  }
}
