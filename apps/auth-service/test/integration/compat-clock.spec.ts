import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthStore } from '@gateway/auth-data';
import { freePort } from '@gateway/testing';
import { generateToken, hashToken } from '../../src/token-format/token-format';
import { AUTH_STORE } from '../../src/tokens';
import { startAuth, SYNAPSE_SECRET, type AuthUnderTest } from '../support/start-auth';

// Neither introspection nor a refused logout calls Synapse; the URL is never used.
const UNUSED_SYNAPSE = 'http://127.0.0.1:9';

describe('compat tokens expire by the injected clock', () => {
  let auth: AuthUnderTest;
  let now = Date.parse('2031-06-01T12:00:00Z');

  beforeAll(async () => {
    auth = await startAuth(await freePort(), UNUSED_SYNAPSE, {}, { clock: () => now });
  });
  afterAll(async () => {
    await auth.stop();
  });

  it('introspects a refreshable compat token with expires_in, then refuses it with soft_logout at /logout', async () => {
    const store = auth.app.get<AuthStore>(AUTH_STORE);
    const user = await store.users.create({ localpart: 'legacy', passwordHash: null });
    const token = generateToken('compat_access_token');
    await store.compat.start(
      user!.id,
      'LEGACYDEV',
      { accessTokenHash: hashToken(token), refreshTokenHash: null, accessExpiresAt: new Date(now + 300_000) },
      new Date(now),
    );
    const introspect = async (headers: Record<string, string> = {}) => {
      const res = await fetch(`${auth.url}/oauth2/introspect`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${SYNAPSE_SECRET}`,
          'content-type': 'application/x-www-form-urlencoded',
          ...headers,
        },
        body: new URLSearchParams({ token }).toString(),
      });
      return (await res.json()) as Record<string, unknown>;
    };

    // Without X-MAS-Supports-Device-Id the device travels as a scope, as for older Synapses.
    expect(await introspect()).toMatchObject({
      active: true,
      client_id: 'legacy',
      username: 'legacy',
      expires_in: 300,
      scope: expect.stringContaining('urn:matrix:client:device:LEGACYDEV') as unknown,
    });
    now += 300_000;
    expect(await introspect({ 'x-mas-supports-device-id': '1' })).toEqual({ active: false });

    const logout = await fetch(`${auth.url}/_matrix/client/v3/logout`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(logout.status).toBe(401);
    expect(await logout.json()).toEqual({
      errcode: 'M_UNKNOWN_TOKEN',
      error: 'Access token has expired',
      soft_logout: true,
    });
  });

  it('answers a logout without a token with M_MISSING_TOKEN', async () => {
    const res = await fetch(`${auth.url}/_matrix/client/v3/logout`, { method: 'POST' });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ errcode: 'M_MISSING_TOKEN', error: 'Missing access token.' });
  });
});
