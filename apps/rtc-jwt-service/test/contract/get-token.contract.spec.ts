import { TokenVerifier } from 'livekit-server-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startSynapse, type RegisteredUser, type Synapse } from '@gateway/testing';
import { legacyLiveKitRoomAlias, liveKitRoomAlias } from '../../src/request/room-alias';
import { legacyLiveKitIdentity, liveKitIdentity } from '../../src/token/identity';
import { FakeLiveKit, LIVEKIT_FAULTS } from '../fakes/fake-livekit';
import { post, startRtc, type RtcUnderTest } from '../support/start-rtc';

// The MSC4195 flow end to end against a real Synapse: a client gets an OpenID token from its homeserver,
// trades it here, and the minted JWT is checked with LiveKit's own verifier.
describe('rtc-jwt-service against Synapse', () => {
  let synapse: Synapse;
  let livekit: FakeLiveKit;
  let rtc: RtcUnderTest;
  let restricted: RtcUnderTest;
  let alice: RegisteredUser;
  const verifier = () => new TokenVerifier(livekit.key, livekit.secret);

  beforeAll(async () => {
    const port = await freePort();
    livekit = await new FakeLiveKit().start();
    synapse = await startSynapse({ mode: 'plain', rtcServiceUrls: [`http://127.0.0.1:${port}`] });
    const env = {
      LIVEKIT_URL: livekit.url,
      LIVEKIT_KEY: livekit.key,
      LIVEKIT_SECRET: livekit.secret,
      LIVEKIT_FEDERATION_URL_OVERRIDES: `localhost=${synapse.baseUrl}`,
      LIVEKIT_CS_API_URL_OVERRIDES: `localhost=${synapse.baseUrl}`,
    };
    rtc = await startRtc({
      ...env,
      LIVEKIT_JWT_BIND: `127.0.0.1:${port}`,
      LIVEKIT_FULL_ACCESS_HOMESERVERS: 'localhost',
      RTC_METRICS_BIND: '127.0.0.1:0',
    });
    // The same homeserver, but not on this deployment's full-access list: its users are "restricted".
    restricted = await startRtc({ ...env, LIVEKIT_FULL_ACCESS_HOMESERVERS: 'elsewhere.example' });
    alice = await synapse.registerUser('alice');
  });
  afterAll(async () => {
    await rtc.stop();
    await restricted.stop();
    await livekit.stop();
    await synapse.stop();
  });

  async function openIdToken(user: RegisteredUser): Promise<Record<string, unknown>> {
    const res = await fetch(
      `${synapse.baseUrl}/_matrix/client/v3/user/${encodeURIComponent(user.userId)}/openid/request_token`,
      {
        method: 'POST',
        headers: { Authorization: `Bearer ${user.accessToken}`, 'Content-Type': 'application/json' },
        body: '{}',
      },
    );
    expect(res.status).toBe(200);
    return (await res.json()) as Record<string, unknown>;
  }

  function getTokenBody(openid: Record<string, unknown>, extra: Record<string, unknown> = {}) {
    return {
      room_id: '!room:localhost',
      slot_id: 'm.call#ROOM',
      openid_token: openid,
      member: { id: 'member-1', claimed_user_id: alice.userId, claimed_device_id: alice.deviceId },
      ...extra,
    };
  }

  it('is advertised by Synapse as the LiveKit transport (MSC4143)', async () => {
    const res = await fetch(`${synapse.baseUrl}/_matrix/client/unstable/org.matrix.msc4143/rtc/transports`, {
      headers: { Authorization: `Bearer ${alice.accessToken}` },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ rtc_transports: [{ type: 'livekit', livekit_service_url: rtc.url }] });
  });

  it('trades an OpenID token for a LiveKit JWT on /get_token and creates the room first', async () => {
    const openid = await openIdToken(alice);
    const res = await post(`${rtc.url}/get_token`, getTokenBody(openid));
    expect(res.status).toBe(200);
    const { url, jwt } = res.json as { url: string; jwt: string };
    expect(url).toBe(livekit.url);

    const room = liveKitRoomAlias('!room:localhost', 'm.call#ROOM');
    const claims = await verifier().verify(jwt);
    expect(claims.iss).toBe(livekit.key);
    expect(claims.sub).toBe(liveKitIdentity(alice.userId, alice.deviceId, 'member-1'));
    expect(claims.exp! - claims.nbf!).toBe(3600);
    expect(claims.video).toEqual({
      room,
      roomJoin: true,
      canPublish: true,
      canSubscribe: true,
      canUpdateOwnMetadata: true,
    });
    expect(Object.keys(claims).sort()).toEqual(['exp', 'iss', 'nbf', 'sub', 'video']);
    expect(livekit.createRoomCalls).toContainEqual({
      name: room,
      emptyTimeout: 300,
      departureTimeout: 20,
      maxParticipants: 0,
    });
    await expect(new TokenVerifier('otherkey', livekit.secret).verify(jwt)).rejects.toThrow();
  });

  it('serves the legacy /sfu/get with the user:device identity and the m.call#ROOM room', async () => {
    const openid = await openIdToken(alice);
    const res = await post(`${rtc.url}/sfu/get`, {
      room: '!room:localhost',
      openid_token: openid,
      device_id: alice.deviceId,
    });
    expect(res.status).toBe(200);
    const claims = await verifier().verify((res.json as { jwt: string }).jwt);
    expect(claims.sub).toBe(legacyLiveKitIdentity(alice.userId, alice.deviceId));
    expect(claims.video?.room).toBe(legacyLiveKitRoomAlias('!room:localhost'));
    // The same Matrix room maps to the same LiveKit room whichever endpoint a client used.
    expect(claims.video?.room).toBe(liveKitRoomAlias('!room:localhost', 'm.call#ROOM'));
  });

  it('refuses a token whose user is not the claimed one, or that Synapse does not know', async () => {
    const openid = await openIdToken(alice);
    const mismatch = await post(`${rtc.url}/get_token`, {
      ...getTokenBody(openid),
      member: { id: 'm', claimed_user_id: '@mallory:localhost', claimed_device_id: 'D' },
    });
    expect(mismatch).toMatchObject({
      status: 401,
      json: { errcode: 'M_UNAUTHORIZED', error: 'The request could not be authorised.' },
    });
    const forged = await post(`${rtc.url}/get_token`, getTokenBody({ ...openid, access_token: 'forged' }));
    expect(forged).toMatchObject({ status: 401, json: { errcode: 'M_UNAUTHORIZED' } });
    // A server name that is not the token's: Synapse answers for localhost users only.
    const wrongServer = await post(
      `${rtc.url}/get_token`,
      getTokenBody({ ...openid, matrix_server_name: 'elsewhere.example' }),
    );
    expect(wrongServer).toMatchObject({ status: 401, json: { errcode: 'M_UNAUTHORIZED' } });
  });

  it('gives restricted users a token but never a room, and refuses their delegations as Element Call expects', async () => {
    const before = livekit.createRoomCalls.length;
    const openid = await openIdToken(alice);
    const ok = await post(`${restricted.url}/get_token`, getTokenBody(openid));
    expect(ok.status).toBe(200);
    expect(livekit.createRoomCalls.length).toBe(before);

    const withDelay = await post(`${restricted.url}/sfu/get`, {
      room: '!room:localhost',
      openid_token: await openIdToken(alice),
      device_id: alice.deviceId,
      delay_id: 'syd_x',
      delay_timeout: 10_000,
    });
    expect(withDelay).toMatchObject({
      status: 400,
      json: {
        errcode: 'M_BAD_JSON',
        error: 'Delegation of delayed events is only supported for full access users',
      },
    });
    const delegate = await post(
      `${restricted.url}/delegate_delayed_leave`,
      getTokenBody(await openIdToken(alice), { delay_id: 'syd_x', delay_timeout: 10_000 }),
    );
    expect(delegate).toMatchObject({ status: 403, json: { errcode: 'M_FORBIDDEN' } });
  });

  it('answers 500 M_UNKNOWN when LiveKit cannot create the room', async () => {
    livekit.faults.set('CreateRoom', LIVEKIT_FAULTS.internal);
    try {
      const res = await post(`${rtc.url}/get_token`, getTokenBody(await openIdToken(alice)));
      expect(res).toMatchObject({
        status: 500,
        json: {
          errcode: 'M_UNKNOWN',
          error: 'Unable to create room on SFU: the SFU answered 500 internal: see the LiveKit server log',
        },
      });
    } finally {
      livekit.faults.clear();
    }
  });

  it('reports its OpenID lookups and outcomes in /metrics, on the internal listener only', async () => {
    expect((await fetch(`${rtc.url}/metrics`)).status).toBe(404);
    const text = await (await fetch(`${rtc.metricsUrl!}/metrics`)).text();
    expect(text).toMatch(/rtc_token_requests_total\{endpoint="get_token",outcome="ok"\} [1-9]/);
    expect(text).toMatch(/rtc_token_requests_total\{endpoint="get_token",outcome="M_UNAUTHORIZED"\} [1-9]/);
    expect(text).toMatch(/rtc_userinfo_request_seconds_count\{outcome="200"\} [1-9]/);
    expect(text).toMatch(/rtc_create_room_errors_total\{cause="other"\} [1-9]/);
  });

  it('never writes OpenID tokens or JWTs into its logs', async () => {
    const openid = await openIdToken(alice);
    const res = await post(`${rtc.url}/get_token`, getTokenBody(openid));
    const { jwt } = res.json as { jwt: string };
    expect(rtc.logs()).not.toContain(String(openid['access_token']));
    expect(rtc.logs()).not.toContain(jwt);
  });
});
