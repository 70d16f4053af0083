import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  freePort,
  oauthAccessToken,
  startService,
  startSynapse,
  stopService,
  testRedisUrl,
  waitHealthy,
  type RunningService,
  type Synapse,
  type TestDatabase,
} from '@gateway/testing';
import { loadRtcConfig } from '../../src/config';
import { runDoctor, type DoctorFinding } from '../../src/doctor/doctor';
import { liveKitRoomAlias } from '../../src/request/room-alias';
import { liveKitIdentity } from '../../src/token/identity';
import { FakeLiveKit } from '../fakes/fake-livekit';
import { post, startRtc, type RtcUnderTest } from '../support/start-rtc';

const ROOT = resolve(import.meta.dirname, '../../../..');
const SLOT = 'm.call#ROOM';
const SERVICE_URL = 'https://rtc.example.test';
const CLIENT = { id: 'rtc-membership-client', secret: randomBytes(18).toString('hex') };
const ADMIN = { id: 'ops-script', secret: randomBytes(18).toString('hex') };
const PASSWORD = 'correct horse battery staple';
/** The auth service's shortest access-token lifetime (AUTH_ACCESS_TOKEN_TTL), so expiry happens in the test. */
const TOKEN_TTL_SECONDS = 60;

interface User {
  userId: string;
  deviceId: string;
  accessToken: string;
}

