{{/*
Everything one component runs as: Deployment, Service, Ingress, ServiceMonitor, PodDisruptionBudget,
HorizontalPodAutoscaler and NetworkPolicy. Called with (dict "root" $ "component" "<values key>").
*/}}
{{- define "mg.componentResources" -}}
{{- $root := .root -}}
{{- $c := index $root.Values .component -}}
{{- if $c.enabled -}}
{{- $name := include "mg.name" . -}}
{{- $ctx := . }}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ $name }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "mg.labels" $ctx | nindent 4 }}
spec:
  {{- if not $c.autoscaling.enabled }}
  replicas: {{ $c.replicas }}
  {{- end }}
  selector:
    matchLabels:
      {{- include "mg.selectorLabels" $ctx | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "mg.labels" $ctx | nindent 8 }}
      annotations:
        {{- /* Roll the pods when a credential given in the values changes. */}}
        checksum/secrets: {{ include "mg.credentials" $root | sha256sum }}
        {{- with $c.podAnnotations }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
    spec:
      automountServiceAccountToken: false
      {{- with $root.Values.imagePullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      securityContext:
        {{- toYaml $root.Values.podSecurityContext | nindent 8 }}
      containers:
        - name: {{ include "mg.appName" .component }}
          image: {{ include "mg.image" (dict "root" $root "image" $c.image) | quote }}
          imagePullPolicy: {{ $c.image.pullPolicy }}
          command: [node]
          args: [{{ printf "dist/apps/%s/main.js" (include "mg.appName" .component) | quote }}]
          ports:
            - name: http
              containerPort: {{ $c.port }}
              protocol: TCP
            - name: metrics
              containerPort: {{ $c.metricsPort }}
              protocol: TCP
          env:
            {{- include "mg.env" $ctx | nindent 12 }}
          livenessProbe:
            httpGet: { path: /health, port: http }
            periodSeconds: 10
            timeoutSeconds: 3
            failureThreshold: 6
          readinessProbe:
            httpGet: { path: /ready, port: http }
            periodSeconds: 5
            timeoutSeconds: 3
            failureThreshold: 2
          startupProbe:
            httpGet: { path: /health, port: http }
            periodSeconds: 2
            failureThreshold: 60
          resources:
            {{- toYaml $c.resources | nindent 12 }}
          securityContext:
            {{- toYaml $root.Values.containerSecurityContext | nindent 12 }}
          volumeMounts:
            - name: tmp
              mountPath: /tmp
            {{- include "mg.secretsMounts" $ctx | nindent 12 }}
            {{- with $c.extraVolumeMounts }}
            {{- toYaml . | nindent 12 }}
            {{- end }}
      {{- /* The apps drain in-flight requests on SIGTERM (libs/server); long polls need the time. */}}
      terminationGracePeriodSeconds: 45
      volumes:
        - name: tmp
          emptyDir:
            medium: Memory
            sizeLimit: 64Mi
        {{- include "mg.secretsVolume" $ctx | nindent 8 }}
        {{- with $c.extraVolumes }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      {{- with $c.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $c.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $c.affinity }}
      affinity:
        {{- toYaml . | nindent 8 }}
      {{- end }}
---
apiVersion: v1
kind: Service
metadata:
  name: {{ $name }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "mg.labels" $ctx | nindent 4 }}
spec:
  type: ClusterIP
  selector:
    {{- include "mg.selectorLabels" $ctx | nindent 4 }}
  ports:
    - name: http
      port: {{ $c.port }}
      targetPort: http
      protocol: TCP
    - name: metrics
      port: {{ $c.metricsPort }}
      targetPort: metrics
      protocol: TCP
{{- if $c.ingress.enabled }}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: {{ $name }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "mg.labels" $ctx | nindent 4 }}
  {{- with (merge (deepCopy $c.ingress.annotations) $root.Values.ingress.annotations) }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  {{- with $root.Values.ingress.className }}
  ingressClassName: {{ . }}
  {{- end }}
  {{- $host := tpl (required (printf "%s.ingress.host is required when its ingress is enabled" .component) $c.ingress.host) $root }}
  {{- if $root.Values.ingress.tls }}
  tls:
    - hosts: [{{ $host | quote }}]
      secretName: {{ $root.Values.ingress.tlsSecret | default (printf "%s-tls" $name) }}
  {{- end }}
  rules:
    - host: {{ $host | quote }}
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: {{ $name }}
                port:
                  name: http
{{- end }}
{{- if and $c.serviceMonitor.enabled ($root.Capabilities.APIVersions.Has "monitoring.coreos.com/v1/ServiceMonitor") }}
---
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: {{ $name }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "mg.labels" $ctx | nindent 4 }}
spec:
  selector:
    matchLabels:
      {{- include "mg.selectorLabels" $ctx | nindent 6 }}
  endpoints:
    - port: metrics
      path: /metrics
      interval: {{ $c.serviceMonitor.interval }}
{{- end }}
{{- if $c.podDisruptionBudget.enabled }}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ $name }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "mg.labels" $ctx | nindent 4 }}
spec:
  maxUnavailable: {{ $c.podDisruptionBudget.maxUnavailable }}
  selector:
    matchLabels:
      {{- include "mg.selectorLabels" $ctx | nindent 6 }}
{{- end }}
{{- if $c.autoscaling.enabled }}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ $name }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "mg.labels" $ctx | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ $name }}
  minReplicas: {{ $c.autoscaling.minReplicas }}
  maxReplicas: {{ $c.autoscaling.maxReplicas }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ $c.autoscaling.targetCPUUtilizationPercentage }}
{{- end }}
{{- if $root.Values.networkPolicies.enabled }}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ $name }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "mg.labels" $ctx | nindent 4 }}
spec:
  podSelector:
    matchLabels:
      {{- include "mg.selectorLabels" $ctx | nindent 6 }}
  policyTypes: [Ingress]
  ingress:
    - ports:
        - port: http
          protocol: TCP
        # The internal /metrics listener, for the ServiceMonitor; the Ingress never routes to it.
        - port: metrics
          protocol: TCP
      {{- with $root.Values.networkPolicies.ingressFrom }}
      from:
        {{- toYaml . | nindent 8 }}
        {{- /* The release's own pods call each other (the auth service, the admin APIs on the internal port). */}}
        - podSelector:
            matchLabels:
              app.kubernetes.io/part-of: matrix-gateway
              app.kubernetes.io/instance: {{ $root.Release.Name }}
      {{- end }}
{{- end }}
{{- end }}
{{- end -}}
