{{- define "apikey-operator.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "apikey-operator.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "apikey-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "apikey-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "apikey-operator.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{ include "apikey-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "apikey-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "apikey-operator.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The rules on ApiKeys, Secrets, Events and restart targets: each verb is used by the operator (README.md, "Install on a cluster"). */}}
{{- define "apikey-operator.namespacedRules" -}}
- apiGroups: ["idmelon.com"]
  resources: ["apikeys"]
  # list/watch: the informer; patch: add and remove the finalizer; get: JOSDK re-reads on a conflicting patch
  verbs: ["get", "list", "watch", "patch"]
- apiGroups: ["idmelon.com"]
  resources: ["apikeys/status"]
  verbs: ["patch"]
- apiGroups: ["idmelon.com"]
  resources: ["apikeys/finalizers"]
  # needed to set blockOwnerDeletion on the owner reference of the Secret
  verbs: ["update"]
- apiGroups: [""]
  resources: ["secrets"]
  # list/watch: the informer asks only for Secrets labelled managed-by, and each workspace's Admin key Secret is
  # watched by name, but RBAC cannot limit by label: this reads every Secret in scope (watchNamespaces narrows the
  # scope); get reads one that lost its label; create/patch write the key; delete removes the old Secret when
  # spec.secretName changes
  verbs: ["get", "list", "watch", "create", "patch", "delete"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create"]
- apiGroups: ["idmelon.com"]
  resources: ["workspaces"]
  # list/watch: the informer; get: before leaving a deleted ApiKey's key unrevoked, the API server must confirm
  # that its workspace is gone (a cache may lag); the operator writes only their status
  verbs: ["get", "list", "watch"]
- apiGroups: ["idmelon.com"]
  resources: ["workspaces/status"]
  verbs: ["patch"]
{{- if .Values.restartTargets.enabled }}
- apiGroups: ["apps"]
  resources: ["deployments", "statefulsets", "daemonsets"]
  # spec.restartTargets: get reads a target's pod-template annotation and spec.paused; patch sets that one
  # annotation (idmelon.com/key-fingerprint) after the key's value changed, which rolls the workload out
  verbs: ["get", "patch"]
{{- end }}
{{- end -}}

{{/* Cluster-scoped reads: ClusterWorkspaces, and Namespaces for the labels of allowedNamespaces selectors. */}}
{{- define "apikey-operator.clusterRules" -}}
- apiGroups: ["idmelon.com"]
  resources: ["clusterworkspaces"]
  verbs: ["get", "list", "watch"]
- apiGroups: ["idmelon.com"]
  resources: ["clusterworkspaces/status"]
  verbs: ["patch"]
- apiGroups: [""]
  resources: ["namespaces"]
  # the labels of namespaces, for allowedNamespaces selectors
  verbs: ["list", "watch"]
{{- end -}}
