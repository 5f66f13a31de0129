{{/* The chart's name, overridable. */}}
{{- define "nextstep.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The release's base name for every object. A release named "nextstep" gives
"nextstep"; any other gives "<release>-nextstep", as most charts do.
*/}}
{{- define "nextstep.fullname" -}}
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

{{/* A component's object name: <fullname>-<component>. Call with (list $ "pupil"). */}}
{{- define "nextstep.componentName" -}}
{{- $root := index . 0 -}}
{{- printf "%s-%s" (include "nextstep.fullname" $root) (index . 1) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels on every object. */}}
{{- define "nextstep.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/name: {{ include "nextstep.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: nextstep
{{- end }}

{{/* Selector labels of a component. Call with (list $ "pupil"). */}}
{{- define "nextstep.selectorLabels" -}}
{{- $root := index . 0 -}}
app.kubernetes.io/name: {{ include "nextstep.name" $root }}
app.kubernetes.io/instance: {{ $root.Release.Name }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end }}

{{/* Every label of a component's objects. Call with (list $ "pupil"). */}}
{{- define "nextstep.componentLabels" -}}
{{ include "nextstep.labels" (index . 0) }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end }}

{{/*
A container image reference. Call with (list $ .Values.services.pupil.image "pupil").
A digest, when set, pins the image and wins over the tag.
*/}}
{{- define "nextstep.image" -}}
{{- $root := index . 0 -}}
{{- $image := index . 1 }}
{{- $registry := default $root.Values.image.registry $image.registry }}
{{- $repository := default (printf "%s/%s" $root.Values.image.repositoryPrefix (index . 2)) $image.repository }}
{{- $ref := $repository }}
{{- if $registry }}{{ $ref = printf "%s/%s" $registry $repository }}{{ end }}
{{- if $image.digest }}
{{- printf "%s@%s" $ref $image.digest }}
{{- else }}
{{- printf "%s:%s" $ref (default (default $root.Chart.AppVersion $root.Values.image.tag) $image.tag) }}
{{- end }}
{{- end }}

{{/* The pod-level security context: restricted Pod Security Standard. */}}
{{- define "nextstep.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.podSecurityContext.runAsUser }}
runAsGroup: {{ .Values.podSecurityContext.runAsGroup }}
fsGroup: {{ .Values.podSecurityContext.fsGroup }}
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/* The container-level security context: restricted Pod Security Standard. */}}
{{- define "nextstep.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
capabilities:
  drop: ["ALL"]
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/* The CloudNativePG Cluster's name. */}}
{{- define "nextstep.databaseClusterName" -}}
{{- include "nextstep.componentName" (list . "db") }}
{{- end }}

{{/*
The Secret and key that hold a service's (or the console's) DATABASE_URL.
Call with (list $ "pupil").
A per-service secret wins; then the CloudNativePG Cluster's app secret
(CloudNativePG writes the connection URI under "uri"); then the shared one.
*/}}
{{- define "nextstep.databaseSecretRef" -}}
{{- $root := index . 0 -}}
{{- $svc := ternary $root.Values.console (index $root.Values.services (index . 1)) (eq (index . 1) "console") }}
{{- if $svc.databaseSecret.name }}
name: {{ $svc.databaseSecret.name }}
key: {{ $svc.databaseSecret.key }}
{{- else if $root.Values.database.cloudnativepg.enabled }}
name: {{ include "nextstep.databaseClusterName" $root }}-app
key: uri
{{- else }}
name: {{ required "database.existingSecret.name is required unless database.cloudnativepg.enabled is true" $root.Values.database.existingSecret.name }}
key: {{ $root.Values.database.existingSecret.key }}
{{- end }}
{{- end }}

{{/* The in-cluster URL of a service. Call with (list $ "pupil"). */}}
{{- define "nextstep.serviceURL" -}}
{{- $root := index . 0 -}}
{{- printf "http://%s.%s.svc:%d" (include "nextstep.componentName" (list $root (index . 1))) $root.Release.Namespace (int $root.Values.servicePort) }}
{{- end }}

{{/* The runbook URL of an alert: <base>/<alert-in-kebab-case>.md. */}}
{{- define "nextstep.runbookURL" -}}
{{- $root := index . 0 -}}
{{- printf "%s/%s.md" (trimSuffix "/" $root.Values.prometheusRule.runbookBaseURL) (kebabcase (index . 1)) }}
{{- end }}

{{/* Container resources, leaving out empty values (an empty limit means none). */}}
{{- define "nextstep.resources" -}}
{{- range $kind := list "requests" "limits" }}
{{- $set := dict }}
{{- range $k, $v := index $ $kind }}{{ if $v }}{{ $_ := set $set $k $v }}{{ end }}{{ end }}
{{- if $set }}
{{ $kind }}:
  {{- toYaml $set | nindent 2 }}
{{- end }}
{{- end }}
{{- end }}

{{/*
The service accounts that act as the service role: the operator, and
placement and tracking, which call the pupil service. Each is
"<namespace>/<name>", as the services' auth config lists them.
*/}}
{{- define "nextstep.serviceRoleAccounts" -}}
{{- range $c := list "operator" "placement" "tracking" }}
- {{ printf "%s/%s" $.Release.Namespace (include "nextstep.componentName" (list $ $c)) }}
{{- end }}
{{- end }}

{{/*
The services' auth config (auth.yaml, read from NEXTSTEP_AUTH_CONFIG), in
services/kit/auth.Config's format: the OpenID Connect issuers as the values
give them (the schema holds them to the format) and the service accounts
that act as the service role, with the audience their tokens are bound to.
*/}}
{{- define "nextstep.authConfig" -}}
{{- $seen := dict }}
{{- range $i, $iss := .Values.auth.oidc }}
{{- if hasKey $seen $iss.issuer }}
{{- fail (printf "auth.oidc[%d].issuer repeats %s: list each issuer once, with all its rules" $i $iss.issuer) }}
{{- end }}
{{- $_ := set $seen $iss.issuer true }}
{{- end }}
{{- $cfg := dict "kubernetes" (dict "audiences" (list .Values.auth.kubernetes.audience) "serviceAccounts" (include "nextstep.serviceRoleAccounts" . | fromYamlArray)) }}
{{- with .Values.auth.oidc }}
{{- $_ := set $cfg "oidc" . }}
{{- end }}
{{- toYaml $cfg }}
{{- end }}

{{/* Where a component's own projected service-account token is mounted. */}}
{{- define "nextstep.tokenDir" -}}
/var/run/secrets/nextstep
{{- end }}

{{/*
The projected service-account token a component presents when it calls a
service: bound to auth.kubernetes.audience, short-lived, rotated by the
kubelet into the file, which the component re-reads.
*/}}
{{- define "nextstep.tokenVolume" -}}
- name: nextstep-token
  projected:
    sources:
      - serviceAccountToken:
          audience: {{ .Values.auth.kubernetes.audience | quote }}
          expirationSeconds: {{ int .Values.auth.kubernetes.tokenExpirationSeconds }}
          path: token
{{- end }}

{{/*
Egress to the Kubernetes API server, for the operator (its resources) and
the services (TokenReview).
*/}}
{{- define "nextstep.apiServerEgress" -}}
- ports:
    {{- range .Values.networkPolicy.apiServerPorts }}
    - protocol: TCP
      port: {{ . }}
    {{- end }}
  {{- with .Values.networkPolicy.apiServerCIDRs }}
  to:
    {{- range . }}
    - ipBlock:
        cidr: {{ . }}
    {{- end }}
  {{- end }}
{{- end }}
