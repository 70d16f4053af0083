import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, formAction, freePort, hiddenInput } from '@gateway/testing';
import type { Accounts } from '../../src/accounts/accounts';
import { ACCOUNTS } from '../../src/tokens';
import { startAuth, type AuthUnderTest } from '../support/start-auth';

// Sign-in, client registration and the token endpoint need no Synapse before a token is issued;
// registration asks Synapse whether the username is free, so a stand-in answers that one call (yes).
let synapseUrl = 'http://127.0.0.1:9';
const LIMITS = {
  AUTH_LOGIN_ATTEMPTS: '3', // per account; 15 per address
  AUTH_REGISTRATIONS_PER_HOUR: '1',
  AUTH_CLIENT_REGISTRATIONS_PER_HOUR: '3',
  AUTH_TOKEN_REQUESTS_PER_MINUTE: '4',
};

// Issue 13: every limit is counted in Redis, so two replicas of one deployment (two app instances on
// one Redis and one database) share each count; addresses are the trusted-proxy model's.
describe('rate limits shared by replicas through Redis, per client address and per account', () => {
  let a: AuthUnderTest;
  let b: AuthUnderTest;
  let untrusting: AuthUnderTest;

  let synapseStandIn: Server;
  beforeAll(async () => {
    synapseStandIn = createServer((req, res) => {
      const free = req.url?.startsWith('/_synapse/mas/is_localpart_available?') === true;
      res
        .writeHead(free ? 200 : 404, { 'content-type': 'application/json' })
        .end(free ? '{}' : '{"errcode":"M_UNRECOGNIZED"}');
    });
    await new Promise<void>((r) => synapseStandIn.listen(0, '127.0.0.1', r));
    synapseUrl = `http://127.0.0.1:${String((synapseStandIn.address() as AddressInfo).port)}`;
    // The tests connect from 127.0.0.1: a trusted proxy for a and b, so X-Forwarded-For names the client.
    a = await startAuth(await freePort(), synapseUrl, { ...LIMITS, AUTH_TRUSTED_PROXIES: '127.0.0.1' });
    b = await startAuth(
      await freePort(),
      synapseUrl,
      { ...LIMITS, AUTH_TRUSTED_PROXIES: '127.0.0.1' },
      {
        replicaOf: a,
      },
    );
    untrusting = await startAuth(
      await freePort(),
      synapseUrl,
      { ...LIMITS, AUTH_TRUSTED_PROXIES: '10.0.0.0/8' },
      { replicaOf: a },
    );
    const created = await a.app.get<Accounts>(ACCOUNTS).register('owner', 'correct horse battery');
    expect(created).toMatchObject({ ok: true });
  });
  afterAll(async () => {
    await untrusting.stop();
    await b.stop();
    await a.stop();
    await new Promise((r) => synapseStandIn.close(r));
  });

  const xff = (ip: string) => ({ 'X-Forwarded-For': ip });

  /** A sign-in page (the account page's authorization), ready to post attempts to. */
  async function loginForm(auth: AuthUnderTest) {
    const browser = new Browser();
    const page = (await browser.follow(await browser.get(`${auth.issuer}account/`), auth.issuer)).page!;
    const action = new URL(formAction(page.html, '/login'), auth.issuer).toString();
    const csrf = hiddenInput(page.html, 'csrf');
    return (username: string, password: string, ip: string) =>
      browser.post(action, { csrf, username, password }, xff(ip));
  }

  it('counts an account’s attempts across replicas; its owner’s sign-in refills them; never a lockout', async () => {
    const [onA, onB] = [await loginForm(a), await loginForm(b)];
    // Every attempt from a different address: only the account's budget (3) is in play.
    expect((await onA('owner', 'guess 1', '203.0.113.1')).status).toBe(401);
    expect((await onB('owner', 'guess 2', '203.0.113.2')).status).toBe(401);
    // The owner signs in (the account's third attempt): the budget is full again.
    expect((await onA('owner', 'correct horse battery', '203.0.113.3')).status).toBe(303);
    const [againA, againB] = [await loginForm(a), await loginForm(b)];
    expect((await againB('owner', 'guess 3', '203.0.113.4')).status).toBe(401);
    expect((await againA('owner', 'guess 4', '203.0.113.5')).status).toBe(401);
    expect((await againB('owner', 'guess 5', '203.0.113.6')).status).toBe(401);
    const refused = await againA('owner', 'guess 6', '203.0.113.7');
    expect(refused.status).toBe(429);
    expect(await refused.text()).toContain('Too many failed attempts');
    // Slowed, not locked: one attempt comes back per 200 s (3 per 10 minutes), and says so.
    const wait = Number(refused.headers.get('retry-after'));
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(200);
    // Other accounts are not affected by this one's budget.
    expect((await againB('someone-else', 'x', '203.0.113.8')).status).toBe(401);
  });

  it('counts per client address from a trusted proxy’s X-Forwarded-For, and ignores it from anyone else', async () => {
    const [onA, onB] = [await loginForm(a), await loginForm(b)];
    // Fifteen attempts per address, each on a different account; alternating replicas.
    for (let i = 0; i < 15; i++) {
      const attempt = i % 2 === 0 ? onA : onB;
      expect((await attempt(`nobody-${i}`, 'x', '198.51.100.7')).status).toBe(401);
    }
    const refused = await onA('nobody-15', 'x', '198.51.100.7');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another client behind the same proxy has its own budget.
    expect((await onB('nobody-16', 'x', '198.51.100.8')).status).toBe(401);

    // Connecting directly (the peer is not a trusted proxy), X-Forwarded-For is the client's own claim:
    // it does not buy a fresh budget per claimed address. All these count against 127.0.0.1.
    const direct = await loginForm(untrusting);
    for (let i = 0; i < 15; i++)
      expect((await direct(`direct-${i}`, 'x', `192.0.2.${i + 1}`)).status).toBe(401);
    expect((await direct('direct-15', 'x', '192.0.2.99')).status).toBe(429);
  });

  it('limits dynamic client registration per address with OAuth 429 and Retry-After, shared by replicas', async () => {
    const register = (auth: AuthUnderTest) =>
      fetch(`${auth.issuer}oauth2/registration`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...xff('192.0.2.50') },
        body: JSON.stringify({
          client_name: 'x',
          client_uri: 'https://app.example.org/',
          redirect_uris: ['https://app.example.org/cb'],
          token_endpoint_auth_method: 'none',
          grant_types: ['authorization_code'],
          response_types: ['code'],
        }),
      });
    expect((await register(a)).status).toBe(201);
    expect((await register(b)).status).toBe(201);
    expect((await register(a)).status).toBe(201);
    const refused = await register(b);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.json()).toMatchObject({ error: 'temporarily_unavailable' });
  });

  it('limits the token endpoint per address, shared by replicas', async () => {
    const token = (auth: AuthUnderTest) =>
      fetch(`${auth.issuer}oauth2/token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...xff('192.0.2.60') },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: 'x', client_id: 'x' }),
      });
    for (const replica of [a, b, a, b]) expect((await token(replica)).status).toBe(401); // unknown client
    const refused = await token(a);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('15');
    expect(await refused.json()).toMatchObject({ error: 'temporarily_unavailable' });
  });

  it('limits account registration per address, shared by replicas', async () => {
    const registerOn = async (auth: AuthUnderTest, username: string) => {
      const url = new URL(`${auth.issuer}authorize`);
      for (const [k, v] of Object.entries({
        client_id: 'account-management',
        redirect_uri: `${auth.issuer}account/callback`,
        response_type: 'code',
        scope: 'openid',
        prompt: 'create',
        code_challenge: createHash('sha256').update(randomBytes(32)).digest('base64url'),
        code_challenge_method: 'S256',
      }))
        url.searchParams.set(k, v);
      const browser = new Browser();
      const page = (await browser.follow(await browser.get(url.toString()), auth.issuer)).page!;
      return browser.post(
        new URL(formAction(page.html, '/register'), auth.issuer).toString(),
        { csrf: hiddenInput(page.html, 'csrf'), username, password: 'a fine long password' },
        xff('192.0.2.70'),
      );
    };
    expect((await registerOn(a, 'first-newcomer')).status).toBe(303);
    const refused = await registerOn(b, 'second-newcomer');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.text()).toContain('Too many new accounts');
  });
});
