// The rendered chart runs: for each ci values file (with loopback addresses --set in), every
// Deployment's container and every migration container is started from the built apps with exactly
// its rendered command, args and environment. Mounted secrets are written to a temporary directory at
// their rendered paths (values from the chart's Secret, from files/init-secrets.mjs for generated
// ones, or from the test for external Secrets), and each app must reach /health and /ready against
// real Postgres, Redis and Synapse (the test bed). No LiveKit server runs here, so rtc-jwt-service's
// readiness call (Twirp ListRooms) is answered by a small server that checks its token like LiveKit.
// The admin dashboard must also sign in with exactly the client the chart registered at the auth service.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import {
  createTestDatabase,
  freePort,
  startSynapse,
  testRedisUrl,
  type Synapse,
  type TestDatabase,
} from '@gateway/testing';
import { TokenVerifier } from 'livekit-server-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Chart, CHART, find, helmRenderBinary, ROOT, type K8sObject, type Rendered } from './support/chart';

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string }; fieldRef?: { fieldPath: string } };
}
interface Container {
  name: string;
  command: string[];
  args: string[];
  env?: EnvVar[];
  ports?: { containerPort: number }[];
  volumeMounts?: { name: string; mountPath: string }[];
}
interface Volume {
  name: string;
  projected?: { sources: { secret: { name: string; items: { key: string; path: string }[] } }[] };
}
interface PodSpec {
  containers: Container[];
  volumes?: Volume[];
}

const LIVEKIT_KEY = 'gateway';
const LIVEKIT_SECRET = 'livekit-api-secret-at-least-32-characters';

/** LiveKit's RoomService as far as readiness needs it: ListRooms with a token signed by the API secret. */
async function startLiveKitRoomService(): Promise<{ url: string; calls: number; server: Server }> {
  const verifier = new TokenVerifier(LIVEKIT_KEY, LIVEKIT_SECRET);
  const state = { url: '', calls: 0, server: undefined as unknown as Server };
  state.server = createServer((req, res) => {
    req.resume();
    void verifier
      .verify((req.headers.authorization ?? '').replace(/^Bearer /, ''))
      .then((grants) => {
        if (req.url !== '/twirp/livekit.RoomService/ListRooms' || grants.video?.roomList !== true) {
          res.writeHead(403, { 'Content-Type': 'application/json' }).end('{"code":"permission_denied"}');
          return;
        }
        state.calls += 1;
        res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"rooms":[]}');
      })
      .catch(() =>
        res.writeHead(401, { 'Content-Type': 'application/json' }).end('{"code":"unauthenticated"}'),
      );
  });
  await new Promise<void>((done) => state.server.listen(0, '127.0.0.1', done));
  state.url = `ws://127.0.0.1:${(state.server.address() as AddressInfo).port}`;
  return state;
}

/** Writes the container's mounted secrets under `dir` and returns its environment with paths mapped there. */
function materialise(
  spec: PodSpec,
  container: Container,
  dir: string,
  secrets: Map<string, Record<string, string>>,
): Record<string, string> {
  const mounts = container.volumeMounts ?? [];
  for (const m of mounts) {
    const volume = spec.volumes?.find((v) => v.name === m.name);
    mkdirSync(join(dir, m.mountPath), { recursive: true });
    for (const source of volume?.projected?.sources ?? []) {
      for (const item of source.secret.items) {
        const value = secrets.get(source.secret.name)?.[item.key];
        if (value === undefined)
          throw new Error(`no test value for Secret ${source.secret.name} key ${item.key}`);
        const path = join(dir, m.mountPath, item.path);
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, value, { mode: 0o440 });
      }
    }
  }
  const mapPath = (v: string): string => {
    const m = mounts.find((x) => v === x.mountPath || v.startsWith(`${x.mountPath}/`));
    return m === undefined ? v : join(dir, v);
  };
  const env: Record<string, string> = {};
  for (const e of container.env ?? []) {
    if (e.value !== undefined) env[e.name] = mapPath(e.value);
    else if (e.valueFrom?.secretKeyRef !== undefined) {
      const { name, key } = e.valueFrom.secretKeyRef;
      const value = secrets.get(name)?.[key];
      if (value === undefined) throw new Error(`no test value for Secret ${name} key ${key}`);
      env[e.name] = value;
    } else if (e.valueFrom?.fieldRef !== undefined) env[e.name] = 'pod-0';
    else throw new Error(`${container.name}: cannot resolve env ${e.name}`);
  }
  return env;
}

