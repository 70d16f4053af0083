{{/*
Names, labels and the credential plumbing shared by every component. Components are addressed by
their values key (authService, rtcJwtService, syncProxy, adminDashboard); "mg.appName" maps it to the
app's name.
*/}}

{{- define "mg.appName" -}}
{{- get (dict "authService" "auth-service" "rtcJwtService" "rtc-jwt-service" "syncProxy" "sync-proxy" "adminDashboard" "admin-dashboard") . -}}
{{- end -}}

{{- define "mg.name" -}}
{{- printf "%s-%s" .root.Release.Name (include "mg.appName" .component) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "mg.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: matrix-gateway
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
{{ include "mg.selectorLabels" . }}
{{- with .root.Values.labels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{- define "mg.selectorLabels" -}}
app.kubernetes.io/name: {{ if .name }}{{ .name }}{{ else }}{{ include "mg.appName" .component }}{{ end }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end -}}

{{- define "mg.image" -}}
{{- $image := .image -}}
{{- printf "%s:%s" $image.repository (toString ($image.tag | default .root.Chart.AppVersion)) -}}
{{- end -}}

{{/* The component's public base URL, without a trailing slash: publicUrl, else its ingress host. */}}
{{- define "mg.publicUrl" -}}
{{- $c := index .root.Values .component -}}
{{- if $c.publicUrl -}}
{{- trimSuffix "/" $c.publicUrl -}}
{{- else if $c.ingress.host -}}
{{- printf "%s://%s" (ternary "https" "http" .root.Values.ingress.tls) (tpl $c.ingress.host .root) -}}
{{- else -}}
{{- fail (printf "%s: set %s.ingress.host or %s.publicUrl (its public URL)" .component .component .component) -}}
{{- end -}}
{{- end -}}

{{/* The in-cluster URL of a component's Service. */}}
{{- define "mg.serviceUrl" -}}
{{- $c := index .root.Values .component -}}
{{- printf "http://%s.%s.svc:%v" (include "mg.name" .) .root.Release.Namespace $c.port -}}
{{- end -}}

{{/* The in-cluster URL of a component's internal listener (/metrics, and the admin API where it has one). */}}
{{- define "mg.internalUrl" -}}
{{- $c := index .root.Values .component -}}
{{- printf "http://%s.%s.svc:%v" (include "mg.name" .) .root.Release.Namespace $c.metricsPort -}}
{{- end -}}

{{/*
Whether a component's admin API is on: the component is deployed and has its admin client (the
client it checks admin tokens with at the auth service). The dashboard links to it only then.
*/}}
{{- define "mg.adminApiOn" -}}
{{- $c := index .root.Values .component -}}
{{- if and $c.enabled $c.admin.clientId -}}true{{- end -}}
{{- end -}}

{{/*
A component's admin API settings (<prefix>_AUTH_URL, _CLIENT_ID; the secret is a credential, a file):
the auth service it asks whether a token is an admin's, as one of that service's admin clients. When
both the client's secret and authService.adminClients are plain values, the pair must be listed there.
*/}}
{{- define "mg.adminClientEnv" -}}
{{- $root := .root -}}
{{- $admin := (index $root.Values .component).admin -}}
{{- $hasSecret := or $admin.clientSecret.value $admin.clientSecret.secret -}}
{{- if $admin.clientId -}}
{{- if not $hasSecret -}}
{{- fail (printf "%s.admin.clientSecret is required with %s.admin.clientId" .component .component) -}}
{{- end -}}
{{- $authUrl := $admin.authUrl -}}
{{- if not $authUrl -}}
{{- if not $root.Values.authService.enabled -}}
{{- fail (printf "%s.admin.authUrl is required when authService is not deployed" .component) -}}
{{- end -}}
{{- $authUrl = include "mg.serviceUrl" (dict "root" $root "component" "authService") -}}
{{- end -}}
{{- $listed := $root.Values.authService.adminClients.value -}}
{{- if and $listed $admin.clientSecret.value $root.Values.authService.enabled -}}
{{- $entries := list -}}
{{- range regexSplit "[,\n]" $listed -1 -}}{{- $entries = append $entries (trim .) -}}{{- end -}}
{{- if not (has (printf "%s:%s" $admin.clientId $admin.clientSecret.value) $entries) -}}
{{- fail (printf "%s.admin: authService.adminClients must list %s with the same secret (id:secret)" .component $admin.clientId) -}}
{{- end -}}
{{- end }}
- name: {{ .prefix }}_AUTH_URL
  value: {{ $authUrl | quote }}
- name: {{ .prefix }}_CLIENT_ID
  value: {{ $admin.clientId | quote }}
{{- else if $hasSecret -}}
{{- fail (printf "%s.admin.clientSecret is set without %s.admin.clientId" .component .component) -}}
{{- end -}}
{{- end -}}

{{/*
Every credential the chart handles. key: the key in <release>-secrets / <release>-generated and the
file name under /secrets; fileEnv: the variable naming the file (the app reads the value from it);
env: a variable set from the Secret directly, for an app that reads no file for it; generate: how
the initSecrets Job makes it when the operator gives none.
*/}}
{{- define "mg.credentialSpecs" -}}
- { component: authService, path: database, key: AUTH_DATABASE_URL, fileEnv: AUTH_DATABASE_URL_FILE, required: true }
- { component: authService, path: redis, key: AUTH_REDIS_URL, fileEnv: AUTH_REDIS_URL_FILE, required: true }
- { component: authService, path: synapseSharedSecret, key: AUTH_SYNAPSE_SECRET, fileEnv: AUTH_SYNAPSE_SECRET_FILE, generate: hex32 }
- { component: authService, path: signingKeys, key: AUTH_SIGNING_KEYS, fileEnv: AUTH_SIGNING_KEY_FILE, generate: rsa-jwks }
- { component: authService, path: adminClients, key: AUTH_ADMIN_CLIENTS, fileEnv: AUTH_ADMIN_CLIENTS_FILE }
- { component: authService, path: membershipClients, key: AUTH_MEMBERSHIP_CLIENTS, fileEnv: AUTH_MEMBERSHIP_CLIENTS_FILE }
- { component: authService, path: upstreamOauth2, key: AUTH_UPSTREAM_OAUTH2, fileEnv: AUTH_UPSTREAM_OAUTH2_FILE }
- { component: rtcJwtService, path: oauth.clientSecret, key: LIVEKIT_OAUTH_CLIENT_SECRET, fileEnv: LIVEKIT_OAUTH_CLIENT_SECRET_FILE }
- { component: rtcJwtService, path: admin.clientSecret, key: RTC_ADMIN_CLIENT_SECRET, fileEnv: RTC_ADMIN_CLIENT_SECRET_FILE }
- { component: authService, path: email.smtpPassword, key: AUTH_EMAIL_SMTP_PASSWORD, fileEnv: AUTH_EMAIL_SMTP_PASSWORD_FILE }
- { component: authService, path: mfa.encryptionKey, key: AUTH_MFA_ENCRYPTION_KEY, fileEnv: AUTH_MFA_ENCRYPTION_KEY_FILE }
- { component: rtcJwtService, path: livekit.secret, key: LIVEKIT_SECRET, fileEnv: LIVEKIT_SECRET_FROM_FILE, required: true }
- { component: rtcJwtService, path: redis, key: LIVEKIT_REDIS_URL, env: LIVEKIT_REDIS_URL }
- { component: syncProxy, path: database, key: SYNCV3_DB, fileEnv: SYNCV3_DB_FILE, required: true }
- { component: syncProxy, path: redis, key: SYNCV3_REDIS, fileEnv: SYNCV3_REDIS_FILE }
- { component: syncProxy, path: secret, key: SYNCV3_SECRET, fileEnv: SYNCV3_SECRET_FILE, generate: hex32 }
- { component: syncProxy, path: admin.clientSecret, key: SYNCV3_ADMIN_CLIENT_SECRET, fileEnv: SYNCV3_ADMIN_CLIENT_SECRET_FILE }
{{- end -}}

{{/*
The credentials of the enabled components, resolved: each spec plus `source` (value, secret,
generated) and the Secret `name` / `secretKey` it is read from. A required one that is missing fails.
*/}}
{{- define "mg.credentials" -}}
{{- $root := . -}}
{{- $out := list -}}
{{- range (include "mg.credentialSpecs" . | fromYamlArray) -}}
{{- $c := index $root.Values .component -}}
{{- if $c.enabled -}}
{{- $cred := $c -}}
{{- range splitList "." .path -}}{{- $cred = index $cred . -}}{{- end -}}
{{- $r := deepCopy . -}}
{{- if $cred.secret -}}
{{- $_ := set $r "source" "secret" -}}
{{- $_ := set $r "name" (tpl $cred.secret $root) -}}
{{- $_ := set $r "secretKey" (required (printf "%s.%s.secretKey is required with secret" .component .path) $cred.secretKey) -}}
{{- else if $cred.value -}}
{{- $_ := set $r "source" "value" -}}
{{- $_ := set $r "value" $cred.value -}}
{{- $_ := set $r "name" (printf "%s-secrets" $root.Release.Name) -}}
{{- $_ := set $r "secretKey" .key -}}
{{- else if and .generate $root.Values.initSecrets.enabled -}}
{{- $_ := set $r "source" "generated" -}}
{{- $_ := set $r "name" (printf "%s-generated" $root.Release.Name) -}}
{{- $_ := set $r "secretKey" .key -}}
{{- else if or .required .generate -}}
{{- fail (printf "%s.%s is required: give {value: ...} or {secret: ..., secretKey: ...}%s" .component .path (ternary " (or enable initSecrets to generate it)" "" (not (empty .generate)))) -}}
{{- end -}}
{{- if $r.source -}}{{- $out = append $out $r -}}{{- end -}}
{{- end -}}
{{- end -}}
{{- toJson (dict "items" $out) -}}
{{- end -}}

{{/* The projected volume of the component's file credentials, and its mount at /secrets (both may be empty). */}}
{{- define "mg.secretsVolume" -}}
{{- $component := .component -}}
{{- $sources := list -}}
{{- range (include "mg.credentials" .root | fromJson).items -}}
{{- if and (eq .component $component) .fileEnv -}}
{{- $sources = append $sources (dict "secret" (dict "name" .name "items" (list (dict "key" .secretKey "path" .key)))) -}}
{{- end -}}
{{- end -}}
{{- if $sources }}
- name: {{ .volume | default "secrets" }}
  projected:
    defaultMode: 0440
    sources:
      {{- toYaml $sources | nindent 6 }}
{{- end }}
{{- end -}}

{{- define "mg.secretsMounts" -}}
{{- $volume := .volume | default "secrets" -}}
{{- $component := .component -}}
{{- range (include "mg.credentials" .root | fromJson).items -}}
{{- if and (eq .component $component) .fileEnv }}
- name: {{ $volume }}
  mountPath: /secrets
  readOnly: true
{{- break -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "mg.secretsEnv" -}}
{{- $component := .component -}}
{{- range (include "mg.credentials" .root | fromJson).items -}}
{{- if eq .component $component -}}
{{- if .fileEnv }}
- name: {{ .fileEnv }}
  value: {{ printf "/secrets/%s" .key | quote }}
{{- else }}
- name: {{ .env }}
  valueFrom:
    secretKeyRef:
      name: {{ .name }}
      key: {{ .secretKey }}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* The app's own environment (its config.ts), from the values. */}}
{{- define "mg.env" -}}
{{- $root := .root -}}
{{- $v := $root.Values -}}
{{- if eq .component "authService" -}}
{{- $c := $v.authService }}
- name: AUTH_BIND
  value: {{ printf "0.0.0.0:%v" $c.port | quote }}
- name: AUTH_METRICS_BIND
  value: {{ printf "0.0.0.0:%v" $c.metricsPort | quote }}
- name: AUTH_LOG_LEVEL
  value: {{ $c.logLevel | quote }}
- name: AUTH_ISSUER
  value: {{ printf "%s/" (include "mg.publicUrl" (dict "root" $root "component" "authService")) | quote }}
- name: AUTH_HOMESERVER
  value: {{ required "serverName is required" $v.serverName | quote }}
- name: AUTH_SYNAPSE_URL
  value: {{ required "synapse.url is required" $v.synapse.url | quote }}
- name: AUTH_REGISTRATION_ENABLED
  value: {{ $c.registrationEnabled | toString | quote }}
- name: AUTH_ACCESS_TOKEN_TTL
  value: {{ $c.accessTokenTtl | toString | quote }}
- name: AUTH_LOGIN_ATTEMPTS
  value: {{ $c.loginAttempts | toString | quote }}
- name: AUTH_REGISTRATION_TOKEN_REQUIRED
  value: {{ $c.registrationTokenRequired | toString | quote }}
- name: AUTH_PASSWORD_MINIMUM_COMPLEXITY
  value: {{ $c.passwordMinimumComplexity | toString | quote }}
- name: AUTH_SYNC_DEVICES_INTERVAL
  value: {{ $c.syncDevicesInterval | toString | quote }}
- name: AUTH_MEMBERSHIP_USER
  value: {{ $c.membershipUser | quote }}
- name: AUTH_AUDIT_RETENTION_DAYS
  value: {{ $c.auditRetentionDays | toString | quote }}
{{- if and (ne $c.mfa.required "off") (not (or $c.mfa.encryptionKey.value $c.mfa.encryptionKey.secret)) }}
{{- fail "authService.mfa.required needs authService.mfa.encryptionKey" }}
{{- end }}
- name: AUTH_MFA_REQUIRED
  value: {{ $c.mfa.required | quote }}
{{- with $c.trustedProxies }}
- name: AUTH_TRUSTED_PROXIES
  value: {{ join "," . | quote }}
{{- end }}
- name: AUTH_REGISTRATIONS_PER_HOUR
  value: {{ $c.rateLimits.registrationsPerHour | toString | quote }}
- name: AUTH_CLIENT_REGISTRATIONS_PER_HOUR
  value: {{ $c.rateLimits.clientRegistrationsPerHour | toString | quote }}
- name: AUTH_TOKEN_REQUESTS_PER_MINUTE
  value: {{ $c.rateLimits.tokenRequestsPerMinute | toString | quote }}
{{- with $c.email }}
- name: AUTH_EMAIL_TRANSPORT
  value: {{ .transport | quote }}
{{- if eq .transport "smtp" }}
- name: AUTH_EMAIL_SMTP_HOST
  value: {{ required "authService.email.smtpHost is required with transport smtp" .smtpHost | quote }}
{{- if .smtpPort }}
- name: AUTH_EMAIL_SMTP_PORT
  value: {{ .smtpPort | toString | quote }}
{{- end }}
- name: AUTH_EMAIL_SMTP_MODE
  value: {{ .smtpMode | quote }}
{{- with .smtpUsername }}
- name: AUTH_EMAIL_SMTP_USERNAME
  value: {{ . | quote }}
{{- end }}
- name: AUTH_EMAIL_FROM
  value: {{ required "authService.email.from is required with transport smtp" .from | quote }}
{{- with .replyTo }}
- name: AUTH_EMAIL_REPLY_TO
  value: {{ . | quote }}
{{- end }}
{{- end }}
- name: AUTH_EMAIL_CHANGE_ALLOWED
  value: {{ .changeAllowed | toString | quote }}
- name: AUTH_PASSWORD_RECOVERY_ENABLED
  value: {{ .passwordRecoveryEnabled | toString | quote }}
- name: AUTH_EMAILS_PER_HOUR_PER_ADDRESS
  value: {{ .perHourPerAddress | toString | quote }}
- name: AUTH_EMAILS_PER_HOUR_PER_IP
  value: {{ .perHourPerIp | toString | quote }}
{{- end }}
{{- with $c.firstPartyClients }}
- name: AUTH_FIRST_PARTY_CLIENTS
  value: {{ join "," . | quote }}
{{- end }}
{{- if $v.adminDashboard.enabled }}
{{- /* The dashboard's public client (code + PKCE), sent back to its own /callback after sign-in. */}}
- name: AUTH_DASHBOARD_CLIENT_ID
  value: {{ $v.adminDashboard.clientId | quote }}
- name: AUTH_DASHBOARD_REDIRECT_URI
  value: {{ printf "%s/callback" (include "mg.publicUrl" (dict "root" $root "component" "adminDashboard")) | quote }}
{{- end }}
{{- else if eq .component "rtcJwtService" -}}
{{- $c := $v.rtcJwtService }}
- name: LIVEKIT_JWT_BIND
  value: {{ printf ":%v" $c.port | quote }}
- name: RTC_METRICS_BIND
  value: {{ printf "0.0.0.0:%v" $c.metricsPort | quote }}
- name: LIVEKIT_LOG_LEVEL
  value: {{ $c.logLevel | quote }}
- name: LIVEKIT_URL
  value: {{ required "rtcJwtService.livekit.url is required" $c.livekit.url | quote }}
- name: LIVEKIT_KEY
  value: {{ required "rtcJwtService.livekit.key is required" $c.livekit.key | quote }}
- name: LIVEKIT_FULL_ACCESS_HOMESERVERS
  value: {{ join "," ($c.fullAccessHomeservers | default (list (required "serverName is required" $v.serverName))) | quote }}
{{- if $c.oauth.clientId }}
{{- if not (or $c.oauth.clientSecret.value $c.oauth.clientSecret.secret) }}
{{- fail "rtcJwtService.oauth.clientSecret is required with rtcJwtService.oauth.clientId" }}
{{- end }}
- name: LIVEKIT_OAUTH_TOKEN_URL
  value: {{ $c.oauth.tokenUrl | default (printf "%s/oauth2/token" (include "mg.serviceUrl" (dict "root" $root "component" "authService"))) | quote }}
- name: LIVEKIT_OAUTH_CLIENT_ID
  value: {{ $c.oauth.clientId | quote }}
- name: LIVEKIT_HS_SERVER_NAME
  value: {{ required "serverName is required" $v.serverName | quote }}
{{- else if or $c.oauth.clientSecret.value $c.oauth.clientSecret.secret }}
{{- fail "rtcJwtService.oauth.clientSecret is set without rtcJwtService.oauth.clientId" }}
{{- end }}
{{- with $c.trustedProxies }}
- name: RTC_TRUSTED_PROXIES
  value: {{ join "," . | quote }}
{{- end }}
- name: RTC_RATE_LIMIT_PER_IP
  value: {{ $c.rateLimits.perIp | toString | quote }}
- name: RTC_RATE_LIMIT_PER_USER
  value: {{ $c.rateLimits.perUser | toString | quote }}
- name: LIVEKIT_MEMBERSHIP_CHECK_INTERVAL_SECONDS
  value: {{ $c.membershipCheckIntervalSeconds | toString | quote }}
- name: RTC_MEMBERSHIP_CACHE_SECONDS
  value: {{ $c.membershipCacheSeconds | toString | quote }}
{{- include "mg.adminClientEnv" (dict "root" $root "component" "rtcJwtService" "prefix" "RTC_ADMIN") }}
{{- else if eq .component "syncProxy" -}}
{{- $c := $v.syncProxy }}
- name: SYNCV3_BINDADDR
  value: {{ printf "0.0.0.0:%v" $c.port | quote }}
- name: SYNCV3_PROM
  value: {{ printf "0.0.0.0:%v" $c.metricsPort | quote }}
- name: SYNCV3_LOG_LEVEL
  value: {{ $c.logLevel | quote }}
- name: SYNCV3_SERVER
  value: {{ required "synapse.url is required" $v.synapse.url | quote }}
- name: SYNCV3_MAX_DB_CONN
  value: {{ $c.maxDbConnections | toString | quote }}
{{- with $c.trustedProxies }}
- name: SYNCV3_TRUSTED_PROXIES
  value: {{ join "," . | quote }}
{{- end }}
- name: SYNCV3_PUBLIC_URL
  value: {{ include "mg.publicUrl" (dict "root" $root "component" "syncProxy") | quote }}
{{- if $v.rtcJwtService.enabled }}
- name: SYNCV3_LIVEKIT_SERVICE_URL
  value: {{ include "mg.publicUrl" (dict "root" $root "component" "rtcJwtService") | quote }}
{{- end }}
{{- if $v.authService.enabled }}
{{- /* Legacy clients' /login, /logout and /refresh go to the auth service's compat layer. */}}
- name: SYNCV3_AUTH_SERVICE_URL
  value: {{ include "mg.serviceUrl" (dict "root" $root "component" "authService") | quote }}
{{- end }}
{{- include "mg.adminClientEnv" (dict "root" $root "component" "syncProxy" "prefix" "SYNCV3_ADMIN") }}
{{- else if eq .component "adminDashboard" -}}
{{- $c := $v.adminDashboard }}
{{- if not $v.authService.enabled }}
{{- fail "adminDashboard needs authService.enabled: operators sign in at the auth service and the dashboard works through its admin API (or set adminDashboard.enabled=false)" }}
{{- end }}
- name: DASHBOARD_BIND
  value: {{ printf "0.0.0.0:%v" $c.port | quote }}
- name: DASHBOARD_METRICS_BIND
  value: {{ printf "0.0.0.0:%v" $c.metricsPort | quote }}
- name: DASHBOARD_LOG_LEVEL
  value: {{ $c.logLevel | quote }}
- name: DASHBOARD_PUBLIC_URL
  value: {{ printf "%s/" (include "mg.publicUrl" (dict "root" $root "component" "adminDashboard")) | quote }}
{{- /* Browsers go to the issuer to sign in; the server proxies the admin API to the Service. */}}
- name: DASHBOARD_AUTH_ISSUER
  value: {{ printf "%s/" (include "mg.publicUrl" (dict "root" $root "component" "authService")) | quote }}
- name: DASHBOARD_AUTH_SERVICE_URL
  value: {{ include "mg.serviceUrl" (dict "root" $root "component" "authService") | quote }}
- name: DASHBOARD_CLIENT_ID
  value: {{ $c.clientId | quote }}
{{- /* The overview's charts sample the auth service's /metrics on its internal port. */}}
- name: DASHBOARD_AUTH_METRICS_URL
  value: {{ include "mg.internalUrl" (dict "root" $root "component" "authService") | quote }}
{{- with $c.trustedProxies }}
- name: DASHBOARD_TRUSTED_PROXIES
  value: {{ join "," . | quote }}
{{- end }}
{{- /* The RTC and sync admin APIs listen on those services' internal port only, never the public one. */}}
{{- if include "mg.adminApiOn" (dict "root" $root "component" "rtcJwtService") }}
- name: DASHBOARD_RTC_ADMIN_URL
  value: {{ include "mg.internalUrl" (dict "root" $root "component" "rtcJwtService") | quote }}
{{- end }}
{{- if include "mg.adminApiOn" (dict "root" $root "component" "syncProxy") }}
- name: DASHBOARD_SYNC_ADMIN_URL
  value: {{ include "mg.internalUrl" (dict "root" $root "component" "syncProxy") | quote }}
{{- end }}
{{- end }}
{{- include "mg.secretsEnv" . }}
{{- with (index $v .component).extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end -}}

