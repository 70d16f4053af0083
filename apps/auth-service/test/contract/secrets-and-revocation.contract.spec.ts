import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Synapse } from '@gateway/testing';
import { approve, approveDevice, Browser, formAction, hiddenInput } from '@gateway/testing';
import type { Accounts } from '../../src/accounts/accounts';
import { base32Decode, totpCode, totpStep } from '../../src/mfa/totp';
import { ACCOUNTS } from '../../src/tokens';
import { startDelegatedStack, SYNAPSE_SECRET, type AuthUnderTest } from '../support/start-auth';

const REDIRECT = 'https://client.example.org/callback';
const USER = { username: 'alice', password: 'correct horse battery' };
const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

interface Tokens {
  access_token: string;
  refresh_token?: string;
}

/** Every key under `prefix` with its value, whatever the key's type, as one text to search. */
async function redisDump(redis: Redis, prefix: string): Promise<string> {
  const out: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    cursor = next;
    for (const key of keys) {
      const type = await redis.type(key);
      out.push(key);
      if (type === 'string') out.push((await redis.get(key)) ?? '');
      else if (type === 'hash') out.push(JSON.stringify(await redis.hgetall(key)));
      else if (type === 'list') out.push(JSON.stringify(await redis.lrange(key, 0, -1)));
      else if (type === 'set') out.push(JSON.stringify(await redis.smembers(key)));
      else if (type === 'zset') out.push(JSON.stringify(await redis.zrange(key, 0, -1, 'WITHSCORES')));
      else if (type === 'stream') out.push(JSON.stringify(await redis.xrange(key, '-', '+')));
      else out.push(`<${type}>`);
    }
  } while (cursor !== '0');
  return out.join('\n');
}

