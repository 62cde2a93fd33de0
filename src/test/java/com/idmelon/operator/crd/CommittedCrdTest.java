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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** crds/ holds exactly what the crd-generator makes of the Java model in this build. */
class CommittedCrdTest {

  @ParameterizedTest
  @ValueSource(strings = {"apikeys", "workspaces", "clusterworkspaces"})
  void committedCrdEqualsTheGeneratedOne(String plural) throws IOException {
    String file = plural + ".idmelon.com-v1.yml";
    Path generated = Path.of("target", "classes", "META-INF", "fabric8", file);
    assertEquals(Files.readString(generated), Files.readString(Path.of("crds", file)),
        "crds/ is out of date with the model in crd/v1alpha1: run `mvn -Pupdate-crds process-classes` and commit it");
  }

  @ParameterizedTest
  @ValueSource(strings = {"apikeys:Type,Ready,Expires,Key ID,Age,Workspace,Next Rotation,Suspended",
      "workspaces:Region,URL,Ready,ApiKeys,Age", "clusterworkspaces:Region,URL,Ready,ApiKeys,Age"})
  void kubectlShowsThePrinterColumnsInTheDesignedOrder(String expected) throws IOException {
    String[] parts = expected.split(":");
    try (InputStream yaml = Files.newInputStream(Path.of("crds", parts[0] + ".idmelon.com-v1.yml"))) {
      CustomResourceDefinition crd = Serialization.unmarshal(yaml, CustomResourceDefinition.class);
      List<String> columns = crd.getSpec().getVersions().get(0).getAdditionalPrinterColumns().stream()
          .map(CustomResourceColumnDefinition::getName)
          .toList();
      assertEquals(List.of(parts[1].split(",")), columns);
    }
  }
}
