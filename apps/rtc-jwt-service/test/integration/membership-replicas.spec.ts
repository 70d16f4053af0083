import { createTestRedis, type TestRedis } from '@gateway/testing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MEMBERSHIP, type Membership } from '../../src/membership/membership.module';
import { liveKitRoomAlias } from '../../src/request/room-alias';
import { liveKitIdentity } from '../../src/token/identity';
import { startFakeHomeserver, type FakeHomeserver } from '../fakes/fake-homeserver';
import { FakeLiveKit } from '../fakes/fake-livekit';
import { post, startRtc, type RtcUnderTest } from '../support/start-rtc';

const IS_JOINED = /^\/_matrix\/client\/unstable\/io\.element\.msc4502\/rooms\/([^/]+)\/is_joined$/;
const ROOM_ID = '!call:hs.test';
const SLOT = 'm.call#ROOM';
const ROOM = liveKitRoomAlias(ROOM_ID, SLOT);
const ANN = '@ann:hs.test';
const IDENTITY = liveKitIdentity(ANN, 'DEV', 'm1');

// The removal watch behind a load balancer: two app instances ("replicas") on one real Redis and one
// key prefix, LiveKit faked (it records RemoveParticipant and signs webhooks), our homeserver a stub
// answering userinfo and MSC4502 is_joined for the members the test sets. Whichever replica minted the
// token, any replica answers the webhook, a restarted replica still knows the participant, and one
// replica's pass covers an interval. The same removals against a real Synapse are in
// test/contract/membership.contract.spec.ts.
describe('membership watch shared by replicas (Redis)', () => {
  let redis: TestRedis;
  let hs: FakeHomeserver;
  let livekit: FakeLiveKit;
  let members: Set<string>;
  const apps: RtcUnderTest[] = [];

  beforeEach(async () => {
    redis = await createTestRedis();
    members = new Set([ANN]);
    hs = await startFakeHomeserver();
    hs.handle((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const json = (body: unknown): void => {
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
      };
      if (url.pathname === '/_matrix/federation/v1/openid/userinfo') {
        json({ sub: ANN });
        return;
      }
      const match = IS_JOINED.exec(url.pathname);
      if (match === null || req.headers.authorization !== 'Bearer as-token') {
        res.writeHead(403, { 'Content-Type': 'application/json' }).end('{"errcode":"M_FORBIDDEN"}');
        return;
      }
      const mxid = url.searchParams.get('mxid') ?? '';
      json({ joined: decodeURIComponent(match[1]!) === ROOM_ID && members.has(mxid) });
    });
    livekit = await new FakeLiveKit().start();
  });

  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.stop()));
    await livekit.stop();
    await hs.close();
    await redis.cleanup();
  });

  /** A replica on the shared Redis prefix; its own periodic pass every `checkSeconds`. */
  async function replica(checkSeconds: number): Promise<RtcUnderTest> {
    const app = await startRtc({
      LIVEKIT_URL: livekit.url,
      LIVEKIT_KEY: livekit.key,
      LIVEKIT_SECRET: livekit.secret,
      LIVEKIT_FULL_ACCESS_HOMESERVERS: 'hs.test',
      LIVEKIT_FEDERATION_URL_OVERRIDES: `hs.test=${hs.baseUrl}`,
      LIVEKIT_CS_API_URL_OVERRIDES: `hs.test=${hs.baseUrl}`,
      LIVEKIT_AS_TOKEN: 'as-token',
      LIVEKIT_HS_TOKEN: 'hs-token',
      LIVEKIT_HS_SERVER_NAME: 'hs.test',
      LIVEKIT_MEMBERSHIP_CHECK_INTERVAL_SECONDS: String(checkSeconds),
      RTC_MEMBERSHIP_CACHE_SECONDS: '0',
      LIVEKIT_REDIS_URL: redis.url,
      RTC_REDIS_PREFIX: redis.prefix,
    });
    apps.push(app);
    return app;
  }

  const monitorOf = (app: RtcUnderTest) => app.app.get<Membership | null>(MEMBERSHIP)!.monitor;

  async function annGetsToken(app: RtcUnderTest): Promise<void> {
    const res = await post(`${app.url}/get_token`, {
      room_id: ROOM_ID,
      slot_id: SLOT,
      openid_token: {
        access_token: 'tok',
        token_type: 'Bearer',
        matrix_server_name: 'hs.test',
        expires_in: 3600,
      },
      member: { id: 'm1', claimed_user_id: ANN, claimed_device_id: 'DEV' },
    });
    expect(res.status, JSON.stringify(res.json)).toBe(200);
    livekit.join(ROOM, IDENTITY);
  }

  const isJoinedAsked = (): number =>
    hs.requests.filter((r) => IS_JOINED.test(r.path) && r.query.get('mxid') === ANN).length;

  async function removedWithin(ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      if (livekit.removed.some((r) => r.identity === IDENTITY)) return true;
      await new Promise((r) => setTimeout(r, 50));
    }
    return false;
  }

  it("removes a member who left when LiveKit's participant_joined reaches the replica that did not mint", async () => {
    const a = await replica(3600);
    const b = await replica(3600);
    await annGetsToken(a);
    members.delete(ANN);
    const { body, authorization } = await livekit.webhook('participant_joined', ROOM, IDENTITY);
    const hook = await fetch(`${b.url}/sfu_webhook`, {
      method: 'POST',
      headers: { Authorization: authorization, 'Content-Type': 'application/webhook+json' },
      body,
    });
    expect(hook.status).toBe(200);
    expect(livekit.removed).toEqual([{ room: ROOM, identity: IDENTITY }]);
    expect(livekit.participants.has(`${ROOM}\n${IDENTITY}`)).toBe(false);
    // Removed means forgotten, on every replica.
    expect(await monitorOf(a).size()).toBe(0);
  });

  it('acts on no webhook LiveKit did not sign (200 all the same, as lk-jwt-service)', async () => {
    const a = await replica(3600);
    await annGetsToken(a);
    members.delete(ANN);
    const { body, authorization } = await livekit.webhook('participant_joined', ROOM, IDENTITY);
    const hook = (headers: Record<string, string>) =>
      fetch(`${a.url}/sfu_webhook`, {
        method: 'POST',
        headers: { ...headers, 'Content-Type': 'application/webhook+json' },
        body,
      });
    // Unsigned; not a JWT; a JWT under another secret; LiveKit's signature of other bytes.
    const otherSecret = await new FakeLiveKit('devkey', 'another-secret-of-at-least-32-chars').sign(body);
    const otherBody = (await livekit.webhook('participant_joined', ROOM, 'someone-else')).authorization;
    const forged: Record<string, string>[] = [
      {},
      { Authorization: 'nonsense' },
      { Authorization: otherSecret },
      { Authorization: otherBody },
    ];
    for (const headers of forged) expect((await hook(headers)).status).toBe(200);
    expect(livekit.removed).toEqual([]);
    expect(livekit.participants.has(`${ROOM}\n${IDENTITY}`)).toBe(true);
    // The same webhook as LiveKit signed it is acted on.
    expect((await hook({ Authorization: authorization })).status).toBe(200);
    expect(livekit.removed).toEqual([{ room: ROOM, identity: IDENTITY }]);
  });

  it('hands out no token it could not take back: the watch store failing is a 503 that says so', async () => {
    const a = await replica(3600);
    vi.spyOn(monitorOf(a), 'track').mockRejectedValueOnce(new Error('connect ECONNREFUSED'));
    const res = await post(`${a.url}/get_token`, {
      room_id: ROOM_ID,
      slot_id: SLOT,
      openid_token: {
        access_token: 'tok',
        token_type: 'Bearer',
        matrix_server_name: 'hs.test',
        expires_in: 3600,
      },
      member: { id: 'm1', claimed_user_id: ANN, claimed_device_id: 'DEV' },
    });
    expect(res.status).toBe(503);
    expect(res.json).toMatchObject({
      errcode: 'M_UNKNOWN',
      error: expect.stringContaining('membership watch'),
    });
    expect(JSON.stringify(res.json)).not.toContain('"jwt"');
  });

  it('still watches after a restart: the new replica removes, on its own pass, a member who left', async () => {
    const before = await replica(3600);
    await annGetsToken(before);
    expect(await monitorOf(before).size()).toBe(1);
    await before.stop();
    apps.splice(apps.indexOf(before), 1);

    const after = await replica(1);
    members.delete(ANN);
    // One interval (1 s) plus slack for a loaded machine.
    expect(await removedWithin(4_000)).toBe(true);
    // Joins the pass still finishing (the lease keeps a new one from starting).
    await monitorOf(after).checkAll();
    expect(await monitorOf(after).size()).toBe(0);
  });

  it('runs one pass per interval across replicas: is_joined asked once per participant', async () => {
    const a = await replica(3600);
    const b = await replica(3600);
    // Ann asked both replicas (a client retrying through the load balancer): both minted, both track.
    await annGetsToken(a);
    await annGetsToken(b);
    expect(await monitorOf(b).size()).toBe(1);
    const asked = isJoinedAsked();
    await Promise.all([monitorOf(a).checkAll(), monitorOf(b).checkAll(), monitorOf(a).checkAll()]);
    expect(isJoinedAsked() - asked).toBe(1);
    expect(livekit.removed).toEqual([]);
  });

  it('forgets on participant_left at any replica', async () => {
    const a = await replica(3600);
    const b = await replica(3600);
    await annGetsToken(a);
    const { body, authorization } = await livekit.webhook('participant_left', ROOM, IDENTITY);
    await fetch(`${b.url}/sfu_webhook`, {
      method: 'POST',
      headers: { Authorization: authorization, 'Content-Type': 'application/webhook+json' },
      body,
    });
    expect(await monitorOf(a).size()).toBe(0);
  });
});
