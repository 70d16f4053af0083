import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthStore } from '@gateway/auth-data';
import { seededRandom } from '@gateway/util';
import {
  Browser,
  createTestDatabase,
  freePort,
  hiddenInput,
  type Synapse,
  type TestDatabase,
} from '@gateway/testing';
import type * as Matrix from 'matrix-js-sdk/lib/matrix.js';
import type { Accounts } from '../../src/accounts/accounts';
import { ACCOUNTS, AUTH_STORE } from '../../src/tokens';
import { startDelegatedStack, type AuthUnderTest } from '../support/start-auth';

// Node 20 lacks Promise.withResolvers, which newer matrix-js-sdk code paths use; it must exist first.
const promiseCtor = Promise as unknown as { withResolvers?: () => unknown };
promiseCtor.withResolvers ??= () => {
  let resolve: unknown;
  let reject: unknown;
  const promise = new Promise((a, b) => {
    resolve = a;
    reject = b;
  });
  return { promise, resolve, reject };
};

// The client-facing base URL is the sync-proxy; it is run as built (the contract tier runs after the
// build), so this test exercises the real routing of /login, /logout and /refresh to the auth service.
const PROXY_MAIN = resolve(__dirname, '../../../../dist/apps/sync-proxy/main.js');
const PASSWORD = 'correct horse battery';
const REDIRECT = 'https://client.example.org/sso-callback';

interface Proxy {
  url: string;
  child: ChildProcess;
  db: TestDatabase;
}

