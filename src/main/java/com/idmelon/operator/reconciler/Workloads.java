package com.idmelon.operator.reconciler;

import com.idmelon.operator.crd.v1alpha1.RestartTarget;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.Map;
import java.util.Optional;

/**
 * Reads and patches the restart targets (Deployments, StatefulSets, DaemonSets): a get, and a merge patch of one
 * pod-template annotation, nothing else. They are not watched or cached: a target is read only when a rollout is due.
 */
final class Workloads {
  /**
   * What a rollout needs to know of a workload: the annotation's current value (null: absent) and spec.paused; and
   * the workload as read, which names it for the patch.
   */
  record Template(HasMetadata workload, String fingerprint, boolean paused) {}

  private final KubernetesClient client;

  Workloads(KubernetesClient client) {
    this.client = client;
  }

  /** The workload's pod-template annotation and pause, or empty when it does not exist. */
  Optional<Template> read(String namespace, RestartTarget target) {
    HasMetadata workload = resource(namespace, target).get();
    if (workload == null) {
      return Optional.empty();
    }
    PodTemplateSpec template = null;
    boolean paused = false;
    if (workload instanceof Deployment deployment && deployment.getSpec() != null) {
      template = deployment.getSpec().getTemplate();
      paused = Boolean.TRUE.equals(deployment.getSpec().getPaused());
    } else if (workload instanceof StatefulSet statefulSet && statefulSet.getSpec() != null) {
      template = statefulSet.getSpec().getTemplate();
    } else if (workload instanceof DaemonSet daemonSet && daemonSet.getSpec() != null) {
      template = daemonSet.getSpec().getTemplate();
    }
    Map<String, String> annotations = template == null || template.getMetadata() == null ? null
        : template.getMetadata().getAnnotations();
    return Optional.of(new Template(workload, annotations == null ? null : annotations.get(Rollouts.ANNOTATION),
        paused));
  }

  /**
   * Sets the pod-template annotation to {@code fingerprint} with a JSON merge patch that names only that annotation:
   * the rest of the workload, other annotations included, is left as it is, and the same value again changes nothing.
   */
  void patch(Template read, String fingerprint) {
    Map<String, Object> patch = Map.of("spec", Map.of("template", Map.of("metadata",
        Map.of("annotations", Map.of(Rollouts.ANNOTATION, fingerprint)))));
    // through the object just read: fabric8 would otherwise read it again to learn what it patches
    client.resource(read.workload()).patch(PatchContext.of(PatchType.JSON_MERGE), Serialization.asJson(patch));
  }

  private Resource<? extends HasMetadata> resource(String namespace, RestartTarget target) {
    return switch (target.getKind()) {
      case Deployment -> client.apps().deployments().inNamespace(namespace).withName(target.getName());
      case StatefulSet -> client.apps().statefulSets().inNamespace(namespace).withName(target.getName());
      case DaemonSet -> client.apps().daemonSets().inNamespace(namespace).withName(target.getName());
    };
  }
}
