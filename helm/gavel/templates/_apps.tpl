{{/*
What every app's Deployment shares, driven by its entry in .Values.apps. Called with
(dict "root" $ "name" "edge" "app" .Values.apps.edge).
*/}}

{{/* The Service port apps call an app's Connect API (or HTTP API) on. */}}
{{- define "gavel.appUrl" -}}
{{- $callee := index .root.Values.apps .name }}
{{- printf "http://%s:%d" (include "gavel.componentName" (dict "root" .root "component" .name)) (int $callee.port) }}
{{- end }}

{{/*
The environment: the downward API first (later values refer to $(POD_NAME)), then the
plain settings sorted by name (the app's own `env` wins over the chart's), then secrets.
*/}}
{{- define "gavel.appEnv" -}}
{{- $root := .root }}
{{- $app := .app }}
{{- $plain := dict
  "PORT" (toString $app.port)
  "LOG_LEVEL" $root.Values.logLevel
  "GAVEL_ENV" $root.Values.environment
  "GAVEL_VERSION" ($root.Values.image.tag | default $root.Chart.AppVersion)
  "NATS_URL" (include "gavel.natsUrl" $root)
  "NATS_USER" .name
  "SHUTDOWN_GRACE_MS" (toString (mul $app.shutdownGraceSeconds 1000))
  "GAVEL_STREAM_REPLICAS" (toString $root.Values.storageReplicas)
  "GAVEL_KV_REPLICAS" (toString $root.Values.storageReplicas)
  "OTEL_SERVICE_NAME" .name
  "OTEL_TRACES_SAMPLER" $root.Values.telemetry.sampler
  "OTEL_TRACES_SAMPLER_ARG" (toString $root.Values.telemetry.samplerArg)
  "OTEL_RESOURCE_ATTRIBUTES" (printf "k8s.namespace.name=$(POD_NAMESPACE),k8s.deployment.name=%s" (include "gavel.componentName" (dict "root" $root "component" .name)))
}}
{{- if eq $app.protocol "connect" }}
{{- $_ := set $plain "ADMIN_PORT" (toString $app.healthPort) }}
{{- end }}
{{- with include "gavel.otlpEndpoint" $root }}
{{- $_ := set $plain "OTEL_EXPORTER_OTLP_ENDPOINT" . }}
{{- end }}
{{- if $root.Values.jaeger.enabled }}
{{- /* Jaeger stores traces only: metrics stay in rather than fail every export. */}}
{{- $_ := set $plain "OTEL_METRICS_EXPORTER" "none" }}
{{- end }}
{{- /* The edge serves the page's trace routes; its relay follows OTEL_EXPORTER_OTLP_*. */}}
{{- if eq .name "edge" }}
{{- with include "gavel.traceQueryUrl" $root }}
{{- $_ := set $plain "GAVEL_TRACE_QUERY_URL" . }}
{{- end }}
{{- end }}
{{- if $app.public }}
{{- with include "gavel.corsOrigins" $root }}
{{- $_ := set $plain "GAVEL_CORS_ORIGINS" . }}
{{- end }}
{{- end }}
{{- range $callee := $app.calls }}
{{- $_ := set $plain (printf "GAVEL_%s_URL" (upper $callee)) (include "gavel.appUrl" (dict "root" $root "name" $callee)) }}
{{- end }}
{{- $plain = merge (dict) ($app.env | default dict) $plain }}
- name: POD_NAME
  valueFrom:
    fieldRef: { fieldPath: metadata.name }
- name: POD_NAMESPACE
  valueFrom:
    fieldRef: { fieldPath: metadata.namespace }
{{- range $key := keys $plain | sortAlpha }}
- name: {{ $key }}
  value: {{ index $plain $key | toString | quote }}
{{- end }}
- name: NATS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "gavel.credentialsSecretName" $root }}
      key: nats-password-{{ .name }}
- name: GAVEL_JWT_PUBLIC_KEY
  valueFrom:
    secretKeyRef:
      name: {{ include "gavel.jwtSecretName" $root }}
      key: jwt-public-key.pem
{{- range $key := keys ($app.secretEnv | default dict) | sortAlpha }}
{{- $ref := index $app.secretEnv $key }}
- name: {{ $key }}
  valueFrom:
    secretKeyRef:
      name: {{ ternary (include "gavel.jwtSecretName" $root) (include "gavel.credentialsSecretName" $root) (eq $ref.secret "jwt") }}
      key: {{ $ref.key }}
{{- end }}
{{- end }}

{{/*
The probes, on the app's health port: started (slowly: an app serves only once NATS
answers and its streams exist, and NATS may still be forming), alive, ready.
*/}}
{{- define "gavel.appProbes" -}}
startupProbe:
  httpGet: { path: /healthz, port: {{ .healthPort }} }
  periodSeconds: 2
  failureThreshold: 90
livenessProbe:
  httpGet: { path: /healthz, port: {{ .healthPort }} }
  periodSeconds: 10
  timeoutSeconds: 3
  failureThreshold: 3
readinessProbe:
  httpGet: { path: /readyz, port: {{ .healthPort }} }
  periodSeconds: 5
  timeoutSeconds: 3
  failureThreshold: 2
{{- end }}

{{/* Fails the render on settings that only make sense together. */}}
{{- define "gavel.validate" -}}
{{- if gt (int .Values.storageReplicas) (int .Values.nats.replicas) }}
{{- fail (printf "storageReplicas (%d) cannot exceed nats.replicas (%d)" (int .Values.storageReplicas) (int .Values.nats.replicas)) }}
{{- end }}
{{- range $name, $app := .Values.apps }}
{{- if $app.enabled }}
{{- range $callee := $app.calls }}
{{- $target := index $.Values.apps $callee | default dict }}
{{- if not $target.enabled }}
{{- fail (printf "apps.%s.calls names %s, which is not an enabled app" $name $callee) }}
{{- end }}
{{- if eq ($target.protocol | default "") "worker" }}
{{- fail (printf "apps.%s.calls names %s, a worker without an API" $name $callee) }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
