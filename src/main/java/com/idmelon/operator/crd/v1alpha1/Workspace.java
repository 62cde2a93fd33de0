package com.idmelon.operator.crd.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/** An IDmelon workspace for the ApiKeys of one namespace: its URL, the Secret holding its Admin key, and a key policy. */
@Group(ApiKey.GROUP)
@Version(ApiKey.VERSION)
@Kind("Workspace")
@Plural("workspaces")
@Singular("workspace")
@ShortNames("ws")
@Categories("idmelon")
@AdditionalPrinterColumn(name = "Region", jsonPath = ".spec.region", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "URL", jsonPath = ".spec.baseUrl", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Ready",
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "ApiKeys", jsonPath = ".status.apiKeys", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
@com.fasterxml.jackson.annotation.JsonClassDescription(
    "An IDmelon workspace for the ApiKeys of this namespace: its URL, the Secret holding its Admin key, and a key policy.")
public class Workspace extends CustomResource<WorkspaceSpec, WorkspaceStatus> implements Namespaced {
  /** {@code Kind/name} (with the namespace for a Workspace), the way logs and messages name it. */
  public String ref() {
    return "Workspace/" + (getMetadata().getNamespace() + "/" + getMetadata().getName());
  }
}
