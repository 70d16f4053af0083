import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestRedis, TEST_TLS_CERT, TEST_TLS_KEY, type TestRedis } from '@gateway/testing';
import { Lifecycle } from '@gateway/server';
import { LiveKitRooms } from '../../src/livekit/livekit-rooms';
import { liveKitRoomAlias } from '../../src/request/room-alias';
import { liveKitIdentity } from '../../src/token/identity';
import { waitFor } from '../fakes/delayed-leave-fakes';
import { FakeLiveKit } from '../fakes/fake-livekit';
import { answerSub, startFakeHomeserver, unusedPort, type FakeHomeserver } from '../fakes/fake-homeserver';
import { post, startRtc, type RtcUnderTest } from '../support/start-rtc';

const USERINFO = '/_matrix/federation/v1/openid/userinfo';
const DELAYED_EVENTS = '/_matrix/client/unstable/org.matrix.msc4140/delayed_events/';

// What an operator relies on: readiness, rate limits, draining on shutdown, and replicas sharing Redis.
describe('rtc-jwt-service operations', () => {
  let hs: FakeHomeserver;
  let livekit: FakeLiveKit;
  const apps: RtcUnderTest[] = [];
  let redis: TestRedis | undefined;

  beforeAll(async () => {
    hs = await startFakeHomeserver();
    hs.handle(answerSub('@alice:hs.test'));
    livekit = await new FakeLiveKit().start();
  });
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((a) => a.stop()));
    await redis?.cleanup();
    redis = undefined;
  });
  afterAll(async () => {
    await livekit.stop();
    await hs.close();
  });

  const start = async (env: Record<string, string> = {}): Promise<RtcUnderTest> => {
    const app = await startRtc({
      LIVEKIT_URL: livekit.url,
      LIVEKIT_KEY: livekit.key,
      LIVEKIT_SECRET: livekit.secret,
      LIVEKIT_FULL_ACCESS_HOMESERVERS: 'hs.test',
      LIVEKIT_FEDERATION_URL_OVERRIDES: `hs.test=${hs.baseUrl}`,
      ...env,
    });
    apps.push(app);
    return app;
  };
  const body = (token = 'tok') => ({
    room_id: '!r:hs.test',
    slot_id: 'm.call#ROOM',
    openid_token: { access_token: token, matrix_server_name: 'hs.test' },
    member: { id: 'm1', claimed_user_id: '@alice:hs.test', claimed_device_id: 'DEV' },
  });

  /** `/ready`'s status and its checks by name. */
  const readiness = async (app: RtcUnderTest) => {
    const res = await fetch(`${app.url}/ready`);
    return { status: res.status, checks: ((await res.json()) as { checks: Record<string, string> }).checks };
  };
  /** Membership on, against our homeserver's client-server API at `base`, as an application service. */
  const membershipEnv = (base: string) => ({
    LIVEKIT_CS_API_URL_OVERRIDES: `hs.test=${base}`,
    LIVEKIT_AS_TOKEN: 'as-token',
    LIVEKIT_HS_TOKEN: 'hs-token',
    LIVEKIT_HS_SERVER_NAME: 'hs.test',
  });

  it('is ready when LiveKit answers and accepts our key, and names each check', async () => {
    const ok = await start();
    const ready = await fetch(`${ok.url}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      status: 'ok',
      checks: { livekit: 'ok', 'livekit-key': 'ok' },
      detail: {
        livekit: `LiveKit at ${livekit.url} answers`,
        'livekit-key': `LiveKit accepts key ${livekit.key} (ListRooms)`,
      },
    });
  });

  it('is not ready when LiveKit is down, and says so', async () => {
    const down = `ws://127.0.0.1:${String(await unusedPort())}`;
    const broken = await start({ LIVEKIT_URL: down });
    const notReady = await fetch(`${broken.url}/ready`);
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toEqual({
      status: 'unavailable',
      checks: {
        livekit: `LiveKit at ${down}: the SFU is unreachable (ECONNREFUSED): check LIVEKIT_URL and that LiveKit is running`,
        'livekit-key': `not checked: LiveKit at ${down} is unreachable`,
      },
    });
  });

  it('is not ready when LiveKit refuses our key, and names the key, not the SFU', async () => {
    const app = await start({ LIVEKIT_SECRET: 'not-the-sfu-secret-not-the-sfu-secret' });
    const notReady = await fetch(`${app.url}/ready`);
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toEqual({
      status: 'unavailable',
      checks: {
        livekit: 'ok',
        'livekit-key': `LiveKit at ${livekit.url} refused key ${livekit.key}: LIVEKIT_KEY/LIVEKIT_SECRET must be one of the SFU's keys (its keys: setting)`,
      },
      detail: { livekit: `LiveKit at ${livekit.url} answers` },
    });
  });

  it('checks the homeserver and the membership scope when membership is configured', async () => {
    // A homeserver that answers /versions and grants the scope to one token only.
    const own = await startFakeHomeserver();
    let closed = false;
    own.handle((req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (path === '/_matrix/client/versions') {
        res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"versions":["v1.11"]}');
      } else if (path.endsWith('/is_joined') && req.headers.authorization === 'Bearer as-token') {
        res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"joined":false}');
      } else {
        res.writeHead(403, { 'Content-Type': 'application/json' }).end('{"errcode":"M_FORBIDDEN"}');
      }
    });
    try {
      const env = membershipEnv(own.baseUrl);
      const good = await start(env);
      const ready = await fetch(`${good.url}/ready`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({
        checks: { livekit: 'ok', 'livekit-key': 'ok', homeserver: 'ok', 'membership-scope': 'ok' },
        detail: {
          homeserver: `hs.test's client-server API at ${own.baseUrl} answers`,
          'membership-scope': 'hs.test answers is_joined to our application service',
        },
      });
      const scopeless = await start({ ...env, LIVEKIT_AS_TOKEN: 'other-token' });
      const notReady = await fetch(`${scopeless.url}/ready`);
      expect(notReady.status).toBe(503);
      expect(((await notReady.json()) as { checks: Record<string, string> }).checks).toEqual({
        livekit: 'ok',
        'livekit-key': 'ok',
        homeserver: 'ok',
        'membership-scope':
          'hs.test refused is_joined: the registration lacks the scope urn:matrix:client:io.element.msc4502:rooms:is_joined (io.element.msc4502.scopes)',
      });
      await own.close();
      closed = true;
      const gone = await fetch(`${good.url}/ready`);
      expect(gone.status).toBe(503);
      expect(((await gone.json()) as { checks: Record<string, string> }).checks['homeserver']).toBe(
        `hs.test's client-server API at ${own.baseUrl} is unreachable (network): check LIVEKIT_CS_API_URL_OVERRIDES or .well-known/matrix/client`,
      );
    } finally {
      if (!closed) await own.close();
    }
  });

  it('says MSC4502 is off when our homeserver does not serve is_joined', async () => {
    // Synapse without experimental_features.msc4502_enabled: the path is unknown, 404 M_UNRECOGNIZED.
    const own = await startFakeHomeserver();
    own.handle((req, res) => {
      if (new URL(req.url ?? '/', 'http://x').pathname === '/_matrix/client/versions') {
        res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"versions":["v1.11"]}');
      } else {
        res
          .writeHead(404, { 'Content-Type': 'application/json' })
          .end('{"errcode":"M_UNRECOGNIZED","error":"Unrecognized request"}');
      }
    });
    try {
      expect(await readiness(await start(membershipEnv(own.baseUrl)))).toEqual({
        status: 503,
        checks: {
          livekit: 'ok',
          'livekit-key': 'ok',
          homeserver: 'ok',
          'membership-scope':
            'hs.test does not serve MSC4502 is_joined: set experimental_features.msc4502_enabled: true (Synapse ≥ 1.160)',
        },
      });
    } finally {
      await own.close();
    }
  });

  it('refuses a homeserver on a loopback address (401 M_UNAUTHORIZED) unless RTC_ALLOW_PRIVATE_HOMESERVERS names it', async () => {
    // No federation override: `localhost:<port>` is discovered (explicit port) and resolves to 127.0.0.1.
    const local = await startFakeHomeserver({ tls: true });
    const serverName = `localhost:${String(local.port)}`;
    local.handle(answerSub(`@alice:${serverName}`));
    try {
      const env = {
        LIVEKIT_FULL_ACCESS_HOMESERVERS: serverName,
        // The fake's certificate is self-signed: only the guard may tell the two apps apart.
        LIVEKIT_INSECURE_SKIP_VERIFY_TLS: 'YES_I_KNOW_WHAT_I_AM_DOING',
      };
      const request = {
        room_id: '!r:hs.test',
        slot_id: 'm.call#ROOM',
        openid_token: { access_token: 'private-token', matrix_server_name: serverName },
        member: { id: 'm1', claimed_user_id: `@alice:${serverName}`, claimed_device_id: 'DEV' },
      };
      const guarded = await start(env);
      expect(await post(`${guarded.url}/get_token`, request)).toMatchObject({
        status: 401,
        json: { errcode: 'M_UNAUTHORIZED', error: 'The request could not be authorised.' },
      });
      // Refused before any connection: the homeserver never heard of it.
      expect(local.requests).toEqual([]);
      expect(guarded.logs()).toContain('resolves to the forbidden address 127.0.0.1');

      const allowed = await start({ ...env, RTC_ALLOW_PRIVATE_HOMESERVERS: serverName });
      const res = await post(`${allowed.url}/get_token`, request);
      expect(res).toMatchObject({ status: 200, json: { url: livekit.url } });
      expect(local.requests.map((r) => r.path)).toEqual([USERINFO]);
    } finally {
      await local.close();
    }
  });

  it('limits requests per IP with 429 M_LIMIT_EXCEEDED and Retry-After', async () => {
    const app = await start({ RTC_RATE_LIMIT_PER_IP: '6' });
    const statuses: number[] = [];
    let limited: Awaited<ReturnType<typeof post>> | undefined;
    for (let i = 0; i < 10; i++) {
      const res = await post(`${app.url}/get_token`, body());
      statuses.push(res.status);
      if (res.status === 429) limited = res;
    }
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    expect(limited?.json).toMatchObject({ errcode: 'M_LIMIT_EXCEEDED', error: 'Too many requests' });
    expect(Number(limited?.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('limits per client address from X-Forwarded-For only when the peer is in RTC_TRUSTED_PROXIES', async () => {
    // The tests connect from 127.0.0.1. A burst of 5 per address (RTC_RATE_LIMIT_PER_IP=6 per minute).
    const from = (ip: string) => ({ 'X-Forwarded-For': `192.0.2.200, ${ip}` });
    const trusted = await start({ RTC_RATE_LIMIT_PER_IP: '6', RTC_TRUSTED_PROXIES: '127.0.0.1/32' });
    for (let i = 0; i < 5; i++)
      expect((await post(`${trusted.url}/get_token`, body(), from('198.51.100.1'))).status).toBe(200);
    expect((await post(`${trusted.url}/get_token`, body(), from('198.51.100.1'))).status).toBe(429);
    // Another client behind the same ingress keeps its own budget.
    expect((await post(`${trusted.url}/get_token`, body(), from('198.51.100.2'))).status).toBe(200);

    // From a peer that is not a trusted proxy the header is the client's own claim, and ignored.
    const untrusted = await start({ RTC_RATE_LIMIT_PER_IP: '6', RTC_TRUSTED_PROXIES: '10.0.0.0/8' });
    for (let i = 0; i < 5; i++)
      expect((await post(`${untrusted.url}/get_token`, body(), from(`198.51.100.${10 + i}`))).status).toBe(
        200,
      );
    expect((await post(`${untrusted.url}/get_token`, body(), from('198.51.100.99'))).status).toBe(429);
  });

  it('limits requests per user whatever the address, across replicas sharing Redis', async () => {
    redis = await createTestRedis();
    const env = {
      RTC_RATE_LIMIT_PER_USER: '6',
      RTC_TRUSTED_PROXIES: '127.0.0.1/32',
      LIVEKIT_REDIS_URL: redis.url,
      RTC_REDIS_PREFIX: redis.prefix,
    };
    const [a, b] = [await start(env), await start(env)];
    const answers: Awaited<ReturnType<typeof post>>[] = [];
    // One user from a new address each time, alternating replicas: only the per-user budget applies.
    for (let i = 0; i < 8; i++) {
      const app = i % 2 === 0 ? a : b;
      answers.push(
        await post(`${app.url}/get_token`, body(), { 'X-Forwarded-For': `198.51.100.${String(i)}` }),
      );
    }
    expect(answers.slice(0, 5).map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    const limited = answers.find((r) => r.status === 429);
    expect(limited?.json).toMatchObject({ errcode: 'M_LIMIT_EXCEEDED' });
    expect(Number(limited?.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it("refuses delegation when the homeserver's client-server API cannot be found (400), creating no room", async () => {
    // No LIVEKIT_CS_API_URL_OVERRIDES: hs.test's /.well-known/matrix/client is looked up and not found.
    const app = await start();
    const rooms = livekit.createRoomCalls.length;
    const res = await post(`${app.url}/get_token`, {
      ...body('cs-api-token'),
      delay_id: 'syd_1',
      delay_timeout: 10_000,
    });
    expect(res).toMatchObject({
      status: 400,
      json: { errcode: 'M_BAD_JSON', error: 'Unable to resolve client-server API' },
    });
    expect(livekit.createRoomCalls.length).toBe(rooms);
  });

  it('polls LiveKit every LIVEKIT_SANITY_CHECK_INTERVAL_SECONDS while a delegated participant is connected', async () => {
    // Two apps keep a delayed leave alive for a participant each; LiveKit loses both without a webhook.
    // Only the one polling LiveKit notices, on the check after the participant left.
    const env = { LIVEKIT_CS_API_URL_OVERRIDES: `hs.test=${hs.baseUrl}` };
    const checked = await start({ ...env, LIVEKIT_SANITY_CHECK_INTERVAL_SECONDS: '1' });
    const webhooksOnly = await start(env);
    const lookups = vi.spyOn(checked.app.get(LiveKitRooms), 'participant');
    const delayed = (delayId: string, action: string) =>
      hs.requests.filter((r) => r.path === `${DELAYED_EVENTS}${delayId}/${action}`).length;
    const room = liveKitRoomAlias('!r:hs.test', 'm.call#ROOM');
    const delegate = async (app: RtcUnderTest, device: string, delayId: string): Promise<string> => {
      const identity = liveKitIdentity('@alice:hs.test', device, 'm1');
      livekit.join(room, identity);
      const res = await post(`${app.url}/get_token`, {
        ...body(`sanity-${device}`),
        member: { id: 'm1', claimed_user_id: '@alice:hs.test', claimed_device_id: device },
        delay_id: delayId,
        delay_timeout: 60_000,
      });
      expect(res.status).toBe(200);
      return identity;
    };
    const inCall = [
      await delegate(checked, 'CHECKED', 'syd_checked'),
      await delegate(webhooksOnly, 'UNCHECKED', 'syd_unchecked'),
    ];
    // Connected at once (LiveKit already has them): the first restart, and the checks start counting.
    await waitFor(() => delayed('syd_checked', 'restart') === 1 && delayed('syd_unchecked', 'restart') === 1);
    lookups.mockClear();
    // Still in the call at the next check: nothing is sent.
    await waitFor(() => lookups.mock.calls.length >= 1);
    expect(delayed('syd_checked', 'send')).toBe(0);
    for (const identity of inCall) livekit.leave(room, identity);
    const left = Date.now();
    // The next check finds the participant gone and sends the leave; the other app never notices.
    // (Bounds with room for a loaded machine: the interval is 1 s.)
    await waitFor(() => delayed('syd_checked', 'send') === 1);
    expect(Date.now() - left).toBeLessThan(3_000);
    expect(delayed('syd_unchecked', 'send')).toBe(0);
  });

  it('skips certificate checks on the client-server API too with LIVEKIT_INSECURE_SKIP_VERIFY_TLS, as lk-jwt-service', async () => {
    // Our homeserver's client-server API behind a self-signed certificate: the delayed events of two apps.
    const paths: string[] = [];
    let refusedHandshakes = 0;
    const csApi = createHttpsServer({ key: TEST_TLS_KEY, cert: TEST_TLS_CERT }, (req, res) => {
      paths.push(new URL(req.url ?? '/', 'https://x').pathname);
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
    });
    csApi.on('tlsClientError', () => (refusedHandshakes += 1));
    await new Promise<void>((resolve) => csApi.listen(0, '127.0.0.1', resolve));
    try {
      const base = `https://127.0.0.1:${String((csApi.address() as AddressInfo).port)}`;
      const env = { LIVEKIT_CS_API_URL_OVERRIDES: `hs.test=${base}` };
      const skipping = await start({
        ...env,
        LIVEKIT_INSECURE_SKIP_VERIFY_TLS: 'YES_I_KNOW_WHAT_I_AM_DOING',
      });
      const checking = await start(env);
      const room = liveKitRoomAlias('!r:hs.test', 'm.call#ROOM');
      for (const [app, device] of [
        [skipping, 'SKIPPING'],
        [checking, 'CHECKING'],
      ] as const) {
        livekit.join(room, liveKitIdentity('@alice:hs.test', device, 'm1'));
        const res = await post(`${app.url}/get_token`, {
          ...body(`tls-${device}`),
          member: { id: 'm1', claimed_user_id: '@alice:hs.test', claimed_device_id: device },
          delay_id: `syd_${device}`,
          delay_timeout: 60_000,
        });
        expect(res.status).toBe(200);
      }
      // The participant is connected: each app restarts its delayed event. Only the skipping one gets
      // through; the other's TLS handshake is refused (its certificate check fails), so nothing arrives.
      await waitFor(() => paths.includes(`${DELAYED_EVENTS}syd_SKIPPING/restart`) && refusedHandshakes > 0);
      expect(paths.filter((p) => p.includes('syd_CHECKING'))).toEqual([]);
      // With membership on, /ready asks the same API for /versions and is_joined.
      const membership = membershipEnv(base);
      const ready = async (app: RtcUnderTest) => (await readiness(app)).checks;
      expect(
        await ready(
          await start({ ...membership, LIVEKIT_INSECURE_SKIP_VERIFY_TLS: 'YES_I_KNOW_WHAT_I_AM_DOING' }),
        ),
      ).toMatchObject({ homeserver: 'ok', 'membership-scope': 'ok' });
      expect((await ready(await start(membership)))['homeserver']).toMatch(/is unreachable/);
    } finally {
      csApi.closeAllConnections();
      await new Promise((resolve) => csApi.close(resolve));
    }
  });

  it('refuses new token requests with 503 once shutdown has begun', async () => {
    const app = await start();
    app.app.get(Lifecycle).beginShutdown();
    expect(await post(`${app.url}/get_token`, body())).toMatchObject({
      status: 503,
      json: { errcode: 'M_UNKNOWN', error: 'Service is shutting down' },
    });
  });

  it('asks the homeserver for every request with RTC_USERINFO_CACHE_SIZE=0, once without it', async () => {
    const cached = await start();
    const uncached = await start({ RTC_USERINFO_CACHE_SIZE: '0' });
    hs.requests.length = 0;
    for (let i = 0; i < 2; i++)
      expect((await post(`${cached.url}/get_token`, body('cached-token'))).status).toBe(200);
    expect(hs.requests.filter((r) => r.path === USERINFO)).toHaveLength(1);
    hs.requests.length = 0;
    for (let i = 0; i < 2; i++)
      expect((await post(`${uncached.url}/get_token`, body('uncached-token'))).status).toBe(200);
    expect(hs.requests.filter((r) => r.path === USERINFO)).toHaveLength(2);
  });

  it('shares the userinfo cache between replicas through Redis', async () => {
    redis = await createTestRedis();
    const env = { LIVEKIT_REDIS_URL: redis.url, RTC_REDIS_PREFIX: redis.prefix };
    const [a, b] = [await start(env), await start(env)];
    hs.requests.length = 0;
    expect((await post(`${a.url}/get_token`, body('replica-token'))).status).toBe(200);
    expect((await post(`${b.url}/get_token`, body('replica-token'))).status).toBe(200);
    expect(hs.requests.filter((r) => r.path === USERINFO)).toHaveLength(1);
    expect(await (await fetch(`${b.url}/ready`)).json()).toMatchObject({
      status: 'ok',
      checks: { livekit: 'ok', 'livekit-key': 'ok', redis: 'ok' },
    });
  });
});
