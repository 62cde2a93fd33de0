package com.idmelon.operator.reconciler;

import com.idmelon.operator.support.OperatorHarness;
import java.util.List;

/** Reads the events recorded on one ApiKey. */
final class ApiKeyLifecycleTestSupport {
  private ApiKeyLifecycleTestSupport() {}

  static List<String> events(OperatorHarness harness, String ns, String name) {
    return harness.client.v1().events().inNamespace(ns).list().getItems().stream()
        .filter(e -> name.equals(e.getInvolvedObject().getName()))
        .map(e -> e.getReason())
        .toList();
  }
}
