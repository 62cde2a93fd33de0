package com.idmelon.operator.support;

import com.idmelon.operator.quickstart.EmbeddedKubernetes;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** An embedded API server with CRDs from crds/ installed, as a cluster has them after {@code kubectl apply -f crds/}. */
public final class CommittedCrds {
  private CommittedCrds() {
  }

  /** Starts a server on a free port with the named files of crds/ installed; the caller closes it. */
  public static EmbeddedKubernetes serverWith(String... files) {
    EmbeddedKubernetes kubernetes = EmbeddedKubernetes.start(0);
    for (String file : files) {
      try (InputStream crd = Files.newInputStream(Path.of("crds", file))) {
        kubernetes.installCrd(crd);
      } catch (IOException e) {
        kubernetes.close();
        throw new UncheckedIOException(e);
      }
    }
    return kubernetes;
  }
}
