package com.idmelon.operator.crd;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** crds/ holds exactly what the crd-generator makes of the Java model in this build. */
class CommittedCrdTest {
  @Test
  void committedCrdEqualsTheGeneratedOne() throws IOException {
    Path generated = Path.of("target", "classes", "META-INF", "fabric8", "apikeys.idmelon.com-v1.yml");
    Path committed = Path.of("crds", "apikeys.idmelon.com-v1.yml");
    assertEquals(Files.readString(generated), Files.readString(committed),
        "crds/ is out of date with the model in crd/v1alpha1: run `mvn -Pupdate-crds process-classes` and commit it");
  }
}
