import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, oauthAccessToken, startSynapse, type Synapse } from '@gateway/testing';
import type { Accounts } from '../../src/accounts/accounts';
import { ACCOUNTS } from '../../src/tokens';
import { startAuth, SYNAPSE_SECRET, type AuthUnderTest } from '../support/start-auth';

const MEMBERSHIP = { id: 'rtc-membership-client', secret: 'membership-secret-0123456789' };
const ADMIN = { id: 'ops-script', secret: 'ops-secret-0123456789abcdef' };
const API = 'urn:matrix:client:api:*';
const IS_JOINED = 'urn:matrix:client:io.element.msc4502:rooms:is_joined';
const PASSWORD = 'correct horse battery';

interface TokenAnswer {
  status: number;
  body: { access_token?: string; scope?: string; error?: string };
}

// AUTH_MEMBERSHIP_CLIENTS against a real Synapse 1.160 in delegated mode with MSC4502 on: their
// client_credentials tokens act as the service user and may ask is_joined; every other client's
// client_credentials token keeps MAS's rule (no Matrix API without a person).
describe('membership clients (client_credentials for MSC4502 is_joined)', () => {
  let synapse: Synapse;
  let auth: AuthUnderTest;
  let roomId: string;
  let alice: string;

  beforeAll(async () => {
    const port = await freePort();
    synapse = await startSynapse({
      mode: 'delegated',
      msc4502: true,
      authService: { endpoint: `http://127.0.0.1:${port}/`, secret: SYNAPSE_SECRET },
    });
    auth = await startAuth(port, synapse.baseUrl, {
      AUTH_MEMBERSHIP_CLIENTS: `${MEMBERSHIP.id}:${MEMBERSHIP.secret}`,
      AUTH_ADMIN_CLIENTS: `${ADMIN.id}:${ADMIN.secret}`,
    });
    const created = await auth.app.get<Accounts>(ACCOUNTS).register('alice', PASSWORD);
    if (!created.ok) throw new Error(created.reason);
    alice = (await oauthAccessToken(auth.issuer, { username: 'alice', password: PASSWORD })).accessToken;
    const room = await fetch(`${synapse.baseUrl}/_matrix/client/v3/createRoom`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${alice}`, 'Content-Type': 'application/json' },
      body: '{}',
    });
    roomId = ((await room.json()) as { room_id: string }).room_id;
  });
  afterAll(async () => {
    await auth.stop();
    await synapse.stop();
  });

  async function clientCredentials(
    client: { id: string; secret: string },
    scope: string,
    issuer = auth.issuer,
  ): Promise<TokenAnswer> {
    const res = await fetch(`${issuer}oauth2/token`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        Authorization: `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope }),
    });
    return { status: res.status, body: (await res.json()) as TokenAnswer['body'] };
  }

  const matrix = async (token: string, path: string): Promise<{ status: number; body: unknown }> => {
    const res = await fetch(`${synapse.baseUrl}${path}`, { headers: { Authorization: `Bearer ${token}` } });
    return { status: res.status, body: await res.json() };
  };
  const isJoined = (token: string, query: string) =>
    matrix(
      token,
      `/_matrix/client/unstable/io.element.msc4502/rooms/${encodeURIComponent(roomId)}/is_joined?${query}`,
    );

  it('gives a membership client the API and is_joined scopes, and Synapse answers is_joined to its token', async () => {
    const { status, body } = await clientCredentials(MEMBERSHIP, `${API} ${IS_JOINED} urn:synapse:admin:*`);
    expect(status, JSON.stringify(body)).toBe(200);
    // Only the two scopes it may have: never Synapse administration.
    expect(body.scope?.split(' ').sort()).toEqual([API, IS_JOINED].sort());
    const token = body.access_token!;
    expect(await isJoined(token, 'mxid=%40alice%3Alocalhost')).toEqual({
      status: 200,
      body: { joined: true },
    });
    expect(await isJoined(token, 'mxid=%40nobody%3Alocalhost')).toEqual({
      status: 200,
      body: { joined: false },
    });
    expect(await isJoined(token, 'server_name=localhost')).toEqual({ status: 200, body: { joined: true } });
    // The token acts as the service user, provisioned in Synapse, with no device and no admin rights.
    expect(await matrix(token, '/_matrix/client/v3/account/whoami')).toEqual({
      status: 200,
      body: { user_id: '@rtc-membership:localhost', is_guest: false },
    });
    expect((await matrix(token, '/_synapse/admin/v2/users/%40alice%3Alocalhost')).status).toBe(403);
  });

  it('does not give a membership client is_joined without asking, so Synapse refuses the token there', async () => {
    const { status, body } = await clientCredentials(MEMBERSHIP, API);
    expect(status).toBe(200);
    expect(body.scope).toBe(API);
    expect(await isJoined(body.access_token!, 'server_name=localhost')).toMatchObject({
      status: 403,
      body: { errcode: 'M_FORBIDDEN' },
    });
  });

  it('keeps ordinary client_credentials clients away from the Matrix API and is_joined', async () => {
    const registration = await fetch(`${auth.issuer}oauth2/registration`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        client_name: 'A machine client',
        client_uri: 'https://client.example.org/',
        token_endpoint_auth_method: 'client_secret_basic',
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
      }),
    });
    const registered = (await registration.json()) as { client_id: string; client_secret: string };
    expect(registration.status, JSON.stringify(registered)).toBe(201);
    const ordinary = { id: registered.client_id, secret: registered.client_secret };
    for (const client of [ordinary, ADMIN]) {
      const { status, body } = await clientCredentials(
        client,
        `${API} urn:matrix:org.matrix.msc2967.client:api:* ${IS_JOINED} urn:matrix:client:device:ABCDEFGHIJ urn:mas:admin`,
      );
      expect(status, JSON.stringify(body)).toBe(200);
      // The admin client keeps its admin API scope; neither gets anything Synapse would accept.
      expect(body.scope).toBe(client === ADMIN ? 'urn:mas:admin' : undefined);
      expect(await isJoined(body.access_token!, 'server_name=localhost')).toMatchObject({
        status: 401,
        body: { errcode: 'M_UNKNOWN_TOKEN' },
      });
    }
  });

  it("lets nobody register the service user's name", async () => {
    expect(await auth.app.get<Accounts>(ACCOUNTS).register('rtc-membership', PASSWORD)).toEqual({
      ok: false,
      reason: 'This username is not allowed.',
    });
  });

  it("refuses the membership client's token while a person's account has the service user's name", async () => {
    // A second replica configured with alice's name as the service user: its tokens would act as her.
    const port = await freePort();
    const replica = await startAuth(
      port,
      synapse.baseUrl,
      { AUTH_MEMBERSHIP_CLIENTS: `${MEMBERSHIP.id}:${MEMBERSHIP.secret}`, AUTH_MEMBERSHIP_USER: 'alice' },
      { replicaOf: auth },
    );
    try {
      const { status, body } = await clientCredentials(MEMBERSHIP, `${API} ${IS_JOINED}`, replica.issuer);
      expect({ status, error: body.error, token: body.access_token }).toEqual({
        status: 500,
        error: 'server_error',
        token: undefined,
      });
      expect(replica.logs()).toContain('an account named alice exists');
    } finally {
      await replica.stop();
    }
  });
});
