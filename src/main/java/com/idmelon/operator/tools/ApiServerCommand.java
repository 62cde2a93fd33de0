package com.idmelon.operator.tools;

import com.idmelon.operator.quickstart.EmbeddedKubernetes;
import com.idmelon.operator.quickstart.WorkspaceBootstrap;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code apiserver}: the embedded Kubernetes API alone, as its own process (benchmarks, measurements). */
@Command(
    name = "apiserver",
    mixinStandardHelpOptions = true,
    description = "Serves the quick start's embedded Kubernetes API (fabric8's CRUD mock server extended to answer"
        + " kubectl as a cluster does: admission, Tables, watches, OpenAPI, garbage collection; no cluster) with the"
        + " CRDs installed, and writes a kubeconfig for it. A test double: no authentication, RBAC or controllers.")
public final class ApiServerCommand implements Callable<Integer> {
  @Option(names = "--port", defaultValue = "0", description = "Port (default: any free port).")
  int port;

  @Option(names = "--kubeconfig", required = true, description = "Where to write the kubeconfig.")
  Path kubeconfig;

  @Override
  public Integer call() throws Exception {
    EmbeddedKubernetes kubernetes = EmbeddedKubernetes.start(port);
    for (String crd : WorkspaceBootstrap.CRD_RESOURCES) {
      kubernetes.installCrd(EmbeddedKubernetes.classpath(crd));
    }
    kubernetes.writeKubeconfig(kubeconfig);
    System.out.println("Kubernetes API on " + kubernetes.url() + "; kubeconfig " + kubeconfig.toAbsolutePath());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      kubernetes.close();
      stopped.countDown();
    }, "shutdown"));
    stopped.await();
    return 0;
  }
}
