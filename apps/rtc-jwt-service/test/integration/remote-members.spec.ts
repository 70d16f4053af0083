import { TokenVerifier } from 'livekit-server-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liveKitRoomAlias } from '../../src/request/room-alias';
import { DELEGATION_REFUSED } from '../../src/token/full-access';
import { FakeLiveKit } from '../fakes/fake-livekit';
import { answerSub, startFakeHomeserver, type FakeHomeserver } from '../fakes/fake-homeserver';
import { post, startRtc, type RtcUnderTest } from '../support/start-rtc';

const IS_JOINED = /^\/_matrix\/client\/unstable\/io\.element\.msc4502\/rooms\/([^/]+)\/is_joined$/;

// Remote users starting calls, the questions asked and the claims: a user of a homeserver that is not
// full access (remote.test, a stub answering userinfo) may have the SFU room created when a user of our
// full-access homeserver (hs.test, a stub answering MSC4502 is_joined as Synapse does) is joined to the
// Matrix room. The stubs let a test choose who is joined and make the homeserver refuse; the same path
// with two real Synapses federating is test/contract/remote-member.contract.spec.ts.
describe('remote members and SFU room creation', () => {
  let ours: FakeHomeserver;
  let remote: FakeHomeserver;
  let livekit: FakeLiveKit;
  let rtc: RtcUnderTest;
  /** room id → members (user ids) of the Matrix room, as our homeserver sees them. */
  const rooms = new Map<string, string[]>();

  beforeAll(async () => {
    ours = await startFakeHomeserver();
    ours.handle((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const match = IS_JOINED.exec(url.pathname);
      if (match === null || req.headers.authorization !== 'Bearer as-token') {
        res.writeHead(403, { 'Content-Type': 'application/json' }).end('{"errcode":"M_FORBIDDEN"}');
        return;
      }
      const members = rooms.get(decodeURIComponent(match[1]!)) ?? [];
      const mxid = url.searchParams.get('mxid');
      const server = url.searchParams.get('server_name');
      const joined =
        mxid !== null ? members.includes(mxid) : members.some((m) => m.endsWith(`:${server ?? ''}`));
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ joined }));
    });
    remote = await startFakeHomeserver();
    remote.handle(answerSub('@rita:remote.test'));
    livekit = await new FakeLiveKit().start();
    rtc = await startRtc({
      LIVEKIT_URL: livekit.url,
      LIVEKIT_KEY: livekit.key,
      LIVEKIT_SECRET: livekit.secret,
      LIVEKIT_FULL_ACCESS_HOMESERVERS: 'hs.test',
      LIVEKIT_FEDERATION_URL_OVERRIDES: `remote.test=${remote.baseUrl}`,
      LIVEKIT_CS_API_URL_OVERRIDES: `hs.test=${ours.baseUrl}`,
      LIVEKIT_AS_TOKEN: 'as-token',
      LIVEKIT_HS_TOKEN: 'hs-token',
      LIVEKIT_HS_SERVER_NAME: 'hs.test',
      RTC_MEMBERSHIP_CACHE_SECONDS: '0',
    });
  });
  afterAll(async () => {
    await rtc.stop();
    await livekit.stop();
    await ours.close();
    await remote.close();
  });

  const ritaAsks = (roomId: string, extra: Record<string, unknown> = {}) =>
    post(`${rtc.url}/get_token`, {
      room_id: roomId,
      slot_id: 'm.call#ROOM',
      openid_token: {
        access_token: 'tok',
        token_type: 'Bearer',
        matrix_server_name: 'remote.test',
        expires_in: 3600,
      },
      member: { id: 'm1', claimed_user_id: '@rita:remote.test', claimed_device_id: 'DEV' },
      ...extra,
    });

  it('creates the room for a remote member when a full-access homeserver is in the room', async () => {
    rooms.set('!shared:remote.test', ['@rita:remote.test', '@alice:hs.test']);
    const res = await ritaAsks('!shared:remote.test');
    expect(res.status).toBe(200);
    expect(livekit.createRoomCalls.map((c) => c.name)).toContain(
      liveKitRoomAlias('!shared:remote.test', 'm.call#ROOM'),
    );
    // Still a restricted user's token otherwise: the same claims as before.
    const claims = await new TokenVerifier(livekit.key, livekit.secret).verify(
      (res.json as { jwt: string }).jwt,
    );
    expect(claims.video?.room).toBe(liveKitRoomAlias('!shared:remote.test', 'm.call#ROOM'));
    const asked = ours.requests.map((r) => r.query.toString());
    expect(asked).toContain('mxid=%40rita%3Aremote.test');
    expect(asked).toContain('server_name=hs.test');
  });

  it('creates no room when only remote servers are in the room', async () => {
    rooms.set('!remote-only:remote.test', ['@rita:remote.test']);
    const res = await ritaAsks('!remote-only:remote.test');
    expect(res.status).toBe(200);
    expect(livekit.createRoomCalls.map((c) => c.name)).not.toContain(
      liveKitRoomAlias('!remote-only:remote.test', 'm.call#ROOM'),
    );
  });

  it('refuses a remote user our homeserver does not see in the room', async () => {
    rooms.set('!other:remote.test', ['@alice:hs.test']);
    const res = await ritaAsks('!other:remote.test');
    expect(res).toMatchObject({ status: 403, json: { errcode: 'M_FORBIDDEN' } });
  });

  it('refuses a restricted user asking to delegate before asking about membership, as upstream orders them', async () => {
    rooms.set('!elsewhere:remote.test', ['@alice:hs.test']);
    const asked = ours.requests.length;
    const res = await ritaAsks('!elsewhere:remote.test', { delay_id: 'syd_1', delay_timeout: 10_000 });
    // Not a member either, but the full-access rule answers first (400, not 403), and no is_joined.
    expect(res).toMatchObject({ status: 400, json: { errcode: 'M_BAD_JSON', error: DELEGATION_REFUSED } });
    expect(ours.requests.length).toBe(asked);
  });

  it('answers 502 M_UNKNOWN, never a token, when our homeserver refuses the question', async () => {
    ours.handle((_req, res) => {
      res
        .writeHead(403, { 'Content-Type': 'application/json' })
        .end('{"errcode":"M_FORBIDDEN","error":"Missing scope"}');
    });
    const res = await ritaAsks('!shared:remote.test');
    expect(res).toMatchObject({
      status: 502,
      json: { errcode: 'M_UNKNOWN', error: 'Unable to check room membership' },
    });
  });

  it('warns at start when membership is not configured, and not when it is', async () => {
    const unchecked = await startRtc({
      LIVEKIT_URL: livekit.url,
      LIVEKIT_KEY: livekit.key,
      LIVEKIT_SECRET: livekit.secret,
      LIVEKIT_FULL_ACCESS_HOMESERVERS: 'hs.test',
    });
    try {
      expect(unchecked.logs()).toContain('room membership is not checked');
    } finally {
      await unchecked.stop();
    }
    expect(rtc.logs()).not.toContain('room membership is not checked');
  });
});
