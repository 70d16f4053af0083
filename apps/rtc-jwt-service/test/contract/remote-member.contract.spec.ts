import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSynapse, type RegisteredUser, type Synapse } from '@gateway/testing';
import { newAppServiceToken, renderRegistration } from '../../src/membership/appservice-registration';
import { liveKitRoomAlias } from '../../src/request/room-alias';
import { liveKitIdentity } from '../../src/token/identity';
import { FakeLiveKit } from '../fakes/fake-livekit';
import { post, startRtc, type RtcUnderTest } from '../support/start-rtc';

const SLOT = 'm.call#ROOM';
/** Federation joins cross two Synapses and their key fetches; generous, as the machine is shared. */
const FEDERATION_TIMEOUT_MS = 30_000;

// Remote users with real federation: two Synapses of the test bed federate over TLS on loopback
// (startSynapse's `federation`), named `127.0.0.1:<port>`. Ours is full-access and answers is_joined to
// the service's application service; rita, on the remote server, joins a room on ours over federation,
// so ours sees her membership in the room's current state. ron, on the remote server too, never joins.
describe('remote users of a federated homeserver', () => {
  let ours: Synapse;
  let remote: Synapse;
  let livekit: FakeLiveKit;
  let rtc: RtcUnderTest;
  let alice: RegisteredUser;
  let rita: RegisteredUser;
  let ron: RegisteredUser;
  let roomId: string;
  const asToken = newAppServiceToken();

  const matrix = async (
    hs: Synapse,
    user: RegisteredUser,
    method: string,
    path: string,
    body?: unknown,
  ): Promise<Record<string, unknown>> => {
    const res = await fetch(`${hs.baseUrl}${path}`, {
      method,
      headers: { Authorization: `Bearer ${user.accessToken}`, 'Content-Type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json = (await res.json()) as Record<string, unknown>;
    expect(res.status, `${method} ${path}: ${JSON.stringify(json)}\n${hs.logTail(20)}`).toBe(200);
    return json;
  };
  /** Our homeserver's own view (the admin API), polled until the remote membership has arrived. */
  const waitForMembership = async (userId: string, membership: string): Promise<void> => {
    const deadline = Date.now() + FEDERATION_TIMEOUT_MS;
    for (;;) {
      const res = await fetch(
        `${ours.baseUrl}/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/state/m.room.member/${encodeURIComponent(userId)}`,
        { headers: { Authorization: `Bearer ${alice.accessToken}` } },
      );
      const state = res.ok ? ((await res.json()) as { membership?: string }) : {};
      if (state.membership === membership) return;
      if (Date.now() > deadline)
        throw new Error(`${userId} never became ${membership} on ours\n${ours.logTail(30)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };

  beforeAll(async () => {
    livekit = await new FakeLiveKit().start();
    [ours, remote] = await Promise.all([
      startSynapse({
        mode: 'plain',
        federation: true,
        msc4502: true,
        appServiceRegistrations: [renderRegistration({ asToken })],
      }),
      startSynapse({ mode: 'plain', federation: true }),
    ]);
    rtc = await startRtc({
      LIVEKIT_URL: livekit.url,
      LIVEKIT_KEY: livekit.key,
      LIVEKIT_SECRET: livekit.secret,
      LIVEKIT_FULL_ACCESS_HOMESERVERS: ours.serverName,
      // OpenID userinfo over the plain listeners: the federation under test is between the homeservers.
      LIVEKIT_FEDERATION_URL_OVERRIDES: `${ours.serverName}=${ours.baseUrl},${remote.serverName}=${remote.baseUrl}`,
      LIVEKIT_CS_API_URL_OVERRIDES: `${ours.serverName}=${ours.baseUrl}`,
      LIVEKIT_AS_TOKEN: asToken,
      LIVEKIT_HS_TOKEN: 'unused',
      LIVEKIT_HS_SERVER_NAME: ours.serverName,
      LIVEKIT_MEMBERSHIP_CHECK_INTERVAL_SECONDS: '1',
      RTC_MEMBERSHIP_CACHE_SECONDS: '0',
    });
    [alice, rita, ron] = await Promise.all([
      ours.registerUser('alice'),
      remote.registerUser('rita'),
      remote.registerUser('ron'),
    ]);
    roomId = (await matrix(ours, alice, 'POST', '/_matrix/client/v3/createRoom', { preset: 'public_chat' }))
      .room_id as string;
    // rita joins over federation (make_join / send_join to ours, each side fetching the other's keys).
    await matrix(
      remote,
      rita,
      'POST',
      `/_matrix/client/v3/join/${encodeURIComponent(roomId)}?server_name=${encodeURIComponent(ours.serverName)}`,
      {},
    );
    await waitForMembership(rita.userId, 'join');
  }, 2 * FEDERATION_TIMEOUT_MS);
  afterAll(async () => {
    await rtc.stop();
    await livekit.stop();
    await Promise.all([ours.stop(), remote.stop()]);
  });

  const openId = async (hs: Synapse, user: RegisteredUser): Promise<unknown> =>
    matrix(
      hs,
      user,
      'POST',
      `/_matrix/client/v3/user/${encodeURIComponent(user.userId)}/openid/request_token`,
      {},
    );
  const ask = async (hs: Synapse, user: RegisteredUser) =>
    post(`${rtc.url}/get_token`, {
      room_id: roomId,
      slot_id: SLOT,
      openid_token: await openId(hs, user),
      member: { id: 'm1', claimed_user_id: user.userId, claimed_device_id: user.deviceId },
    });

  it('gives a remote member a token and creates the SFU room, though no local user is in the call', async () => {
    expect(rita.userId).toBe(`@rita:${remote.serverName}`);
    expect(remote.serverName).not.toBe(ours.serverName);
    const res = await ask(remote, rita);
    expect(res.status, JSON.stringify(res.json)).toBe(200);
    // rita's server is not full-access; alice (ours, full-access) is joined to the Matrix room.
    expect(livekit.createRoomCalls.map((c) => c.name)).toContain(liveKitRoomAlias(roomId, SLOT));
  });

  it('refuses a remote user who is not joined with 403 M_FORBIDDEN', async () => {
    const before = livekit.createRoomCalls.length;
    expect(await ask(remote, ron)).toMatchObject({
      status: 403,
      json: { errcode: 'M_FORBIDDEN', error: 'User is not joined to the room' },
    });
    expect(livekit.createRoomCalls.length).toBe(before);
  });

  it(
    'removes the remote member from the SFU once her leave has reached our homeserver',
    async () => {
      const res = await ask(remote, rita);
      expect(res.status, JSON.stringify(res.json)).toBe(200);
      const identity = liveKitIdentity(rita.userId, rita.deviceId, 'm1');
      livekit.join(liveKitRoomAlias(roomId, SLOT), identity);
      await matrix(remote, rita, 'POST', `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/leave`, {});
      await waitForMembership(rita.userId, 'leave');
      const deadline = Date.now() + 4_000;
      while (!livekit.removed.some((r) => r.identity === identity) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 100));
      expect(livekit.removed).toContainEqual({ room: liveKitRoomAlias(roomId, SLOT), identity });
      expect(await ask(remote, rita)).toMatchObject({ status: 403, json: { errcode: 'M_FORBIDDEN' } });
    },
    FEDERATION_TIMEOUT_MS,
  );

  it('still gives the local member in the same room a token', async () => {
    expect((await ask(ours, alice)).status).toBe(200);
  });
});