// Membership checks holding MSC4502's scope through the gateway's own auth service (no application
// service): Synapse 1.160 delegates auth to the built auth service, which lists this service as a
// membership client (AUTH_MEMBERSHIP_CLIENTS, from a file); the service gets client_credentials tokens
// (LIVEKIT_OAUTH_*, the secret from a file) and asks is_joined with them.
describe('membership checks with a client_credentials token from the auth service', () => {
  let dir: string;
  let db: TestDatabase;
  let synapse: Synapse;
  let auth: RunningService;
  let issuer: string;
  let livekit: FakeLiveKit;
  let rtc: RtcUnderTest;
  let rtcEnv: Record<string, string>;
  let alice: User;
  let roomId: string;
  let firstTokenAt: number;
  let authLogs = '';

  beforeAll(async () => {
    for (const app of ['auth-service', 'rtc-jwt-service']) {
      const main = resolve(ROOT, `dist/apps/${app}/main.js`);
      expect(existsSync(main), `${main} is missing: build first (nx run ${app}:build)`).toBe(true);
    }
    dir = mkdtempSync(join(tmpdir(), 'rtc-oauth-membership-'));
    const authPort = await freePort();
    issuer = `http://127.0.0.1:${String(authPort)}/`;
    const synapseSecret = randomBytes(24).toString('hex');
    synapse = await startSynapse({
      mode: 'delegated',
      msc4502: true,
      authService: { endpoint: issuer, secret: synapseSecret },
      rtcServiceUrls: [SERVICE_URL],
      extra: {
        extra_well_known_client_content: {
          'org.matrix.msc4143.rtc_foci': [{ type: 'livekit', livekit_service_url: SERVICE_URL }],
        },
      },
    });
    db = await createTestDatabase();
    const clientsFile = join(dir, 'membership-clients');
    writeFileSync(clientsFile, `${CLIENT.id}:${CLIENT.secret}\n`, { mode: 0o600 });
    const authEnv = {
      AUTH_BIND: `127.0.0.1:${String(authPort)}`,
      AUTH_ISSUER: issuer,
      AUTH_DATABASE_URL: db.url,
      AUTH_REDIS_URL: testRedisUrl(),
      AUTH_HOMESERVER: synapse.serverName,
      AUTH_SYNAPSE_URL: synapse.baseUrl,
      AUTH_SYNAPSE_SECRET: synapseSecret,
      AUTH_SIGNING_KEY_FILE: join(dir, 'keys.json'),
      AUTH_ACCESS_TOKEN_TTL: String(TOKEN_TTL_SECONDS),
      AUTH_MEMBERSHIP_CLIENTS_FILE: clientsFile,
      AUTH_ADMIN_CLIENTS: `${ADMIN.id}:${ADMIN.secret}`,
    };
    auth = startService(
      ROOT,
      {
        name: 'auth-service',
        main: 'dist/apps/auth-service/main.js',
        url: issuer.slice(0, -1),
        env: authEnv,
      },
      () => undefined,
      (_name, line) => {
        authLogs += `${line}\n`;
      },
    );
    await waitHealthy(issuer.slice(0, -1));
    for (const name of ['alice', 'bob', 'carol']) {
      execFileSync(
        process.execPath,
        [resolve(ROOT, 'dist/apps/auth-service/cli.js'), 'user', 'add', name, '--password', PASSWORD],
        { env: { ...process.env, ...authEnv }, stdio: 'pipe' },
      );
    }
    livekit = await new FakeLiveKit().start();
    const secretFile = join(dir, 'oauth-client-secret');
    writeFileSync(secretFile, `${CLIENT.secret}\n`, { mode: 0o600 });
    rtcEnv = {
      LIVEKIT_URL: livekit.url,
      LIVEKIT_KEY: livekit.key,
      LIVEKIT_SECRET: livekit.secret,
      LIVEKIT_FULL_ACCESS_HOMESERVERS: 'localhost',
      LIVEKIT_FEDERATION_URL_OVERRIDES: `localhost=${synapse.baseUrl}`,
      LIVEKIT_CS_API_URL_OVERRIDES: `localhost=${synapse.baseUrl}`,
      LIVEKIT_HS_SERVER_NAME: 'localhost',
      LIVEKIT_OAUTH_TOKEN_URL: `${issuer}oauth2/token`,
      LIVEKIT_OAUTH_CLIENT_ID: CLIENT.id,
      LIVEKIT_OAUTH_CLIENT_SECRET_FILE: secretFile,
    };
    rtc = await startRtc({
      ...rtcEnv,
      LIVEKIT_MEMBERSHIP_CHECK_INTERVAL_SECONDS: '1',
      RTC_MEMBERSHIP_CACHE_SECONDS: '0',
    });
    alice = await signIn('alice');
    roomId = (await matrix(alice, 'POST', '/_matrix/client/v3/createRoom', { preset: 'public_chat' }))
      .room_id as string;
  });
  afterAll(async () => {
    await rtc.stop();
    await livekit.stop();
    await stopService(auth);
    await synapse.stop();
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function signIn(username: string): Promise<User> {
    const { accessToken, deviceId } = await oauthAccessToken(issuer, { username, password: PASSWORD });
    return { userId: `@${username}:localhost`, deviceId, accessToken };
  }

  async function matrix(
    user: User,
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

  const getToken = (user: User) => getTokenFrom(rtc, user);

  async function getTokenFrom(
    service: RtcUnderTest,
    user: User,
  ): Promise<{ status: number; json: unknown; identity: string }> {
    const openid = await matrix(
      user,
      'POST',
      `/_matrix/client/v3/user/${encodeURIComponent(user.userId)}/openid/request_token`,
      {},
    );
    const res = await post(`${service.url}/get_token`, {
      room_id: roomId,
      slot_id: SLOT,
      openid_token: openid,
      member: { id: 'member-1', claimed_user_id: user.userId, claimed_device_id: user.deviceId },
    });
    return { ...res, identity: liveKitIdentity(user.userId, user.deviceId, 'member-1') };
  }

  const doctor = (env: Record<string, string> = {}): Promise<DoctorFinding[]> =>
    runDoctor(loadRtcConfig({ ...rtcEnv, ...env }), { serviceUrl: SERVICE_URL, livekitTimeoutSeconds: 2 });
  const failures = (findings: DoctorFinding[]): string[] => findings.filter((f) => !f.ok).map((f) => f.text);

  it('gives a member a token and creates the room', async () => {
    firstTokenAt = Date.now();
    const res = await getToken(alice);
    expect(res.status, JSON.stringify(res.json)).toBe(200);
    expect(livekit.createRoomCalls.map((c) => c.name)).toContain(liveKitRoomAlias(roomId, SLOT));
  });

  it('refuses a non-member with 403 M_FORBIDDEN and creates no room', async () => {
    const bob = await signIn('bob');
    const before = livekit.createRoomCalls.length;
    expect(await getToken(bob)).toMatchObject({
      status: 403,
      json: { errcode: 'M_FORBIDDEN', error: 'User is not joined to the room' },
    });
    expect(livekit.createRoomCalls.length).toBe(before);
  });

  it('removes a member who leaves from the SFU within one check interval', async () => {
    const carol = await signIn('carol');
    const roomPath = (action: string) => `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/${action}`;
    await matrix(carol, 'POST', roomPath('join'), {});
    const res = await getToken(carol);
    expect(res.status, JSON.stringify(res.json)).toBe(200);
    livekit.join(liveKitRoomAlias(roomId, SLOT), res.identity);
    await new Promise((r) => setTimeout(r, 1_200));
    expect(livekit.removed.some((r) => r.identity === res.identity)).toBe(false);
    await matrix(carol, 'POST', roomPath('leave'), {});
    const deadline = Date.now() + 4_000;
    while (!livekit.removed.some((r) => r.identity === res.identity) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    expect(livekit.removed).toContainEqual({ room: liveKitRoomAlias(roomId, SLOT), identity: res.identity });
  });

  it('doctor passes this deployment and names each refusal on the auth-service path', async () => {
    const ok = await doctor();
    expect(failures(ok)).toEqual([]);
    expect(ok.map((f) => f.text)).toContain(
      `membership: localhost answers is_joined to the auth service's client ${CLIENT.id}`,
    );
    expect(ok.map((f) => f.text.split(':')[0])).toEqual([
      'livekit',
      'homeserver',
      'membership',
      'transports',
      'well-known',
    ]);

    expect(
      failures(
        await doctor({ LIVEKIT_OAUTH_CLIENT_SECRET_FILE: '', LIVEKIT_OAUTH_CLIENT_SECRET: 'wrong-secret' }),
      ),
    ).toEqual([
      `membership: the auth service (${issuer}oauth2/token) refused client ${CLIENT.id} (invalid_client): LIVEKIT_OAUTH_CLIENT_ID/LIVEKIT_OAUTH_CLIENT_SECRET must be one of its AUTH_MEMBERSHIP_CLIENTS`,
    ]);
    // A client the auth service knows, but not as a membership client: its token lacks the scopes.
    expect(
      failures(
        await doctor({
          LIVEKIT_OAUTH_CLIENT_ID: ADMIN.id,
          LIVEKIT_OAUTH_CLIENT_SECRET_FILE: '',
          LIVEKIT_OAUTH_CLIENT_SECRET: ADMIN.secret,
        }),
      ),
    ).toEqual([
      `membership: the auth service (${issuer}oauth2/token) did not grant the Matrix API and is_joined scopes to client ${ADMIN.id}: add it to the auth service's AUTH_MEMBERSHIP_CLIENTS`,
    ]);
    const down = `http://127.0.0.1:${String(await freePort())}/oauth2/token`;
    expect(failures(await doctor({ LIVEKIT_OAUTH_TOKEN_URL: down }))).toEqual([
      `membership: the auth service (${down}) is unreachable: check LIVEKIT_OAUTH_TOKEN_URL`,
    ]);
  });

  it("/ready checks is_joined with the service's own client_credentials token, and names a refusal in one line", async () => {
    const ready = await fetch(`${rtc.url}/ready`);
    const report = (await ready.json()) as { checks: Record<string, string>; detail: Record<string, string> };
    expect(ready.status, JSON.stringify(report)).toBe(200);
    expect(report.checks).toEqual({
      livekit: 'ok',
      'livekit-key': 'ok',
      homeserver: 'ok',
      'membership-scope': 'ok',
    });
    expect(report.detail['membership-scope']).toBe(
      `localhost answers is_joined to the auth service's client ${CLIENT.id}`,
    );

    const notReady = async (env: Record<string, string>): Promise<string> => {
      const other = await startRtc({ ...rtcEnv, LIVEKIT_OAUTH_CLIENT_SECRET_FILE: '', ...env });
      try {
        const res = await fetch(`${other.url}/ready`);
        const body = (await res.json()) as { checks: Record<string, string> };
        expect(res.status, JSON.stringify(body)).toBe(503);
        const { 'membership-scope': scope, ...rest } = body.checks;
        expect(rest).toEqual({ livekit: 'ok', 'livekit-key': 'ok', homeserver: 'ok' });
        expect(scope).toBeDefined();
        expect(scope).not.toContain('\n');
        // Token requests use the same token: a member (signed in afresh, as user tokens here live 60 s)
        // cannot get one from this replica.
        expect((await getTokenFrom(other, await signIn('alice'))).status).toBe(502);
        return scope ?? '';
      } finally {
        await other.stop();
      }
    };
    // A client the auth service knows, but not as a membership client: its token lacks the scopes.
    expect(
      await notReady({ LIVEKIT_OAUTH_CLIENT_ID: ADMIN.id, LIVEKIT_OAUTH_CLIENT_SECRET: ADMIN.secret }),
    ).toBe(
      `the auth service (${issuer}oauth2/token) did not grant the Matrix API and is_joined scopes to client ${ADMIN.id}: add it to the auth service's AUTH_MEMBERSHIP_CLIENTS`,
    );
    expect(await notReady({ LIVEKIT_OAUTH_CLIENT_SECRET: 'wrong-secret' })).toBe(
      `the auth service (${issuer}oauth2/token) refused client ${CLIENT.id} (invalid_client): LIVEKIT_OAUTH_CLIENT_ID/LIVEKIT_OAUTH_CLIENT_SECRET must be one of its AUTH_MEMBERSHIP_CLIENTS`,
    );
  });

  it('gets a new token once the first has expired, and keeps checking membership with it', async () => {
    // Synapse refuses an expired token (its introspection cache honours expires_in): only a refreshed
    // token can answer after this.
    const wait = firstTokenAt + (TOKEN_TTL_SECONDS + 2) * 1000 - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    // Users' own access tokens have the same short lifetime: alice signs in again.
    expect((await getToken(await signIn('alice'))).status).toBe(200);
    const bob = await signIn('bob');
    expect(await getToken(bob)).toMatchObject({ status: 403, json: { errcode: 'M_FORBIDDEN' } });
    expect(authLogs).not.toContain('membership client token was withdrawn');
    // The token was replaced before it expired, not after Synapse refused it: the periodic check of the
    // participants above never met a 401.
    expect(rtc.logs()).not.toContain('is_joined answered 401');
    expect(rtc.logs()).not.toContain('membership check failed');
  }, 120_000);
});
