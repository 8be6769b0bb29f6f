{{/* The chart's name, or nameOverride. */}}
{{- define "replistore.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The prefix of object names: fullnameOverride, else the release name when it already contains the
chart's name, else <release>-<chart>. Release "replistore" gives "replistore".
*/}}
{{- define "replistore.fullname" -}}
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

{{/* The operator's objects: <fullname>-operator. */}}
{{- define "replistore.operatorName" -}}
{{- printf "%s-operator" (include "replistore.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "replistore.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "replistore.operatorName" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
Selector labels of the operator's pods. app.kubernetes.io/name=replistore-operator is a contract:
every store's NetworkPolicy admits pods with that label from the operator's namespace.
*/}}
{{- define "replistore.selectorLabels" -}}
app.kubernetes.io/name: replistore-operator
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Labels of every object of the chart. */}}
{{- define "replistore.commonLabels" -}}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/part-of: replistore
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels of the operator's objects. */}}
{{- define "replistore.labels" -}}
app.kubernetes.io/name: replistore-operator
app.kubernetes.io/component: operator
{{ include "replistore.commonLabels" . }}
{{- end }}

{{/* The image reference: repository@digest, else repository:tag (default appVersion). */}}
{{- define "replistore.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* The alert rule groups of files/prometheus/*.yaml: Prometheus rule files ({groups: [...]}) or PrometheusRule objects. */}}
{{- define "replistore.ruleGroups" -}}
{{- $groups := list }}
{{- range $path, $_ := .Files.Glob "files/prometheus/*.{yaml,yml}" }}
{{- $doc := $.Files.Get $path | fromYaml }}
{{- if hasKey $doc "Error" }}
{{- fail (printf "%s is not valid YAML: %s" $path $doc.Error) }}
{{- end }}
{{- if and (hasKey $doc "spec") (kindIs "map" $doc.spec) }}
{{- $groups = concat $groups (default list $doc.spec.groups) }}
{{- else }}
{{- $groups = concat $groups (default list $doc.groups) }}
{{- end }}
{{- end }}
{{- toYaml (dict "groups" $groups) }}
{{- end }}
