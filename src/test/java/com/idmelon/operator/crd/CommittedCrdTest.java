package com.idmelon.operator.crd;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** crds/ holds exactly what the crd-generator makes of the Java model in this build. */
class CommittedCrdTest {
  private static final Path COMMITTED = Path.of("crds", "apikeys.idmelon.com-v1.yml");

  @Test
  void committedCrdEqualsTheGeneratedOne() throws IOException {
    Path generated = Path.of("target", "classes", "META-INF", "fabric8", "apikeys.idmelon.com-v1.yml");
    assertEquals(Files.readString(generated), Files.readString(COMMITTED),
        "crds/ is out of date with the model in crd/v1alpha1: run `mvn -Pupdate-crds process-classes` and commit it");
  }

  @Test
  void kubectlShowsThePrinterColumnsInTheDesignedOrder() throws IOException {
    try (InputStream yaml = Files.newInputStream(COMMITTED)) {
      CustomResourceDefinition crd = Serialization.unmarshal(yaml, CustomResourceDefinition.class);
      List<String> columns = crd.getSpec().getVersions().get(0).getAdditionalPrinterColumns().stream()
          .map(CustomResourceColumnDefinition::getName)
          .toList();
      assertEquals(List.of("Type", "Ready", "Expires", "Key ID", "Age"), columns);
    }
  }
}
