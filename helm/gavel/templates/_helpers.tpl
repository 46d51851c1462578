{{/*
Names and labels, as in the Bitnami charts: <fullname>-<component> for every object,
the app.kubernetes.io/* labels on all of them.
*/}}

{{- define "gavel.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "gavel.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 40 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 40 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* The name of one component's objects: (dict "root" $ "component" "edge"). */}}
{{- define "gavel.componentName" -}}
{{- printf "%s-%s" (include "gavel.fullname" .root) .component }}
{{- end }}

{{- define "gavel.selectorLabels" -}}
app.kubernetes.io/name: {{ include "gavel.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "gavel.labels" -}}
{{ include "gavel.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/part-of: gavel
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end }}

{{/* Selector labels of one component: (dict "root" $ "component" "edge"). */}}
{{- define "gavel.componentSelectorLabels" -}}
{{ include "gavel.selectorLabels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "gavel.componentLabels" -}}
{{ include "gavel.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "gavel.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- include "gavel.fullname" . }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* An app's image: <registry>gavel-<app>:<tag>. (dict "root" $ "component" "edge") */}}
{{- define "gavel.appImage" -}}
{{- $tag := .root.Values.image.tag | default .root.Chart.AppVersion }}
{{- printf "%sgavel-%s:%s" .root.Values.image.registry .component $tag }}
{{- end }}

{{/* The enabled apps' names, sorted, as a JSON list (for fromJsonArray). */}}
{{- define "gavel.enabledApps" -}}
{{- $names := list }}
{{- range $name, $app := .Values.apps }}
{{- if $app.enabled }}{{ $names = append $names $name }}{{ end }}
{{- end }}
{{- $names | sortAlpha | toJson }}
{{- end }}

{{/* The Secret with the NATS passwords and the push ticket secret. */}}
{{- define "gavel.credentialsSecretName" -}}
{{- .Values.secrets.existingSecret | default (printf "%s-credentials" (include "gavel.fullname" .)) }}
{{- end }}

{{/* The Secret with the token signing key pair (made by the jwt-keys hook). */}}
{{- define "gavel.jwtSecretName" -}}
{{- .Values.secrets.existingSecret | default (printf "%s-jwt" (include "gavel.fullname" .)) }}
{{- end }}

{{- define "gavel.natsUrl" -}}
{{- printf "nats://%s:4222" (include "gavel.componentName" (dict "root" . "component" "nats")) }}
{{- end }}

{{/* Where the apps export traces and metrics (OTLP/HTTP), empty for nowhere. */}}
{{- define "gavel.otlpEndpoint" -}}
{{- if .Values.jaeger.enabled }}
{{- printf "http://%s:4318" (include "gavel.componentName" (dict "root" . "component" "jaeger")) }}
{{- else }}
{{- .Values.telemetry.endpoint }}
{{- end }}
{{- end }}

{{/*
The chart's Jaeger query API (its ui port), which the edge reads traces from for the web
page's waterfall (GET /traces/<id>); empty without Jaeger or with jaeger.traceView off.
*/}}
{{- define "gavel.traceQueryUrl" -}}
{{- if and .Values.jaeger.enabled .Values.jaeger.traceView }}
{{- printf "http://%s:16686" (include "gavel.componentName" (dict "root" . "component" "jaeger")) }}
{{- end }}
{{- end }}

{{- define "gavel.corsOrigins" -}}
{{- if .Values.corsOrigins }}
{{- join "," .Values.corsOrigins }}
{{- else }}
{{- .Values.publicUrl | trimSuffix "/" }}
{{- end }}
{{- end }}

{{/* The restricted securityContext of every container. */}}
{{- define "gavel.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
capabilities:
  drop: [ALL]
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/* The pod securityContext of every Gavel pod (NATS and Jaeger bring their own user). */}}
{{- define "gavel.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.podSecurityContext.runAsUser }}
runAsGroup: {{ .Values.podSecurityContext.runAsGroup }}
fsGroup: {{ .Values.podSecurityContext.fsGroup }}
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/*
Spread over zones and nodes when the cluster has several:
(dict "root" $ "component" "edge" "deployment" true); a Deployment's spread counts only
the pods of its current ReplicaSet (matchLabelKeys), so a rollout is not skewed by old ones.
*/}}
{{- define "gavel.topologySpread" -}}
{{- if .root.Values.topologySpread.enabled }}
topologySpreadConstraints:
  {{- range list "topology.kubernetes.io/zone" "kubernetes.io/hostname" }}
  - maxSkew: 1
    topologyKey: {{ . }}
    whenUnsatisfiable: ScheduleAnyway
    labelSelector:
      matchLabels:
        {{- include "gavel.componentSelectorLabels" $ | nindent 8 }}
    {{- if $.deployment }}
    matchLabelKeys: [pod-template-hash]
    {{- end }}
  {{- end }}
{{- end }}
{{- end }}

{{/* DNS egress, part of every pod's policy. */}}
{{- define "gavel.dnsEgress" -}}
- to:
    - namespaceSelector: {{- toYaml .Values.networkPolicy.dns.namespaceSelector | nindent 8 }}
      podSelector: {{- toYaml .Values.networkPolicy.dns.podSelector | nindent 8 }}
  ports:
    - { protocol: UDP, port: 53 }
    - { protocol: TCP, port: 53 }
{{- end }}