async function startSyncProxy(synapseUrl: string, authUrl: string): Promise<Proxy> {
  if (!existsSync(PROXY_MAIN))
    throw new Error(`${PROXY_MAIN} is missing: run \`npx nx build sync-proxy\` first`);
  const db = await createTestDatabase();
  const port = await freePort();
  let output = '';
  const child = spawn(process.execPath, [PROXY_MAIN], {
    env: {
      ...process.env,
      SYNCV3_BINDADDR: `127.0.0.1:${String(port)}`,
      SYNCV3_SERVER: synapseUrl,
      SYNCV3_AUTH_SERVICE_URL: authUrl,
      SYNCV3_DB: db.url,
      SYNCV3_SECRET: 'compat-contract-test-secret-0123456789',
      SYNCV3_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const url = `http://127.0.0.1:${String(port)}`;
  for (let i = 0; ; i++) {
    const res = await fetch(`${url}/ready`).catch(() => undefined);
    if (res?.status === 200) break;
    if (i > 300 || child.exitCode !== null) throw new Error(`sync-proxy did not become ready:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, child, db };
}

async function stopSyncProxy(proxy: Proxy): Promise<void> {
  const exited = new Promise((r) => proxy.child.once('exit', r));
  proxy.child.kill('SIGTERM');
  await exited;
  await proxy.db.drop();
}

interface MatrixErrorBody {
  errcode?: string;
  error?: string;
  soft_logout?: boolean;
  retry_after_ms?: number;
}

// matrix-js-sdk 37.5 (the newest that runs on Node 20) as the legacy client; typed through 43's
// declarations, which have the same shape for what is used here.
async function loadJsSdk(): Promise<typeof Matrix> {
  return (await import('matrix-js-sdk-37/lib/matrix.js')) as unknown as typeof Matrix;
}

describe('the compat layer: legacy clients log in through the sync-proxy, Synapse accepts their tokens', () => {
  let synapse: Synapse;
  let auth: AuthUnderTest;
  let proxy: Proxy;
  let sdk: typeof Matrix;
  let store: AuthStore;

  beforeAll(async () => {
    ({ synapse, auth } = await startDelegatedStack({ username: 'alice', password: PASSWORD }));
    const accounts = auth.app.get<Accounts>(ACCOUNTS);
    for (const name of ['bob', 'carol', 'dave', 'erin']) {
      const created = await accounts.register(name, PASSWORD);
      if (!created.ok) throw new Error(created.reason);
    }
    store = auth.app.get<AuthStore>(AUTH_STORE);
    proxy = await startSyncProxy(synapse.baseUrl, auth.issuer);
    sdk = await loadJsSdk();
  }, 120_000);
  afterAll(async () => {
    await stopSyncProxy(proxy);
    await auth.stop();
    await synapse.stop();
  });

  const post = (path: string, body: unknown, token?: string) =>
    fetch(`${proxy.url}${path}`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        ...(token === undefined ? {} : { Authorization: `Bearer ${token}` }),
      },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const whoami = (token: string) =>
    fetch(`${proxy.url}/_matrix/client/v3/account/whoami`, { headers: { Authorization: `Bearer ${token}` } });

  it('advertises the flows MAS advertises', async () => {
    for (const version of ['v3', 'r0']) {
      const res = await fetch(`${proxy.url}/_matrix/client/${version}/login`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({
        flows: [
          { type: 'm.login.password' },
          {
            type: 'm.login.sso',
            oauth_aware_preferred: true,
            'org.matrix.msc3824.delegated_oidc_compatibility': true,
          },
          { type: 'm.login.token' },
        ],
      });
    }
  });

  it('loginWithPassword → /sync and whoami on the same device → /refresh → /logout → Synapse rejects the token', async () => {
    const client = sdk.createClient({ baseUrl: proxy.url });
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- the legacy call is what is tested
    const login = await client.loginWithPassword('alice', PASSWORD);
    expect(login.user_id).toBe('@alice:localhost');
    expect(login.access_token).toMatch(/^mct_[A-Za-z0-9]{30}_[A-Za-z0-9]{6}$/);
    expect(login.device_id).toMatch(/^[A-Za-z0-9]{10}$/);
    expect(login.refresh_token).toBeUndefined();

    const me = await whoami(login.access_token);
    expect(await me.json()).toMatchObject({ user_id: '@alice:localhost', device_id: login.device_id });
    const sync = await fetch(`${proxy.url}/_matrix/client/v3/sync?timeout=0`, {
      headers: { Authorization: `Bearer ${login.access_token}` },
    });
    expect(sync.status).toBe(200);
    expect(await sync.json()).toHaveProperty('next_batch');

    // A refreshable login on a named device, by full user ID in an m.id.user identifier.
    const refreshable = await client.loginRequest({
      type: 'm.login.password',
      identifier: { type: 'm.id.user', user: '@alice:localhost' },
      password: PASSWORD,
      device_id: 'COMPATDEVICE',
      initial_device_display_name: 'Legacy client',
      refresh_token: true,
    });
    expect(refreshable.device_id).toBe('COMPATDEVICE');
    expect(refreshable.refresh_token).toMatch(/^mcr_/);
    expect(refreshable.expires_in_ms).toBe(300_000);
    expect(await (await whoami(refreshable.access_token)).json()).toMatchObject({
      device_id: 'COMPATDEVICE',
    });
    // The device was created in Synapse with the display name the client asked for.
    const device = await fetch(`${proxy.url}/_matrix/client/v3/devices/COMPATDEVICE`, {
      headers: { Authorization: `Bearer ${refreshable.access_token}` },
    });
    expect(await device.json()).toMatchObject({ device_id: 'COMPATDEVICE', display_name: 'Legacy client' });

    const refreshed = await client.refreshToken(refreshable.refresh_token!);
    expect(refreshed.access_token).toMatch(/^mct_/);
    expect(refreshed.refresh_token).toMatch(/^mcr_/);
    expect(refreshed.expires_in_ms).toBe(300_000);
    expect(await (await whoami(refreshed.access_token)).json()).toMatchObject({ device_id: 'COMPATDEVICE' });
    // A refresh token is good once.
    const replay = await post('/_matrix/client/v3/refresh', { refresh_token: refreshable.refresh_token });
    expect(replay.status).toBe(401);
    expect(((await replay.json()) as MatrixErrorBody).errcode).toBe('M_UNKNOWN_TOKEN');

    const alice = (await store.users.findByLocalpart('alice'))!.id;
    const session = (await store.compat.activeForUser(alice)).find((s) => s.deviceId === 'COMPATDEVICE')!;
    const signedIn = sdk.createClient({
      baseUrl: proxy.url,
      accessToken: refreshed.access_token,
      userId: '@alice:localhost',
      deviceId: 'COMPATDEVICE',
    });
    await signedIn.logout();
    // Audited: the user ended this session (the one refresh kept).
    const logouts = await store.auditEvents.listPage({ type: 'compat.logout', subject: session.id }, {});
    expect(logouts.items.map((e) => [e.actor, e.actorKind, e.outcome, e.details])).toEqual([
      [alice, 'user', 'succeeded', { all: false, device_id: 'COMPATDEVICE' }],
    ]);
    // The device is gone from Synapse, so it refuses the token at once despite its introspection cache.
    const after = await whoami(refreshed.access_token);
    expect(after.status).toBe(401);
    expect(((await after.json()) as MatrixErrorBody).errcode).toBe('M_UNKNOWN_TOKEN');
    // The other session is untouched.
    expect((await whoami(login.access_token)).status).toBe(200);
    // Logging out again with the dead token is Synapse's unknown-token answer.
    const again = await post('/_matrix/client/v3/logout', {}, refreshed.access_token);
    expect(again.status).toBe(401);
    expect(await again.json()).toEqual({
      errcode: 'M_UNKNOWN_TOKEN',
      error: 'Invalid access token passed.',
      soft_logout: false,
    });
  });

  it('logout/all ends every legacy session of the user when the client accepts that OAuth sessions stay', async () => {
    const a = (await (
      await post('/_matrix/client/v3/login', { type: 'm.login.password', user: 'erin', password: PASSWORD })
    ).json()) as { access_token: string };
    const b = (await (
      await post('/_matrix/client/r0/login', { type: 'm.login.password', user: 'erin', password: PASSWORD })
    ).json()) as { access_token: string };
    const refused = await post('/_matrix/client/v3/logout/all', {}, a.access_token);
    expect(refused.status).toBe(400);
    expect((await whoami(a.access_token)).status).toBe(200);
    const done = await post(
      '/_matrix/client/v3/logout/all',
      { 'io.element.only_compat_is_fine': true },
      a.access_token,
    );
    expect(done.status).toBe(200);
    expect((await whoami(a.access_token)).status).toBe(401);
    expect((await whoami(b.access_token)).status).toBe(401);
    // One record for the lot, about the user, with how many sessions ended; none for the refusal.
    const erin = (await store.users.findByLocalpart('erin'))!.id;
    const logouts = await store.auditEvents.listPage({ type: 'compat.logout', subject: erin }, {});
    expect(logouts.items.map((e) => [e.actor, e.actorKind, e.outcome, e.details])).toEqual([
      [erin, 'user', 'succeeded', { all: true, ended: 2 }],
    ]);
  });

  it('signs in through the SSO redirect and our page, back to the client with a single-use loginToken', async () => {
    const browser = new Browser();
    const start = await browser.get(
      `${proxy.url}/_matrix/client/v3/login/sso/redirect?redirectUrl=${encodeURIComponent(`${REDIRECT}?state=x`)}`,
    );
    expect(start.status).toBe(303);
    const pageUrl = new URL(start.headers.get('location')!);
    expect(pageUrl.origin).toBe(new URL(auth.issuer).origin);
    const page = await browser.get(pageUrl.toString());
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toContain('client.example.org');

    const wrong = await browser.post(pageUrl.toString(), {
      csrf: hiddenInput(html, 'csrf'),
      username: 'alice',
      password: 'nope nope nope',
    });
    expect(wrong.status).toBe(401);
    const forged = await browser.post(pageUrl.toString(), {
      csrf: 'forged',
      username: 'alice',
      password: PASSWORD,
    });
    expect(forged.status).toBe(403);

    const done = await browser.post(pageUrl.toString(), {
      csrf: hiddenInput(html, 'csrf'),
      username: 'alice',
      password: PASSWORD,
    });
    expect(done.status).toBe(303);
    const back = new URL(done.headers.get('location')!);
    expect(back.origin + back.pathname).toBe(REDIRECT);
    expect(back.searchParams.get('state')).toBe('x');
    const loginToken = back.searchParams.get('loginToken')!;
    expect(loginToken).toMatch(/^[A-Za-z0-9]{32}$/);

    // The page cannot be used twice.
    expect((await browser.get(pageUrl.toString())).status).toBe(404);

    const client = sdk.createClient({ baseUrl: proxy.url });
    const login = await client.loginRequest({ type: 'm.login.token', token: loginToken });
    expect(login.user_id).toBe('@alice:localhost');
    expect(await (await whoami(login.access_token)).json()).toMatchObject({ device_id: login.device_id });

    const replay = await post('/_matrix/client/v3/login', { type: 'm.login.token', token: loginToken });
    expect(replay.status).toBe(403);
    expect(await replay.json()).toEqual({ errcode: 'M_FORBIDDEN', error: 'Invalid login token' });
  });

  it('refuses redirect URLs that would make it an open redirect or run code', async () => {
    for (const bad of [
      'javascript:alert(1)',
      'data:text/html,x',
      'https://user:pw@evil.example/',
      '/relative',
      'https:evil.example',
    ]) {
      const res = await fetch(
        `${proxy.url}/_matrix/client/v3/login/sso/redirect?redirectUrl=${encodeURIComponent(bad)}`,
        {
          redirect: 'manual',
        },
      );
      expect(res.status, bad).toBe(400);
      expect(((await res.json()) as MatrixErrorBody).errcode).toBe('M_INVALID_PARAM');
    }
    const missing = await fetch(`${proxy.url}/_matrix/client/v3/login/sso/redirect`, { redirect: 'manual' });
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as MatrixErrorBody).errcode).toBe('M_MISSING_PARAM');
  });

  it("answers wrong passwords, unknown users, deactivated and locked users with Synapse's errors", async () => {
    const wrong = await post('/_matrix/client/v3/login', {
      type: 'm.login.password',
      user: 'bob',
      password: 'wrong password',
    });
    const unknown = await post('/_matrix/client/v3/login', {
      type: 'm.login.password',
      user: 'nobody',
      password: 'wrong password',
    });
    expect(wrong.status).toBe(403);
    expect(unknown.status).toBe(403);
    const wrongBody = await wrong.json();
    expect(wrongBody).toEqual({ errcode: 'M_FORBIDDEN', error: 'Invalid username or password' });
    expect(await unknown.json()).toEqual(wrongBody);

    const bob = (await store.users.findByLocalpart('bob'))!;
    await store.users.setDeactivated(bob.id, new Date());
    const deactivated = await post('/_matrix/client/v3/login', {
      type: 'm.login.password',
      user: 'bob',
      password: PASSWORD,
    });
    expect(deactivated.status).toBe(403);
    expect(await deactivated.json()).toEqual({
      errcode: 'M_USER_DEACTIVATED',
      error: 'This account has been deactivated',
    });

    // A locked user is refused at login, and a token from before the lock stops working.
    const carolLogin = (await (
      await post('/_matrix/client/v3/login', { type: 'm.login.password', user: 'carol', password: PASSWORD })
    ).json()) as { access_token: string };
    const carol = (await store.users.findByLocalpart('carol'))!;
    await store.users.setLocked(carol.id, new Date());
    const locked = await post('/_matrix/client/v3/login', {
      type: 'm.login.password',
      user: 'carol',
      password: PASSWORD,
    });
    expect(locked.status).toBe(401);
    expect(await locked.json()).toEqual({ errcode: 'M_USER_LOCKED', error: 'User account has been locked' });
    // Introspection refuses its token (it never introspected before, so no cached user row is in the way).
    const introspect = await fetch(`${auth.issuer}oauth2/introspect`, {
      method: 'POST',
      headers: {
        Authorization: 'Bearer test-shared-secret-0123456789',
        'Content-Type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ token: carolLogin.access_token }),
    });
    expect(introspect.status).toBe(200);
    expect(await introspect.json()).toEqual({ active: false });
  });

  it('introspects compat tokens with the device in device_id for Synapse', async () => {
    const login = (await (
      await post('/_matrix/client/v3/login', {
        type: 'm.login.password',
        user: 'alice',
        password: PASSWORD,
        device_id: 'INTROSPECTED',
      })
    ).json()) as { access_token: string };
    const introspect = await fetch(`${auth.issuer}oauth2/introspect`, {
      method: 'POST',
      headers: {
        Authorization: 'Bearer test-shared-secret-0123456789',
        'Content-Type': 'application/x-www-form-urlencoded',
        'X-MAS-Supports-Device-Id': '1',
      },
      body: new URLSearchParams({ token: login.access_token }),
    });
    const body = (await introspect.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      active: true,
      client_id: 'legacy',
      username: 'alice',
      device_id: 'INTROSPECTED',
      token_type: 'access_token',
    });
    expect(body['scope']).toBe('urn:matrix:client:api:* urn:matrix:org.matrix.msc2967.client:api:*');
    expect(body).not.toHaveProperty('expires_in');
  });

  it('rate-limits failed password logins with M_LIMIT_EXCEEDED and retry_after_ms', async () => {
    let last: Response | undefined;
    for (let i = 0; i < 11; i++) {
      last = await post('/_matrix/client/v3/login', {
        type: 'm.login.password',
        identifier: { type: 'm.id.user', user: 'dave' },
        password: `wrong ${i}`,
      });
      if (last.status === 429) break;
      expect(last.status).toBe(403);
    }
    expect(last!.status).toBe(429);
    const body = (await last!.json()) as MatrixErrorBody;
    expect(body.errcode).toBe('M_LIMIT_EXCEEDED');
    expect(body.retry_after_ms).toBeGreaterThan(0);
    // Even the right password waits.
    const right = await post('/_matrix/client/v3/login', {
      type: 'm.login.password',
      user: 'dave',
      password: PASSWORD,
    });
    expect(right.status).toBe(429);
  });

  it('answers malformed requests with Synapse errors', async () => {
    const cases: [unknown, number, string][] = [
      ['{not json', 400, 'M_NOT_JSON'],
      [[], 400, 'M_BAD_JSON'],
      [{}, 400, 'M_UNKNOWN'],
      [{ type: 5 }, 400, 'M_INVALID_PARAM'],
      [
        { type: 'm.login.application_service', identifier: { type: 'm.id.user', user: 'x' } },
        400,
        'M_UNKNOWN',
      ],
      [{ type: 'm.login.password', password: 'x' }, 400, 'M_MISSING_PARAM'],
      [{ type: 'm.login.password', user: 'alice' }, 400, 'M_INVALID_PARAM'],
      [{ type: 'm.login.password', user: 'alice', password: 'x', refresh_token: 'yes' }, 400, 'M_UNKNOWN'],
    ];
    for (const [body, status, errcode] of cases) {
      const res = await post('/_matrix/client/v3/login', body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(((await res.json()) as MatrixErrorBody).errcode, JSON.stringify(body)).toBe(errcode);
    }
    expect((await post('/_matrix/client/v3/logout', {})).status).toBe(401);
    // Browser clients: Synapse's CORS headers on answers, errors included, and an empty 204 preflight.
    const wrong = await post('/_matrix/client/v3/login', {
      type: 'm.login.password',
      user: 'alice',
      password: 'x',
    });
    expect(wrong.headers.get('access-control-allow-origin')).toBe('*');
    const preflight = await fetch(`${proxy.url}/_matrix/client/v3/login`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://app.example', 'Access-Control-Request-Method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toContain('Authorization');
    const unknownVersion = await fetch(`${proxy.url}/_matrix/client/v9/login`);
    expect(unknownVersion.status).toBe(404);
    expect(((await unknownVersion.json()) as MatrixErrorBody).errcode).toBe('M_UNRECOGNIZED');
  });

  it('never answers a fuzzed /login body with a 5xx (seeded)', async () => {
    const next = seededRandom(0xc0ffee);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
    const scalars = [
      null,
      true,
      false,
      0,
      -1,
      1.5,
      1e308,
      '',
      'alice',
      '@alice:localhost',
      '@x:other',
      'm.login.password',
      'm.login.token',
      'm.id.user',
      '__proto__',
      'x'.repeat(300),
      '\u0000',
      '😀',
    ];
    const value = (depth: number): unknown => {
      const r = next();
      if (depth > 2 || r < 0.6) return pick(scalars);
      if (r < 0.8) return Array.from({ length: Math.floor(next() * 3) }, () => value(depth + 1));
      return Object.fromEntries(
        Array.from({ length: Math.floor(next() * 4) }, () => [pick(KEYS), value(depth + 1)]),
      );
    };
    const KEYS = [
      'type',
      'user',
      'password',
      'identifier',
      'token',
      'device_id',
      'initial_device_display_name',
      'refresh_token',
      'medium',
      'address',
      '__proto__',
      'constructor',
    ];
    const body = (): string => {
      const r = next();
      if (r < 0.05) return pick(['', '{', 'null', '[]', '"x"', '{"type":', '1']);
      const obj: Record<string, unknown> = {};
      for (const key of KEYS) if (next() < 0.4) obj[key] = value(0);
      if (next() < 0.7)
        obj['type'] = pick([
          'm.login.password',
          'm.login.token',
          'm.login.sso',
          'm.login.application_service',
          5,
        ]);
      if (next() < 0.5)
        obj['identifier'] = {
          type: pick(['m.id.user', 'm.id.thirdparty', 'm.id.phone', 7]),
          user: pick(scalars),
        };
      return JSON.stringify(obj);
    };
    const statuses = new Map<number, number>();
    for (let round = 0; round < 2000; round++) {
      const text = body();
      const res = await post('/_matrix/client/v3/login', text);
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      expect(res.status, text).toBeLessThan(500);
      const answer = (await res.json()) as MatrixErrorBody;
      if (res.status !== 200) expect(answer.errcode, text).toMatch(/^M_[A-Z_]+$/);
    }
    // The generator reaches the parser's refusals and the credential checks alike.
    expect(statuses.get(400)).toBeGreaterThan(0);
    expect((statuses.get(403) ?? 0) + (statuses.get(429) ?? 0)).toBeGreaterThan(0);
  }, 300_000);
});
