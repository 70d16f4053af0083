// The chart rendered with Go's text/template + sprig (tools/helm-render) for every ci/*values.yaml:
// values checked against values.schema.json (ajv, draft 2020-12), every object checked against the
// Kubernetes 1.36 API types strictly (unknown fields refused, validate.go) and against the OpenAPI
// schemas of the kubernetes-models packages (types, required fields, formats).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { Ajv2020 } from 'ajv8/dist/2020.js';
import * as monitoringV1 from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import * as appsV1 from 'kubernetes-models/apps/v1';
import * as autoscalingV2 from 'kubernetes-models/autoscaling/v2';
import * as batchV1 from 'kubernetes-models/batch/v1';
import * as networkingV1 from 'kubernetes-models/networking.k8s.io/v1';
import * as policyV1 from 'kubernetes-models/policy/v1';
import * as rbacV1 from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import * as coreV1 from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import {
  Chart,
  CHART,
  CI_VALUES,
  find,
  helmRenderBinary,
  ROOT,
  type K8sObject,
  type Rendered,
} from './support/chart';

const MODELS: Record<string, Record<string, unknown>> = {
  v1: coreV1,
  'apps/v1': appsV1,
  'autoscaling/v2': autoscalingV2,
  'batch/v1': batchV1,
  'networking.k8s.io/v1': networkingV1,
  'policy/v1': policyV1,
  'rbac.authorization.k8s.io/v1': rbacV1,
  'monitoring.coreos.com/v1': monitoringV1,
};

function openApiValidate(object: K8sObject): void {
  const Model = MODELS[object.apiVersion]?.[object.kind] as
    (new (data: unknown) => { validate(): void }) | undefined;
  if (Model === undefined) throw new Error(`no model for ${object.apiVersion} ${object.kind}`);
  new Model(object).validate();
}

const schema = JSON.parse(readFileSync(resolve(CHART, 'values.schema.json'), 'utf8')) as Record<
  string,
  unknown
>;
const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true, strictRequired: false });
const validateValues = ajv.compile(schema);

const bin = helmRenderBinary();
const chart = bin === undefined ? undefined : new Chart(bin);

type Container = {
  name: string;
  args?: string[];
  command?: string[];
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
  livenessProbe?: { httpGet?: { path: string } };
  readinessProbe?: { httpGet?: { path: string } };
  securityContext?: Record<string, unknown>;
  volumeMounts?: { name: string; mountPath: string }[];
};
type PodSpec = {
  containers: Container[];
  securityContext?: Record<string, unknown>;
  volumes?: { name: string; emptyDir?: unknown; projected?: unknown }[];
};
const podSpec = (o: K8sObject): PodSpec =>
  (o as unknown as { spec: { template: { spec: PodSpec } } }).spec.template.spec;