// What issue 13 found from outside, checked on the real Synapse: no usable secret at rest (oidc-provider
// keeps a token's value in its payload), and revocation or logout ending the session in Synapse at once.
describe('secrets at rest and revocation, on Synapse', () => {
  let synapse: Synapse;
  let auth: AuthUnderTest;
  let clientId: string;

  beforeAll(async () => {
    ({ synapse, auth } = await startDelegatedStack(USER, {
      AUTH_MFA_ENCRYPTION_KEY: 'secrets-test-mfa-key-0123456789abcdef',
    }));
    clientId = (await register({})).client_id;
  });
  afterAll(async () => {
    await auth.stop();
    await synapse.stop();
  });

  async function register(extra: object): Promise<{
    client_id: string;
    client_secret?: string;
    registration_access_token: string;
  }> {
    const res = await fetch(`${auth.issuer}oauth2/registration`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        client_name: 'Test Client',
        client_uri: 'https://client.example.org/',
        redirect_uris: [REDIRECT],
        application_type: 'web',
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token', DEVICE_GRANT],
        response_types: ['code'],
        ...extra,
      }),
    });
    const body = (await res.json()) as {
      client_id: string;
      client_secret?: string;
      registration_access_token: string;
    };
    expect(res.status, JSON.stringify(body)).toBe(201);
    return body;
  }

  const form = (path: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
    fetch(`${auth.issuer}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(fields),
    });
  const whoami = (token: string) =>
    fetch(`${synapse.baseUrl}/_matrix/client/v3/account/whoami`, {
      headers: { Authorization: `Bearer ${token}` },
    });
  const introspect = async (token: string) =>
    (await (
      await form('oauth2/introspect', { token }, { Authorization: `Bearer ${SYNAPSE_SECRET}` })
    ).json()) as { active: boolean };
  async function within(ms: number, check: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** The code flow with PKCE through the pages; returns the code, the tokens and the browser. */
  async function codeFlow(device: string, browser = new Browser()) {
    const verifier = randomBytes(32).toString('base64url');
    const url = new URL(`${auth.issuer}authorize`);
    for (const [k, v] of Object.entries({
      client_id: clientId,
      redirect_uri: REDIRECT,
      response_type: 'code',
      scope: `openid urn:matrix:client:api:* urn:matrix:client:device:${device}`,
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    }))
      url.searchParams.set(k, v);
    const back = await approve(url.toString(), auth.issuer, USER, browser);
    const code = back.searchParams.get('code')!;
    const res = await form('oauth2/token', {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT,
      client_id: clientId,
      code_verifier: verifier,
    });
    const tokens = (await res.json()) as Required<Tokens>;
    expect(res.status, JSON.stringify(tokens)).toBe(200);
    return { code, tokens, browser };
  }

  const refresh = async (refreshToken: string) => {
    const res = await form('oauth2/token', {
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      client_id: clientId,
    });
    const body = (await res.json()) as Required<Tokens>;
    expect(res.status, JSON.stringify(body)).toBe(200);
    return body;
  };

  it('keeps no issued secret in the database or in Redis, in any form that can be used', async () => {
    const secrets: Record<string, string> = {};

    // Code + PKCE + refresh, in a browser whose session cookie is kept.
    const flow = await codeFlow('SECRETSCODE1');
    secrets['authorization code'] = flow.code;
    secrets['access token'] = flow.tokens.access_token;
    secrets['refresh token'] = flow.tokens.refresh_token;
    const rotated = await refresh(flow.tokens.refresh_token);
    secrets['rotated access token'] = rotated.access_token;
    secrets['rotated refresh token'] = rotated.refresh_token;
    secrets['session cookie (code flow)'] = flow.browser.cookie('_session')!;

    // The device authorization grant.
    const start = await form('oauth2/device', {
      client_id: clientId,
      scope: 'urn:matrix:client:api:* urn:matrix:client:device:SECRETSDEV01',
    });
    const device = (await start.json()) as {
      device_code: string;
      user_code: string;
      verification_uri: string;
    };
    expect(start.status, JSON.stringify(device)).toBe(200);
    secrets['device code'] = device.device_code;
    secrets['user code'] = device.user_code;
    secrets['user code, normalised'] = device.user_code.replace(/[^A-Za-z]/g, '');
    await approveDevice(device.verification_uri, device.user_code, auth.issuer, USER);
    const deviceToken = await form('oauth2/token', {
      grant_type: DEVICE_GRANT,
      device_code: device.device_code,
      client_id: clientId,
    });
    const deviceTokens = (await deviceToken.json()) as Required<Tokens>;
    expect(deviceToken.status, JSON.stringify(deviceTokens)).toBe(200);
    secrets['device flow access token'] = deviceTokens.access_token;
    secrets['device flow refresh token'] = deviceTokens.refresh_token;

    // client_credentials, with a confidential client registered for it.
    const confidential = await register({
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
    });
    secrets['registration access token'] = confidential.registration_access_token;
    secrets['registered client secret'] = confidential.client_secret!;
    const basic = Buffer.from(`${confidential.client_id}:${confidential.client_secret!}`).toString('base64');
    const cc = await form(
      'oauth2/token',
      { grant_type: 'client_credentials' },
      { Authorization: `Basic ${basic}` },
    );
    const ccBody = (await cc.json()) as Tokens;
    expect(cc.status, JSON.stringify(ccBody)).toBe(200);
    secrets['client_credentials access token'] = ccBody.access_token;

    // The account page's own browser session.
    const accountBrowser = new Browser();
    const login = (
      await accountBrowser.follow(await accountBrowser.get(`${auth.issuer}account/`), auth.issuer)
    ).page!;
    const signedIn = await accountBrowser.follow(
      await accountBrowser.post(new URL(formAction(login.html, '/login'), auth.issuer).toString(), {
        csrf: hiddenInput(login.html, 'csrf'),
        ...USER,
      }),
      auth.issuer,
    );
    expect(signedIn.page?.html).toContain('Signed in as');
    secrets['session cookie (account page)'] = accountBrowser.cookie('_session')!;
    // A personal access token made on the account page: shown once, kept only as a hash.
    const tokensPage = await (await accountBrowser.get(`${auth.issuer}account/tokens`)).text();
    const made = await accountBrowser.post(`${auth.issuer}account/tokens`, {
      csrf: hiddenInput(tokensPage, 'csrf'),
      name: 'dump check',
      scope_api: 'yes',
      expires_days: '1',
    });
    const pat = /id="issued-token">([^<]+)</.exec(await made.text())?.[1];
    expect(pat).toMatch(/^mpt_/);
    secrets['personal access token (mpt_)'] = pat!;

    // The legacy login layer: a refreshable compat login, then one refresh.
    const compatPost = (path: string, body: object) =>
      fetch(`${auth.issuer}_matrix/client/v3/${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const compatRes = await compatPost('login', {
      type: 'm.login.password',
      identifier: { type: 'm.id.user', user: USER.username },
      password: USER.password,
      device_id: 'SECRETSCOMPAT',
      refresh_token: true,
    });
    const compat = (await compatRes.json()) as { access_token: string; refresh_token: string };
    expect(compatRes.status, JSON.stringify(compat)).toBe(200);
    secrets['compat access token (mct_)'] = compat.access_token;
    secrets['compat refresh token (mcr_, used)'] = compat.refresh_token;
    const compatRefreshed = (await (
      await compatPost('refresh', { refresh_token: compat.refresh_token })
    ).json()) as { access_token: string; refresh_token: string };
    secrets['compat access token (after refresh)'] = compatRefreshed.access_token;
    secrets['compat refresh token (after refresh)'] = compatRefreshed.refresh_token;

    // A TOTP factor set up on the account page by another user: its key and recovery codes are shown
    // once, and kept encrypted (the key) and as keyed hashes (the codes).
    const mfaUser = { username: 'dumpmfa', password: 'another sturdy passphrase' };
    expect((await auth.app.get<Accounts>(ACCOUNTS).register(mfaUser.username, mfaUser.password)).ok).toBe(
      true,
    );
    const mfaBrowser = new Browser();
    const mfaLogin = (await mfaBrowser.follow(await mfaBrowser.get(`${auth.issuer}account/`), auth.issuer))
      .page!;
    await mfaBrowser.follow(
      await mfaBrowser.post(new URL(formAction(mfaLogin.html, '/login'), auth.issuer).toString(), {
        csrf: hiddenInput(mfaLogin.html, 'csrf'),
        ...mfaUser,
      }),
      auth.issuer,
    );
    const enrolPage = await (await mfaBrowser.get(`${auth.issuer}account/mfa`)).text();
    const totpKey = /id="totp-secret">([^<]+)</.exec(enrolPage)?.[1]?.replace(/\s+/g, '') ?? '';
    const keyBytes = base32Decode(totpKey)!;
    const confirmed = await mfaBrowser.post(`${auth.issuer}account/mfa/confirm`, {
      csrf: hiddenInput(enrolPage, 'csrf'),
      code: totpCode(keyBytes, totpStep(new Date())),
    });
    const recoveryCodes = [...(await confirmed.text()).matchAll(/<li><code>([^<]+)<\/code><\/li>/g)].map(
      (m) => m[1]!,
    );
    expect(recoveryCodes).toHaveLength(10);
    secrets['TOTP key (base32)'] = totpKey;
    secrets['TOTP key (hex)'] = keyBytes.toString('hex');
    secrets['TOTP key (base64)'] = keyBytes.toString('base64');
    recoveryCodes.forEach((code, i) => {
      secrets[`recovery code ${i + 1}`] = code;
      secrets[`recovery code ${i + 1} (no dash)`] = code.replace('-', '');
    });

    for (const [what, value] of Object.entries(secrets)) expect(value, what).toMatch(/^.{8,}$/);
    const dump = execFileSync('pg_dump', ['--no-owner', auth.db.url], {
      encoding: 'utf8',
      maxBuffer: 1 << 28,
    });
    expect(dump).toContain('oidc_payloads'); // the dump is of the right database
    expect(dump).toContain('user_totp');
    const redis = await redisDump(auth.redis.redis, auth.redis.prefix);
    const found = Object.entries(secrets)
      .filter(([, value]) => dump.includes(value) || redis.includes(value))
      .map(
        ([what]) =>
          `${what}${dump.includes(secrets[what]!) ? ' (Postgres)' : ''}${redis.includes(secrets[what]!) ? ' (Redis)' : ''}`,
      );
    expect(found).toEqual([]);

    // Still usable by their holders after all that: values restored from what was presented.
    expect((await whoami(rotated.access_token)).status).toBe(200);
    expect((await whoami(deviceTokens.access_token)).status).toBe(200);
    expect((await whoami(compatRefreshed.access_token)).status).toBe(200);
    expect((await whoami(pat!)).status).toBe(200);
    expect((await refresh(deviceTokens.refresh_token)).access_token).toMatch(/^mat_/);
    const page = await accountBrowser.get(`${auth.issuer}account/`);
    expect(await page.text()).toContain('SECRETSCODE1');
  });

  it('ends the whole session when an access token is revoked: Synapse refuses it within 5 s', async () => {
    const { tokens } = await codeFlow('REVOKEACCESS1');
    expect((await whoami(tokens.access_token)).status).toBe(200);
    const revoked = await form('oauth2/revoke', { token: tokens.access_token, client_id: clientId });
    expect(revoked.status).toBe(200);
    await within(5_000, async () => (await whoami(tokens.access_token)).status === 401);
    // The refresh token of the same session went with it.
    const again = await form('oauth2/token', {
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token,
      client_id: clientId,
    });
    expect(again.status).toBe(400);
  });

  it('ends the session on refresh-token revocation and replay within 5 s', async () => {
    const a = await codeFlow('REVOKEREFRESH');
    expect((await form('oauth2/revoke', { token: a.tokens.refresh_token, client_id: clientId })).status).toBe(
      200,
    );
    await within(5_000, async () => (await whoami(a.tokens.access_token)).status === 401);

    const b = await codeFlow('REPLAYREFRESH');
    const next = await refresh(b.tokens.refresh_token);
    const replay = await form('oauth2/token', {
      grant_type: 'refresh_token',
      refresh_token: b.tokens.refresh_token,
      client_id: clientId,
    });
    expect(replay.status).toBe(400);
    await within(5_000, async () => (await whoami(next.access_token)).status === 401);
  });

  it('stops the old access token at once when the session refreshes', async () => {
    const { tokens } = await codeFlow('REFRESHOLDAT1');
    expect((await introspect(tokens.access_token)).active).toBe(true);
    const next = await refresh(tokens.refresh_token);
    expect((await introspect(tokens.access_token)).active).toBe(false);
    expect((await introspect(next.access_token)).active).toBe(true);
    expect((await whoami(next.access_token)).status).toBe(200);
  });
});
