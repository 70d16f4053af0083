import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, queryRows } from '@gateway/testing';
import { ClientSecretSealing } from '../../src/oidc/client-secret-sealing';
import { startAuth, type AuthUnderTest } from '../support/start-auth';

// Dynamic registration and client_credentials need no Synapse; the URL is never called.
const UNUSED_SYNAPSE = 'http://127.0.0.1:9';

interface Registered {
  client_id: string;
  client_secret: string;
  registration_access_token: string;
  registration_client_uri: string;
}

/**
 * A confidential client's secret, as dynamic registration hands it out, is not in the database in any
 * form that can be used, on a new deployment and after an upgrade from one that stored it as given; the
 * client still authenticates with it.
 */
describe('registered clients’ secrets at rest', () => {
  let auth: AuthUnderTest;
  let client: Registered;

  beforeAll(async () => {
    auth = await startAuth(await freePort(), UNUSED_SYNAPSE);
    const res = await fetch(`${auth.url}/oauth2/registration`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        client_name: 'Confidential',
        client_uri: 'https://client.example.org/',
        token_endpoint_auth_method: 'client_secret_basic',
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
      }),
    });
    client = (await res.json()) as Registered;
    expect(res.status, JSON.stringify(client)).toBe(201);
    expect(client.client_secret.length).toBeGreaterThanOrEqual(32);
  });
  afterAll(async () => {
    await auth.stop();
  });

  const token = (base: string, id: string, secret: string) =>
    fetch(`${base}/oauth2/token`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        Authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'client_credentials' }),
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));

  const storedSecret = async (id: string) =>
    (
      await queryRows<{ secret: string }>(
        auth.db.url,
        `SELECT payload->>'client_secret' AS secret FROM oidc_payloads WHERE model = 'Client' AND id = $1`,
        [id],
      )
    )[0]?.secret;

  const dump = () =>
    execFileSync('pg_dump', ['--no-owner', '--data-only', auth.db.url], {
      encoding: 'utf8',
      maxBuffer: 1 << 28,
    });

  it('stores the secret sealed, in no form a dump can use, and the client authenticates with it', async () => {
    expect(await storedSecret(client.client_id)).toMatch(/^sealed:v1\./);
    const text = dump();
    expect(text).toContain(client.client_id); // the dump is of the right database
    for (const form of [
      client.client_secret,
      Buffer.from(client.client_secret, 'base64url').toString('hex'),
      Buffer.from(client.client_secret, 'base64url').toString('base64'),
    ])
      expect(text).not.toContain(form);

    const ok = await token(auth.url, client.client_id, client.client_secret);
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body['access_token']).toEqual(expect.any(String));
    const wrong = await token(auth.url, client.client_id, `${client.client_secret}x`);
    expect(wrong).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
  });

  it('gives the secret back, opened, to the registration read with its access token', async () => {
    const res = await fetch(client.registration_client_uri, {
      headers: { Authorization: `Bearer ${client.registration_access_token}` },
    });
    const body = (await res.json()) as Registered;
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body.client_secret).toBe(client.client_secret);
  });

  it('seals, at the next start, a secret an earlier version stored as given; it keeps working throughout', async () => {
    // What a deployment before this change holds: the same client under another id, its secret in the clear.
    const legacyId = `${client.client_id}legacy`;
    await queryRows(
      auth.db.url,
      `INSERT INTO oidc_payloads (model, id, payload)
       SELECT model, $2, payload || jsonb_build_object('client_id', $2::text, 'client_secret', $3::text)
         FROM oidc_payloads WHERE model = 'Client' AND id = $1`,
      [client.client_id, legacyId, client.client_secret],
    );
    expect(await storedSecret(legacyId)).toBe(client.client_secret);
    expect((await token(auth.url, legacyId, client.client_secret)).status).toBe(200);

    const restarted = await startAuth(await freePort(), UNUSED_SYNAPSE, {}, { replicaOf: auth });
    try {
      await restarted.app.get(ClientSecretSealing).done;
      expect(await storedSecret(legacyId)).toMatch(/^sealed:v1\./);
      expect(dump()).not.toContain(client.client_secret);
      expect(restarted.logs()).toContain('sealed the secrets of registered clients stored in the clear');
      expect((await token(restarted.url, legacyId, client.client_secret)).status).toBe(200);
      expect((await token(auth.url, legacyId, client.client_secret)).status).toBe(200);
      // Sealed rows are left as they are: the original client's envelope did not change.
      const before = await storedSecret(client.client_id);
      await restarted.app.get(ClientSecretSealing).done;
      expect(await storedSecret(client.client_id)).toBe(before);
    } finally {
      await restarted.stop();
    }
  });

  it('treats a client whose secret was sealed under another AUTH_SYNAPSE_SECRET as unknown, and says why', async () => {
    const other = await startAuth(
      await freePort(),
      UNUSED_SYNAPSE,
      { AUTH_SYNAPSE_SECRET: 'another-shared-secret-0123456789' },
      { replicaOf: auth },
    );
    try {
      const res = await token(other.url, client.client_id, client.client_secret);
      expect(res).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
      expect(other.logs()).toContain('does not open with this AUTH_SYNAPSE_SECRET');
    } finally {
      await other.stop();
    }
  });
});
