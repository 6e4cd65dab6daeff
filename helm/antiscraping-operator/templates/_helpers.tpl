{{/* Chart name, at most 63 characters. */}}
{{- define "antiscraping-operator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Fully qualified app name; the release name alone when it already contains the chart name. */}}
{{- define "antiscraping-operator.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "antiscraping-operator.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "antiscraping-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "antiscraping-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "antiscraping-operator.labels" -}}
helm.sh/chart: {{ include "antiscraping-operator.chart" . }}
{{ include "antiscraping-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: antiscraping-operator
{{- end }}

{{- define "antiscraping-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "antiscraping-operator.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "antiscraping-operator.leaseName" -}}
{{- default (include "antiscraping-operator.fullname" .) .Values.leaderElection.leaseName }}
{{- end }}

{{- define "antiscraping-operator.metricsServiceName" -}}
{{- printf "%s-metrics" (include "antiscraping-operator.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "antiscraping-operator.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/*
Rules of the operator: the ClusterRole of a cluster-wide install, or the Role in each watched namespace. Each verb
is one the operator uses: the RBAC test replays every API request recorded by the operator's integration tests
against these rules and fails on a request they do not allow or a grant nothing uses.
*/}}
{{- define "antiscraping-operator.rules" -}}
- apiGroups: ["antiscraping.io"]
  resources: ["scrapingpolicies"]
  verbs: ["get", "list", "watch", "patch"]
- apiGroups: ["antiscraping.io"]
  resources: ["scrapingpolicies/status"]
  verbs: ["patch"]
- apiGroups: ["networking.k8s.io"]
  resources: ["ingresses"]
  verbs: ["list", "watch", "patch"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create"]
# Bearer tokens and CA bundles referenced by spec.prometheus.
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get"]
{{- if or .Values.providers.envoyGateway.enabled .Values.providers.traefik.enabled }}
# Objects the operator owns carry an ownerReference with blockOwnerDeletion to their policy.
- apiGroups: ["antiscraping.io"]
  resources: ["scrapingpolicies/finalizers"]
  verbs: ["update"]
{{- end }}
{{- if .Values.providers.envoyGateway.enabled }}
# Gateways: their labels decide which SecurityPolicy targetSelectors select them.
- apiGroups: ["gateway.networking.k8s.io"]
  resources: ["httproutes", "gateways"]
  verbs: ["get", "list", "watch"]
- apiGroups: ["gateway.envoyproxy.io"]
  resources: ["backendtrafficpolicies", "securitypolicies"]
  verbs: ["get", "list", "watch", "create", "patch", "delete"]
{{- end }}
{{- if .Values.providers.traefik.enabled }}
- apiGroups: ["traefik.io"]
  resources: ["middlewares"]
  verbs: ["get", "list", "watch", "create", "patch", "delete"]
{{- end }}
{{- end }}
