import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthStore } from '@gateway/auth-data';
import { freePort } from '@gateway/testing';
import { generateToken, hashToken } from '../../src/token-format/token-format';
import { AUTH_STORE } from '../../src/tokens';
import { startAuth, SYNAPSE_SECRET, type AuthUnderTest } from '../support/start-auth';

// Introspection needs no Synapse; the URL is never called.
const UNUSED_SYNAPSE = 'http://127.0.0.1:9';

describe('introspection decides expiry by the injected clock', () => {
  let auth: AuthUnderTest;
  let now = Date.parse('2031-06-01T12:00:00Z');

  beforeAll(async () => {
    auth = await startAuth(await freePort(), UNUSED_SYNAPSE, {}, { clock: () => now });
  });
  afterAll(async () => {
    await auth.stop();
  });

  async function introspect(token: string): Promise<Record<string, unknown>> {
    const response = await fetch(`${auth.url}/oauth2/introspect`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${SYNAPSE_SECRET}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ token }).toString(),
    });
    expect(response.status).toBe(200);
    return (await response.json()) as Record<string, unknown>;
  }

  it('is active until the clock passes the token expiry, then inactive', async () => {
    const store = auth.app.get<AuthStore>(AUTH_STORE);
    const user = await store.users.create({ localpart: 'clocked', passwordHash: null });
    const token = generateToken('access_token');
    const iat = Math.floor(now / 1000);
    await store.payloads.upsert(
      'AccessToken',
      hashToken(token),
      { accountId: user!.id, clientId: 'c', scope: 'openid urn:matrix:client:api:*', iat, exp: iat + 300 },
      300,
    );

    expect(await introspect(token)).toMatchObject({ active: true, username: 'clocked', expires_in: 300 });
    now += 299_000;
    expect(await introspect(token)).toMatchObject({ active: true, expires_in: 1 });
    now += 1_000;
    expect(await introspect(token)).toEqual({ active: false });
  });
});
