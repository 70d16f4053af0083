// The container tier: the images built from docker/Dockerfile, run hardened (read-only root filesystem,
// non-root, no capabilities) in front of the real Synapse test bed, Postgres and Redis.
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { hashSync } from '@node-rs/bcrypt';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import { TokenVerifier } from 'livekit-server-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  FakeLiveKit,
  freePort,
  queryRows,
  startSynapse,
  SYNAPSE_AUTH_SCHEMA,
  testRedisUrl,
  type RegisteredUser,
  type Synapse,
  type TestDatabase,
} from '@gateway/testing';
import {
  DASHBOARD_CLIENT_ID,
  envArgs,
  hardened,
  IMAGE_UID,
  startGatewayContainers,
  type GatewayContainers,
} from '../gateway-containers';
import {
  gatewayImages,
  IMAGE_TARGETS,
  podman,
  podmanOk,
  type GatewayImages,
  type ImageTarget,
} from '../podman';

const root = resolve(__dirname, '../../..');
const TARGETS: ImageTarget[] = [...IMAGE_TARGETS];
const SECRET = 'container-test-mas-secret-0123456789';
const version = (JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as { version: string })
  .version;

describe('the gateway images', () => {
  let images: GatewayImages;
  let plain: Synapse;
  let delegated: Synapse;
  let livekit: FakeLiveKit;
  let authDb: TestDatabase;
  let syncDb: TestDatabase;
  let stack: GatewayContainers;
  let alice: RegisteredUser;
  let redisUrl: string;
  const cleanups: Array<() => Promise<void>> = [];
  const migrations: Partial<Record<'auth-service' | 'sync-proxy', { code: number; stdout: string }>> = {};

  /** Runs a one-off command in an image, hardened like the services, e.g. a CLI. */
  const runOnce = (target: ImageTarget, env: Record<string, string>, cmd: string[]) =>
    podman(['run', '--rm', ...hardened(), ...envArgs(env), images[target], ...cmd]);

  beforeAll(async () => {
    const t0 = Date.now();
    // Where the set-up time goes, for the tier's timing report.
    const lap = (what: string): void => {
      process.stdout.write(`[containers] ${what}: ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
    };
    images = gatewayImages(root);
    lap('images');
    const ports = {
      'auth-service': await freePort(),
      'rtc-jwt-service': await freePort(),
      'sync-proxy': await freePort(),
      'admin-dashboard': await freePort(),
    };
    livekit = await new FakeLiveKit().start();
    cleanups.push(() => livekit.stop());
    // Two homeservers: one delegating its auth to the auth container (so that Synapse's side of that
    // contract is exercised), one with its own passwords, for real users behind the RTC and sync services.
    delegated = await startSynapse({
      mode: 'delegated',
      authService: { endpoint: `http://127.0.0.1:${ports['auth-service']}/`, secret: SECRET },
    });
    cleanups.push(() => delegated.stop());
    plain = await startSynapse({
      mode: 'plain',
      rtcServiceUrls: [`http://127.0.0.1:${ports['rtc-jwt-service']}`],
    });
    cleanups.push(() => plain.stop());
    alice = await plain.registerUser('alice');
    lap('two Synapses');
    authDb = await createTestDatabase('gw_ctr_auth');
    cleanups.push(() => authDb.drop());
    syncDb = await createTestDatabase('gw_ctr_sync');
    cleanups.push(() => syncDb.drop());
    // The services take no key prefix: they get a Redis database of their own, emptied afterwards.
    const redis = new URL(testRedisUrl());
    redis.pathname = `/${String(1 + Math.floor(Math.random() * 15))}`;
    redisUrl = redis.toString();
    cleanups.push(async () => {
      const client = new Redis(redisUrl);
      await client.flushdb();
      client.disconnect();
    });

    const options = {
      images,
      synapse: { baseUrl: plain.baseUrl, serverName: plain.serverName },
      authSynapse: { baseUrl: delegated.baseUrl, serverName: delegated.serverName },
      ports,
      authSecret: SECRET,
      authDatabaseUrl: authDb.url,
      syncDatabaseUrl: syncDb.url,
      redisUrl,
      livekit: { url: livekit.url, key: livekit.key, secret: livekit.secret },
    };
    // The migrate CLIs first, on the empty databases, as the Helm chart's migration Job runs them.
    const cliEnv = {
      'auth-service': {
        AUTH_ISSUER: `http://127.0.0.1:${ports['auth-service']}/`,
        AUTH_DATABASE_URL: authDb.url,
        AUTH_REDIS_URL: redisUrl,
        AUTH_HOMESERVER: delegated.serverName,
        AUTH_SYNAPSE_URL: delegated.baseUrl,
        AUTH_SYNAPSE_SECRET: SECRET,
        AUTH_SIGNING_KEY_FILE: '/tmp/keys.json',
      },
      'sync-proxy': { SYNCV3_SERVER: plain.baseUrl, SYNCV3_DB: syncDb.url, SYNCV3_SECRET: SECRET },
    };
    migrations['auth-service'] = await runOnce('auth-service', cliEnv['auth-service'], [
      'node',
      'dist/apps/auth-service/cli.js',
      'migrate',
    ]);
    migrations['sync-proxy'] = await runOnce('sync-proxy', cliEnv['sync-proxy'], [
      'node',
      'dist/apps/sync-proxy/cli.js',
      'migrate',
    ]);
    lap('migrate CLIs');
    stack = await startGatewayContainers(options);
    cleanups.push(() => stack.remove());
    lap('containers healthy');
  });

  afterAll(async () => {
    // In reverse order of creation; only what beforeAll got to is there.
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  describe('metadata', () => {
    it.each(TARGETS)('%s: non-root user, OCI labels, exec-form command and a HEALTHCHECK', async (t) => {
      const [info] = JSON.parse(await podmanOk(['image', 'inspect', images[t]])) as Array<{
        Config: { User: string; Labels: Record<string, string>; Cmd: string[] };
        Healthcheck?: { Test: string[] };
      }>;
      expect(info!.Config.User).toBe(`${IMAGE_UID}:${IMAGE_UID}`);
      expect(info!.Config.Labels).toMatchObject({
        'org.opencontainers.image.licenses': 'Apache-2.0',
        'org.opencontainers.image.version': version,
      });
      expect(Object.keys(info!.Config.Labels)).toContain('org.opencontainers.image.source');
      expect(info!.Config.Cmd).toEqual(['node', '--enable-source-maps', `dist/apps/${t}/main.js`]);
      expect(info!.Healthcheck?.Test.join(' ')).toContain('HEALTHCHECK_URL');
    });

    it('runs a Node the apps support (>= 20.19; production images use 22 LTS)', async () => {
      const r = await runOnce('sync-proxy', {}, ['node', '-p', 'process.versions.node']);
      expect(r.code).toBe(0);
      const [major, minor] = r.stdout.trim().split('.').map(Number) as [number, number];
      expect(major > 20 || (major === 20 && minor >= 19)).toBe(true);
    });

    it.each(['auth-service', 'admin-dashboard'] as const)(
      '%s: ships production dependencies only (the dashboard’s React is in its bundle)',
      async (t) => {
        const r = await runOnce(t, {}, [
          'node',
          '-e',
          "for (const m of ['vitest', 'nx', 'typescript', 'esbuild', 'vite', 'react', 'react-dom']) { try { require.resolve(m); console.log(m) } catch {} }",
        ]);
        expect(r.code).toBe(0);
        expect(r.stdout.trim()).toBe('');
      },
    );
  });

  describe('CLIs', () => {
    it('applies the migrations on an empty database with the migrate CLIs', () => {
      expect(migrations['auth-service']).toMatchObject({
        code: 0,
        stdout: expect.stringMatching(/^applied: /),
      });
      expect(migrations['sync-proxy']).toMatchObject({
        code: 0,
        stdout: expect.stringMatching(/^applied: /),
      });
    });

    it('provisions a user in Synapse with the auth CLI (the MAS API, shared secret)', async () => {
      const r = await podman([
        'exec',
        stack.names['auth-service'],
        'node',
        'dist/apps/auth-service/cli.js',
        'user',
        'add',
        'carol',
        '--password',
        'Tr0ub4dor-and-three-horses',
      ]);
      if (r.code !== 0) throw new Error(`cli.js user add exited ${r.code}: ${r.stdout}${r.stderr}`);
      // Synapse now knows carol: the MAS API's query_user answers for her.
      const res = await fetch(`${delegated.baseUrl}/_synapse/mas/query_user?localpart=carol`, {
        headers: { Authorization: `Bearer ${SECRET}` },
      }).catch((err: unknown) => {
        throw new Error(`Synapse did not answer: ${String(err)}\n${delegated.logTail(60)}`);
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ user_id: '@carol:localhost' });
    });
    it("imports a Synapse's SQLite database with the auth CLI (better-sqlite3's native binding in the image)", async () => {
      // A Synapse on SQLite, in Synapse's own schema: one user with a bcrypt password, a device and a live
      // token. Mounted read-only, as an operator would hand it over.
      const dir = mkdtempSync(join(tmpdir(), 'gw-ctr-sqlite-'));
      cleanups.push(() => {
        rmSync(dir, { recursive: true, force: true });
        return Promise.resolve();
      });
      const sqlite = new Database(join(dir, 'homeserver.db'));
      for (const statement of SYNAPSE_AUTH_SCHEMA) sqlite.exec(statement);
      sqlite
        .prepare(
          'INSERT INTO users (name, password_hash, creation_ts, admin, is_guest, appservice_id, deactivated, locked) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        )
        .run('@dora:sqlite.test', hashSync('dora password', 4), 1_700_000_000, 0, 0, null, 0, 0);
      sqlite
        .prepare('INSERT INTO devices (user_id, device_id, hidden, last_seen) VALUES (?, ?, ?, ?)')
        .run('@dora:sqlite.test', 'DORAPHONE', 0, null);
      sqlite
        .prepare(
          'INSERT INTO access_tokens (id, user_id, device_id, token, valid_until_ms, puppets_user_id, refresh_token_id) VALUES (?, ?, ?, ?, ?, ?, ?)',
        )
        .run(1, '@dora:sqlite.test', 'DORAPHONE', 'syt_ZG9yYQ_doraphone_000001', null, null, null);
      sqlite.close();
      writeFileSync(
        join(dir, 'homeserver.yaml'),
        'server_name: sqlite.test\nmatrix_authentication_service:\n  enabled: true\n  endpoint: http://127.0.0.1:9/\n  secret: x\n',
      );
      // The image runs as its own non-root user.
      chmodSync(dir, 0o755);
      for (const f of ['homeserver.db', 'homeserver.yaml']) chmodSync(join(dir, f), 0o644);
      const target = await createTestDatabase('gw_ctr_import');
      cleanups.push(() => target.drop());
      const env = {
        AUTH_ISSUER: 'http://127.0.0.1:9/',
        AUTH_DATABASE_URL: target.url,
        AUTH_REDIS_URL: redisUrl,
        AUTH_HOMESERVER: 'sqlite.test',
        AUTH_SYNAPSE_URL: 'http://127.0.0.1:9',
        AUTH_SYNAPSE_SECRET: SECRET,
        AUTH_SIGNING_KEY_FILE: '/tmp/keys.json',
      };
      const cli = (...args: string[]) =>
        podman([
          'run',
          '--rm',
          ...hardened(),
          '-v',
          `${dir}:/import:ro`,
          ...envArgs(env),
          images['auth-service'],
          'node',
          'dist/apps/auth-service/cli.js',
          ...args,
        ]);
      const migrated = await cli('migrate');
      expect(migrated.code, migrated.stdout + migrated.stderr).toBe(0);
      const imported = await cli(
        'import-synapse',
        '--synapse-config',
        '/import/homeserver.yaml',
        '--synapse-database-url',
        '/import/homeserver.db',
      );
      expect(imported.code, imported.stdout + imported.stderr).toBe(0);
      expect(imported.stdout).toContain('users: 1 read, 1 imported');
      expect(
        await queryRows(target.url, 'SELECT localpart, substr(password_hash, 1, 4) AS hash FROM users'),
      ).toEqual([{ localpart: 'dora', hash: '$2b$' }]);
    });
  });

  describe('running hardened', () => {
    it.each(TARGETS)(
      '%s: live, ready, healthy by its HEALTHCHECK, as uid 10001 on a read-only root',
      async (t) => {
        const base = stack.urls[t];
        expect((await fetch(`${base}/health`)).status).toBe(200);
        expect(await waitReady(base)).toBe(200);
        const hc = await podman(['healthcheck', 'run', stack.names[t]]);
        expect(hc.code).toBe(0);
        expect(await podmanOk(['exec', stack.names[t], 'id', '-u'])).toBe(String(IMAGE_UID));
        const write = await podman(['exec', stack.names[t], 'sh', '-c', 'echo x > /app/probe']);
        expect(write.code).not.toBe(0);
        expect(write.stderr).toMatch(/Read-only file system/);
      },
    );

    it('auth-service: serves its OIDC metadata, which Synapse republishes (delegated auth)', async () => {
      const base = stack.urls['auth-service'];
      const res = await fetch(`${base}/.well-known/openid-configuration`);
      expect(res.status).toBe(200);
      const metadata = (await res.json()) as { issuer: string; token_endpoint: string; jwks_uri: string };
      expect(metadata.issuer).toBe(`${base}/`);
      const viaSynapse = await fetch(`${delegated.baseUrl}/_matrix/client/v1/auth_metadata`);
      expect(viaSynapse.status).toBe(200);
      expect(await viaSynapse.json()).toMatchObject({
        issuer: metadata.issuer,
        token_endpoint: metadata.token_endpoint,
      });
      // Its signing keys were generated into the mounted volume, the one writable place, and are served.
      const jwks = await fetch(metadata.jwks_uri);
      expect(jwks.status).toBe(200);
      expect(((await jwks.json()) as { keys: unknown[] }).keys.length).toBeGreaterThan(0);
    });

    it('admin-dashboard: serves the app under its strict CSP, with the settings its environment gives', async () => {
      const base = stack.urls['admin-dashboard'];
      const page = await fetch(`${base}/users`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      const csp = page.headers.get('content-security-policy') ?? '';
      for (const directive of [
        "default-src 'none'",
        "script-src 'self'",
        "connect-src 'self'",
        "frame-ancestors 'none'",
      ])
        expect(csp).toContain(directive);
      const html = await page.text();
      expect(html).toContain('<div id="root"></div>');
      // The hashed bundle the page loads is in the image, served cacheable for good.
      const script = /<script type="module" crossorigin src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
      expect(script).toBeDefined();
      const bundle = await fetch(`${base}${script ?? ''}`);
      expect(bundle.status).toBe(200);
      expect(bundle.headers.get('cache-control')).toContain('immutable');
      expect(bundle.headers.get('content-type')).toMatch(/javascript/);
      expect((await bundle.arrayBuffer()).byteLength).toBeGreaterThan(10_000);
      // What the page signs in with comes from DASHBOARD_* (a non-default client id among them).
      const settings = await fetch(`${base}/config.json`);
      expect(settings.headers.get('content-security-policy')).toBe(csp);
      expect(await settings.json()).toEqual({
        issuer: `${stack.urls['auth-service']}/`,
        authorizationEndpoint: `${stack.urls['auth-service']}/authorize`,
        clientId: DASHBOARD_CLIENT_ID,
        redirectUri: `${base}/callback`,
        // No DASHBOARD_RTC_ADMIN_URL or DASHBOARD_SYNC_ADMIN_URL here: those pages say they are not configured.
        rtcAdmin: false,
        syncAdmin: false,
      });
    });

    it('admin-dashboard: the auth container knows it as a client and answers its proxied admin API', async () => {
      const base = stack.urls['admin-dashboard'];
      const auth = stack.urls['auth-service'];
      // The sign-in the page starts: the auth service takes the dashboard's client id and redirect URI
      // (AUTH_DASHBOARD_*) and sends the browser to its login, not back with an error.
      const authorize = new URL(`${auth}/authorize`);
      authorize.search = new URLSearchParams({
        client_id: DASHBOARD_CLIENT_ID,
        redirect_uri: `${base}/callback`,
        response_type: 'code',
        scope: 'openid urn:mas:admin',
        state: 'container-test',
        code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        code_challenge_method: 'S256',
      }).toString();
      const signIn = await fetch(authorize, { redirect: 'manual' });
      expect(signIn.status).toBe(303);
      expect(signIn.headers.get('location')).toMatch(/^\/interaction\//);
      // The admin API through the dashboard's same-origin proxy is the auth container's own answer.
      const direct = await fetch(`${auth}/api/admin/v1/users`);
      const proxied = await fetch(`${base}/api/admin/v1/users`);
      expect(proxied.status).toBe(401);
      expect(proxied.status).toBe(direct.status);
      expect(await proxied.json()).toEqual(await direct.json());
    });

    it('rtc-jwt-service: /healthz, and a LiveKit JWT for a real Synapse user', async () => {
      const base = stack.urls['rtc-jwt-service'];
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      const openid = await (
        await fetch(
          `${plain.baseUrl}/_matrix/client/v3/user/${encodeURIComponent(alice.userId)}/openid/request_token`,
          {
            method: 'POST',
            headers: { Authorization: `Bearer ${alice.accessToken}`, 'Content-Type': 'application/json' },
            body: '{}',
          },
        )
      ).json();
      const res = await fetch(`${base}/get_token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({
          room_id: '!room:localhost',
          slot_id: 'm.call#ROOM',
          openid_token: openid,
          member: { id: 'member-1', claimed_user_id: alice.userId, claimed_device_id: alice.deviceId },
        }),
      });
      expect(res.status).toBe(200);
      const { url, jwt } = (await res.json()) as { url: string; jwt: string };
      expect(url).toBe(livekit.url);
      const claims = await new TokenVerifier(livekit.key, livekit.secret).verify(jwt);
      expect(claims.video?.roomJoin).toBe(true);
      expect(livekit.createRoomCalls.length).toBeGreaterThan(0);
    });

    it('sync-proxy: forwards /versions to Synapse and answers a first sliding sync', async () => {
      const base = stack.urls['sync-proxy'];
      const direct = await (await fetch(`${plain.baseUrl}/_matrix/client/versions`)).json();
      const res = await fetch(`${base}/_matrix/client/versions`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual(direct);
      const sync = await fetch(
        `${base}/_matrix/client/unstable/org.matrix.simplified_msc3575/sync?timeout=0`,
        {
          method: 'POST',
          headers: { Authorization: `Bearer ${alice.accessToken}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({
            lists: { all: { ranges: [[0, 10]], timeline_limit: 1, required_state: [] } },
          }),
        },
      );
      expect(sync.status).toBe(200);
      expect(await sync.json()).toMatchObject({ pos: expect.any(String) });
    });

    it('pass the conformance suite, run as an operator would, through the sync-proxy alone', async () => {
      // The built command from outside (dist/tools/conformance), given only the client-facing URL and a
      // password: discovery, login, whoami, sliding sync, a message round trip and an RTC token.
      const dir = mkdtempSync(join(tmpdir(), 'conformance-'));
      try {
        const junit = join(dir, 'report.xml');
        const run = await promisify(execFile)(
          process.execPath,
          [
            resolve(root, 'dist/tools/conformance/main.js'),
            '--homeserver',
            stack.urls['sync-proxy'],
            '--user',
            alice.userId,
            '--password',
            alice.password,
            '--junit',
            junit,
          ],
          { timeout: 120_000 },
        ).catch((err: unknown) => err as { stdout: string; stderr: string; code: number });
        expect('code' in run ? run.stdout + run.stderr : '').toBe('');
        for (const id of [
          'discovery.well-known',
          'login',
          'sliding-sync.round-trip',
          'rtc.focus',
          'rtc.token',
        ]) {
          expect(run.stdout).toMatch(new RegExp(`^PASS  ${id.replace('.', '\\.')} `, 'm'));
        }
        expect(readFileSync(junit, 'utf8')).toContain('failures="0"');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }, 150_000);
  });

  describe('SIGTERM', () => {
    it.each(TARGETS)('%s: node (PID 1) drains and exits 0 within seconds of `podman stop`', async (t) => {
      const started = Date.now();
      await podmanOk(['stop', '-t', '30', stack.names[t]]);
      const elapsed = Date.now() - started;
      const state = JSON.parse(await podmanOk(['inspect', stack.names[t]])) as Array<{
        State: { ExitCode: number };
      }>;
      // 143 would mean SIGTERM killed node without the app's shutdown handler running.
      expect(state[0]!.State.ExitCode).toBe(0);
      expect(elapsed).toBeLessThan(10_000);
      expect(await stack.logs(t)).toMatch(/"signal":"SIGTERM"/);
    });
  });
});

async function waitReady(base: string, timeoutMs = 30_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let status = 0;
  while (Date.now() < deadline) {
    status = (await fetch(`${base}/ready`)).status;
    if (status === 200) return status;
    await new Promise((r) => setTimeout(r, 250));
  }
  return status;
}
