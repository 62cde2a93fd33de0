package com.idmelon.operator.crd.v1alpha1;

import java.util.Locale;

/** The workloads (group apps) a restart target may name: each has a pod template whose change rolls it out. */
public enum WorkloadKind {
  Deployment,
  StatefulSet,
  DaemonSet;

  /** The resource name in the API's paths and in RBAC rules: deployments, statefulsets, daemonsets. */
  public String plural() {
    return name().toLowerCase(Locale.ROOT) + "s";
  }
}
