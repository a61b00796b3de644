{{/* Names, labels and image references shared by the templates. */}}

{{- define "portcullis.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* "<release>-portcullis", or the release name when it already contains the chart name. */}}
{{- define "portcullis.fullname" -}}
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

{{/* Object names; kept short enough for the longest suffix ("-sidecar-tokenreview"). */}}
{{- define "portcullis.webhook.name" -}}{{ include "portcullis.fullname" . }}-webhook{{- end }}
{{- define "portcullis.webhook.tlsSecret" -}}
{{- if eq .Values.tls.mode "secret" }}{{ .Values.tls.secret.name }}{{ else if eq .Values.tls.mode "cert-manager" }}{{ include "portcullis.webhook.name" . }}-cert{{ else }}{{ include "portcullis.webhook.name" . }}-tls{{ end }}
{{- end }}
{{- define "portcullis.sidecar.role" -}}{{ include "portcullis.fullname" . }}-sidecar{{- end }}
{{- define "portcullis.sidecar.tokenReviewRole" -}}{{ include "portcullis.fullname" . }}-sidecar-tokenreview{{- end }}

{{- define "portcullis.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "portcullis.labels" -}}
helm.sh/chart: {{ include "portcullis.chart" . }}
app.kubernetes.io/name: {{ include "portcullis.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: portcullis
{{- end }}

{{- define "portcullis.webhook.selectorLabels" -}}
app.kubernetes.io/name: {{ include "portcullis.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: webhook
{{- end }}

{{- define "portcullis.webhook.labels" -}}
{{ include "portcullis.labels" . }}
app.kubernetes.io/component: webhook
{{- end }}

{{/* registry/repository[:tag][@digest]; call with (dict "image" .Values.x.image "root" $). */}}
{{- define "portcullis.image" -}}
{{- $registry := .root.Values.imageRegistry -}}
{{- $repository := ternary (printf "%s/%s" (trimSuffix "/" $registry) .image.repository) .image.repository (ne $registry "") -}}
{{- if .image.digest -}}
{{- printf "%s@%s" $repository .image.digest -}}
{{- else -}}
{{- printf "%s:%s" $repository (default .root.Chart.AppVersion .image.tag) -}}
{{- end -}}
{{- end }}

{{/* Namespaces the webhook is never called for and never injects into: the listed ones plus its own. */}}
{{- define "portcullis.excludedNamespaces" -}}
{{- $all := append .Values.webhook.namespaceSelector.excludedNamespaces .Release.Namespace -}}
{{- uniq $all | join "," -}}
{{- end }}
