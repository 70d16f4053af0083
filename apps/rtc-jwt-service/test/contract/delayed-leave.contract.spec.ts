import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startSynapse, type RegisteredUser, type Synapse } from '@gateway/testing';
import { legacyLiveKitRoomAlias, liveKitRoomAlias } from '../../src/request/room-alias';
import { legacyLiveKitIdentity, liveKitIdentity } from '../../src/token/identity';
import { FakeLiveKit } from '../fakes/fake-livekit';
import { post, startRtc, type RtcUnderTest } from '../support/start-rtc';

const MEMBER_EVENT = 'org.matrix.msc3401.call.member';
const DELAY_MS = 3_000;

// MSC4140 delegated leave with a real Synapse: the client schedules its own "left the call" state event
// with a delay; this service keeps it from firing while LiveKit has the participant, and fires it as
// soon as LiveKit reports they left.
describe('delayed leave against Synapse', () => {
  let synapse: Synapse;
  let livekit: FakeLiveKit;
  let rtc: RtcUnderTest;
  let alice: RegisteredUser;
  let roomId: string;

  beforeAll(async () => {
    const port = await freePort();
    livekit = await new FakeLiveKit().start();
    synapse = await startSynapse({ mode: 'plain', rtcServiceUrls: [`http://127.0.0.1:${port}`] });
    rtc = await startRtc({
      LIVEKIT_JWT_BIND: `127.0.0.1:${port}`,
      LIVEKIT_URL: livekit.url,
      LIVEKIT_KEY: livekit.key,
      LIVEKIT_SECRET: livekit.secret,
      LIVEKIT_FULL_ACCESS_HOMESERVERS: 'localhost',
      LIVEKIT_FEDERATION_URL_OVERRIDES: `localhost=${synapse.baseUrl}`,
      LIVEKIT_CS_API_URL_OVERRIDES: `localhost=${synapse.baseUrl}`,
    });
    alice = await synapse.registerUser('alice');
    const created = await matrix('POST', '/_matrix/client/v3/createRoom', { preset: 'private_chat' });
    roomId = (created as { room_id: string }).room_id;
  });
  afterAll(async () => {
    await rtc.stop();
    await livekit.stop();
    await synapse.stop();
  });

  async function matrix(method: string, path: string, body?: unknown): Promise<unknown> {
    const res = await fetch(`${synapse.baseUrl}${path}`, {
      method,
      headers: { Authorization: `Bearer ${alice.accessToken}`, 'Content-Type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json = await res.json();
    if (!res.ok)
      throw Object.assign(new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`), {
        status: res.status,
      });
    return json;
  }

  /** Schedules the membership "leave" the way Element Call does, returning its delay id. */
  async function scheduleLeave(stateKey: string): Promise<string> {
    const path = `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/state/${MEMBER_EVENT}/${encodeURIComponent(stateKey)}?org.matrix.msc4140.delay=${DELAY_MS}`;
    return ((await matrix('PUT', path, {})) as { delay_id: string }).delay_id;
  }

  async function leaveSent(stateKey: string): Promise<boolean> {
    try {
      await matrix(
        'GET',
        `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/state/${MEMBER_EVENT}/${encodeURIComponent(stateKey)}`,
      );
      return true;
    } catch (err) {
      if ((err as { status?: number }).status === 404) return false;
      throw err;
    }
  }

  async function openId(): Promise<unknown> {
    return matrix(
      'POST',
      `/_matrix/client/v3/user/${encodeURIComponent(alice.userId)}/openid/request_token`,
      {},
    );
  }

  async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error('condition not met in time');
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  async function webhook(
    event: 'participant_joined' | 'participant_left',
    room: string,
    identity: string,
  ): Promise<void> {
    const { body, authorization } = await livekit.webhook(event, room, identity);
    const res = await fetch(`${rtc.url}/sfu_webhook`, {
      method: 'POST',
      headers: { Authorization: authorization, 'Content-Type': 'application/webhook+json' },
      body,
    });
    expect(res.status).toBe(200);
  }

  it('keeps the leave event from firing while the participant is connected, and sends it when they leave', async () => {
    const stateKey = `_${alice.userId}_${alice.deviceId}_m.call`;
    const delayId = await scheduleLeave(stateKey);
    const res = await post(`${rtc.url}/get_token`, {
      room_id: roomId,
      slot_id: 'm.call#ROOM',
      openid_token: await openId(),
      member: { id: 'member-1', claimed_user_id: alice.userId, claimed_device_id: alice.deviceId },
      delay_id: delayId,
      delay_timeout: DELAY_MS,
    });
    expect(res.status).toBe(200);
    const room = liveKitRoomAlias(roomId, 'm.call#ROOM');
    const identity = liveKitIdentity(alice.userId, alice.deviceId, 'member-1');
    livekit.join(room, identity);
    await webhook('participant_joined', room, identity);

    // Twice the delay: without the restarts Synapse would have sent the leave by now.
    await new Promise((r) => setTimeout(r, 2 * DELAY_MS));
    expect(await leaveSent(stateKey)).toBe(false);

    livekit.leave(room, identity);
    await webhook('participant_left', room, identity);
    await until(() => leaveSent(stateKey), 2_000);
  });

  it('also keeps alive a participant who joined with a legacy /sfu/get token (lk-jwt-service cannot)', async () => {
    const stateKey = `_${alice.userId}_${alice.deviceId}_legacy`;
    const delayId = await scheduleLeave(stateKey);
    const sfu = await post(`${rtc.url}/sfu/get`, {
      room: roomId,
      openid_token: await openId(),
      device_id: alice.deviceId,
    });
    expect(sfu.status).toBe(200);
    const room = legacyLiveKitRoomAlias(roomId);
    const identity = legacyLiveKitIdentity(alice.userId, alice.deviceId);
    livekit.join(room, identity);

    const res = await post(`${rtc.url}/delegate_delayed_leave`, {
      room_id: roomId,
      slot_id: 'm.call#ROOM',
      openid_token: await openId(),
      member: { id: 'member-2', claimed_user_id: alice.userId, claimed_device_id: alice.deviceId },
      delay_id: delayId,
      delay_timeout: DELAY_MS,
    });
    expect(res).toMatchObject({ status: 200, json: {} });
    await new Promise((r) => setTimeout(r, 2 * DELAY_MS));
    expect(await leaveSent(stateKey)).toBe(false);

    livekit.leave(room, identity);
    await webhook('participant_left', room, identity);
    await until(() => leaveSent(stateKey), 2_000);
  });
});