function runContainer(container: Container, env: Record<string, string>) {
  expect(container.command).toEqual(['node']);
  return spawn(process.execPath, container.args, {
    cwd: ROOT,
    // Only what the pod would have, plus PATH; nothing of the test's own environment.
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

async function waitFor(url: string, timeoutMs: number, exited: () => string | undefined): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let last = 0;
  while (Date.now() < deadline) {
    const gone = exited();
    if (gone !== undefined) throw new Error(`exited before ${url} answered: ${gone}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await res.body?.cancel();
      last = res.status;
      if (res.ok) return res.status;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms (last status ${last})`);
}

const bin = helmRenderBinary();

describe.skipIf(bin === undefined)('the rendered Deployments run the built apps', () => {
  const chart = new Chart(bin as string);
  let synapse: Synapse | undefined;
  let livekit: Awaited<ReturnType<typeof startLiveKitRoomService>> | undefined;
  const databases: TestDatabase[] = [];
  const work = mkdtempSync(join(tmpdir(), 'chart-apps-'));

  beforeAll(async () => {
    const build = spawnSync(
      'npx',
      [
        'nx',
        'run-many',
        '-t',
        'build',
        '-p',
        'auth-service',
        'rtc-jwt-service',
        'sync-proxy',
        'admin-dashboard',
        '--outputStyle=static',
      ],
      { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NX_DAEMON: 'false' } },
    );
    if (build.status !== 0) throw new Error(`nx build failed:\n${build.stdout}${build.stderr}`);
    livekit = await startLiveKitRoomService();
    synapse = await startSynapse({ mode: 'plain' });
  });

  afterAll(async () => {
    await synapse?.stop();
    const server = livekit?.server;
    if (server !== undefined) await new Promise((done) => server.close(done));
    for (const db of databases) await db.drop();
    rmSync(work, { recursive: true, force: true });
  });

  it.each([
    'minimal-values.yaml',
    'secrets-externally-values.yaml',
    'secrets-in-helm-values.yaml',
    'full-values.yaml',
  ])(
    'ci/%s',
    async (file) => {
      if (synapse === undefined || livekit === undefined) throw new Error('the test bed did not start');
      const [authDb, syncDb] = await Promise.all([
        createTestDatabase('gw_chart'),
        createTestDatabase('gw_chart'),
      ]);
      databases.push(authDb, syncDb);
      const redis = testRedisUrl();
      const [authPort, rtcPort, syncPort, dashboardPort] = [
        await freePort(),
        await freePort(),
        await freePort(),
        await freePort(),
      ];
      const sets = [
        `serverName=${synapse.serverName}`,
        `synapse.url=${synapse.baseUrl}`,
        `authService.port=${authPort}`,
        `rtcJwtService.port=${rtcPort}`,
        `syncProxy.port=${syncPort}`,
        `adminDashboard.port=${dashboardPort}`,
        `rtcJwtService.livekit.url=${livekit.url}`,
        `rtcJwtService.livekit.key=${LIVEKIT_KEY}`,
        // The full example lists remote servers; here only the test bed's exists.
        `rtcJwtService.fullAccessHomeservers=null`,
        // The full example makes rtc-jwt-service a membership client of the auth service; its readiness
        // then asks Synapse's MSC4502 is_joined with that token, which needs a Synapse delegating to this
        // auth service (the plain test bed here is not). The auth side (AUTH_MEMBERSHIP_CLIENTS_FILE,
        // AUTH_ADMIN_CLIENTS_FILE) still starts from the rendered files; chart.spec.ts checks rtc's env,
        // and apps/auth-service/test/contract/membership-clients.contract.spec.ts the flow itself.
        `rtcJwtService.oauth.clientId=`,
        `rtcJwtService.oauth.clientSecret.value=`,
      ];
      const values = chart.values([file]);
      const given = (component: string, path: string): boolean => {
        let v: unknown = values[component];
        for (const k of path.split('.')) v = (v as Record<string, unknown>)[k];
        return typeof (v as { value?: unknown }).value === 'string';
      };
      const byValue: [string, string, string][] = [
        ['authService', 'database', authDb.url],
        ['authService', 'redis', redis],
        ['rtcJwtService', 'livekit.secret', LIVEKIT_SECRET],
        ['rtcJwtService', 'redis', redis],
        ['syncProxy', 'database', syncDb.url],
        ['syncProxy', 'redis', redis],
      ];
      for (const [component, path, v] of byValue)
        if (given(component, path)) sets.push(`${component}.${path}.value=${v}`);
      const objects: Rendered[] = chart.render([file], sets);

      // What the cluster's Secrets would hold.
      const secrets = new Map<string, Record<string, string>>();
      for (const s of find(objects, 'Secret'))
        secrets.set(s.metadata.name, (s as unknown as { stringData: Record<string, string> }).stringData);
      const initJob = find(objects, 'Job', 'gw-init-secrets')[0];
      if (initJob !== undefined) {
        const generate = (
          (initJob as unknown as { spec: { template: { spec: PodSpec } } }).spec.template.spec.containers[0]
            ?.env ?? []
        ).find((e) => e.name === 'GENERATE')?.value;
        const r = spawnSync(process.execPath, [resolve(CHART, 'files/init-secrets.mjs'), '--print'], {
          encoding: 'utf8',
          env: { ...process.env, GENERATE: generate },
        });
        expect(r.status, r.stderr).toBe(0);
        secrets.set('gw-generated', JSON.parse(r.stdout) as Record<string, string>);
      }
      const printed = spawnSync(process.execPath, [resolve(CHART, 'files/init-secrets.mjs'), '--print'], {
        encoding: 'utf8',
        env: { ...process.env, GENERATE: 'k=rsa-jwks' },
      });
      // The external Secrets of ci/secrets-externally-values.yaml.
      secrets.set('gateway-db', { 'auth-url': authDb.url, 'sync-url': syncDb.url });
      secrets.set('gateway-redis', { url: redis });
      secrets.set('gw-synapse', { 'shared-secret': 'external-shared-secret-0123456789' });
      secrets.set('gateway-auth-keys', { 'jwks.json': (JSON.parse(printed.stdout) as { k: string }).k });
      secrets.set('livekit-keys', { secret: `${LIVEKIT_SECRET}\n` });
      secrets.set('gateway-sync', { SYNCV3_SECRET: 'external-sync-secret-0123456789abcdef' });

      // Migrations first, as the pre-install hook runs them.
      const migrations = find(objects, 'Job', 'gw-migrations')[0] as K8sObject;
      const mSpec = (migrations as unknown as { spec: { template: { spec: PodSpec } } }).spec.template.spec;
      for (const container of mSpec.containers) {
        const env = materialise(mSpec, container, join(work, `${file}-migrate-${container.name}`), secrets);
        const child = runContainer(container, env);
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.stderr.on('data', (d: Buffer) => (out += d.toString()));
        const code = await new Promise<number | null>((done) => child.on('exit', done));
        expect(code, `${container.name} migrate: ${out}`).toBe(0);
        expect(out).toMatch(/applied: |database is up to date/);
      }

      const deployments = find(objects, 'Deployment');
      expect(deployments.map((d) => d.metadata.name).sort()).toEqual([
        'gw-admin-dashboard',
        'gw-auth-service',
        'gw-rtc-jwt-service',
        'gw-sync-proxy',
      ]);
      const authEnv = Object.fromEntries(
        (
          (
            find(objects, 'Deployment', 'gw-auth-service')[0] as unknown as {
              spec: { template: { spec: PodSpec } };
            }
          ).spec.template.spec.containers[0]?.env ?? []
        ).map((e) => [e.name, e.value]),
      );
      for (const d of deployments) {
        const spec = (d as unknown as { spec: { template: { spec: PodSpec } } }).spec.template.spec;
        const container = spec.containers[0] as Container;
        const env = materialise(spec, container, join(work, `${file}-${container.name}`), secrets);
        const port = container.ports?.[0]?.containerPort;
        const child = runContainer(container, env);
        let log = '';
        child.stdout.on('data', (x: Buffer) => (log += x.toString()));
        child.stderr.on('data', (x: Buffer) => (log += x.toString()));
        let exit: string | undefined;
        child.on('exit', (code) => (exit = `code ${String(code)}\n${log.slice(-2000)}`));
        try {
          const base = `http://127.0.0.1:${String(port)}`;
          await waitFor(`${base}/health`, 30_000, () => exit);
          await waitFor(`${base}/ready`, 30_000, () => exit);
          if (container.name === 'admin-dashboard') {
            // The page signs in as the client the auth service was given, back at the URI it allows.
            const settings = (await (await fetch(`${base}/config.json`)).json()) as Record<string, string>;
            expect(settings['clientId']).toBe(authEnv['AUTH_DASHBOARD_CLIENT_ID']);
            expect(settings['redirectUri']).toBe(authEnv['AUTH_DASHBOARD_REDIRECT_URI']);
            expect(settings['issuer']).toBe(authEnv['AUTH_ISSUER']);
          }
        } catch (err) {
          throw new Error(`${container.name}: ${(err as Error).message}\n${log.slice(-3000)}`);
        } finally {
          if (exit === undefined) {
            child.kill('SIGTERM');
            await new Promise((done) => child.on('exit', done));
          }
        }
      }
      expect(livekit.calls).toBeGreaterThan(0);
    },
    180_000,
  );
});
