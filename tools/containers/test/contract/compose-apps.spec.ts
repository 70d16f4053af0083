// docker/compose.yaml's gateway services, started from the built apps with exactly the environment
// Compose would give them: compose.yaml interpolated with a .env made by `generate-config.mjs init`, and
// Synapse started from the homeserver.yaml the generator renders from the same .env. Only what the
// container network decides is mapped to this machine: service host names and container ports become
// loopback ports, the three databases become test databases, Redis the test Redis (same db index), and
// the auth-data volume a temporary directory. No LiveKit server runs here, so LIVEKIT_PUBLIC_URL points
// at the fake one. What this proves is the wiring: the RTC service's membership check through the auth
// service's client_credentials token and Synapse's MSC4502, and the admin endpoints the dashboard uses,
// reached with the clients compose registers.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  adminDatabaseUrl,
  createTestDatabase,
  FakeLiveKit,
  freePort,
  startSynapse,
  testRedisUrl,
  type Synapse,
  type TestDatabase,
} from '@gateway/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = resolve(__dirname, '../../../..');
const generator = resolve(root, 'docker/generate-config.mjs');
const GATEWAY = ['auth-service', 'rtc-jwt-service', 'sync-proxy', 'admin-dashboard'] as const;
type Gateway = (typeof GATEWAY)[number];
const ENTRY: Record<Gateway, string> = {
  'auth-service': 'dist/apps/auth-service/main.js',
  'rtc-jwt-service': 'dist/apps/rtc-jwt-service/main.js',
  'sync-proxy': 'dist/apps/sync-proxy/main.js',
  'admin-dashboard': 'dist/apps/admin-dashboard/main.js',
};

/**
 * Compose's variable interpolation (compose-spec "Interpolation"): `$$`, `$VAR`, `${VAR}`,
 * `${VAR:-default}`, `${VAR-default}`, `${VAR:?error}`, `${VAR?error}`, `${VAR:+other}`, `${VAR+other}`.
 * Nested expressions are not used by compose.yaml and are not supported here.
 */
function interpolate(text: string, vars: Record<string, string>, where: string): string {
  return text.replace(
    /\$\$|\$([A-Za-z_][A-Za-z0-9_]*)|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}/g,
    (
      match: string,
      bare: string | undefined,
      name: string | undefined,
      op: string | undefined,
      given: string | undefined,
    ): string => {
      const arg = given ?? '';
      if (match === '$$') return '$';
      const key = (bare ?? name) as string;
      const value = vars[key];
      const set = value !== undefined;
      const nonEmpty = set && value !== '';
      switch (op) {
        case undefined:
          return value ?? '';
        case ':-':
          return nonEmpty ? value : arg;
        case '-':
          return set ? value : arg;
        case ':?':
        case '?':
          if (op === ':?' ? nonEmpty : set) return value as string;
          throw new Error(`${where}: ${key}: ${arg}`);
        case ':+':
          return nonEmpty ? arg : '';
        default:
          return set ? arg : '';
      }
    },
  );
}

interface ComposeService {
  environment?: Record<string, string | number | boolean>;
}

/** Each gateway service's environment, as Compose resolves it from compose.yaml and the .env. */
function composeEnvironments(vars: Record<string, string>): Record<Gateway, Record<string, string>> {
  const compose = parse(readFileSync(resolve(root, 'docker/compose.yaml'), 'utf8')) as {
    services: Record<string, ComposeService>;
  };
  const out = {} as Record<Gateway, Record<string, string>>;
  for (const name of GATEWAY) {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(compose.services[name]?.environment ?? {}))
      env[k] = interpolate(String(v), vars, `${name}.${k}`);
    out[name] = env;
  }
  return out;
}