describe.skipIf(chart === undefined)('chart matrix-gateway', () => {
  const c = chart as Chart;
  const rendered = new Map<string, Rendered[]>();
  const renderCi = (file: string): Rendered[] => {
    let r = rendered.get(file);
    if (r === undefined) {
      r = c.render([file]);
      rendered.set(file, r);
    }
    return r;
  };

  it('has at least minimal, full, secrets-externally and secrets-in-helm ci values', () => {
    for (const f of ['minimal', 'full', 'secrets-externally', 'secrets-in-helm'])
      expect(CI_VALUES).toContain(`${f}-values.yaml`);
  });

  describe.each(CI_VALUES)('ci/%s', (file) => {
    it('passes values.schema.json', () => {
      const values = c.values([file]);
      const ok = validateValues(values);
      expect(ok ? [] : validateValues.errors).toEqual([]);
    });

    it('renders only objects the Kubernetes API accepts, strictly', () => {
      const objects = renderCi(file).map((r) => r.object);
      expect(objects.length).toBeGreaterThan(3);
      const results = c.strictValidate(objects);
      expect(results.filter((r) => r.status === 'invalid')).toEqual([]);
      // Only the Prometheus Operator's kind has no Go type here; the models below check it.
      expect(new Set(results.filter((r) => r.status === 'unchecked').map((r) => r.kind))).toEqual(
        new Set(
          objects.some((o) => o.kind === 'ServiceMonitor') ? ['monitoring.coreos.com/v1/ServiceMonitor'] : [],
        ),
      );
      for (const o of objects) openApiValidate(o);
      const names = objects.map((o) => `${o.kind}/${o.metadata.name}`);
      expect(names.length).toBe(new Set(names).size);
    });

    it('runs every pod non-root on a read-only root filesystem with a /tmp emptyDir, probing /health and /ready', () => {
      const objects = renderCi(file);
      const pods = [...find(objects, 'Deployment'), ...find(objects, 'Job')];
      expect(pods.length).toBeGreaterThan(0);
      for (const o of pods) {
        const spec = podSpec(o);
        expect(spec.securityContext?.['runAsNonRoot'], o.metadata.name).toBe(true);
        expect(spec.volumes?.find((v) => v.name === 'tmp')?.emptyDir, o.metadata.name).toBeDefined();
        for (const container of spec.containers) {
          expect(container.securityContext?.['readOnlyRootFilesystem'], container.name).toBe(true);
          expect(container.securityContext?.['allowPrivilegeEscalation'], container.name).toBe(false);
          expect(container.volumeMounts?.find((m) => m.name === 'tmp')?.mountPath).toBe('/tmp');
          if (o.kind === 'Deployment') {
            expect(container.livenessProbe?.httpGet?.path).toBe('/health');
            expect(container.readinessProbe?.httpGet?.path).toBe('/ready');
            expect(container.args).toEqual([`dist/apps/${container.name}/main.js`]);
          }
        }
      }
    });

    it('keeps every credential out of the pods’ environment: files under /secrets, or secretKeyRef', () => {
      const objects = renderCi(file);
      const secretValues = find(objects, 'Secret').flatMap((s) =>
        Object.values((s as unknown as { stringData?: Record<string, string> }).stringData ?? {}),
      );
      for (const o of [...find(objects, 'Deployment'), ...find(objects, 'Job')]) {
        for (const container of podSpec(o).containers) {
          for (const e of container.env ?? []) {
            if (e.value !== undefined)
              for (const secret of secretValues) expect(e.value).not.toContain(secret);
            if (e.name.endsWith('_FILE')) expect(e.value).toMatch(/^\/secrets\/[A-Z0-9_]+$/);
          }
        }
      }
    });
  });

  it('minimal: generated secrets, migrations for the two apps with a database, the well-known route', () => {
    const objects = renderCi('minimal-values.yaml');
    const job = find(objects, 'Job', 'gw-init-secrets')[0];
    const env = podSpec(job as K8sObject).containers[0]?.env ?? [];
    expect(env.find((e) => e.name === 'GENERATE')?.value).toBe(
      'AUTH_SYNAPSE_SECRET=hex32,AUTH_SIGNING_KEYS=rsa-jwks,SYNCV3_SECRET=hex32',
    );
    expect(env.find((e) => e.name === 'SECRET_NAME')?.value).toBe('gw-generated');
    const migrations = find(objects, 'Job', 'gw-migrations')[0] as K8sObject;
    expect(podSpec(migrations).containers.map((x) => [x.name, x.args])).toEqual([
      ['auth-service', ['dist/apps/auth-service/cli.js', 'migrate']],
      ['sync-proxy', ['dist/apps/sync-proxy/cli.js', 'migrate']],
    ]);
    for (const hook of [...find(objects, 'Job'), ...find(objects, 'Secret')])
      expect(hook.metadata.annotations?.['helm.sh/hook']).toBe('pre-install,pre-upgrade');
    expect(find(objects, 'HorizontalPodAutoscaler')).toEqual([]);
    const wellKnown = find(objects, 'Ingress', 'gw-well-known')[0] as unknown as {
      spec: { rules: { host: string; http: { paths: { path: string; backend: unknown }[] } }[] };
    };
    expect(wellKnown.spec.rules[0]?.host).toBe('example.com');
    expect(wellKnown.spec.rules[0]?.http.paths[0]).toEqual({
      path: '/.well-known/matrix/client',
      pathType: 'Exact',
      backend: { service: { name: 'gw-sync-proxy', port: { name: 'http' } } },
    });
    const sync = podSpec(find(objects, 'Deployment', 'gw-sync-proxy')[0] as K8sObject).containers[0];
    expect(sync?.env?.find((e) => e.name === 'SYNCV3_PUBLIC_URL')?.value).toBe('https://matrix.example.com');
    expect(sync?.env?.find((e) => e.name === 'SYNCV3_LIVEKIT_SERVICE_URL')?.value).toBe(
      'https://rtc.example.com',
    );
    // Legacy /login, /logout and /refresh reach the auth service's compat layer inside the cluster.
    expect(sync?.env?.find((e) => e.name === 'SYNCV3_AUTH_SERVICE_URL')?.value).toBe(
      'http://gw-auth-service.matrix.svc:8080',
    );
  });

  it('minimal: the Synapse snippet delegates auth, advertises the RTC transport and turns password login off', () => {
    const cm = find(renderCi('minimal-values.yaml'), 'ConfigMap', 'gw-synapse-config')[0] as unknown as {
      data: Record<string, string>;
    };
    const snippet = cm.data['homeserver-snippet.yaml'] ?? '';
    expect(snippet).toContain('# Mount key AUTH_SYNAPSE_SECRET of Secret gw-generated at');
    expect(c.yamlToJson(snippet)).toEqual({
      matrix_authentication_service: {
        enabled: true,
        endpoint: 'http://gw-auth-service.matrix.svc:8080/',
        secret_path: '/etc/matrix-gateway/synapse-shared-secret',
      },
      enable_registration: false,
      password_config: { enabled: false },
      matrix_rtc: { transports: [{ type: 'livekit', livekit_service_url: 'https://rtc.example.com' }] },
      experimental_features: {
        msc4143_enabled: true,
        msc4502_enabled: true,
        msc4108_enabled: true,
        msc4306_enabled: true,
      },
    });
  });

  it('full: autoscalers own the replica count; extra env, volumes, scheduling and peers are passed through', () => {
    const objects = renderCi('full-values.yaml');
    expect(
      find(objects, 'HorizontalPodAutoscaler')
        .map((o) => o.metadata.name)
        .sort(),
    ).toEqual(['gw-auth-service', 'gw-rtc-jwt-service', 'gw-sync-proxy']);
    // The dashboard (no autoscaler in this file) keeps its replicas value.
    for (const d of find(objects, 'Deployment'))
      expect((d as unknown as { spec: Record<string, unknown> }).spec['replicas'], d.metadata.name).toBe(
        d.metadata.name === 'gw-admin-dashboard' ? 2 : undefined,
      );
    const auth = podSpec(find(objects, 'Deployment', 'gw-auth-service')[0] as K8sObject);
    expect(auth.containers[0]?.env?.map((e) => e.name)).toEqual(
      expect.arrayContaining(['NODE_OPTIONS', 'POD_NAME']),
    );
    expect(auth.volumes?.map((v) => v.name)).toEqual(['tmp', 'secrets', 'ca']);
    expect(
      find(objects, 'ServiceMonitor')
        .map((o) => o.metadata.name)
        .sort(),
    ).toEqual(['gw-admin-dashboard', 'gw-auth-service', 'gw-rtc-jwt-service']);
    // Scraped on the internal metrics listener: the public port does not serve /metrics.
    for (const monitor of find(objects, 'ServiceMonitor'))
      expect((monitor as unknown as { spec: { endpoints: { port: string }[] } }).spec.endpoints).toEqual([
        expect.objectContaining({ port: 'metrics', path: '/metrics' }),
      ]);
    expect(auth.containers[0]?.env?.find((e) => e.name === 'AUTH_METRICS_BIND')?.value).toBe('0.0.0.0:9090');
    expect(auth.containers[0]?.env?.find((e) => e.name === 'AUTH_AUDIT_RETENTION_DAYS')?.value).toBe('30');
    expect(
      find(objects, 'PodDisruptionBudget')
        .map((o) => o.metadata.name)
        .sort(),
    ).toEqual(['gw-admin-dashboard', 'gw-auth-service', 'gw-sync-proxy']);
    const rtc = podSpec(find(objects, 'Deployment', 'gw-rtc-jwt-service')[0] as K8sObject).containers[0];
    expect(rtc?.env?.find((e) => e.name === 'LIVEKIT_REDIS_URL')?.valueFrom).toEqual({
      secretKeyRef: { name: 'gw-secrets', key: 'LIVEKIT_REDIS_URL' },
    });
    const snippet = (
      find(objects, 'ConfigMap', 'gw-synapse-config')[0] as unknown as { data: Record<string, string> }
    ).data['homeserver-snippet.yaml'];
    expect(c.yamlToJson(snippet ?? '')).toMatchObject({
      matrix_rtc: {
        transports: [{ type: 'livekit', livekit_service_url: 'https://example.com/livekit/jwt' }],
      },
      experimental_features: { msc4143_enabled: true },
    });
    // The three peers of the values, then the release's own pods (the dashboard calls the auth service
    // and the admin APIs, the sync proxy the auth service's compat layer).
    const policies = find(objects, 'NetworkPolicy');
    expect(policies.map((o) => o.metadata.name).sort()).toEqual([
      'gw-admin-dashboard',
      'gw-auth-service',
      'gw-rtc-jwt-service',
      'gw-sync-proxy',
    ]);
    for (const np of policies) {
      const from = (np as unknown as { spec: { ingress: { from: unknown[] }[] } }).spec.ingress[0]?.from;
      expect(from).toHaveLength(4);
      expect(from?.[3]).toEqual({
        podSelector: {
          matchLabels: { 'app.kubernetes.io/part-of': 'matrix-gateway', 'app.kubernetes.io/instance': 'gw' },
        },
      });
    }
  });

  it('full: registration tokens, device sync, admin and membership clients, and rtc-jwt-service as a membership client', () => {
    const objects = renderCi('full-values.yaml');
    const envOf = (name: string) =>
      Object.fromEntries(
        (podSpec(find(objects, 'Deployment', name)[0] as K8sObject).containers[0]?.env ?? []).map((e) => [
          e.name,
          e.value ?? e.valueFrom,
        ]),
      );
    expect(envOf('gw-auth-service')).toMatchObject({
      AUTH_REGISTRATION_TOKEN_REQUIRED: 'true',
      AUTH_PASSWORD_MINIMUM_COMPLEXITY: '4',
      AUTH_SYNC_DEVICES_INTERVAL: '600',
      AUTH_MEMBERSHIP_USER: 'gateway-rtc',
      AUTH_ADMIN_CLIENTS_FILE: '/secrets/AUTH_ADMIN_CLIENTS',
      AUTH_MEMBERSHIP_CLIENTS_FILE: '/secrets/AUTH_MEMBERSHIP_CLIENTS',
      AUTH_UPSTREAM_OAUTH2_FILE: '/secrets/AUTH_UPSTREAM_OAUTH2',
    });
    expect(envOf('gw-rtc-jwt-service')).toMatchObject({
      LIVEKIT_OAUTH_TOKEN_URL: 'http://gw-auth-service.matrix.svc:8080/oauth2/token',
      LIVEKIT_OAUTH_CLIENT_ID: 'rtc',
      LIVEKIT_OAUTH_CLIENT_SECRET_FILE: '/secrets/LIVEKIT_OAUTH_CLIENT_SECRET',
      LIVEKIT_HS_SERVER_NAME: 'example.com',
    });
    const secret = find(objects, 'Secret', 'gw-secrets')[0] as unknown as {
      stringData: Record<string, string>;
    };
    expect(secret.stringData).toMatchObject({
      AUTH_ADMIN_CLIENTS:
        'ops-console:admin-client-secret-0123456789,rtc-admin:rtc-admin-secret-0123456789,sync-admin:sync-admin-secret-0123456789',
      AUTH_MEMBERSHIP_CLIENTS: 'rtc:membership-client-secret-0123456789',
      LIVEKIT_OAUTH_CLIENT_SECRET: 'membership-client-secret-0123456789',
    });
    // The upstream providers' file (it holds their client secrets) goes as a secret file, as given.
    expect(secret.stringData['AUTH_UPSTREAM_OAUTH2']).toContain(
      'client_secret: upstream-client-secret-0123456789',
    );
    // Left unset (minimal), none of them is passed but the plain values' defaults.
    const minimal = renderCi('minimal-values.yaml');
    const auth =
      podSpec(find(minimal, 'Deployment', 'gw-auth-service')[0] as K8sObject).containers[0]?.env ?? [];
    expect(auth.filter((e) => /ADMIN_CLIENTS|MEMBERSHIP_CLIENTS|UPSTREAM_OAUTH2/.test(e.name))).toEqual([]);
    expect(auth.find((e) => e.name === 'AUTH_SYNC_DEVICES_INTERVAL')?.value).toBe('3600');
    const rtc =
      podSpec(find(minimal, 'Deployment', 'gw-rtc-jwt-service')[0] as K8sObject).containers[0]?.env ?? [];
    expect(rtc.filter((e) => e.name.startsWith('LIVEKIT_OAUTH_'))).toEqual([]);
  });

  it('full: trusted proxies, rate limits and the membership check reach every service; minimal keeps the apps’ defaults', () => {
    const envOf = (objects: Rendered[], name: string) =>
      Object.fromEntries(
        (podSpec(find(objects, 'Deployment', name)[0] as K8sObject).containers[0]?.env ?? []).map((e) => [
          e.name,
          e.value,
        ]),
      );
    const full = renderCi('full-values.yaml');
    expect(envOf(full, 'gw-auth-service')).toMatchObject({
      AUTH_TRUSTED_PROXIES: '10.0.0.0/8,192.168.0.0/16',
      AUTH_REGISTRATIONS_PER_HOUR: '5',
      AUTH_CLIENT_REGISTRATIONS_PER_HOUR: '60',
      AUTH_TOKEN_REQUESTS_PER_MINUTE: '300',
    });
    expect(envOf(full, 'gw-rtc-jwt-service')).toMatchObject({
      RTC_TRUSTED_PROXIES: '10.0.0.0/8',
      RTC_RATE_LIMIT_PER_IP: '300',
      RTC_RATE_LIMIT_PER_USER: '60',
      LIVEKIT_MEMBERSHIP_CHECK_INTERVAL_SECONDS: '60',
      RTC_MEMBERSHIP_CACHE_SECONDS: '10',
    });
    expect(envOf(full, 'gw-sync-proxy')).toMatchObject({ SYNCV3_TRUSTED_PROXIES: '10.0.0.0/8' });
    // The chart's defaults are the apps' own (apps/*/src/config.ts); no proxy is trusted unless listed.
    const minimal = renderCi('minimal-values.yaml');
    const auth = envOf(minimal, 'gw-auth-service');
    expect(auth).toMatchObject({
      AUTH_REGISTRATIONS_PER_HOUR: '10',
      AUTH_CLIENT_REGISTRATIONS_PER_HOUR: '120',
      AUTH_TOKEN_REQUESTS_PER_MINUTE: '600',
    });
    expect(auth).not.toHaveProperty('AUTH_TRUSTED_PROXIES');
    expect(envOf(minimal, 'gw-rtc-jwt-service')).toMatchObject({
      RTC_RATE_LIMIT_PER_IP: '600',
      RTC_RATE_LIMIT_PER_USER: '120',
      LIVEKIT_MEMBERSHIP_CHECK_INTERVAL_SECONDS: '30',
      RTC_MEMBERSHIP_CACHE_SECONDS: '5',
    });
    expect(envOf(minimal, 'gw-sync-proxy')).not.toHaveProperty('SYNCV3_TRUSTED_PROXIES');
  });

  it('two-factor authentication: the key reaches the auth service as a file and the policy as AUTH_MFA_REQUIRED; required without a key is refused', () => {
    const authOf = (objects: Rendered[]) =>
      podSpec(find(objects, 'Deployment', 'gw-auth-service')[0] as K8sObject).containers[0]?.env ?? [];
    const full = renderCi('full-values.yaml');
    const env = authOf(full);
    expect(env.find((e) => e.name === 'AUTH_MFA_REQUIRED')?.value).toBe('admins');
    expect(env.find((e) => e.name === 'AUTH_MFA_ENCRYPTION_KEY_FILE')?.value).toBe(
      '/secrets/AUTH_MFA_ENCRYPTION_KEY',
    );
    expect(env.find((e) => e.name === 'AUTH_MFA_ENCRYPTION_KEY')).toBeUndefined();
    const secret = find(full, 'Secret', 'gw-secrets')[0] as unknown as { stringData: Record<string, string> };
    expect(secret.stringData['AUTH_MFA_ENCRYPTION_KEY']).toBe('mfa-encryption-key-for-ci-0123456789abcdef');
    // Left out, as the app's own default: not offered, nobody required.
    const minimal = authOf(renderCi('minimal-values.yaml'));
    expect(minimal.find((e) => e.name === 'AUTH_MFA_REQUIRED')?.value).toBe('off');
    expect(minimal.filter((e) => e.name.startsWith('AUTH_MFA_ENCRYPTION_KEY'))).toEqual([]);
    expect(() => c.render(['minimal-values.yaml'], ['authService.mfa.required=everyone'])).toThrow(
      /authService.mfa.required needs authService.mfa.encryptionKey/,
    );
  });

  it('refuses rtcJwtService.oauth.clientId without its secret, and the secret without the id', () => {
    expect(() => c.render(['minimal-values.yaml'], ['rtcJwtService.oauth.clientId=rtc'])).toThrow(
      /rtcJwtService.oauth.clientSecret is required/,
    );
  });

  it('full: the email settings reach the auth service, its SMTP password as a file from the Secret', () => {
    const objects = renderCi('full-values.yaml');
    const env =
      podSpec(find(objects, 'Deployment', 'gw-auth-service')[0] as K8sObject).containers[0]?.env ?? [];
    const value = (name: string) => env.find((e) => e.name === name)?.value;
    expect(value('AUTH_EMAIL_TRANSPORT')).toBe('smtp');
    expect(value('AUTH_EMAIL_SMTP_HOST')).toBe('smtp.example.com');
    expect(value('AUTH_EMAIL_SMTP_MODE')).toBe('tls');
    // Port 0 in the values: the mode's default, so no variable.
    expect(value('AUTH_EMAIL_SMTP_PORT')).toBeUndefined();
    expect(value('AUTH_EMAIL_SMTP_USERNAME')).toBe('gateway');
    expect(value('AUTH_EMAIL_SMTP_PASSWORD')).toBeUndefined();
    expect(value('AUTH_EMAIL_SMTP_PASSWORD_FILE')).toBe('/secrets/AUTH_EMAIL_SMTP_PASSWORD');
    expect(value('AUTH_EMAIL_FROM')).toBe('Example Chat <noreply@example.com>');
    expect(value('AUTH_EMAIL_REPLY_TO')).toBe('help@example.com');
    expect(value('AUTH_EMAIL_CHANGE_ALLOWED')).toBe('true');
    expect(value('AUTH_PASSWORD_RECOVERY_ENABLED')).toBe('true');
    expect(value('AUTH_EMAILS_PER_HOUR_PER_ADDRESS')).toBe('5');
    expect(value('AUTH_EMAILS_PER_HOUR_PER_IP')).toBe('10');
    // Minimal: mail off, and nothing of SMTP set.
    const minimal =
      podSpec(find(renderCi('minimal-values.yaml'), 'Deployment', 'gw-auth-service')[0] as K8sObject)
        .containers[0]?.env ?? [];
    expect(minimal.find((e) => e.name === 'AUTH_EMAIL_TRANSPORT')?.value).toBe('off');
    expect(minimal.some((e) => e.name.startsWith('AUTH_EMAIL_SMTP_'))).toBe(false);
  });

  it('minimal: the dashboard is deployed on its host and is the auth service’s public client at its /callback', () => {
    const objects = renderCi('minimal-values.yaml');
    const envOf = (name: string) =>
      Object.fromEntries(
        (podSpec(find(objects, 'Deployment', name)[0] as K8sObject).containers[0]?.env ?? []).map((e) => [
          e.name,
          e.value,
        ]),
      );
    expect(envOf('gw-auth-service')).toMatchObject({
      AUTH_DASHBOARD_CLIENT_ID: 'admin-dashboard',
      AUTH_DASHBOARD_REDIRECT_URI: 'https://admin.example.com/callback',
    });
    const dashboard = envOf('gw-admin-dashboard');
    expect(dashboard).toEqual({
      DASHBOARD_BIND: '0.0.0.0:8080',
      DASHBOARD_METRICS_BIND: '0.0.0.0:9090',
      DASHBOARD_LOG_LEVEL: 'info',
      DASHBOARD_PUBLIC_URL: 'https://admin.example.com/',
      // Browsers sign in at the public issuer; the server proxies the admin API inside the cluster.
      DASHBOARD_AUTH_ISSUER: 'https://auth.example.com/',
      // The overview's charts sample the auth service's /metrics on its internal port.
      DASHBOARD_AUTH_METRICS_URL: 'http://gw-auth-service.matrix.svc:9090',
      DASHBOARD_AUTH_SERVICE_URL: 'http://gw-auth-service.matrix.svc:8080',
      DASHBOARD_CLIENT_ID: 'admin-dashboard',
    });
    const deployment = find(objects, 'Deployment', 'gw-admin-dashboard')[0] as unknown as {
      spec: { replicas: number; template: { spec: PodSpec } };
    };
    expect(deployment.spec.replicas).toBe(1);
    // No credential: nothing is mounted but /tmp.
    expect(deployment.spec.template.spec.volumes?.map((v) => v.name)).toEqual(['tmp']);
    const ingress = find(objects, 'Ingress', 'gw-admin-dashboard')[0] as unknown as {
      spec: { tls: { hosts: string[] }[]; rules: { host: string; http: { paths: unknown[] } }[] };
    };
    expect(ingress.spec.tls[0]?.hosts).toEqual(['admin.example.com']);
    expect(ingress.spec.rules).toEqual([
      {
        host: 'admin.example.com',
        http: {
          paths: [
            {
              path: '/',
              pathType: 'Prefix',
              backend: { service: { name: 'gw-admin-dashboard', port: { name: 'http' } } },
            },
          ],
        },
      },
    ]);
    const service = find(objects, 'Service', 'gw-admin-dashboard')[0] as unknown as {
      spec: { ports: { name: string; port: number }[] };
    };
    expect(service.spec.ports.map((p) => [p.name, p.port])).toEqual([
      ['http', 8080],
      ['metrics', 9090],
    ]);
    // Without admin clients the RTC and sync services serve no admin API, and the dashboard links to none.
    expect(Object.keys(dashboard).filter((k) => k.includes('ADMIN_URL'))).toEqual([]);
    expect(Object.keys(envOf('gw-rtc-jwt-service')).filter((k) => k.startsWith('RTC_ADMIN_'))).toEqual([]);
    expect(Object.keys(envOf('gw-sync-proxy')).filter((k) => k.startsWith('SYNCV3_ADMIN_'))).toEqual([]);
  });

  it('full: the dashboard’s client id and public URL reach the auth service; it reaches the RTC and sync admin APIs on their internal ports', () => {
    const objects = renderCi('full-values.yaml');
    const envOf = (name: string) =>
      Object.fromEntries(
        (podSpec(find(objects, 'Deployment', name)[0] as K8sObject).containers[0]?.env ?? []).map((e) => [
          e.name,
          e.value,
        ]),
      );
    expect(envOf('gw-auth-service')).toMatchObject({
      AUTH_DASHBOARD_CLIENT_ID: 'gateway-console',
      // publicUrl's trailing slash is not doubled.
      AUTH_DASHBOARD_REDIRECT_URI: 'https://admin.example.com/callback',
      AUTH_ADMIN_CLIENTS_FILE: '/secrets/AUTH_ADMIN_CLIENTS',
    });
    expect(envOf('gw-admin-dashboard')).toMatchObject({
      DASHBOARD_PUBLIC_URL: 'https://admin.example.com/',
      DASHBOARD_CLIENT_ID: 'gateway-console',
      DASHBOARD_LOG_LEVEL: 'debug',
      DASHBOARD_TRUSTED_PROXIES: '10.0.0.0/8',
      DASHBOARD_RTC_ADMIN_URL: 'http://gw-rtc-jwt-service.matrix.svc:9090',
      DASHBOARD_SYNC_ADMIN_URL: 'http://gw-sync-proxy.matrix.svc:9090',
      DASHBOARD_AUTH_METRICS_URL: 'http://gw-auth-service.matrix.svc:9090',
    });
    expect(envOf('gw-rtc-jwt-service')).toMatchObject({
      RTC_ADMIN_AUTH_URL: 'http://gw-auth-service.matrix.svc:8080',
      RTC_ADMIN_CLIENT_ID: 'rtc-admin',
      RTC_ADMIN_CLIENT_SECRET_FILE: '/secrets/RTC_ADMIN_CLIENT_SECRET',
    });
    expect(envOf('gw-sync-proxy')).toMatchObject({
      SYNCV3_ADMIN_AUTH_URL: 'https://auth.example.com',
      SYNCV3_ADMIN_CLIENT_ID: 'sync-admin',
      SYNCV3_ADMIN_CLIENT_SECRET_FILE: '/secrets/SYNCV3_ADMIN_CLIENT_SECRET',
    });
    // The admin clients' secrets are files from the chart's Secret, and the auth service lists both.
    const secret = find(objects, 'Secret', 'gw-secrets')[0] as unknown as {
      stringData: Record<string, string>;
    };
    expect(secret.stringData).toMatchObject({
      RTC_ADMIN_CLIENT_SECRET: 'rtc-admin-secret-0123456789',
      SYNCV3_ADMIN_CLIENT_SECRET: 'sync-admin-secret-0123456789',
    });
    expect(secret.stringData['AUTH_ADMIN_CLIENTS']?.split(',')).toEqual(
      expect.arrayContaining([
        'rtc-admin:rtc-admin-secret-0123456789',
        'sync-admin:sync-admin-secret-0123456789',
      ]),
    );
    const dashboard = find(objects, 'Deployment', 'gw-admin-dashboard')[0] as unknown as {
      spec: { replicas: number };
    };
    expect(dashboard.spec.replicas).toBe(2);
    const ingress = find(objects, 'Ingress', 'gw-admin-dashboard')[0] as K8sObject;
    expect(ingress.metadata.annotations).toEqual({
      'cert-manager.io/cluster-issuer': 'letsencrypt',
      'nginx.ingress.kubernetes.io/whitelist-source-range': '192.0.2.0/24',
    });
  });

  it('secrets-externally: reads every credential from the named Secrets; no chart-made Secret, no initSecrets Job', () => {
    const objects = renderCi('secrets-externally-values.yaml');
    expect(find(objects, 'Secret')).toEqual([]);
    expect(find(objects, 'Job').map((j) => j.metadata.name)).toEqual(['gw-migrations']);
    const auth = podSpec(find(objects, 'Deployment', 'gw-auth-service')[0] as K8sObject);
    const projected = auth.volumes?.find((v) => v.name === 'secrets')?.projected as {
      sources: { secret: { name: string; items: { key: string; path: string }[] } }[];
    };
    expect(
      projected.sources.map((s) => [s.secret.name, s.secret.items[0]?.key, s.secret.items[0]?.path]),
    ).toEqual([
      ['gateway-db', 'auth-url', 'AUTH_DATABASE_URL'],
      ['gateway-redis', 'url', 'AUTH_REDIS_URL'],
      ['gw-synapse', 'shared-secret', 'AUTH_SYNAPSE_SECRET'],
      ['gateway-auth-keys', 'jwks.json', 'AUTH_SIGNING_KEYS'],
    ]);
  });

  it('secrets-in-helm: every credential in <release>-secrets, nothing to generate', () => {
    const objects = renderCi('secrets-in-helm-values.yaml');
    expect(find(objects, 'Job', 'gw-init-secrets')).toEqual([]);
    const secret = find(objects, 'Secret', 'gw-secrets')[0] as unknown as {
      stringData: Record<string, string>;
    };
    expect(Object.keys(secret.stringData).sort()).toEqual(
      [
        'AUTH_DATABASE_URL',
        'AUTH_REDIS_URL',
        'AUTH_SIGNING_KEYS',
        'AUTH_SYNAPSE_SECRET',
        'LIVEKIT_REDIS_URL',
        'LIVEKIT_SECRET',
        'SYNCV3_DB',
        'SYNCV3_REDIS',
        'SYNCV3_SECRET',
      ].sort(),
    );
  });

  it('a disabled component leaves no trace', () => {
    const objects = renderCi('sync-proxy-only-values.yaml');
    expect(
      objects.filter((o) => /auth-service|rtc-jwt-service|admin-dashboard/.test(o.object.metadata.name)),
    ).toEqual([]);
    expect(
      podSpec(find(objects, 'Job', 'gw-migrations')[0] as K8sObject).containers.map((x) => x.name),
    ).toEqual(['sync-proxy']);
    const snippet = (
      find(objects, 'ConfigMap', 'gw-synapse-config')[0] as unknown as { data: Record<string, string> }
    ).data['homeserver-snippet.yaml'];
    expect(c.yamlToJson(snippet ?? '')).toEqual({
      password_config: { enabled: false },
      experimental_features: { msc4143_enabled: false, msc4108_enabled: true, msc4306_enabled: true },
    });
    // Thread subscriptions are Synapse's to turn off: the snippet then leaves them out.
    const off = c.render(['sync-proxy-only-values.yaml'], ['synapseConfig.msc4306Enabled=false']);
    const offSnippet = (
      find(off, 'ConfigMap', 'gw-synapse-config')[0] as unknown as { data: Record<string, string> }
    ).data['homeserver-snippet.yaml'];
    expect(c.yamlToJson(offSnippet ?? '')).toEqual({
      password_config: { enabled: false },
      experimental_features: { msc4143_enabled: false, msc4108_enabled: true },
    });
  });

  it.each([
    [
      'a required credential is missing',
      ['minimal-values.yaml'],
      ['syncProxy.database=null'],
      /syncProxy\.database is required/,
    ],
    [
      'a secret to generate with initSecrets off',
      ['minimal-values.yaml'],
      ['initSecrets.enabled=false'],
      /authService\.synapseSharedSecret is required/,
    ],
    [
      'no ingress host and no publicUrl',
      ['minimal-values.yaml'],
      ['authService.ingress.host='],
      /authService\.ingress\.host/,
    ],
    [
      'an external secret without its key',
      ['minimal-values.yaml'],
      ['syncProxy.secret.secret=s'],
      /syncProxy\.secret\.secretKey is required/,
    ],
    [
      'the dashboard has no host',
      ['minimal-values.yaml'],
      ['adminDashboard.ingress.host='],
      /set adminDashboard\.ingress\.host or adminDashboard\.publicUrl/,
    ],
    [
      'the dashboard is on without the auth service',
      ['sync-proxy-only-values.yaml'],
      ['adminDashboard.enabled=true', 'adminDashboard.ingress.host=admin.example.com'],
      /adminDashboard needs authService\.enabled/,
    ],
    [
      'an admin client has no secret',
      ['minimal-values.yaml'],
      ['syncProxy.admin.clientId=sync-admin'],
      /syncProxy\.admin\.clientSecret is required with syncProxy\.admin\.clientId/,
    ],
    [
      'an admin client secret has no client id',
      ['minimal-values.yaml'],
      ['rtcJwtService.admin.clientSecret.value=rtc-admin-secret-0123456789'],
      /rtcJwtService\.admin\.clientSecret is set without rtcJwtService\.admin\.clientId/,
    ],
    [
      'an admin client is not among the auth service’s admin clients',
      ['full-values.yaml'],
      ['rtcJwtService.admin.clientSecret.value=another-secret-0123456789'],
      /rtcJwtService\.admin: authService\.adminClients must list rtc-admin/,
    ],
    [
      'the sync proxy’s admin API has no auth service to ask',
      ['sync-proxy-only-values.yaml'],
      [
        'syncProxy.admin.clientId=sync-admin',
        'syncProxy.admin.clientSecret.value=sync-admin-secret-0123456789',
      ],
      /syncProxy\.admin\.authUrl is required when authService is not deployed/,
    ],
  ])('refuses to render when %s, naming the value', (_what, files, sets, message) => {
    const r = c.tryRender(files, sets);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(message);
  });

  it.each([
    ['an unknown top-level key', ['serverNme=example.com']],
    ['a typo in a component key', ['authService.replica=3']],
    ['an unknown key in a credential', ['authService.database.valu=x']],
    [
      'a credential with both value and secret',
      ['authService.redis.secret=s', 'authService.redis.secretKey=k'],
    ],
    ['a credential secret without secretKey', ['syncProxy.secret.secret=s']],
    ['a log level the app refuses', ['syncProxy.logLevel=verbose']],
    ['a port out of range', ['rtcJwtService.port=70000']],
    ['a replica count as text', ['authService.replicas=two']],
    ['a bad server name', ['serverName=exa mple.com']],
    ['an access token lifetime the auth service refuses', ['authService.accessTokenTtl=30']],
    ['a negative audit retention', ['authService.auditRetentionDays=-1']],
    ['an enabled sync proxy without a database', ['syncProxy.database=null']],
    ['an enabled rtc-jwt-service without a LiveKit URL', ['rtcJwtService.livekit.url=']],
    ['an env var with a bad name', ['syncProxy.extraEnv[0].name=1BAD']],
    ['an unknown key in the ingress', ['syncProxy.ingress.hostname=x']],
    ['a Synapse URL that is not http(s)', ['synapse.url=ftp://synapse']],
    ['a dashboard client id the auth service refuses', ['adminDashboard.clientId=admin dashboard']],
    ['a typo in the dashboard’s keys', ['adminDashboard.clientID=x']],
    ['a dashboard public URL with a query', ['adminDashboard.publicUrl=https://admin.example.com/?x']],
    ['an unknown key in an admin client', ['syncProxy.admin.secret=x']],
    ['an unknown two-factor policy', ['authService.mfa.required=sometimes']],
  ])('values.schema.json refuses %s', (_what, sets) => {
    const values = c.values(['minimal-values.yaml'], sets);
    expect(validateValues(values)).toBe(false);
  });

  it('values.yaml matches the defaults documented in the schema', () => {
    const defaults = c.values([]);
    const walk = (node: Record<string, unknown>, value: unknown, path: string): void => {
      const props = node['properties'] as Record<string, Record<string, unknown>> | undefined;
      if (props !== undefined && node['$ref'] === undefined && value !== null && typeof value === 'object') {
        for (const [k, v] of Object.entries(value)) {
          expect(props[k], `${path}.${k} in the schema`).toBeDefined();
          walk(props[k] as Record<string, unknown>, v, `${path}.${k}`);
        }
        return;
      }
      expect(node['default'], path).toEqual(value);
    };
    walk(schema, defaults, '');
  });

  it('describes every value and refuses unknown keys in every object it defines', () => {
    const problems: string[] = [];
    const walk = (node: unknown, path: string): void => {
      if (node === null || typeof node !== 'object') return;
      const n = node as Record<string, unknown>;
      if (n['properties'] !== undefined) {
        if (n['additionalProperties'] !== false) problems.push(`${path}: additionalProperties is not false`);
        for (const [k, child] of Object.entries(n['properties'] as Record<string, Record<string, unknown>>)) {
          if (typeof child['description'] !== 'string' || child['description'] === '')
            problems.push(`${path}.${k}: no description`);
          walk(child, `${path}.${k}`);
        }
      }
      for (const key of ['items', '$defs'])
        if (n[key] !== undefined) {
          if (key === '$defs')
            for (const [k, d] of Object.entries(n[key] as Record<string, unknown>)) walk(d, `$defs.${k}`);
          else walk(n[key], `${path}[${key}]`);
        }
    };
    walk(schema, '');
    expect(problems).toEqual([]);
  });

  it('README.md is generated from the current schema', () => {
    const r = spawnSync(process.execPath, [resolve(ROOT, 'tools/helm-render/chart-readme.mjs'), '--check'], {
      encoding: 'utf8',
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
