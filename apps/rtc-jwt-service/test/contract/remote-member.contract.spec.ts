import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSynapse, type RegisteredUser, type Synapse } from '@gateway/testing';
import { newAppServiceToken, renderRegistration } from '../../src/membership/appservice-registration';
import { FakeLiveKit } from '../fakes/fake-livekit';
import { post, startRtc, type RtcUnderTest } from '../support/start-rtc';

// A remote user, with a real OpenID token from a second real Synapse (remote.test), asking for a call in
// a room on our Synapse (localhost). The test bed's Synapses do not federate (federation needs TLS
// between them), so the remote user can never be joined here: this file covers the real refusal, and
// test/integration/remote-members.spec.ts the joined case and room creation against a stub of ours.
describe('a remote user against two real homeservers', () => {
  let ours: Synapse;
  let remote: Synapse;
  let livekit: FakeLiveKit;
  let rtc: RtcUnderTest;
  let alice: RegisteredUser;
  let rita: RegisteredUser;
  let roomId: string;
  const asToken = newAppServiceToken();

  beforeAll(async () => {
    livekit = await new FakeLiveKit().start();
    [ours, remote] = await Promise.all([
      startSynapse({
        mode: 'plain',
        msc4502: true,
        appServiceRegistrations: [renderRegistration({ asToken })],
      }),
      startSynapse({ mode: 'plain', serverName: 'remote.test' }),
    ]);
    rtc = await startRtc({
      LIVEKIT_URL: livekit.url,
      LIVEKIT_KEY: livekit.key,
      LIVEKIT_SECRET: livekit.secret,
      LIVEKIT_FULL_ACCESS_HOMESERVERS: 'localhost',
      LIVEKIT_FEDERATION_URL_OVERRIDES: `localhost=${ours.baseUrl},remote.test=${remote.baseUrl}`,
      LIVEKIT_CS_API_URL_OVERRIDES: `localhost=${ours.baseUrl}`,
      LIVEKIT_AS_TOKEN: asToken,
      LIVEKIT_HS_TOKEN: 'unused',
      LIVEKIT_HS_SERVER_NAME: 'localhost',
      LIVEKIT_MEMBERSHIP_CHECK_INTERVAL_SECONDS: '0',
    });
    alice = await ours.registerUser('alice');
    rita = await remote.registerUser('rita');
    const created = await fetch(`${ours.baseUrl}/_matrix/client/v3/createRoom`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${alice.accessToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ preset: 'public_chat' }),
    });
    roomId = ((await created.json()) as { room_id: string }).room_id;
  });
  afterAll(async () => {
    await rtc.stop();
    await livekit.stop();
    await Promise.all([ours.stop(), remote.stop()]);
  });

  const openId = async (hs: Synapse, user: RegisteredUser): Promise<unknown> => {
    const res = await fetch(
      `${hs.baseUrl}/_matrix/client/v3/user/${encodeURIComponent(user.userId)}/openid/request_token`,
      {
        method: 'POST',
        headers: { Authorization: `Bearer ${user.accessToken}`, 'Content-Type': 'application/json' },
        body: '{}',
      },
    );
    expect(res.status).toBe(200);
    return res.json();
  };
  const ask = async (hs: Synapse, user: RegisteredUser) =>
    post(`${rtc.url}/get_token`, {
      room_id: roomId,
      slot_id: 'm.call#ROOM',
      openid_token: await openId(hs, user),
      member: { id: 'm1', claimed_user_id: user.userId, claimed_device_id: user.deviceId },
    });

  it('refuses a remote user our homeserver does not see in the room, and creates no room', async () => {
    const before = livekit.createRoomCalls.length;
    expect(rita.userId).toBe('@rita:remote.test');
    expect(await ask(remote, rita)).toMatchObject({
      status: 403,
      json: { errcode: 'M_FORBIDDEN', error: 'User is not joined to the room' },
    });
    expect(livekit.createRoomCalls.length).toBe(before);
  });

  it('still gives the local member in the same room a token', async () => {
    expect((await ask(ours, alice)).status).toBe(200);
  });
});
