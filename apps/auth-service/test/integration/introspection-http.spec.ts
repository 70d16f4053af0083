import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthStore } from '@gateway/auth-data';
import { freePort } from '@gateway/testing';
import { generateToken, hashToken } from '../../src/token-format/token-format';
import { AUTH_STORE } from '../../src/tokens';
import { startAuth, SYNAPSE_SECRET, type AuthUnderTest } from '../support/start-auth';

// Introspection needs no Synapse; the URL is never called.
const UNUSED_SYNAPSE = 'http://127.0.0.1:9';
const FORM = 'application/x-www-form-urlencoded';

/**
 * Synapse's introspection call over HTTP, as the raw route reads it (introspection-route.ts): the answer
 * shapes, and the requests an OAuth server refuses.
 */
describe('POST /oauth2/introspect over HTTP', () => {
  let auth: AuthUnderTest;
  const now = Date.parse('2031-06-01T12:00:00Z');
  const iat = Math.floor(now / 1000);
  let token: string;
  let userId: string;

  beforeAll(async () => {
    auth = await startAuth(await freePort(), UNUSED_SYNAPSE, {}, { clock: () => now });
    const store = auth.app.get<AuthStore>(AUTH_STORE);
    const user = await store.users.create({ localpart: 'edge', passwordHash: null });
    userId = user!.id;
    token = generateToken('access_token');
    await store.payloads.upsert(
      'AccessToken',
      hashToken(token),
      {
        accountId: userId,
        clientId: 'client-1',
        scope: 'urn:matrix:client:api:* urn:matrix:client:device:EDGEDEVICE',
        iat,
        exp: iat + 300,
      },
      300,
    );
  });
  afterAll(async () => {
    await auth.stop();
  });

  function post(
    body: string,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; headers: Headers; body: unknown }> {
    return fetch(`${auth.url}/oauth2/introspect`, {
      method: 'POST',
      headers: { authorization: `Bearer ${SYNAPSE_SECRET}`, 'content-type': FORM, ...headers },
      body,
    }).then(async (r) => ({ status: r.status, headers: r.headers, body: await r.json() }));
  }

  it('answers a live token with the whole RFC 7662 shape Synapse reads, never cached', async () => {
    const answer = await post(`token=${token}&token_type_hint=access_token`, {
      'content-type': `${FORM}; charset=UTF-8`,
      'x-mas-supports-device-id': '1',
    });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    expect(answer.body).toEqual({
      active: true,
      scope: expect.stringContaining('urn:matrix:client:device:EDGEDEVICE') as unknown,
      client_id: 'client-1',
      username: 'edge',
      sub: userId,
      token_type: 'access_token',
      iat,
      nbf: iat,
      exp: iat + 300,
      expires_in: 300,
    });
  });

  it('answers an unknown, malformed or mismatched-hint token inactive with 200', async () => {
    for (const body of [
      `token=${generateToken('access_token')}`,
      'token=not-a-token',
      `token=${token}&token_type_hint=refresh_token`,
    ]) {
      const answer = await post(body);
      expect({ body, status: answer.status, answer: answer.body }).toEqual({
        body,
        status: 200,
        answer: { active: false },
      });
    }
  });

  it('refuses a wrong secret with 401 access_denied and a Bearer challenge', async () => {
    const answer = await post(`token=${token}`, { authorization: 'Bearer wrong-secret' });
    expect(answer.status).toBe(401);
    expect(answer.headers.get('www-authenticate')).toBe('Bearer');
    expect(answer.body).toMatchObject({ error: 'access_denied' });
  });

  it('refuses a JSON body with 400 invalid_request, even one naming a live token', async () => {
    const answer = await post(JSON.stringify({ token }), { 'content-type': 'application/json' });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ error: 'invalid_request' });
  });

  it('refuses a repeated or missing token with 400 invalid_request', async () => {
    for (const body of [`token=${token}&token=${token}`, 'token_type_hint=access_token', '']) {
      const answer = await post(body);
      expect({ body, status: answer.status, error: (answer.body as { error?: string }).error }).toEqual({
        body,
        status: 400,
        error: 'invalid_request',
      });
    }
  });

  it('refuses a body over the limit with 413 and keeps serving', async () => {
    const answer = await post(`token=${token}&pad=${'x'.repeat(70 * 1024)}`);
    expect(answer.status).toBe(413);
    expect(answer.body).toMatchObject({ error: 'invalid_request' });
    expect((await post(`token=${token}`)).body).toMatchObject({ active: true });
  });
});
