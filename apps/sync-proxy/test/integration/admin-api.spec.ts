import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createRoomState,
  createTestDatabase,
  createTestRedis,
  FakeHomeserver,
  freePort,
  joinedRoom,
  message,
  newRoomId,
  newUser,
  startService,
  stopService,
  syncResponse,
  testRedisUrl,
  waitHealthy,
  type RunningService,
  type TestDatabase,
  type TestRedis,
} from '@gateway/testing';
import { slidingSync } from '../support/matrix-client';
import { startProxy, type ProxyUnderTest } from '../support/start-proxy';

// The admin API the dashboard's Sync page reads: on the internal listener only, behind the auth
// service's admin tokens (checked by introspection at the real, built auth service), showing pollers
// that really run against a scripted homeserver.

const ROOT = resolve(__dirname, '../../../..');
const TIMINGS = { leaseMs: 5_000, renewEveryMs: 500, firstSyncWaitMs: 5_000, pollTimeoutMs: 1_500 };
const ADMIN_CLIENT = { id: 'sync-proxy-admin', secret: 'sync-proxy-admin-secret-0123' };

interface ListBody {
  meta: { count: number };
  data: { type: string; id: string; attributes: Record<string, unknown> }[];
  links: Record<string, string>;
}

describe('the sync proxy admin API', () => {
  let authDb: TestDatabase;
  let redis: TestRedis;
  let auth: RunningService;
  let authUrl: string;
  let fake: FakeHomeserver;
  let proxy: ProxyUnderTest;
  let adminUrl: string;
  let adminToken: string;

  async function clientToken(scope: string): Promise<string> {
    const res = await fetch(`${authUrl}/oauth2/token`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        Authorization: `Basic ${Buffer.from(`${ADMIN_CLIENT.id}:${ADMIN_CLIENT.secret}`).toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope }),
    });
    const body = (await res.json()) as { access_token: string };
    expect(res.status, JSON.stringify(body)).toBe(200);
    return body.access_token;
  }

  beforeAll(async () => {
    authDb = await createTestDatabase();
    redis = await createTestRedis();
    const port = await freePort();
    authUrl = `http://127.0.0.1:${port}`;
    auth = startService(
      ROOT,
      {
        name: 'auth-service',
        main: 'dist/apps/auth-service/main.js',
        url: authUrl,
        env: {
          AUTH_BIND: `127.0.0.1:${port}`,
          AUTH_ISSUER: `${authUrl}/`,
          AUTH_DATABASE_URL: authDb.url,
          AUTH_REDIS_URL: redis.url,
          AUTH_HOMESERVER: 'localhost',
          // Never called: introspection and client credentials need no homeserver.
          AUTH_SYNAPSE_URL: 'http://127.0.0.1:9/',
          AUTH_SYNAPSE_SECRET: 'unused-shared-secret-0123',
          AUTH_SIGNING_KEY_FILE: join(mkdtempSync(join(tmpdir(), 'sync-admin-keys-')), 'keys.json'),
          AUTH_ADMIN_CLIENTS: `${ADMIN_CLIENT.id}:${ADMIN_CLIENT.secret}`,
          AUTH_LOG_LEVEL: 'warn',
        },
      },
      () => undefined,
      () => undefined,
    );
    await waitHealthy(authUrl);
    fake = await FakeHomeserver.start();
    proxy = await startProxy(
      fake.url,
      {
        SYNCV3_REDIS: testRedisUrl(),
        SYNCV3_PROM: '127.0.0.1:0',
        SYNCV3_ADMIN_AUTH_URL: authUrl,
        SYNCV3_ADMIN_CLIENT_ID: ADMIN_CLIENT.id,
        SYNCV3_ADMIN_CLIENT_SECRET: ADMIN_CLIENT.secret,
      },
      { timings: TIMINGS },
    );
    adminUrl = proxy.metricsUrl ?? '';
    adminToken = await clientToken('urn:mas:admin');
  }, 120_000);

  afterAll(async () => {
    await proxy.stop();
    await fake.stop();
    await stopService(auth);
    await authDb.drop();
    await redis.cleanup();
  });

  const get = async (base: string, path: string, token: string | null = adminToken) => {
    const res = await fetch(`${base}${path}`, {
      headers: token === null ? {} : { authorization: `Bearer ${token}` },
    });
    return { status: res.status, body: await res.json() };
  };
  const list = async (path: string) => {
    const res = await get(adminUrl, path);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body as ListBody;
  };

  /** A user whose device synced once through the proxy: its poller has stored `s1` and polls on. */
  async function syncedUser(name: string) {
    const user = newUser(name);
    fake.addAccount(user.token, user.userId, user.deviceId);
    const roomId = newRoomId(name);
    fake.queue(
      user.token,
      syncResponse('s1', {
        join: {
          [roomId]: joinedRoom({
            state: createRoomState(user.userId, name),
            timeline: [message(user.userId, 'hello')],
            prevBatch: 'p0',
          }),
        },
      }),
    );
    const res = await slidingSync(proxy.url, user.token, {
      conn_id: 'main',
      lists: { all: { ranges: [[0, 10]], timeline_limit: 1 } },
      room_subscriptions: { [roomId]: { timeline_limit: 1, required_state: [] } },
    });
    expect(res.status).toBe(200);
    await fake.waitForSince(user.token, 's1');
    return { user, roomId, pos: String(res.body.pos) };
  }

  it('lists the poller of a device that synced, running, with its lease and lag', async () => {
    const { user } = await syncedUser('alice');
    const body = await list(`/admin/v1/pollers?filter[user]=${encodeURIComponent(user.userId)}`);
    expect(body.meta).toEqual({ count: 1 });
    expect(body.data).toHaveLength(1);
    const [poller] = body.data;
    expect(poller?.type).toBe('sync-poller');
    expect(poller?.attributes).toMatchObject({
      user_id: user.userId,
      device_id: user.deviceId,
      state: 'running',
      consecutive_errors: 0,
      last_error: null,
    });
    expect(typeof poller?.attributes['lease_owner']).toBe('string');
    expect(poller?.attributes['lag_seconds']).toBeLessThan(10);
    expect(body.links['self']).toBe(`/admin/v1/pollers?filter%5Buser%5D=${encodeURIComponent(user.userId)}`);
  });

  it('shows a failing poller backing off, with the failure counted and its reason', async () => {
    const { user } = await syncedUser('bob');
    fake.failNext(user.token, 2, 502);
    await fake.waitForSync(user.token, (r) => r.since === 's1' && r.status === 502);
    // The failure is recorded just after the answer arrives.
    let attributes: Record<string, unknown> | undefined;
    for (let i = 0; i < 50; i++) {
      attributes = (await list(`/admin/v1/pollers?filter[user]=${encodeURIComponent(user.userId)}`)).data[0]
        ?.attributes;
      if (attributes?.['consecutive_errors'] !== 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(attributes).toMatchObject({
      state: 'backing-off',
      consecutive_errors: 1,
      last_error: 'upstream answered 502',
    });
  });

  it('lists the connection with its position, rooms and subscriptions', async () => {
    const { user, pos } = await syncedUser('carol');
    const body = await list(`/admin/v1/connections?filter[user]=${encodeURIComponent(user.userId)}`);
    expect(body.meta).toEqual({ count: 1 });
    expect(body.data[0]?.type).toBe('sync-connection');
    expect(body.data[0]?.attributes).toMatchObject({
      user_id: user.userId,
      device_id: user.deviceId,
      conn_id: 'main',
      protocol: 'msc4186-unstable',
      pos,
      acknowledged_pos: null,
      rooms: 1,
      room_subscriptions: 1,
    });
  });

  it('pages through every poller with the links it gives', async () => {
    const first = await list('/admin/v1/pollers?page[first]=1');
    expect(first.meta.count).toBeGreaterThanOrEqual(2);
    expect(first.links['next']).toBeDefined();
    const second = await list(first.links['next'] ?? '');
    expect(second.data[0]?.id).not.toBe(first.data[0]?.id);
    expect(second.links['prev']).toBeDefined();
    expect((await list(second.links['prev'] ?? '')).data.map((d) => d.id)).toEqual(
      first.data.map((d) => d.id),
    );
    expect(await get(adminUrl, '/admin/v1/pollers?page[after]=nonsense')).toEqual({
      status: 400,
      body: { errors: [{ title: 'Invalid query: page[after] is not a cursor' }] },
    });
  });

  it('takes page sizes from 1 to 1000, 10 by default, and refuses 0, 1001 or a non-number', async () => {
    // Eleven connections of one user: one more than a default page.
    const { user } = await syncedUser('erin');
    for (let i = 0; i < 10; i++) {
      const res = await slidingSync(proxy.url, user.token, {
        conn_id: `extra${String(i)}`,
        lists: { all: { ranges: [[0, 10]], timeline_limit: 1 } },
      });
      expect(res.status).toBe(200);
    }
    const path = `/admin/v1/connections?filter[user]=${encodeURIComponent(user.userId)}`;
    const ids = (body: ListBody) => body.data.map((d) => d.attributes['conn_id']);
    const all = ['main', ...Array.from({ length: 10 }, (_, i) => `extra${String(i)}`)];

    const byDefault = await list(path);
    expect(byDefault.meta).toEqual({ count: 11 });
    expect(ids(byDefault)).toEqual(all.slice(0, 10));
    expect(byDefault.links['next']).toBeDefined();
    expect(ids(await list(`${path}&page[first]=1000`))).toEqual(all);
    expect(ids(await list(`${path}&page[last]=1000`))).toEqual(all);
    expect(ids(await list(`${path}&page[first]=1`))).toEqual(['main']);
    expect(ids(await list(`${path}&page[last]=1`))).toEqual(['extra9']);

    for (const key of ['page[first]', 'page[last]']) {
      for (const size of ['0', '1001', 'ten', '2.5', '']) {
        const res = await get(adminUrl, `${path}&${key}=${size}`);
        expect(res, `${key}=${size}`).toEqual({
          status: 400,
          body: {
            errors: [{ title: expect.stringMatching(/^Invalid query: page\[(first|last)\] \S/) as unknown }],
          },
        });
        expect((res.body as { errors: { title: string }[] }).errors[0]?.title).toContain(key);
      }
    }
  });

  it('refuses a missing, unknown or non-admin token with the admin API’s errors', async () => {
    expect(await get(adminUrl, '/admin/v1/pollers', null)).toEqual({
      status: 401,
      body: { errors: [{ title: 'Missing Authorization header' }] },
    });
    expect(await get(adminUrl, '/admin/v1/connections', 'not-a-token-anyone-issued')).toEqual({
      status: 401,
      body: { errors: [{ title: 'Unknown access token' }] },
    });
    expect(await get(adminUrl, '/admin/v1/pollers', await clientToken(''))).toEqual({
      status: 403,
      body: { errors: [{ title: 'Missing urn:mas:admin scope' }] },
    });
  });

  it('is not served on the public port, and not passed on to the homeserver either', async () => {
    const before = fake.requests.length;
    const res = await get(proxy.url, '/admin/v1/pollers');
    expect(res.status).toBe(404);
    // Nor under another spelling the router would match.
    const encoded = await get(proxy.url, '/%61dmin/v1/pollers');
    expect(encoded.status).toBe(404);
    expect(encoded.body).not.toHaveProperty('data');
    expect(fake.requests.slice(before).filter((r) => r.path.startsWith('/admin'))).toEqual([]);
  });
});
