import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeLiveKit, LIVEKIT_FAULTS } from '../fakes/fake-livekit';
import { unusedPort } from '../fakes/fake-homeserver';
import { startRtc, type RtcUnderTest } from '../support/start-rtc';

const ADMIN_CLIENT = { id: 'rtc-admin', secret: 'rtc-admin-secret-0123456789' };
const ADMIN_TOKEN = 'admin-token-0123456789';
const USER_TOKEN = 'user-token-0123456789';

/**
 * The auth service's introspection endpoint as the admin guard calls it (its real behaviour is pinned by
 * apps/auth-service/test/integration/admin-introspection.spec.ts): it answers only this service's admin
 * client, and knows one admin token and one token without urn:mas:admin.
 */
async function startIntrospection(): Promise<{ url: string; calls: () => number; server: Server }> {
  let calls = 0;
  const basic = `Basic ${Buffer.from(`${ADMIN_CLIENT.id}:${ADMIN_CLIENT.secret}`).toString('base64')}`;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      calls++;
      const json = (status: number, payload: object) =>
        res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(payload));
      if (req.url !== '/oauth2/introspect' || req.headers.authorization !== basic) {
        json(401, { error: 'invalid_client' });
        return;
      }
      const token = new URLSearchParams(body).get('token');
      if (token === ADMIN_TOKEN) json(200, { active: true, scope: 'openid urn:mas:admin' });
      else if (token === USER_TOKEN) json(200, { active: true, scope: 'openid urn:matrix:client:api:*' });
      else json(200, { active: false });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${String((server.address() as AddressInfo).port)}/`,
    calls: () => calls,
    server,
  };
}

describe('the admin API (RTC_ADMIN_*) on the internal listener', () => {
  let livekit: FakeLiveKit;
  let introspection: Awaited<ReturnType<typeof startIntrospection>>;
  let rtc: RtcUnderTest;
  let admin: string;

  const env = (extra: Record<string, string> = {}) => ({
    LIVEKIT_URL: livekit.url,
    LIVEKIT_KEY: livekit.key,
    LIVEKIT_SECRET: livekit.secret,
    LIVEKIT_FULL_ACCESS_HOMESERVERS: 'hs.test',
    RTC_METRICS_BIND: '127.0.0.1:0',
    RTC_ADMIN_AUTH_URL: introspection.url,
    RTC_ADMIN_CLIENT_ID: ADMIN_CLIENT.id,
    RTC_ADMIN_CLIENT_SECRET: ADMIN_CLIENT.secret,
    ...extra,
  });

  beforeAll(async () => {
    livekit = await new FakeLiveKit().start();
    introspection = await startIntrospection();
    rtc = await startRtc(env());
    admin = `${rtc.metricsUrl!}/admin/v1`;
  });
  afterAll(async () => {
    await rtc.stop();
    await livekit.stop();
    introspection.server.close();
  });
  beforeEach(() => {
    for (const key of [...livekit.participants]) {
      const [room, identity] = key.split('\n') as [string, string];
      livekit.leave(room, identity);
    }
    livekit.rooms.clear();
    livekit.faults.clear();
  });

  const call = async (path: string, init: RequestInit & { token?: string } = {}, base = admin) => {
    const res = await fetch(`${base}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${init.token ?? ADMIN_TOKEN}` },
    });
    const text = await res.text();
    return { status: res.status, body: text === '' ? null : (JSON.parse(text) as unknown) };
  };

  it('lists the live rooms with their participants, as LiveKit has them', async () => {
    // Element Call's LiveKit room names are unpadded base64, '/' included.
    livekit.join('Xy/+room1', '@alice:hs.test:ALICEDEV', 'Alice');
    livekit.join('Xy/+room1', '@bob:hs.test:BOBDEV');
    livekit.join('other', '@carol:hs.test:C');
    const created = livekit.rooms.get('Xy/+room1')!;
    const joined = new Date(created * 1000).toISOString();
    const answer = await call('/rooms');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      data: [
        {
          type: 'rtc-room',
          id: 'Xy/+room1',
          attributes: {
            created_at: joined,
            num_participants: 2,
            participants: [
              { identity: '@alice:hs.test:ALICEDEV', name: 'Alice', joined_at: joined, state: 'active' },
              { identity: '@bob:hs.test:BOBDEV', name: '', joined_at: joined, state: 'active' },
            ],
          },
        },
        {
          type: 'rtc-room',
          id: 'other',
          attributes: {
            created_at: expect.any(String) as unknown,
            num_participants: 1,
            participants: [
              {
                identity: '@carol:hs.test:C',
                name: '',
                joined_at: expect.any(String) as unknown,
                state: 'active',
              },
            ],
          },
        },
      ],
      meta: { count: 2 },
    });
    livekit.rooms.clear();
    expect((await call('/rooms')).body).toEqual({ data: [], meta: { count: 0 } });
  });

  it('removes a participant through LiveKit RemoveParticipant, and answers 404 for one LiveKit does not have', async () => {
    livekit.join('Xy/+room1', '@alice:hs.test:ALICEDEV', 'Alice');
    const path = `/rooms/${encodeURIComponent('Xy/+room1')}/participants/${encodeURIComponent('@alice:hs.test:ALICEDEV')}`;
    expect(await call(path, { method: 'DELETE' })).toEqual({ status: 204, body: null });
    expect(livekit.removed.at(-1)).toEqual({ room: 'Xy/+room1', identity: '@alice:hs.test:ALICEDEV' });
    expect(livekit.participants.size).toBe(0);
    expect(await call(path, { method: 'DELETE' })).toEqual({
      status: 404,
      body: { errors: [{ title: 'Participant @alice:hs.test:ALICEDEV not found in room Xy/+room1' }] },
    });
  });

  it('refuses callers without an admin token, in the auth admin API shape', async () => {
    expect(await call('/rooms', { token: USER_TOKEN })).toEqual({
      status: 403,
      body: { errors: [{ title: 'Missing urn:mas:admin scope' }] },
    });
    expect(await call('/rooms', { token: 'nobody-knows-this-token' })).toEqual({
      status: 401,
      body: { errors: [{ title: 'Unknown access token' }] },
    });
    const before = livekit.removed.length;
    livekit.join('r', 'p');
    expect((await call('/rooms/r/participants/p', { method: 'DELETE', token: USER_TOKEN })).status).toBe(403);
    expect(livekit.removed.length).toBe(before);
  });

  it('names the LiveKit fault: 502 when it fails or cannot be reached, 503 when it is out of capacity', async () => {
    livekit.faults.set('ListRooms', LIVEKIT_FAULTS.internal);
    expect(await call('/rooms')).toEqual({
      status: 502,
      body: { errors: [{ title: 'LiveKit: the SFU answered 500 internal: see the LiveKit server log' }] },
    });
    livekit.faults.set('ListRooms', LIVEKIT_FAULTS.noNode);
    expect((await call('/rooms')).status).toBe(503);
    livekit.faults.clear();
    const down = await startRtc(env({ LIVEKIT_URL: `ws://127.0.0.1:${String(await unusedPort())}` }));
    try {
      expect(await call('/rooms', {}, `${down.metricsUrl!}/admin/v1`)).toEqual({
        status: 502,
        body: {
          errors: [
            {
              title:
                'LiveKit: the SFU is unreachable (ECONNREFUSED): check LIVEKIT_URL and that LiveKit is running',
            },
          ],
        },
      });
    } finally {
      await down.stop();
    }
  });

  it('is not on the public port, and not served at all without RTC_ADMIN_*', async () => {
    const unknown = await call('/nowhere', {}, rtc.url);
    const hidden = await call('/admin/v1/rooms', {}, rtc.url);
    expect(hidden.status).toBe(404);
    expect(hidden).toEqual(unknown);
    expect(await call('/%61dmin/v1/rooms', {}, rtc.url)).toEqual(unknown);
    const calls = introspection.calls();
    livekit.join('r', 'p');
    expect((await call('/admin/v1/rooms/r/participants/p', { method: 'DELETE' }, rtc.url)).status).toBe(404);
    expect(livekit.participants.size).toBe(1);
    // The public port never even asked the auth service.
    expect(introspection.calls()).toBe(calls);

    const plain = await startRtc(
      env({ RTC_ADMIN_AUTH_URL: '', RTC_ADMIN_CLIENT_ID: '', RTC_ADMIN_CLIENT_SECRET: '' }),
    );
    try {
      expect((await call('/rooms', {}, `${plain.metricsUrl!}/admin/v1`)).status).toBe(404);
      expect((await fetch(`${plain.metricsUrl!}/metrics`)).status).toBe(200);
    } finally {
      await plain.stop();
    }
  });
});