function waitFor(url: string, timeoutMs: number, exited: () => string | undefined): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  const attempt = async (): Promise<Response> => {
    const gone = exited();
    if (gone !== undefined) throw new Error(`exited before ${url} answered: ${gone}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(3_000) });
      if (res.ok || Date.now() > deadline) return res;
      await res.body?.cancel();
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
    await new Promise((r) => setTimeout(r, 250));
    return attempt();
  };
  return attempt();
}

interface Running {
  child: ChildProcess;
  log: () => string;
  exited: () => string | undefined;
}

function start(name: Gateway, env: Record<string, string>): Running {
  // Only what the container would have, plus PATH; nothing of the test's own environment.
  const child = spawn(process.execPath, ['--enable-source-maps', ENTRY[name]], {
    cwd: root,
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  let exit: string | undefined;
  child.stdout.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr.on('data', (d: Buffer) => (log += d.toString()));
  child.on('exit', (code) => (exit = `code ${String(code)}\n${log.slice(-2000)}`));
  return { child, log: () => log, exited: () => exit };
}

describe('docker/compose.yaml: the gateway services with the environment Compose gives them', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-compose-apps-'));
  const databases: TestDatabase[] = [];
  const running: Running[] = [];
  let synapse: Synapse | undefined;
  let livekit: FakeLiveKit | undefined;
  let vars: Record<string, string> = {};
  const ports: Record<string, number> = {};
  const url = (service: string, port: number): string =>
    `http://127.0.0.1:${String(ports[`${service}:${String(port)}`])}`;

  beforeAll(async () => {
    const [synapseDb, authDb, syncDb] = await Promise.all([
      createTestDatabase('gw_compose_synapse', { collation: 'C' }),
      createTestDatabase('gw_compose_auth'),
      createTestDatabase('gw_compose_sync'),
    ]);
    databases.push(synapseDb, authDb, syncDb);
    // Every container port a gateway service listens on, or is reached at, gets a loopback port.
    for (const key of [
      'auth-service:8080',
      'auth-service:9090',
      'rtc-jwt-service:8080',
      'rtc-jwt-service:9090',
      'sync-proxy:8008',
      'sync-proxy:9090',
      'admin-dashboard:8080',
    ])
      ports[key] = await freePort();
    livekit = await new FakeLiveKit('gateway').start();

    // The operator's steps: init, then names and URLs in .env (here: loopback ones), then generate.
    const envPath = join(dir, '.env');
    const init = spawn(process.execPath, [generator, 'init', '--env', envPath]);
    expect(await new Promise((done) => init.on('exit', done))).toBe(0);
    const admin = new URL(adminDatabaseUrl());
    const generated = readFileSync(envPath, 'utf8');
    // FakeLiveKit checks tokens with the secret init generated.
    const secret = /^LIVEKIT_API_SECRET=(.*)$/m.exec(generated)?.[1] ?? '';
    await livekit.stop();
    livekit = await new FakeLiveKit('gateway', secret).start();
    writeFileSync(
      envPath,
      generated +
        [
          'SERVER_NAME=localhost',
          `MATRIX_PUBLIC_URL=${url('sync-proxy', 8008)}`,
          `AUTH_PUBLIC_URL=${url('auth-service', 8080)}/`,
          `DASHBOARD_PUBLIC_URL=${url('admin-dashboard', 8080)}/`,
          `RTC_PUBLIC_URL=${url('rtc-jwt-service', 8080)}`,
          `LIVEKIT_PUBLIC_URL=${livekit.url}`,
          `POSTGRES_HOST=${admin.hostname}`,
          `POSTGRES_PORT=${admin.port || '5432'}`,
          `POSTGRES_USER=${decodeURIComponent(admin.username) || 'postgres'}`,
          `SYNAPSE_DB_NAME=${synapseDb.name}`,
          // Synapse runs on this machine, not in the network: it reaches the auth service on loopback.
          `SYNAPSE_AUTH_ENDPOINT=${url('auth-service', 8080)}/`,
          // An operator's own admin client, as .env.example shows.
          'AUTH_ADMIN_CLIENTS=ops-script:ops-script-secret-0123456789',
          'AUTH_MFA_REQUIRED=admins',
          'LOG_LEVEL=warn',
          '',
        ].join('\n'),
    );
    const gen = spawn(process.execPath, [generator, '--env', envPath, '--out', join(dir, 'generated')]);
    expect(await new Promise((done) => gen.on('exit', done))).toBe(0);
    vars = Object.fromEntries(
      readFileSync(envPath, 'utf8')
        .split('\n')
        .filter((l) => /^[A-Z_][A-Z0-9_]*=/.test(l))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    synapse = await startSynapse({
      mode: 'raw',
      rawConfig: readFileSync(join(dir, 'generated/synapse/homeserver.yaml'), 'utf8'),
    });
  });

  afterAll(async () => {
    for (const r of running.reverse()) {
      if (r.exited() === undefined) {
        r.child.kill('SIGTERM');
        await new Promise((done) => r.child.on('exit', done));
      }
    }
    await synapse?.stop();
    await livekit?.stop();
    for (const db of databases) await db.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The container network mapped onto this machine (see the comment at the top). */
  function onThisMachine(name: Gateway, env: Record<string, string>): Record<string, string> {
    const [, authDb, syncDb] = databases as [TestDatabase, TestDatabase, TestDatabase];
    const redis = new URL(testRedisUrl());
    const out: Record<string, string> = {};
    for (const [k, raw] of Object.entries(env)) {
      let v = raw;
      // Binds: the service's container port becomes its loopback port.
      const bind = /^(0\.0\.0\.0)?:(\d+)$/.exec(v);
      if (bind !== null) v = `127.0.0.1:${String(ports[`${name}:${bind[2] as string}`])}`;
      v = v.replace(/^postgres:\/\/[^/]*\/gateway_auth$/, authDb.url);
      v = v.replace(/^postgres:\/\/[^/]*\/gateway_sync$/, syncDb.url);
      v = v.replace(/^redis:\/\/redis:6379\/(\d+)$/, (_m, db: string) => `redis://${redis.host}/${db}`);
      v = v.replace(/https?:\/\/synapse:8008/g, (synapse as Synapse).baseUrl);
      v = v.replace(/http:\/\/([a-z-]+):(\d+)/g, (m, host: string, port: string) => {
        const mapped = ports[`${host}:${port}`];
        return mapped === undefined ? m : `http://127.0.0.1:${String(mapped)}`;
      });
      if (v.startsWith('/data/')) v = join(dir, 'auth-data', v.slice('/data/'.length));
      out[k] = v;
    }
    return out;
  }

  it('resolves every variable compose.yaml uses from an .env made by init', () => {
    const envs = composeEnvironments(vars);
    // The clients compose registers at the auth service are the ones the other services use.
    const auth = envs['auth-service'];
    expect(auth['AUTH_MEMBERSHIP_CLIENTS']).toBe(
      `rtc-jwt-service:${envs['rtc-jwt-service']['LIVEKIT_OAUTH_CLIENT_SECRET'] as string},`,
    );
    expect(auth['AUTH_ADMIN_CLIENTS']).toBe(
      `rtc-admin:${envs['rtc-jwt-service']['RTC_ADMIN_CLIENT_SECRET'] as string},` +
        `sync-admin:${envs['sync-proxy']['SYNCV3_ADMIN_CLIENT_SECRET'] as string},` +
        'ops-script:ops-script-secret-0123456789',
    );
    expect(auth['AUTH_MFA_ENCRYPTION_KEY']).toMatch(/^[0-9a-f]{48}$/);
    // An .env from before these secrets existed stops compose with a message that says what to run.
    const old = { ...vars };
    delete old['RTC_MEMBERSHIP_CLIENT_SECRET'];
    expect(() => composeEnvironments(old)).toThrow(
      'RTC_MEMBERSHIP_CLIENT_SECRET: run generate-config.mjs init',
    );
  });

  it('starts the four services, ready, with the membership check and the admin endpoints wired', async () => {
    const envs = composeEnvironments(vars);
    mkdirSync(join(dir, 'auth-data'), { recursive: true });
    for (const name of GATEWAY) {
      const r = start(name, onThisMachine(name, envs[name]));
      running.push(r);
      const base = url(name, name === 'sync-proxy' ? 8008 : 8080);
      try {
        expect((await waitFor(`${base}/health`, 30_000, r.exited)).status).toBe(200);
        const ready = await waitFor(`${base}/ready`, 30_000, r.exited);
        const body = (await ready.json()) as { checks: Record<string, unknown> };
        expect(ready.status, JSON.stringify(body)).toBe(200);
        if (name === 'rtc-jwt-service') {
          // Synapse (msc4502_enabled) answered is_joined to the auth service's client_credentials token.
          expect(Object.keys(body.checks)).toEqual(
            expect.arrayContaining(['livekit-key', 'homeserver', 'membership-scope']),
          );
        }
      } catch (err) {
        throw new Error(`${name}: ${(err as Error).message}\n${r.log().slice(-3000)}`);
      }
    }

    // The operator's own admin client gets an admin token; the RTC service and the sync proxy check it
    // with the clients compose gave them, on their internal listeners only.
    const tokenRes = await fetch(`${url('auth-service', 8080)}/oauth2/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from('ops-script:ops-script-secret-0123456789').toString('base64')}`,
      },
      body: 'grant_type=client_credentials&scope=urn%3Amas%3Aadmin',
    });
    expect(tokenRes.status).toBe(200);
    const { access_token: token } = (await tokenRes.json()) as { access_token: string };
    const auth = { authorization: `Bearer ${token}` };
    livekit?.join('!room:localhost', '@alice:localhost:DEVICE');
    const rooms = await fetch(`${url('rtc-jwt-service', 9090)}/admin/v1/rooms`, { headers: auth });
    expect(rooms.status).toBe(200);
    expect(JSON.stringify(await rooms.json())).toContain('!room:localhost');
    const pollers = await fetch(`${url('sync-proxy', 9090)}/admin/v1/pollers`, { headers: auth });
    expect(pollers.status).toBe(200);
    const unauthenticated = await fetch(`${url('sync-proxy', 9090)}/admin/v1/pollers`);
    expect(unauthenticated.status).toBe(401);
    // Never on the public ports.
    expect((await fetch(`${url('rtc-jwt-service', 8080)}/admin/v1/rooms`, { headers: auth })).status).toBe(
      404,
    );
    expect((await fetch(`${url('sync-proxy', 8008)}/admin/v1/pollers`, { headers: auth })).status).toBe(404);

    // The dashboard signs in as the client compose registered, back where the auth service allows.
    const settings = (await (await fetch(`${url('admin-dashboard', 8080)}/config.json`)).json()) as Record<
      string,
      unknown
    >;
    expect(settings).toMatchObject({
      clientId: envs['auth-service']['AUTH_DASHBOARD_CLIENT_ID'],
      redirectUri: `${url('admin-dashboard', 8080)}/callback`,
      issuer: `${url('auth-service', 8080)}/`,
    });
  });
});
