import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestRedis, startSynapse, type RegisteredUser, type Synapse } from '@gateway/testing';
import { liveKitRoomAlias } from '../../src/request/room-alias';
import { liveKitIdentity } from '../../src/token/identity';
import { FakeLiveKit } from '../fakes/fake-livekit';
import { post, startRtc, type RtcUnderTest } from '../support/start-rtc';

const CLI = resolve(import.meta.dirname, '../../../../dist/apps/rtc-jwt-service/cli.js');
const SLOT = 'm.call#ROOM';

// Room membership with MSC4502 `is_joined` on a real Synapse: the registration comes from the built CLI
// (`npm test` builds before the contract tier), Synapse loads it, and the service holds the scope
// through it. The SFU is the fake LiveKit, which records RemoveParticipant.
describe('membership checks against Synapse (MSC4502)', () => {
  let dir: string;
  let registrationFile: string;
  let synapse: Synapse;
  let livekit: FakeLiveKit;
  let rtc: RtcUnderTest;
  let restricted: RtcUnderTest;
  let alice: RegisteredUser;
  let roomId: string;
  let otherRoomId: string;
  /** The service's environment against this Synapse and LiveKit, with membership configured. */
  let env: Record<string, string>;

  beforeAll(async () => {
    expect(existsSync(CLI), `${CLI} is missing: build first (nx run rtc-jwt-service:build)`).toBe(true);
    livekit = await new FakeLiveKit().start();
    const lkEnv = { LIVEKIT_URL: livekit.url, LIVEKIT_KEY: livekit.key, LIVEKIT_SECRET: livekit.secret };
    dir = mkdtempSync(join(tmpdir(), 'rtc-membership-'));
    registrationFile = join(dir, 'registration.yaml');
    const cli = spawnSync(process.execPath, [CLI, 'appservice-registration', '--output', registrationFile], {
      env: { PATH: process.env['PATH'], ...lkEnv, LIVEKIT_FULL_ACCESS_HOMESERVERS: 'localhost' },
      encoding: 'utf8',
    });
    expect(cli.stderr).toBe('');
    expect(cli.status).toBe(0);
    synapse = await startSynapse({
      mode: 'plain',
      msc4502: true,
      appServiceRegistrations: [readFileSync(registrationFile, 'utf8')],
    });
    env = {
      ...lkEnv,
      LIVEKIT_FEDERATION_URL_OVERRIDES: `localhost=${synapse.baseUrl}`,
      LIVEKIT_CS_API_URL_OVERRIDES: `localhost=${synapse.baseUrl}`,
      LIVEKIT_AS_REGISTRATION_FILE: registrationFile,
      LIVEKIT_HS_SERVER_NAME: 'localhost',
    };
    rtc = await startRtc({
      ...env,
      LIVEKIT_FULL_ACCESS_HOMESERVERS: 'localhost',
      LIVEKIT_MEMBERSHIP_CHECK_INTERVAL_SECONDS: '1',
    });
    // Same homeserver, not full access: its users are "restricted", as remote users would be.
    restricted = await startRtc({
      ...env,
      LIVEKIT_FULL_ACCESS_HOMESERVERS: 'elsewhere.example',
      LIVEKIT_MEMBERSHIP_CHECK_INTERVAL_SECONDS: '0',
    });
    alice = await synapse.registerUser('alice');
    roomId = (await matrix(alice, 'POST', '/_matrix/client/v3/createRoom', { preset: 'public_chat' }))
      .room_id as string;
    otherRoomId = (await matrix(alice, 'POST', '/_matrix/client/v3/createRoom', { preset: 'public_chat' }))
      .room_id as string;
  });
  afterAll(async () => {
    await rtc.stop();
    await restricted.stop();
    await livekit.stop();
    await synapse.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function matrix(
    user: RegisteredUser,
    method: string,
    path: string,
    body?: unknown,
  ): Promise<Record<string, unknown>> {
    const res = await fetch(`${synapse.baseUrl}${path}`, {
      method,
      headers: { Authorization: `Bearer ${user.accessToken}`, 'Content-Type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json = (await res.json()) as Record<string, unknown>;
    expect(res.status, JSON.stringify(json)).toBe(200);
    return json;
  }

  const roomPath = (action: string, room = roomId): string =>
    `/_matrix/client/v3/rooms/${encodeURIComponent(room)}/${action}`;

  async function getToken(
    user: RegisteredUser,
    service: RtcUnderTest = rtc,
    room = roomId,
  ): Promise<{ status: number; json: unknown; identity: string }> {
    const openid = await matrix(
      user,
      'POST',
      `/_matrix/client/v3/user/${encodeURIComponent(user.userId)}/openid/request_token`,
      {},
    );
    const res = await post(`${service.url}/get_token`, {
      room_id: room,
      slot_id: SLOT,
      openid_token: openid,
      member: { id: 'member-1', claimed_user_id: user.userId, claimed_device_id: user.deviceId },
    });
    return { ...res, identity: liveKitIdentity(user.userId, user.deviceId, 'member-1') };
  }

  async function webhookTo(service: RtcUnderTest, room: string, identity: string): Promise<void> {
    const { body, authorization } = await livekit.webhook('participant_joined', room, identity);
    const hook = await fetch(`${service.url}/sfu_webhook`, {
      method: 'POST',
      headers: { Authorization: authorization, 'Content-Type': 'application/webhook+json' },
      body,
    });
    expect(hook.status).toBe(200);
  }

  async function removedWithin(ms: number, identity: string): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      if (livekit.removed.some((r) => r.identity === identity)) return true;
      await new Promise((r) => setTimeout(r, 100));
    }
    return false;
  }

  it('writes a registration Synapse accepts, readable only by its owner', () => {
    expect(statSync(registrationFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(registrationFile, 'utf8')).toContain(
      'urn:matrix:client:io.element.msc4502:rooms:is_joined',
    );
  });

  it('gives a member a token and creates the room', async () => {
    const res = await getToken(alice);
    expect(res.status).toBe(200);
    expect(livekit.createRoomCalls.map((c) => c.name)).toContain(liveKitRoomAlias(roomId, SLOT));
  });

  it('refuses a non-member with 403 M_FORBIDDEN on /get_token and /sfu/get, and creates no room', async () => {
    const bob = await synapse.registerUser('bob');
    const before = livekit.createRoomCalls.length;
    const res = await getToken(bob);
    expect(res).toMatchObject({
      status: 403,
      json: { errcode: 'M_FORBIDDEN', error: 'User is not joined to the room' },
    });
    const openid = await matrix(
      bob,
      'POST',
      `/_matrix/client/v3/user/${encodeURIComponent(bob.userId)}/openid/request_token`,
      {},
    );
    const legacy = await post(`${rtc.url}/sfu/get`, {
      room: roomId,
      openid_token: openid,
      device_id: bob.deviceId,
    });
    expect(legacy).toMatchObject({ status: 403, json: { errcode: 'M_FORBIDDEN' } });
    expect(livekit.createRoomCalls.length).toBe(before);
  });

  it("answers the is_joined questions the service asks, with the registration's token", async () => {
    const asToken = /as_token: "([^"]+)"/.exec(readFileSync(registrationFile, 'utf8'))?.[1];
    const ask = async (query: string, token = asToken): Promise<{ status: number; body: unknown }> => {
      const res = await fetch(
        `${synapse.baseUrl}/_matrix/client/unstable/io.element.msc4502/rooms/${encodeURIComponent(roomId)}/is_joined?${query}`,
        { headers: { Authorization: `Bearer ${token ?? ''}` } },
      );
      return { status: res.status, body: await res.json() };
    };
    expect(await ask(`mxid=${encodeURIComponent(alice.userId)}`)).toEqual({
      status: 200,
      body: { joined: true },
    });
    expect(await ask('mxid=%40nobody%3Alocalhost')).toEqual({ status: 200, body: { joined: false } });
    expect(await ask('server_name=localhost')).toEqual({ status: 200, body: { joined: true } });
    expect(await ask('server_name=elsewhere.example')).toEqual({ status: 200, body: { joined: false } });
    // An ordinary user's token lacks the scope: the registration is what grants it.
    expect(await ask('server_name=localhost', alice.accessToken)).toMatchObject({ status: 403 });
  });

  it("is ready: /ready's membership-scope asks Synapse is_joined with the registration's token", async () => {
    const res = await fetch(`${rtc.url}/ready`);
    const report = (await res.json()) as { checks: Record<string, string>; detail: Record<string, string> };
    expect(res.status, JSON.stringify(report)).toBe(200);
    expect(report.checks['membership-scope']).toBe('ok');
    expect(report.detail['membership-scope']).toBe('localhost answers is_joined to our application service');
  });

  it('does not create the room for a restricted user when no full-access server is in it', async () => {
    const before = livekit.createRoomCalls.length;
    const res = await getToken(alice, restricted, otherRoomId);
    expect(res.status).toBe(200);
    expect(livekit.createRoomCalls.length).toBe(before);
  });

  for (const how of ['leaves', 'is kicked', 'is banned'] as const) {
    it(`removes a member who ${how} from the SFU within one check interval`, async () => {
      const user = await synapse.registerUser(`user-${how.replace(/\W/g, '')}`);
      await matrix(user, 'POST', roomPath('join'), {});
      const res = await getToken(user);
      expect(res.status).toBe(200);
      livekit.join(liveKitRoomAlias(roomId, SLOT), res.identity);
      await new Promise((r) => setTimeout(r, 1_200));
      expect(livekit.removed.some((r) => r.identity === res.identity)).toBe(false);

      if (how === 'leaves') await matrix(user, 'POST', roomPath('leave'), {});
      else if (how === 'is kicked') await matrix(alice, 'POST', roomPath('kick'), { user_id: user.userId });
      else await matrix(alice, 'POST', roomPath('ban'), { user_id: user.userId });
      // One interval (1 s) plus slack for a loaded machine.
      expect(await removedWithin(4_000, res.identity)).toBe(true);
      expect(livekit.participants.has(`${liveKitRoomAlias(roomId, SLOT)}\n${res.identity}`)).toBe(false);
    });
  }

  it("checks again on LiveKit's participant_joined webhook and removes a member who has left", async () => {
    const erin = await synapse.registerUser('erin');
    await matrix(erin, 'POST', roomPath('join'), {});
    // The restricted instance has no periodic check: only the webhook can remove her.
    const res = await getToken(erin, restricted);
    expect(res.status).toBe(200);
    const room = liveKitRoomAlias(roomId, SLOT);
    livekit.join(room, res.identity);
    await matrix(erin, 'POST', roomPath('leave'), {});
    const { body, authorization } = await livekit.webhook('participant_joined', room, res.identity);
    const hook = await fetch(`${restricted.url}/sfu_webhook`, {
      method: 'POST',
      headers: { Authorization: authorization, 'Content-Type': 'application/webhook+json' },
      body,
    });
    expect(hook.status).toBe(200);
    expect(livekit.removed).toContainEqual({ room, identity: res.identity });
  });

  it('removes a member who left when the webhook reaches another replica than the one that minted (Redis)', async () => {
    const redis = await createTestRedis();
    // Two replicas behind one load balancer, sharing Redis; no periodic check, so only the webhook acts.
    const shared = {
      ...env,
      LIVEKIT_FULL_ACCESS_HOMESERVERS: 'localhost',
      LIVEKIT_MEMBERSHIP_CHECK_INTERVAL_SECONDS: '0',
      LIVEKIT_REDIS_URL: redis.url,
      RTC_REDIS_PREFIX: redis.prefix,
    };
    const minting = await startRtc(shared);
    const other = await startRtc(shared);
    try {
      const frank = await synapse.registerUser('frank');
      await matrix(frank, 'POST', roomPath('join'), {});
      const res = await getToken(frank, minting);
      expect(res.status).toBe(200);
      const room = liveKitRoomAlias(roomId, SLOT);
      livekit.join(room, res.identity);
      await webhookTo(other, room, res.identity);
      expect(livekit.removed.some((r) => r.identity === res.identity)).toBe(false);
      await matrix(frank, 'POST', roomPath('leave'), {});
      await webhookTo(other, room, res.identity);
      expect(livekit.removed).toContainEqual({ room, identity: res.identity });
    } finally {
      await minting.stop();
      await other.stop();
      await redis.cleanup();
    }
  });
});
