package com.idmelon.operator.crd.v1alpha1;

import io.fabric8.generator.annotation.ValidationRule;

/** A namespaced workspace: usable by the ApiKeys of its own namespace, its Admin key in a Secret there. */
@ValidationRule(value = "!has(self.adminKeySecretRef.__namespace__)",
    message = "adminKeySecretRef.namespace is not allowed on a Workspace: it reads the Secret in its own namespace")
@com.fasterxml.jackson.annotation.JsonClassDescription(
    "Where the workspace is, the Secret of this namespace holding its Admin key, and what keys it may issue.")
public class WorkspaceSpec extends WorkspaceSpecBase {}
