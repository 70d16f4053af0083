import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database } from '@gateway/db';
import { Browser, freePort, startSynapse, type Synapse } from '@gateway/testing';
import type { Accounts } from '../../src/accounts/accounts';
import type { SignIn } from '../../src/accounts/sign-in';
import type { AuthStore } from '@gateway/auth-data';
import { ACCOUNTS, AUTH_STORE, SIGN_IN } from '../../src/tokens';
import { AdminApiClient } from '../support/admin-api-client';
import { approve } from '../support/sign-in';
import { startAuth, SYNAPSE_SECRET, type AuthUnderTest } from '../support/start-auth';

const REDIRECT = 'https://client.example.org/callback';
const PASSWORD = 'correct horse battery';
const ADMIN_CLIENT = { id: 'ops-script', secret: 'ops-secret-0123456789abcdef' };
const V1 = '/api/admin/v1';

// The admin API end to end against a real Synapse 1.160: every answer is checked against the service's
// own OpenAPI document (AdminApiClient), and what an operator does shows in Synapse.
describe('admin API', () => {
  let synapse: Synapse;
  let auth: AuthUnderTest;
  let api: AdminApiClient;
  let clientId: string;
  let clientToken: string;
  let adminUserToken: string;
  let offsetMs = 0;

  beforeAll(async () => {
    const port = await freePort();
    synapse = await startSynapse({
      mode: 'delegated',
      authService: { endpoint: `http://127.0.0.1:${port}/`, secret: SYNAPSE_SECRET },
    });
    auth = await startAuth(
      port,
      synapse.baseUrl,
      { AUTH_ADMIN_CLIENTS: `${ADMIN_CLIENT.id}:${ADMIN_CLIENT.secret}` },
      { clock: () => Date.now() + offsetMs },
    );
    const accounts = auth.app.get<Accounts>(ACCOUNTS);
    for (const [name, admin] of [
      ['root', true],
      ['alice', false],
      ['bob', false],
      ['carol', false],
    ] as const) {
      const created = await accounts.register(name, PASSWORD, admin);
      if (!created.ok) throw new Error(created.reason);
    }
    const registration = await fetch(`${auth.issuer}oauth2/registration`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        client_name: 'Admin Test Client',
        client_uri: 'https://client.example.org/',
        redirect_uris: [REDIRECT],
        application_type: 'web',
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
      }),
    });
    clientId = ((await registration.json()) as { client_id: string }).client_id;
    api = await AdminApiClient.open(auth.issuer);
    clientToken = await clientCredentials(ADMIN_CLIENT.id, ADMIN_CLIENT.secret, 'urn:mas:admin');
    adminUserToken = (await signIn('root', 'openid urn:mas:admin')).access_token;
  });
  afterAll(async () => {
    await auth.stop();
    await synapse.stop();
  });

  async function clientCredentials(id: string, secret: string, scope: string): Promise<string> {
    const res = await fetch(`${auth.issuer}oauth2/token`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        Authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope }),
    });
    const body = (await res.json()) as { access_token: string; scope?: string };
    expect(res.status, JSON.stringify(body)).toBe(200);
    return body.access_token;
  }

  async function signIn(username: string, scope: string): Promise<{ access_token: string }> {
    const verifier = randomBytes(32).toString('base64url');
    const authorize = new URL(`${auth.issuer}authorize`);
    for (const [k, v] of Object.entries({
      client_id: clientId,
      redirect_uri: REDIRECT,
      response_type: 'code',
      scope,
      state: 'st',
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    }))
      authorize.searchParams.set(k, v);
    const callback = await approve(authorize.toString(), auth.issuer, { username, password: PASSWORD });
    const code = callback.searchParams.get('code');
    if (code === null) throw new Error(`no code: ${callback.toString()}`);
    const res = await fetch(`${auth.issuer}oauth2/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: REDIRECT,
        client_id: clientId,
        code_verifier: verifier,
      }),
    });
    const body = (await res.json()) as { access_token: string };
    expect(res.status, JSON.stringify(body)).toBe(200);
    return body;
  }

  const whoami = (token: string) =>
    fetch(`${synapse.baseUrl}/_matrix/client/v3/account/whoami`, {
      headers: { Authorization: `Bearer ${token}` },
    });
  const queryUser = async (localpart: string) =>
    (await (
      await fetch(`${synapse.baseUrl}/_synapse/mas/query_user?localpart=${localpart}`, {
        headers: { Authorization: `Bearer ${SYNAPSE_SECRET}` },
      })
    ).json()) as { is_deactivated: boolean; is_suspended: boolean };
  const introspect = async (token: string) =>
    (await (
      await fetch(`${auth.issuer}oauth2/introspect`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          Authorization: `Bearer ${SYNAPSE_SECRET}`,
        },
        body: new URLSearchParams({ token }),
      })
    ).json()) as Record<string, unknown>;
  async function until(check: () => Promise<boolean>, ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error('condition not met in time');
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  const get = (path: string, token = clientToken) => api.call('GET', `${V1}${path}`, { token });
  const post = (path: string, body?: unknown, token = clientToken) =>
    api.call('POST', `${V1}${path}`, { token, body });
  const userId = async (username: string) =>
    ((await get(`/users/by-username/${username}`)).body['data'] as { id: string }).id;

  it('publishes a valid OpenAPI 3.1 document and a self-contained page under a strict CSP', async () => {
    expect(api.spec['openapi']).toBe('3.1.0');
    expect(api.operationIds().length).toBeGreaterThanOrEqual(15);
    const page = await fetch(`${auth.issuer}api/doc/`);
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/default-src 'none'/);
    expect(csp).not.toMatch(/unsafe-inline|script-src/);
    const html = await page.text();
    expect(html).not.toMatch(/<script|<link|src=|https?:\/\/(?!127\.0\.0\.1)/);
    for (const id of api.operationIds()) expect(html).toContain(`id="${id}"`);
  });

  it('refuses missing, malformed, unknown, scope-less, non-admin and expired tokens with no data', async () => {
    const refused = async (options: { token?: string; authorization?: string }, status: number) => {
      const res = await api.call('GET', `${V1}/users`, options);
      expect(res.status).toBe(status);
      expect(res.body).not.toHaveProperty('data');
      expect((res.body['errors'] as { title: string }[])[0]!.title).toEqual(expect.any(String));
      if (status === 401) expect(res.headers.get('www-authenticate')).toBe('Bearer');
    };
    await refused({}, 401);
    await refused({ authorization: 'Basic Zm9vOmJhcg==' }, 401);
    await refused({ token: 'mat_notarealtokenatall' }, 401);
    await refused({ token: 'x'.repeat(43) }, 401);
    // An admin user's token without urn:mas:admin, and an ordinary user's: 403.
    const rootPlain = await signIn(
      'root',
      'openid urn:matrix:client:api:* urn:matrix:client:device:ROOTPLAIN01',
    );
    await refused({ token: rootPlain.access_token }, 403);
    const alice = await signIn(
      'alice',
      'openid urn:matrix:client:api:* urn:matrix:client:device:ALICEDEV001',
    );
    await refused({ token: alice.access_token }, 403);
    // A dynamically registered client cannot mint urn:mas:admin with client_credentials.
    const other = (await (
      await fetch(`${auth.issuer}oauth2/registration`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({
          client_name: 'Sneaky',
          client_uri: 'https://sneaky.example.org/',
          application_type: 'web',
          token_endpoint_auth_method: 'client_secret_basic',
          grant_types: ['client_credentials'],
          response_types: [],
          redirect_uris: [],
        }),
      })
    ).json()) as { client_id?: string; client_secret?: string };
    expect(other.client_secret).toEqual(expect.any(String));
    const sneaky = await clientCredentials(other.client_id!, other.client_secret!, 'urn:mas:admin');
    await refused({ token: sneaky }, 403);
    // The admin client's token without the scope.
    await refused({ token: await clientCredentials(ADMIN_CLIENT.id, ADMIN_CLIENT.secret, '') }, 403);
    // Expired: the injected clock moves past the token's lifetime.
    const shortLived = await clientCredentials(ADMIN_CLIENT.id, ADMIN_CLIENT.secret, 'urn:mas:admin');
    offsetMs = 301_000;
    try {
      await refused({ token: shortLived }, 401);
    } finally {
      offsetMs = 0;
    }
    expect((await get('/users', shortLived)).status).toBe(200);
  });

  it('lists users with filters, cursors and counts, and gets them by id and username', async () => {
    const all = await get('/users?page[first]=2');
    expect(all.status).toBe(200);
    expect(all.body['meta']).toEqual({ count: 4 });
    const first = all.body['data'] as { id: string; attributes: { username: string } }[];
    expect(first).toHaveLength(2);
    const links = all.body['links'] as { next?: string; prev?: string };
    expect(links.prev).toBeUndefined();
    const next = await api.call('GET', links.next!, { token: clientToken });
    const second = next.body['data'] as { id: string }[];
    expect(second).toHaveLength(2);
    expect(second.map((u) => u.id)).not.toContain(first[0]!.id);
    expect((next.body['links'] as { next?: string }).next).toBeUndefined();
    const back = await get(`/users?page[last]=2&page[before]=${second[0]!.id}`);
    expect((back.body['data'] as { id: string }[]).map((u) => u.id)).toEqual(first.map((u) => u.id));

    const admins = await get('/users?filter[admin]=true');
    expect(
      (admins.body['data'] as { attributes: { username: string } }[]).map((u) => u.attributes.username),
    ).toEqual(['root']);
    expect((await get('/users?filter[search]=AR&count=only')).body).toMatchObject({ meta: { count: 1 } });
    expect((await get('/users?filter[search]=ar&count=only')).body).not.toHaveProperty('data');
    expect((await get('/users?filter[status]=active&count=false')).body).not.toHaveProperty('meta');
    expect((await get('/users?filter[legacy-guest]=true')).body['data']).toEqual([]);
    expect((await get('/users?filter[status]=nope')).status).toBe(400);
    expect((await get('/users?page[first]=0')).status).toBe(400);
    // A page holds 1 to 1000 items.
    expect((await get('/users?page[first]=1001')).status).toBe(400);
    expect((await get('/users?page[first]=1000')).status).toBe(200);
    expect((await get('/users?page[first]=1&page[last]=1')).status).toBe(400);
    expect((await get('/users?page[after]=not-a-cursor')).status).toBe(400);

    const bobId = await userId('bob');
    const bob = await get(`/users/${bobId}`);
    expect(bob.body).toMatchObject({
      data: { type: 'user', id: bobId, attributes: { username: 'bob', admin: false, locked_at: null } },
      links: { self: `${V1}/users/${bobId}` },
    });
    expect((await get('/users/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await get('/users/garbage')).status).toBe(404);
    expect((await get('/users/by-username/nobody')).status).toBe(404);
  });

  it('creates a user, provisioned on Synapse; sets its password and admin flag', async () => {
    const created = await post('/users', { username: 'dave' });
    expect(created.status).toBe(201);
    const id = (created.body['data'] as { id: string }).id;
    expect((await queryUser('dave')).is_deactivated).toBe(false);
    expect((await post('/users', { username: 'dave' })).status).toBe(409);
    expect((await post('/users', { username: 'Not Valid!' })).status).toBe(400);
    expect((await post('/users', { nope: true })).status).toBe(400);

    expect((await post(`/users/${id}/set-password`, { password: 'short' })).status).toBe(400);
    // Long but guessable (zxcvbn): refused, unless the operator skips the check as MAS allows; the
    // length window still holds then.
    const weak = await post(`/users/${id}/set-password`, { password: 'qwertyuiopasdfghjkl' });
    expect(weak).toMatchObject({
      status: 400,
      body: { errors: [{ title: 'Password is too weak: This password is too easy to guess.' }] },
    });
    expect(
      (
        await post(`/users/${id}/set-password`, {
          password: 'qwertyuiopasdfghjkl',
          skip_password_check: true,
        })
      ).status,
    ).toBe(204);
    expect(
      (await post(`/users/${id}/set-password`, { password: 'short', skip_password_check: true })).status,
    ).toBe(400);
    expect(
      (await post(`/users/${id}/set-password`, { password: 'a much longer passphrase 42' })).status,
    ).toBe(204);
    const passwordSignIn = auth.app.get<SignIn>(SIGN_IN);
    expect((await passwordSignIn.attempt('dave', 'a much longer passphrase 42', '10.0.0.1')).ok).toBe(true);
    expect(
      (await post('/users/00000000-0000-4000-8000-000000000000/set-password', { password: 'x' })).status,
    ).toBe(404);

    const promoted = await post(`/users/${id}/set-admin`, { admin: true }, adminUserToken);
    expect(promoted.body).toMatchObject({ data: { attributes: { admin: true } } });
    expect((await post(`/users/${id}/set-admin`, { admin: 'yes' })).status).toBe(400);
  });

  it('locks a user: sign-in fails, their token goes inactive, Synapse holds the lock', async () => {
    const token = (
      await signIn('carol', 'openid urn:matrix:client:api:* urn:matrix:client:device:CAROLDEV01')
    ).access_token;
    expect((await whoami(token)).status).toBe(200);
    const id = await userId('carol');
    const locked = await post(`/users/${id}/lock`);
    expect(locked.status).toBe(200);
    expect(
      (locked.body['data'] as { attributes: { locked_at: string | null } }).attributes.locked_at,
    ).not.toBeNull();
    const passwordSignIn = auth.app.get<SignIn>(SIGN_IN);
    expect(await passwordSignIn.attempt('carol', PASSWORD, '10.0.0.2')).toEqual({
      ok: false,
      reason: 'wrong-credentials',
    });
    // Synapse holds its copy of the lock (provision_user's `locked`), as its own admin API shows.
    const synapseAdmin = (
      await signIn('root', 'urn:matrix:client:api:* urn:synapse:admin:* urn:matrix:client:device:ROOTADMIN01')
    ).access_token;
    const carol = await fetch(`${synapse.baseUrl}/_synapse/admin/v2/users/@carol:localhost`, {
      headers: { Authorization: `Bearer ${synapseAdmin}` },
    });
    expect(await carol.json()).toMatchObject({ name: '@carol:localhost', locked: true });
    // The token is inactive at introspection once the 1 s user cache has passed, so Synapse refuses it
    // when its own cache of the answer ends.
    offsetMs = 1_100;
    try {
      expect(await introspect(token)).toEqual({ active: false });
    } finally {
      offsetMs = 0;
    }
    expect((await get('/users?filter[status]=locked')).body['meta']).toEqual({ count: 1 });

    const unlocked = await post(`/users/${id}/unlock`);
    expect(
      (unlocked.body['data'] as { attributes: { locked_at: string | null } }).attributes.locked_at,
    ).toBeNull();
    expect((await passwordSignIn.attempt('carol', PASSWORD, '10.0.0.2')).ok).toBe(true);
    // Past the cache entry made while locked.
    offsetMs = 2_200;
    try {
      expect(await introspect(token)).toMatchObject({ active: true, username: 'carol' });
    } finally {
      offsetMs = 0;
    }
    expect((await post('/users/00000000-0000-4000-8000-000000000000/lock')).status).toBe(404);
  });

  it('deactivates a user in Synapse and reactivates it', async () => {
    const token = (await signIn('bob', 'openid urn:matrix:client:api:* urn:matrix:client:device:BOBDEVICE01'))
      .access_token;
    expect((await whoami(token)).status).toBe(200);
    const id = await userId('bob');
    const deactivated = await post(`/users/${id}/deactivate`, { skip_erase: true });
    expect(deactivated.status).toBe(200);
    expect((await queryUser('bob')).is_deactivated).toBe(true);
    await until(async () => (await whoami(token)).status === 401, 15_000);
    expect((await get('/users?filter[status]=deactivated')).body['meta']).toEqual({ count: 1 });
    expect((await post(`/users/${id}/deactivate`, { skip_erase: 'no' })).status).toBe(400);
    // Audited: the attempt, then its outcome; the refused body changed nothing and is not an attempt.
    const audited = async (type: string, page = '') =>
      (
        (await get(`/audit-events?filter[type]=${type}&filter[subject]=${id}${page}`)).body['data'] as {
          attributes: Record<string, unknown>;
        }[]
      ).map((e) => [
        e.attributes['outcome'],
        e.attributes['actor'],
        (e.attributes['details'] as { status?: number }).status,
      ]);
    expect(await audited('admin.user.deactivated')).toEqual([
      ['attempted', ADMIN_CLIENT.id, undefined],
      ['succeeded', ADMIN_CLIENT.id, 200],
    ]);

    // Synapse goes on with the deactivation after delete_user answers; a reactivate_user meanwhile can
    // fail, which the API answers 503 (documented) with the change kept, so repeating it is safe.
    let reactivated = await post(`/users/${id}/reactivate`);
    await until(async () => {
      if (reactivated.status === 200) return true;
      expect(reactivated.status).toBe(503);
      reactivated = await post(`/users/${id}/reactivate`);
      return reactivated.status === 200;
    }, 15_000);
    expect(
      (reactivated.body['data'] as { attributes: { deactivated_at: string | null } }).attributes
        .deactivated_at,
    ).toBeNull();
    expect((await queryUser('bob')).is_deactivated).toBe(false);
    // The newest event (the retries above may fill a page): the reactivation that succeeded.
    expect(await audited('admin.user.reactivated', '&page[last]=1')).toEqual([
      ['succeeded', ADMIN_CLIENT.id, 200],
    ]);
    expect((await post('/users/00000000-0000-4000-8000-000000000000/reactivate')).status).toBe(404);
    expect((await post('/users/00000000-0000-4000-8000-000000000000/unlock')).status).toBe(404);
    expect((await post('/users/00000000-0000-4000-8000-000000000000/deactivate', {})).status).toBe(404);
    expect(
      (await post('/users/00000000-0000-4000-8000-000000000000/set-admin', { admin: true })).status,
    ).toBe(404);
  });

  it('lists, gets and finishes OAuth 2.0 sessions; a finished session’s token is refused by Synapse', async () => {
    const token = (
      await signIn('alice', 'openid urn:matrix:client:api:* urn:matrix:client:device:ALICEDEV002')
    ).access_token;
    expect((await whoami(token)).status).toBe(200);
    const aliceId = await userId('alice');
    const sessions = await get(`/oauth2-sessions?filter[user]=${aliceId}&filter[status]=active`);
    const items = sessions.body['data'] as {
      id: string;
      attributes: { scope: string; client_id: string; last_active_at: string | null };
    }[];
    const session = items.find((s) => s.attributes.scope.includes('ALICEDEV002'));
    expect(session?.attributes.client_id).toBe(clientId);
    // Getting its tokens was its last activity.
    expect(Date.parse(session?.attributes.last_active_at ?? '')).toBeGreaterThan(Date.now() - 60_000);
    expect((await get(`/oauth2-sessions/${session!.id}`)).body).toMatchObject({ data: { id: session!.id } });
    expect((await get(`/oauth2-sessions?filter[client]=${clientId}&page[first]=1`)).status).toBe(200);
    expect((await get('/oauth2-sessions?filter[user]=00000000-0000-4000-8000-000000000000')).status).toBe(
      404,
    );
    expect((await get('/oauth2-sessions?filter[status]=gone')).status).toBe(400);

    const finished = await post(`/oauth2-sessions/${session!.id}/finish`);
    expect(finished.status).toBe(200);
    expect(
      (finished.body['data'] as { attributes: { finished_at: string | null } }).attributes.finished_at,
    ).not.toBeNull();
    await until(async () => (await whoami(token)).status === 401, 15_000);
    expect((await post(`/oauth2-sessions/${session!.id}/finish`)).status).toBe(400);
    expect((await post('/oauth2-sessions/nope/finish')).status).toBe(404);
    expect((await get('/oauth2-sessions/nope')).status).toBe(404);
    expect((await get('/oauth2-sessions?filter[status]=finished&count=only')).body['meta']).toEqual({
      count: expect.any(Number),
    });
  });

  it('lists and gets registered clients, without their secrets', async () => {
    const all = await get('/oauth2-clients?page[first]=1');
    expect(all.body['meta']).toEqual({ count: expect.any(Number) });
    const listed = await get(`/oauth2-clients/${clientId}`);
    expect(listed.body).toMatchObject({
      data: {
        type: 'oauth2-client',
        id: clientId,
        attributes: { client_name: 'Admin Test Client', redirect_uris: [REDIRECT] },
      },
    });
    expect(JSON.stringify(all.body)).not.toMatch(/"client_secret"/);
    expect((await get('/oauth2-clients/nope')).status).toBe(404);
  });

  it('answers site-config and version', async () => {
    expect((await get('/site-config')).body).toMatchObject({
      server_name: 'localhost',
      password_login_enabled: true,
      minimum_password_complexity: 3,
    });
    expect((await get('/version')).body).toEqual({ version: expect.any(String) });
  });

  it('creates, lists, gets, updates, revokes and unrevokes registration tokens (MAS shapes)', async () => {
    const tokens = '/user-registration-tokens';
    const put = (path: string, body: unknown) =>
      api.call('PUT', `${V1}${path}`, { token: clientToken, body });
    const created = await post(tokens, { token: 'admin-made', usage_limit: 2 });
    expect(created.status).toBe(201);
    const id = (created.body['data'] as { id: string }).id;
    expect(created.body).toEqual({
      data: {
        type: 'user-registration_token',
        id,
        attributes: {
          token: 'admin-made',
          valid: true,
          usage_limit: 2,
          times_used: 0,
          created_at: expect.any(String),
          last_used_at: null,
          expires_at: null,
          revoked_at: null,
        },
        links: { self: `${V1}${tokens}/${id}` },
      },
      links: { self: `${V1}${tokens}/${id}` },
    });
    expect((await post(tokens, { token: 'admin-made' })).status).toBe(409);
    const random = await post(tokens, { expires_at: '2020-01-01T00:00:00Z' });
    expect(random.body['data']).toMatchObject({
      attributes: { token: expect.stringMatching(/^[A-Za-z0-9]{24}$/), valid: false },
    });
    expect((await post(tokens, { usage_limit: 0 })).status).toBe(400);
    expect((await get(`${tokens}?filter[valid]=true`)).body).toMatchObject({
      meta: { count: 1 },
      data: [{ id, attributes: { token: 'admin-made' } }],
    });
    expect((await get(`${tokens}?filter[expired]=true&count=only`)).body['meta']).toEqual({ count: 1 });
    expect((await get(`${tokens}/${id}`)).body['data']).toMatchObject({ id });
    expect((await get(`${tokens}/nope`)).status).toBe(404);
    const updated = await put(`${tokens}/${id}`, { usage_limit: null, expires_at: '2999-01-01T00:00:00Z' });
    expect(updated.body['data']).toMatchObject({
      attributes: { usage_limit: null, expires_at: '2999-01-01T00:00:00.000Z', valid: true },
    });
    const revoked = await post(`${tokens}/${id}/revoke`);
    expect(revoked.body['data']).toMatchObject({
      attributes: { valid: false, revoked_at: expect.any(String) },
    });
    expect(await post(`${tokens}/${id}/revoke`)).toMatchObject({
      status: 400,
      body: { errors: [{ title: 'Registration token is already revoked' }] },
    });
    expect((await post(`${tokens}/${id}/unrevoke`)).body['data']).toMatchObject({
      attributes: { valid: true, revoked_at: null },
    });
    expect((await post(`${tokens}/${id}/unrevoke`)).status).toBe(400);
  });

  it('records sign-ins, compat logins, revocations and admin changes in the audit log, read back with filters', async () => {
    const events = async (query: string) => {
      const res = await get(`/audit-events?${query}`);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body['data'] as { id: string; attributes: Record<string, unknown> }[];
    };
    const alice = (await get('/users/by-username/alice')).body['data'] as { id: string };
    // A sign-in through the page, a failed one, a compat login and a revocation.
    const tokens = await signIn('alice', 'openid urn:matrix:client:api:*');
    const failed = await fetch(`${auth.issuer}_matrix/client/v3/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        type: 'm.login.password',
        identifier: { type: 'm.id.user', user: 'alice' },
        password: 'wrong password here',
      }),
    });
    expect(failed.status).toBe(403);
    const compat = await fetch(`${auth.issuer}_matrix/client/v3/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'User-Agent': 'audit-test-agent' },
      body: JSON.stringify({
        type: 'm.login.password',
        identifier: { type: 'm.id.user', user: 'alice' },
        password: PASSWORD,
      }),
    });
    const compatBody = (await compat.json()) as { access_token: string };
    expect(compat.status).toBe(200);
    const revoked = await fetch(`${auth.issuer}oauth2/revoke`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: tokens.access_token, client_id: clientId }),
    });
    expect(revoked.status).toBe(200);
    // An admin change.
    expect((await post(`/users/${alice.id}/lock`)).status).toBe(200);
    expect((await post(`/users/${alice.id}/unlock`)).status).toBe(200);

    const logins = await events(`filter[actor]=${alice.id}&filter[type]=user.login.succeeded`);
    expect(logins.length).toBeGreaterThanOrEqual(1);
    expect(logins[0]?.attributes).toMatchObject({ subject: alice.id, ip: '127.0.0.1', outcome: 'succeeded' });
    const compatLogins = await events(`filter[subject]=${alice.id}&filter[type]=compat.login.succeeded`);
    expect(compatLogins.map((e) => e.attributes['user_agent'])).toEqual(['audit-test-agent']);
    expect((await events('filter[type]=compat.login.failed')).length).toBeGreaterThanOrEqual(1);
    // The revocation's record follows the session's end, which runs after the answer.
    let revocations: { attributes: Record<string, unknown> }[] = [];
    for (let i = 0; i < 50 && revocations.length === 0; i++) {
      revocations = await events('filter[type]=token.revoked');
      if (revocations.length === 0) await new Promise((r) => setTimeout(r, 100));
    }
    expect(revocations[0]?.attributes['details']).toMatchObject({ client_id: clientId });
    const locks = await events(`filter[subject]=${alice.id}&filter[type]=admin.user.locked`);
    expect(
      locks.map((e) => [e.attributes['outcome'], e.attributes['actor'], e.attributes['actor_kind']]),
    ).toEqual([
      ['attempted', ADMIN_CLIENT.id, 'client'],
      ['succeeded', ADMIN_CLIENT.id, 'client'],
    ]);
    expect(locks[1]?.attributes['details']).toMatchObject({
      operation: 'lockUser',
      status: 200,
      attempt: locks[0]?.id,
    });
    // Cursors, time filters, one event by id, and bad input.
    const first = await api.call('GET', `${V1}/audit-events?page[first]=1`, { token: clientToken });
    const next = (first.body['links'] as { next?: string }).next;
    expect(next).toBeDefined();
    expect((await api.call('GET', next!, { token: clientToken })).status).toBe(200);
    expect(await events(`filter[since]=${new Date(Date.now() + 3_600_000).toISOString()}`)).toEqual([]);
    expect((await get(`/audit-events/${locks[0]!.id}`)).body['data']).toMatchObject({ id: locks[0]!.id });
    expect((await get('/audit-events/01ARZ3NDEKTSV4RRFFQ69G5FAV')).status).toBe(404);
    expect((await get('/audit-events?filter[type]=no.such.event')).status).toBe(400);

    // Without the audit table an admin change is refused with 503 and nothing changes, here or in Synapse.
    const db = auth.app.get(Database).dataSource;
    await db.query('ALTER TABLE audit_events RENAME TO audit_events_away');
    try {
      expect(await post(`/users/${alice.id}/lock`)).toMatchObject({
        status: 503,
        body: { errors: [{ title: 'The audit log is unavailable; nothing was changed' }] },
      });
      expect(
        ((await get(`/users/${alice.id}`)).body['data'] as { attributes: { locked_at: unknown } }).attributes
          .locked_at,
      ).toBeNull();
      expect((await queryUser('alice')).is_suspended).toBe(false);
      // A person's sign-in still works (fail-open).
      expect((await signIn('alice', 'openid')).access_token).toBeTruthy();
    } finally {
      await db.query('ALTER TABLE audit_events_away RENAME TO audit_events');
    }

    // The audit table holds none of the passwords or tokens issued above.
    const dump = execFileSync('pg_dump', ['--no-owner', '--data-only', '--table=audit_events', auth.db.url], {
      encoding: 'utf8',
      maxBuffer: 1 << 28,
    });
    expect(dump).toContain('admin.user.locked');
    for (const secret of [
      PASSWORD,
      'wrong password here',
      tokens.access_token,
      compatBody.access_token,
      clientToken,
      adminUserToken,
      ADMIN_CLIENT.secret,
    ])
      expect(dump).not.toContain(secret);
  });

  it('adds, lists, gets and removes user emails (MAS shapes), mirrored into Synapse’s threepids and audited', async () => {
    const emails = '/user-emails';
    const bobId = await userId('bob');
    const carolId = await userId('carol');
    const bobToken = (await signIn('bob', 'openid urn:matrix:client:api:*')).access_token;
    const threepids = async () => {
      const res = await fetch(`${synapse.baseUrl}/_matrix/client/v3/account/3pid`, {
        headers: { Authorization: `Bearer ${bobToken}` },
      });
      expect(res.status).toBe(200);
      return ((await res.json()) as { threepids: { medium: string; address: string }[] }).threepids
        .map((t) => `${t.medium}:${t.address}`)
        .sort();
    };
    expect(await threepids()).toEqual([]);

    const added = await post(emails, { user_id: bobId, email: 'bob@Example.ORG' });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    const id = (added.body['data'] as { id: string }).id;
    expect(added.body).toEqual({
      data: {
        type: 'user-email',
        id,
        attributes: { created_at: expect.any(String), user_id: bobId, email: 'bob@example.org' },
        links: { self: `${V1}${emails}/${id}` },
      },
      links: { self: `${V1}${emails}/${id}` },
    });
    const second = await post(emails, { user_id: bobId, email: 'robert@work.example' });
    expect(second.status).toBe(201);
    const secondId = (second.body['data'] as { id: string }).id;
    expect(await threepids()).toEqual(['email:bob@example.org', 'email:robert@work.example']);

    // Taken (by anyone, case-insensitively), unknown user, not an address, bad body.
    expect(await post(emails, { user_id: carolId, email: 'BOB@example.org' })).toMatchObject({
      status: 409,
      body: { errors: [{ title: 'User email already in use' }] },
    });
    expect((await post(emails, { user_id: bobId, email: 'bob@example.org' })).status).toBe(409);
    expect(
      (await post(emails, { user_id: '00000000-0000-4000-8000-000000000000', email: 'x@example.org' }))
        .status,
    ).toBe(404);
    expect(await post(emails, { user_id: carolId, email: 'not an address' })).toMatchObject({
      status: 400,
      body: { errors: [{ title: 'Invalid email address' }] },
    });
    expect((await post(emails, { email: 'c@example.org' })).status).toBe(400);
    expect(await threepids()).toEqual(['email:bob@example.org', 'email:robert@work.example']);
    const carolAdded = await post(emails, { user_id: carolId, email: 'carol@example.org' });
    expect(carolAdded.status).toBe(201);

    // Filters, counts, cursors.
    const mine = await get(`${emails}?filter[user]=${bobId}`);
    expect(mine.body).toMatchObject({ meta: { count: 2 } });
    expect((mine.body['data'] as { id: string }[]).map((e) => e.id).sort()).toEqual([id, secondId].sort());
    expect((await get(`${emails}?filter[email]=ROBERT@work.example`)).body).toMatchObject({
      meta: { count: 1 },
      data: [{ id: secondId, attributes: { user_id: bobId, email: 'robert@work.example' } }],
    });
    expect((await get(`${emails}?count=only`)).body['meta']).toEqual({ count: 3 });
    const page1 = await get(`${emails}?page[first]=2`);
    expect((page1.body['data'] as unknown[]).length).toBe(2);
    const next = (page1.body['links'] as { next?: string }).next;
    expect(next).toBeDefined();
    const page2 = await api.call('GET', next!, { token: clientToken });
    expect(page2.body).toMatchObject({ meta: { count: 3 } });
    expect((page2.body['data'] as unknown[]).length).toBe(1);
    expect((await get(`${emails}?filter[user]=00000000-0000-4000-8000-000000000000`)).status).toBe(404);
    expect((await get(`${emails}?page[after]=nope`)).status).toBe(400);

    expect((await get(`${emails}/${id}`)).body['data']).toMatchObject({ id, attributes: { user_id: bobId } });
    expect((await get(`${emails}/nope`)).status).toBe(404);

    // Removing one takes it out of Synapse too.
    const del = (path: string) => api.call('DELETE', `${V1}${path}`, { token: clientToken });
    expect((await del(`${emails}/${id}`)).status).toBe(204);
    expect(await threepids()).toEqual(['email:robert@work.example']);
    expect((await get(`${emails}/${id}`)).status).toBe(404);
    expect((await del(`${emails}/${id}`)).status).toBe(404);

    // The audit interceptor recorded both changes, with who made them.
    const audited = async (type: string, subject: string) =>
      (
        (await get(`/audit-events?filter[type]=${type}&filter[subject]=${subject}`)).body['data'] as {
          attributes: Record<string, unknown>;
        }[]
      ).map((e) => [
        e.attributes['outcome'],
        e.attributes['actor'],
        (e.attributes['details'] as { status?: number }).status,
      ]);
    expect(await audited('admin.user-email.added', id)).toEqual([['succeeded', ADMIN_CLIENT.id, 201]]);
    // The removal, then the second attempt that found nothing.
    expect(await audited('admin.user-email.removed', id)).toEqual([
      ['attempted', ADMIN_CLIENT.id, undefined],
      ['succeeded', ADMIN_CLIENT.id, 204],
      ['attempted', ADMIN_CLIENT.id, undefined],
      ['failed', ADMIN_CLIENT.id, 404],
    ]);
  });

  it('creates, regenerates and revokes personal tokens: they work on Synapse, and stop at once', async () => {
    const bobId = await userId('bob');
    const rootId = await userId('root');
    const created = await post('/personal-sessions', {
      actor_user_id: bobId,
      human_name: 'bob’s bot',
      scope: 'urn:matrix:client:api:*',
      expires_in: 3600,
    });
    expect(created.status).toBe(201);
    const data = created.body['data'] as {
      id: string;
      attributes: { access_token: string; scope: string; owner_client_id: string | null; expires_at: string };
    };
    expect(data.attributes.access_token).toMatch(/^mpt_[A-Za-z0-9]{30}_[A-Za-z0-9]{6}$/);
    expect(data.attributes.owner_client_id).toBe(ADMIN_CLIENT.id);
    // A device was made for it, in the scope.
    const device = /urn:matrix:client:device:(\S+)/.exec(data.attributes.scope)?.[1];
    expect(device).toBeDefined();
    const me = await whoami(data.attributes.access_token);
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ user_id: '@bob:localhost', device_id: device });
    expect(await introspect(data.attributes.access_token)).toMatchObject({
      active: true,
      username: 'bob',
      sub: bobId,
      client_id: ADMIN_CLIENT.id,
      token_type: 'access_token',
      expires_in: expect.any(Number),
    });
    // Synapse's introspection for whoami was the token's last use (recorded off the answer's path).
    let fetched = await get(`/personal-sessions/${data.id}`);
    const deadline = Date.now() + 5_000;
    while (
      (fetched.body['data'] as { attributes: { last_active_at: string | null } }).attributes
        .last_active_at === null &&
      Date.now() < deadline
    ) {
      await new Promise((r) => setTimeout(r, 200));
      fetched = await get(`/personal-sessions/${data.id}`);
    }
    expect(fetched.body['data']).toMatchObject({
      id: data.id,
      attributes: { actor_user_id: bobId, last_active_at: expect.any(String), last_active_ip: null },
    });
    expect(JSON.stringify(fetched.body)).not.toContain(data.attributes.access_token);
    const listed = await get(`/personal-sessions?filter[actor_user]=${bobId}&filter[status]=active`);
    expect((listed.body['data'] as { id: string }[]).map((d) => d.id)).toContain(data.id);
    expect(
      (await get(`/personal-sessions?filter[owner_client]=${ADMIN_CLIENT.id}&count=only`)).body['meta'],
    ).toEqual({
      count: expect.any(Number),
    });
    expect(
      (await get('/personal-sessions?filter[owner_user]=00000000-0000-4000-8000-000000000000')).status,
    ).toBe(404);
    expect((await get('/personal-sessions/nope')).status).toBe(404);

    // Bad input: a non-admin cannot hold an admin scope; no lifetime beyond the maximum; unknown user.
    const bad = (body: Record<string, unknown>) => post('/personal-sessions', body);
    expect((await bad({ actor_user_id: bobId, human_name: 'x', scope: 'urn:mas:admin' })).status).toBe(400);
    expect(
      (
        await bad({
          actor_user_id: bobId,
          human_name: 'x',
          scope: 'urn:matrix:client:api:*',
          expires_in: 10 ** 9,
        })
      ).status,
    ).toBe(400);
    expect((await bad({ actor_user_id: bobId, human_name: 'x', scope: 'openid' })).status).toBe(400);
    expect(
      (
        await bad({
          actor_user_id: '00000000-0000-4000-8000-000000000000',
          human_name: 'x',
          scope: 'urn:mas:admin',
        })
      ).status,
    ).toBe(404);
    expect((await bad({ human_name: 'x' })).status).toBe(400);

    // Regenerate: a new token works, the old one is refused by the auth service at once.
    const regenerated = await post(`/personal-sessions/${data.id}/regenerate`, { expires_in: 7200 });
    expect(regenerated.status).toBe(200);
    const fresh = (regenerated.body['data'] as { attributes: { access_token: string } }).attributes
      .access_token;
    expect(fresh).not.toBe(data.attributes.access_token);
    expect(await introspect(data.attributes.access_token)).toEqual({ active: false });
    expect((await whoami(fresh)).status).toBe(200);
    expect((await post('/personal-sessions/nope/regenerate', {})).status).toBe(404);

    // Revoke: the device goes, so Synapse refuses the token whatever it cached.
    const revoked = await post(`/personal-sessions/${data.id}/revoke`);
    expect(revoked.status).toBe(200);
    expect(
      (revoked.body['data'] as { attributes: { revoked_at: string | null } }).attributes.revoked_at,
    ).not.toBeNull();
    await until(async () => (await whoami(fresh)).status === 401, 5_000);
    expect((await post(`/personal-sessions/${data.id}/revoke`)).status).toBe(400);
    expect((await post(`/personal-sessions/${data.id}/regenerate`, {})).status).toBe(400);
    expect((await post('/personal-sessions/nope/revoke')).status).toBe(404);

    // An admin's personal token with urn:mas:admin is an admin token; an ordinary user's PAT is not.
    const adminPat = await post('/personal-sessions', {
      actor_user_id: rootId,
      human_name: 'root script',
      scope: 'urn:mas:admin',
      expires_in: 600,
    });
    expect(adminPat.status).toBe(201);
    const rootToken = (adminPat.body['data'] as { attributes: { access_token: string } }).attributes
      .access_token;
    expect((await get('/users?count=only', rootToken)).status).toBe(200);
    const made = await post(
      '/personal-sessions',
      { actor_user_id: bobId, human_name: 'by root', scope: 'urn:matrix:client:api:*', expires_in: 600 },
      rootToken,
    );
    expect((made.body['data'] as { attributes: { owner_user_id: string } }).attributes.owner_user_id).toBe(
      rootId,
    );
    const bobToken = (made.body['data'] as { attributes: { access_token: string } }).attributes.access_token;
    const refused = await get('/users', bobToken);
    expect(refused.status).toBe(403);
    expect(refused.body).not.toHaveProperty('data');
    // Expired: refused by the admin API and inactive at introspection.
    offsetMs = 601_000;
    try {
      expect((await get('/users', rootToken)).status).toBe(401);
      expect(await introspect(bobToken)).toEqual({ active: false });
    } finally {
      offsetMs = 0;
    }

    // Audited through the admin API's interceptor.
    const events = await get(`/audit-events?filter[type]=admin.personal-session.revoked`);
    expect(
      (events.body['data'] as { attributes: { subject: string } }[]).map((e) => e.attributes.subject),
    ).toContain(data.id);
  });

  it('lists, gets and finishes compat sessions; a finished session’s token is refused by Synapse', async () => {
    const login = await fetch(`${auth.issuer}_matrix/client/v3/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        type: 'm.login.password',
        identifier: { type: 'm.id.user', user: 'carol' },
        password: PASSWORD,
        device_id: 'CAROLCOMPAT1',
      }),
    });
    expect(login.status).toBe(200);
    const { access_token: token } = (await login.json()) as { access_token: string };
    expect((await whoami(token)).status).toBe(200);
    const carolId = await userId('carol');
    const listed = await get(`/compat-sessions?filter[user]=${carolId}&filter[status]=active`);
    const items = listed.body['data'] as { id: string; attributes: { device_id: string } }[];
    const session = items.find((s) => s.attributes.device_id === 'CAROLCOMPAT1');
    expect(session).toBeDefined();
    expect((await get(`/compat-sessions/${session!.id}`)).body).toMatchObject({ data: { id: session!.id } });
    expect((await get('/compat-sessions?page[first]=1&count=false')).status).toBe(200);
    expect((await get('/compat-sessions?page[after]=nope')).status).toBe(400);
    expect((await get('/compat-sessions?filter[user]=00000000-0000-4000-8000-000000000000')).status).toBe(
      404,
    );
    expect((await get('/compat-sessions/nope')).status).toBe(404);

    const finished = await post(`/compat-sessions/${session!.id}/finish`);
    expect(finished.status).toBe(200);
    expect(
      (finished.body['data'] as { attributes: { finished_at: string | null } }).attributes.finished_at,
    ).not.toBeNull();
    await until(async () => (await whoami(token)).status === 401, 5_000);
    expect((await post(`/compat-sessions/${session!.id}/finish`)).status).toBe(400);
    expect((await post('/compat-sessions/nope/finish')).status).toBe(404);
    expect((await get(`/compat-sessions?filter[status]=finished&count=only`)).body['meta']).toEqual({
      count: expect.any(Number),
    });
    const alice = await signIn(
      'alice',
      'openid urn:matrix:client:api:* urn:matrix:client:device:ALICEDEV003',
    );
    expect((await get('/compat-sessions', alice.access_token)).status).toBe(403);
  });

  it('lists, gets and finishes browser sessions (user-sessions); a finished one is signed out', async () => {
    const accounts = auth.app.get<Accounts>(ACCOUNTS);
    expect((await accounts.register('erin', PASSWORD)).ok).toBe(true);
    const erinId = await userId('erin');
    expect((await get(`/user-sessions?filter[user]=${erinId}`)).body['meta']).toEqual({ count: 0 });
    // Erin signs in on the account page: one browser session.
    const browser = new Browser();
    const login = (await browser.follow(await browser.get(`${auth.issuer}account/`), auth.issuer)).page!;
    const action = /action="([^"]*\/login)"/.exec(login.html)?.[1];
    const csrf = /name="csrf" value="([^"]*)"/.exec(login.html)?.[1];
    const signedIn = await browser.follow(
      await browser.post(new URL(action!, auth.issuer).toString(), {
        csrf: csrf!,
        username: 'erin',
        password: PASSWORD,
      }),
      auth.issuer,
    );
    expect(signedIn.page?.html).toContain('href="/account/tokens"');

    const listed = await get(`/user-sessions?filter[user]=${erinId}&filter[status]=active`);
    expect(listed.status).toBe(200);
    const items = listed.body['data'] as { id: string; attributes: Record<string, unknown> }[];
    expect(items).toHaveLength(1);
    const session = items[0]!;
    expect(session.attributes).toMatchObject({ user_id: erinId, finished_at: null });
    expect(Date.parse(session.attributes['created_at'] as string)).toBeGreaterThan(Date.now() - 120_000);
    expect((await get(`/user-sessions?page[first]=1`)).status).toBe(200);
    expect((await get('/user-sessions?count=only')).body['meta']).toEqual({ count: expect.any(Number) });
    expect((await get(`/user-sessions/${session.id}`)).body).toMatchObject({ data: { id: session.id } });
    expect((await get('/user-sessions?page[after]=not-a-cursor')).status).toBe(400);
    expect((await get('/user-sessions?filter[user]=00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await get(`/user-sessions?filter[user]=${erinId}&filter[status]=finished`)).body).toMatchObject({
      meta: { count: 0 },
      data: [],
    });

    const finished = await post(`/user-sessions/${session.id}/finish`);
    expect(finished.status).toBe(200);
    expect(
      Date.parse((finished.body['data'] as { attributes: { finished_at: string } }).attributes.finished_at),
    ).toBeGreaterThan(Date.now() - 60_000);
    // The browser is signed out: the account page sends it to sign in again.
    const after = await browser.get(`${auth.issuer}account/`);
    expect([302, 303]).toContain(after.status);
    await after.body?.cancel();
    expect((await get(`/user-sessions/${session.id}`)).status).toBe(404);
    expect((await post(`/user-sessions/${session.id}/finish`)).status).toBe(404);
    expect((await get('/user-sessions/nope')).status).toBe(404);
    const audit = await get(`/audit-events?filter[type]=admin.user-session.finished`);
    expect((audit.body['data'] as { attributes: { subject: string | null } }[])[0]?.attributes.subject).toBe(
      session.id,
    );
  });

  it('removes a user’s lost second factors (gateway extension): TOTP, passkeys, recovery codes; audited', async () => {
    const id = await userId('bob');
    const store = auth.app.get<AuthStore>(AUTH_STORE);
    const at = new Date();
    expect(await store.mfa.startTotp(id, 'v1.sealed.elsewhere.x', at)).toBe(true);
    expect(await store.mfa.confirmTotp(id, 'v1.sealed.elsewhere.x', 1, ['h1', 'h2'], at)).toBe(true);
    expect(
      await store.passkeys.add({
        credentialId: 'bob-passkey',
        userId: id,
        publicKey: new Uint8Array([1, 2, 3]),
        counter: 0,
        transports: ['internal'],
        name: 'Phone',
        createdAt: at,
      }),
    ).toBe(true);
    expect((await api.call('POST', `${V1}/users/${id}/reset-mfa`)).status).toBe(401);
    const alice = await signIn(
      'alice',
      'openid urn:matrix:client:api:* urn:matrix:client:device:ALICEDEV004',
    );
    expect((await post(`/users/${id}/reset-mfa`, undefined, alice.access_token)).status).toBe(403);
    expect(await store.mfa.hasAnyFactor(id)).toBe(true);

    const reset = await post(`/users/${id}/reset-mfa`);
    expect(reset.status).toBe(200);
    expect(reset.body['data']).toMatchObject({ type: 'user', id, attributes: { username: 'bob' } });
    expect(await store.mfa.hasAnyFactor(id)).toBe(false);
    expect(await store.mfa.unusedRecoveryCodes(id)).toBe(0);
    expect(await store.passkeys.list(id)).toEqual([]);
    // Idempotent; an unknown user is 404.
    expect((await post(`/users/${id}/reset-mfa`)).status).toBe(200);
    expect((await post('/users/00000000-0000-4000-8000-000000000000/reset-mfa')).status).toBe(404);

    const events = (
      (await get(`/audit-events?filter[type]=admin.user.mfa.reset&filter[subject]=${id}`)).body['data'] as {
        attributes: Record<string, unknown>;
      }[]
    ).map((e) => [e.attributes['outcome'], e.attributes['actor']]);
    expect(events.filter(([outcome]) => outcome === 'succeeded')).toEqual([
      ['succeeded', ADMIN_CLIENT.id],
      ['succeeded', ADMIN_CLIENT.id],
    ]);
  });

  it('reads upstream providers; adds, lists, gets and deletes upstream links (MAS shapes and titles); audited', async () => {
    const store = auth.app.get<AuthStore>(AUTH_STORE);
    const provider = (id: string, humanName: string, brandName: string | null) => ({
      id,
      issuer: `https://${humanName.toLowerCase()}.example/`,
      humanName,
      brandName,
      clientId: 'gateway',
      scope: 'openid email',
      synapseIdpId: null,
      uiOrder: 0,
    });
    // MAS's provider ids are ULIDs; the configuration names them (the sync is what the service runs at start).
    const google = provider('01JGOOGLE00000000000000000', 'Google', 'google');
    const corp = provider('01JKCORP000000000000000000', 'Corp', null);
    const gone = provider('01JZGONE000000000000000000', 'Gone', null);
    const configuredAt = new Date('2026-03-01T00:00:00Z');
    const disabledAt = new Date('2026-03-02T00:00:00Z');
    await store.upstream.syncProviders([google, corp, gone], configuredAt);
    await store.upstream.syncProviders([google, corp], disabledAt);
    const providers = '/upstream-oauth-providers';
    const links = '/upstream-oauth-links';

    // Providers: read-only, never the client id or secret; filter[enabled], cursors.
    expect(await get(`${providers}/${google.id}`)).toMatchObject({
      status: 200,
      body: {
        data: {
          type: 'upstream-oauth-provider',
          id: google.id,
          attributes: {
            issuer: 'https://google.example/',
            human_name: 'Google',
            brand_name: 'google',
            created_at: configuredAt.toISOString(),
            disabled_at: null,
            registration_token_required: false,
          },
          links: { self: `${V1}${providers}/${google.id}` },
        },
        links: { self: `${V1}${providers}/${google.id}` },
      },
    });
    expect(Object.keys((await get(`${providers}/${corp.id}`)).body['data'] as object).sort()).toEqual([
      'attributes',
      'id',
      'links',
      'type',
    ]);
    const all = await get(providers);
    expect(all.body['meta']).toEqual({ count: 3 });
    expect((all.body['data'] as { id: string }[]).map((p) => p.id)).toEqual([google.id, corp.id, gone.id]);
    expect(JSON.stringify(all.body)).not.toContain('gateway');
    const enabled = await get(`${providers}?filter[enabled]=true`);
    expect((enabled.body['data'] as { id: string }[]).map((p) => p.id)).toEqual([google.id, corp.id]);
    expect((await get(`${providers}?filter[enabled]=false`)).body).toMatchObject({
      meta: { count: 1 },
      data: [{ id: gone.id, attributes: { disabled_at: disabledAt.toISOString() } }],
    });
    expect((await get(`${providers}?filter[enabled]=yes`)).status).toBe(400);
    const firstPage = await get(`${providers}?page[first]=2`);
    expect((firstPage.body['data'] as unknown[]).length).toBe(2);
    const nextPage = await api.call('GET', (firstPage.body['links'] as { next: string }).next, {
      token: clientToken,
    });
    expect((nextPage.body['data'] as { id: string }[]).map((p) => p.id)).toEqual([gone.id]);
    expect(await get(`${providers}/01JNOSUCHPROVIDER000000000`)).toMatchObject({
      status: 404,
      body: { errors: [{ title: 'Provider not found' }] },
    });

    // Adding links.
    const bobId = await userId('bob');
    const carolId = await userId('carol');
    const added = await post(links, {
      user_id: bobId,
      provider_id: google.id,
      subject: 'bob-sub-42',
      human_account_name: 'bob@mail.example',
    });
    expect(added.status).toBe(201);
    const linkId = (added.body['data'] as { id: string }).id;
    expect(linkId).toMatch(/^[0-9a-f-]{36}$/);
    expect(added.body).toEqual({
      data: {
        type: 'upstream-oauth-link',
        id: linkId,
        attributes: {
          created_at: expect.any(String),
          provider_id: google.id,
          subject: 'bob-sub-42',
          user_id: bobId,
          human_account_name: 'bob@mail.example',
        },
        links: { self: `${V1}${links}/${linkId}` },
      },
      links: { self: `${V1}${links}/${linkId}` },
    });
    const createdAt = (added.body['data'] as { attributes: { created_at: string } }).attributes.created_at;
    expect(Math.abs(Date.parse(createdAt) - (Date.now() + offsetMs))).toBeLessThan(60_000);
    // The subject is taken at that provider, whoever asks for it.
    const taken = `Upstream Oauth 2.0 Provider ID ${google.id} with subject bob-sub-42 is already linked to a user`;
    for (const user of [carolId, bobId])
      expect(
        await post(links, { user_id: user, provider_id: google.id, subject: 'bob-sub-42' }),
      ).toMatchObject({
        status: 409,
        body: { errors: [{ title: taken }] },
      });
    const bobCorp = await post(links, { user_id: bobId, provider_id: corp.id, subject: 'bob-sub-42' });
    expect(bobCorp.status).toBe(201);
    expect(bobCorp.body['data']).toMatchObject({ attributes: { human_account_name: null } });
    const carolGoogle = await post(links, {
      user_id: carolId,
      provider_id: google.id,
      subject: 'carol-7',
      human_account_name: 'Carol@Mail.Example',
    });
    expect(carolGoogle.status).toBe(201);
    const carolLinkId = (carolGoogle.body['data'] as { id: string }).id;
    // As in MAS: a disabled provider's links and a deactivated user's may still be added.
    expect((await post(links, { user_id: carolId, provider_id: gone.id, subject: 'c' })).status).toBe(201);
    const frankId = ((await post('/users', { username: 'frank' })).body['data'] as { id: string }).id;
    expect((await post(`/users/${frankId}/deactivate`, { skip_erase: true })).status).toBe(200);
    expect((await post(links, { user_id: frankId, provider_id: corp.id, subject: 'frank' })).status).toBe(
      201,
    );

    const nobody = '00000000-0000-4000-8000-000000000000';
    expect(await post(links, { user_id: nobody, provider_id: google.id, subject: 'x' })).toMatchObject({
      status: 404,
      body: { errors: [{ title: `User ID ${nobody} not found` }] },
    });
    expect(await post(links, { user_id: bobId, provider_id: 'nope', subject: 'x' })).toMatchObject({
      status: 404,
      body: { errors: [{ title: 'Upstream OAuth 2.0 Provider ID nope not found' }] },
    });
    expect((await post(links, { user_id: bobId, provider_id: google.id })).status).toBe(400);
    expect((await post(links, { user_id: bobId, provider_id: google.id, subject: '' })).status).toBe(400);
    expect((await post(links, { user_id: bobId, provider_id: google.id, subject: 7 })).status).toBe(400);

    // Filters, counts, cursors.
    const ids = (res: { body: Record<string, unknown> }) =>
      ((res.body['data'] ?? []) as { id: string }[]).map((l) => l.id).sort();
    const ofBob = await get(`${links}?filter[user]=${bobId}`);
    expect(ofBob.body['meta']).toEqual({ count: 2 });
    expect(ids(ofBob)).toEqual([linkId, (bobCorp.body['data'] as { id: string }).id].sort());
    expect(ids(await get(`${links}?filter[provider]=${google.id}`))).toEqual([linkId, carolLinkId].sort());
    expect(ids(await get(`${links}?filter[provider]=${google.id}&filter[subject]=carol-7`))).toEqual([
      carolLinkId,
    ]);
    expect((await get(`${links}?filter[subject]=bob-sub-42`)).body['meta']).toEqual({ count: 2 });
    expect(ids(await get(`${links}?filter[human-account-name]=MAIL.EX`))).toEqual(
      [linkId, carolLinkId].sort(),
    );
    // LIKE's wildcards are literal text.
    expect((await get(`${links}?filter[human-account-name]=%25`)).body['meta']).toEqual({ count: 0 });
    expect((await get(`${links}?count=only`)).body).toEqual({
      meta: { count: 5 },
      links: expect.any(Object),
    });
    const page1 = await get(`${links}?page[first]=3&filter[user]=${carolId}`);
    expect(page1.body['meta']).toEqual({ count: 2 });
    const page2 = await get(`${links}?page[first]=1&filter[user]=${carolId}`);
    const next = (page2.body['links'] as { next?: string }).next;
    expect(next).toContain(`filter%5Buser%5D=${carolId}`);
    const page3 = await api.call('GET', next!, { token: clientToken });
    expect((page3.body['data'] as unknown[]).length).toBe(1);
    expect(ids(page2).concat(ids(page3)).sort()).toEqual(ids(page1));
    expect(await get(`${links}?filter[user]=${nobody}`)).toMatchObject({
      status: 404,
      body: { errors: [{ title: `User ID ${nobody} not found` }] },
    });
    expect(await get(`${links}?filter[provider]=nope`)).toMatchObject({
      status: 404,
      body: { errors: [{ title: 'Provider ID nope not found' }] },
    });
    expect((await get(`${links}?page[after]=nope`)).status).toBe(400);
    // Postgres cannot hold NUL: a bad value, not a 500.
    expect((await get(`${links}?filter[subject]=%00`)).status).toBe(400);
    expect((await get(`${providers}/a%00b`)).status).toBe(400);

    expect((await get(`${links}/${linkId}`)).body).toEqual({
      data: added.body['data'],
      links: added.body['links'],
    });
    expect(await get(`${links}/nope`)).toMatchObject({
      status: 404,
      body: { errors: [{ title: 'Upstream OAuth 2.0 Link ID nope not found' }] },
    });

    // Not for ordinary users, nor without a token.
    const alice = await signIn(
      'alice',
      'openid urn:matrix:client:api:* urn:matrix:client:device:ALICEDEV005',
    );
    expect((await get(links, alice.access_token)).status).toBe(403);
    expect((await get(providers, alice.access_token)).status).toBe(403);
    expect(
      (await post(links, { user_id: carolId, provider_id: corp.id, subject: 'sneaky' }, alice.access_token))
        .status,
    ).toBe(403);
    expect((await api.call('GET', `${V1}${links}/${linkId}`)).status).toBe(401);
    expect((await api.call('GET', `${V1}${providers}/${google.id}`)).status).toBe(401);
    expect((await api.call('DELETE', `${V1}${links}/${linkId}`)).status).toBe(401);
    expect(await store.upstream.findLink(corp.id, 'sneaky')).toBeNull();

    // Deleting frees the subject: it may then be linked to someone else.
    const del = (path: string) => api.call('DELETE', `${V1}${path}`, { token: clientToken });
    expect((await del(`${links}/${linkId}`)).status).toBe(204);
    expect((await get(`${links}/${linkId}`)).status).toBe(404);
    expect((await del(`${links}/${linkId}`)).status).toBe(404);
    expect(await store.upstream.findLink(google.id, 'bob-sub-42')).toBeNull();
    const relinked = await post(links, { user_id: carolId, provider_id: google.id, subject: 'bob-sub-42' });
    expect(relinked.status).toBe(201);

    const audited = async (type: string, subject: string) =>
      (
        (await get(`/audit-events?filter[type]=${type}&filter[subject]=${subject}`)).body['data'] as {
          attributes: Record<string, unknown>;
        }[]
      ).map((e) => [
        e.attributes['outcome'],
        e.attributes['actor'],
        (e.attributes['details'] as { status?: number }).status,
      ]);
    expect(await audited('admin.upstream-oauth-link.added', linkId)).toEqual([
      ['succeeded', ADMIN_CLIENT.id, 201],
    ]);
    expect(await audited('admin.upstream-oauth-link.removed', linkId)).toEqual([
      ['attempted', ADMIN_CLIENT.id, undefined],
      ['succeeded', ADMIN_CLIENT.id, 204],
      ['attempted', ADMIN_CLIENT.id, undefined],
      ['failed', ADMIN_CLIENT.id, 404],
    ]);
  });

  it("refuses an admin's token once they are demoted (403) or locked (401), and serves it again when undone", async () => {
    const accounts = auth.app.get<Accounts>(ACCOUNTS);
    expect((await accounts.register('gwen', PASSWORD, true)).ok).toBe(true);
    const gwen = (await signIn('gwen', 'openid urn:mas:admin')).access_token;
    const id = await userId('gwen');
    const asGwen = async (): Promise<[number, string | undefined]> => {
      const res = await get('/users?page[first]=1', gwen);
      return [res.status, (res.body['errors'] as { title: string }[] | undefined)?.[0]?.title];
    };
    expect(await asGwen()).toEqual([200, undefined]);
    expect((await post(`/users/${id}/set-admin`, { admin: false })).status).toBe(200);
    expect(await asGwen()).toEqual([403, 'User is not an admin']);
    expect((await post(`/users/${id}/set-admin`, { admin: true })).status).toBe(200);
    expect(await asGwen()).toEqual([200, undefined]);
    expect((await post(`/users/${id}/lock`)).status).toBe(200);
    expect(await asGwen()).toEqual([401, 'User is locked']);
    expect((await post(`/users/${id}/unlock`)).status).toBe(200);
    expect(await asGwen()).toEqual([200, undefined]);

    // Deactivated without a body: erased too, as MAS's skip_erase defaults to false.
    expect((await post(`/users/${id}/deactivate`)).status).toBe(200);
    expect(await asGwen()).toEqual([401, 'Unknown access token']);
    const synapseAdmin = (
      await signIn('root', 'urn:matrix:client:api:* urn:synapse:admin:* urn:matrix:client:device:ROOTADMIN02')
    ).access_token;
    await until(async () => {
      const res = await fetch(`${synapse.baseUrl}/_synapse/admin/v2/users/@gwen:localhost`, {
        headers: { Authorization: `Bearer ${synapseAdmin}` },
      });
      const user = (await res.json()) as { deactivated?: boolean; erased?: boolean };
      return user.deactivated === true && user.erased === true;
    }, 15_000);
  });

  it('has exercised every documented operation', () => {
    expect(api.operationIds().filter((id) => !api.exercised.has(id))).toEqual([]);
  });
});
