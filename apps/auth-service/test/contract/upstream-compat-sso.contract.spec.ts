import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthStore } from '@gateway/auth-data';
import {
  Browser,
  formAction,
  freePort,
  hiddenInput,
  signInUpstream,
  startSynapse,
  startUpstreamProvider,
  type Synapse,
  type UpstreamProvider,
} from '@gateway/testing';
import type { Accounts } from '../../src/accounts/accounts';
import type { SecondFactor } from '../../src/mfa/second-factor';
import { base32Decode, totpCode, totpStep } from '../../src/mfa/totp';
import { csrfToken } from '../../src/pages/form-security';
import { ACCOUNTS, AUTH_STORE, CSRF_KEY, SECOND_FACTOR } from '../../src/tokens';
import { startAuth, SYNAPSE_SECRET, type AuthUnderTest } from '../support/start-auth';

const CLIENT_SECRET = 'upstream-client-secret-0123456789';
const REDIRECT = 'https://legacy.example.org/sso-callback';
const BUTTON =
  /action="(\/upstream\/authorize\/idp)"><input type="hidden" name="compat" value="([^"]+)"><input type="hidden" name="csrf" value="([^"]+)"><button type="submit" class="secondary">Continue with Example ID</;

function providerFile(issuer: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'upstream-compat-')), 'providers.yaml');
  writeFileSync(
    file,
    `providers:
  - id: idp
    human_name: Example ID
    issuer: '${issuer}'
    discovery_mode: insecure
    client_id: gateway
    client_secret: ${CLIENT_SECRET}
    scope: openid profile
    claims_imports:
      localpart: { action: suggest }
`,
  );
  return file;
}

/**
 * The legacy `m.login.sso` login (the SSO redirect and `/complete-compat-sso/{id}`) through an upstream
 * provider: the page's provider button, the provider, the link page the first time, then the login
 * token at the client's redirectUrl, exchanged with `m.login.token` and used on Synapse.
 */
describe('legacy SSO login through upstream providers', () => {
  let synapse: Synapse;
  let auth: AuthUnderTest;
  let noPasswords: AuthUnderTest;
  let idp: UpstreamProvider;
  let store: AuthStore;
  /** The port of a replica started by one test, its callback registered at the provider up front. */
  let mfaPort: number;

  beforeAll(async () => {
    const port = await freePort();
    synapse = await startSynapse({
      mode: 'delegated',
      authService: { endpoint: `http://127.0.0.1:${port}/`, secret: SYNAPSE_SECRET },
    });
    // The second service's port, taken once Synapse has its own ports (and different from the first).
    let otherPort = await freePort();
    while (otherPort === port) otherPort = await freePort();
    mfaPort = await freePort();
    while (mfaPort === port || mfaPort === otherPort) mfaPort = await freePort();
    const callback = (p: number) => `http://127.0.0.1:${p}/upstream/callback/idp`;
    idp = await startUpstreamProvider({
      accounts: [
        { sub: 'carl-1', preferred_username: 'carl', name: 'Carl' },
        { sub: 'erin-1', preferred_username: 'erin', name: 'Erin' },
        { sub: 'nora-1', preferred_username: 'nora', name: 'Nora' },
      ],
      client: {
        id: 'gateway',
        secret: CLIENT_SECRET,
        redirectUris: [callback(port), callback(otherPort), callback(mfaPort)],
      },
    });
    const file = providerFile(idp.issuer);
    auth = await startAuth(port, synapse.baseUrl, {
      AUTH_UPSTREAM_OAUTH2_FILE: file,
      AUTH_MFA_ENCRYPTION_KEY: 'upstream-test-mfa-key-0123456789abcdef',
    });
    // A replica of the same deployment (its database, so Synapse, which asks `auth`, knows its
    // tokens) with passwords off.
    noPasswords = await startAuth(
      otherPort,
      synapse.baseUrl,
      { AUTH_UPSTREAM_OAUTH2_FILE: file, AUTH_PASSWORD_LOGIN_ENABLED: 'false' },
      { replicaOf: auth },
    );
    store = auth.app.get<AuthStore>(AUTH_STORE);
  }, 120_000);
  afterAll(async () => {
    await noPasswords.stop();
    await auth.stop();
    await synapse.stop();
    await idp.stop();
  });

  /** The client's SSO redirect, up to the completion page. */
  async function ssoPage(browser: Browser, at: AuthUnderTest) {
    const start = await browser.get(
      `${at.issuer}_matrix/client/v3/login/sso/redirect?redirectUrl=${encodeURIComponent(`${REDIRECT}?state=s`)}`,
    );
    expect(start.status).toBe(303);
    const url = start.headers.get('location')!;
    const page = await browser.get(url);
    expect(page.status).toBe(200);
    return { url, html: await page.text() };
  }

  /** The page's button, the provider's sign-in, back at the gateway (followed while on it). */
  async function throughProvider(browser: Browser, at: AuthUnderTest, html: string, username: string) {
    const button = BUTTON.exec(html);
    expect(button, html).not.toBeNull();
    const query = new URLSearchParams({ compat: button![2]!, csrf: button![3]! });
    const start = await browser.get(`${at.issuer}${button![1]!.slice(1)}?${query.toString()}`);
    expect(start.status).toBe(303);
    const back = await signInUpstream(browser, start.headers.get('location')!, idp, username);
    return browser.follow(await browser.get(back.toString()), at.issuer);
  }

  /** The login token at the client's redirectUrl, exchanged at the compat `/login`; its whoami on Synapse. */
  async function tokenLogin(at: AuthUnderTest, redirect: URL | undefined) {
    expect(redirect, 'no redirect back to the client').toBeDefined();
    expect(`${redirect!.origin}${redirect!.pathname}`).toBe(REDIRECT);
    expect(redirect!.searchParams.get('state')).toBe('s');
    const loginToken = redirect!.searchParams.get('loginToken')!;
    expect(loginToken).toMatch(/^[A-Za-z0-9]{32}$/);
    const login = await fetch(`${at.issuer}_matrix/client/v3/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ type: 'm.login.token', token: loginToken }),
    });
    expect(login.status).toBe(200);
    const { access_token, device_id } = (await login.json()) as { access_token: string; device_id: string };
    const whoami = await fetch(`${synapse.baseUrl}/_matrix/client/v3/account/whoami`, {
      headers: { Authorization: `Bearer ${access_token}` },
    });
    expect(whoami.status).toBe(200);
    const body = (await whoami.json()) as Record<string, unknown>;
    expect(body['device_id']).toBe(device_id);
    return body;
  }

  it('registers through the link page the first time, then signs straight in; the token works on Synapse', async () => {
    const browser = new Browser();
    const page = await ssoPage(browser, auth);
    expect(page.html).toContain('legacy.example.org');
    expect(page.html).toContain('name="password"'); // passwords on: both ways in
    const link = await throughProvider(browser, auth, page.html, 'carl');
    expect(link.page?.url).toMatch(/\/upstream\/link\/[A-Za-z0-9_-]{43}$/);
    expect(link.page?.html).toContain('Create your account');
    const done = await browser.follow(
      await browser.post(link.page!.url, {
        csrf: hiddenInput(link.page!.html, 'csrf'),
        action: 'register',
        username: 'carl',
      }),
      auth.issuer,
    );
    expect(await tokenLogin(auth, done.redirect)).toMatchObject({ user_id: '@carl:localhost' });
    // The completion page is spent.
    expect((await browser.get(page.url)).status).toBe(404);
    const carl = await store.users.findByLocalpart('carl');
    expect(carl?.passwordHash).toBeNull();

    // The second time (another browser, another legacy login): no link page.
    const again = new Browser();
    const second = await ssoPage(again, auth);
    const straight = await throughProvider(again, auth, second.html, 'carl');
    expect(straight.page, straight.page?.html).toBeUndefined();
    expect(await tokenLogin(auth, straight.redirect)).toMatchObject({ user_id: '@carl:localhost' });
  }, 60_000);

  it('refuses a button without its token, or with another login’s, and a used or unknown login', async () => {
    const browser = new Browser();
    const page = await ssoPage(browser, auth);
    const button = BUTTON.exec(page.html)!;
    const id = button[2]!;
    const authorize = (query: Record<string, string>) =>
      browser.get(`${auth.issuer}upstream/authorize/idp?${new URLSearchParams(query).toString()}`);
    const queries: Record<string, string>[] = [
      { compat: id },
      { compat: id, csrf: 'forged' },
      // A token for the page's own password form is not one for the button.
      { compat: id, csrf: hiddenInput(page.html, 'csrf') },
    ];
    for (const query of queries) {
      const refused = await authorize(query);
      expect(refused.status).toBe(403);
      expect(await refused.text()).toContain('Request refused');
    }
    // A well-formed token for a login that does not exist (a valid HMAC, as if from another page).
    const unknown = '00000000-0000-4000-8000-000000000000';
    const key = auth.app.get<string>(CSRF_KEY);
    const gone = await authorize({
      compat: unknown,
      csrf: csrfToken(key, 'compat-sso', unknown, 'upstream', 'idp'),
    });
    expect(gone.status).toBe(404);
    expect(await gone.text()).toContain('Sign-in expired');
    // The completion step of no session, or in another browser: a page, never a 500.
    const none = await browser.get(`${auth.issuer}upstream/compat-sso/${'x'.repeat(43)}`);
    expect(none.status).toBe(400);
    expect(await none.text()).toContain('Sign-in expired');
  }, 60_000);

  it('finishes only in the browser that started it, and refuses an account that must set up MFA first', async () => {
    const browser = new Browser();
    const page = await ssoPage(browser, auth);
    const button = BUTTON.exec(page.html)!;
    const query = new URLSearchParams({ compat: button[2]!, csrf: button[3]! });
    const start = await browser.get(`${auth.issuer}upstream/authorize/idp?${query.toString()}`);
    const back = await signInUpstream(browser, start.headers.get('location')!, idp, 'carl');
    const callback = await browser.get(back.toString());
    expect(callback.status).toBe(303);
    const finish = new URL(callback.headers.get('location')!, auth.issuer).toString();
    expect(finish).toMatch(/\/upstream\/compat-sso\/[A-Za-z0-9_-]{43}$/);
    // Someone else's browser (no binding cookie) gets a page, and the step stays for its own browser.
    const elsewhere = await new Browser().get(finish);
    expect(elsewhere.status).toBe(400);
    expect(await elsewhere.text()).toContain('Sign-in expired');
    const done = await browser.follow(await browser.get(finish), auth.issuer);
    expect(await tokenLogin(auth, done.redirect)).toMatchObject({ user_id: '@carl:localhost' });
    // Spent once used.
    expect((await browser.get(finish)).status).toBe(400);

    // AUTH_MFA_REQUIRED=everyone and no factor: refused, as after a password.
    const strict = await startAuth(
      mfaPort,
      synapse.baseUrl,
      {
        AUTH_UPSTREAM_OAUTH2_FILE: providerFile(idp.issuer),
        AUTH_MFA_REQUIRED: 'everyone',
        AUTH_MFA_ENCRYPTION_KEY: 'upstream-test-mfa-key-0123456789abcdef',
      },
      { replicaOf: auth },
    );
    try {
      const mfaBrowser = new Browser();
      const mfaPage = await ssoPage(mfaBrowser, strict);
      const refused = await throughProvider(mfaBrowser, strict, mfaPage.html, 'carl');
      expect(refused.page?.status).toBe(403);
      expect(refused.page?.html).toContain('This account must use two-factor authentication');
      expect(refused.redirect).toBeUndefined();
    } finally {
      await strict.stop();
    }
  }, 60_000);

  it('asks a linked account with a second factor for it, and refuses a locked one', async () => {
    const created = await auth.app.get<Accounts>(ACCOUNTS).register('erin', 'correct horse battery');
    if (!created.ok) throw new Error(created.reason);
    const erin = created.user;
    await store.upstream.addLink(
      { providerId: 'idp', subject: 'erin-1', userId: erin.id, humanAccountName: null },
      new Date(),
    );
    const mfa = auth.app.get<SecondFactor>(SECOND_FACTOR).mfa;
    const enrolment = (await mfa.pendingEnrolment(erin.id, '@erin:localhost'))!;
    const secret = base32Decode(enrolment.secret)!;
    expect(await mfa.confirmEnrolment(erin.id, totpCode(secret, totpStep(new Date()) - 1))).not.toBeNull();

    const browser = new Browser();
    const page = await ssoPage(browser, auth);
    const step = await throughProvider(browser, auth, page.html, 'erin');
    // The provider is the first factor only: the page's code step, as after a password.
    expect(step.page?.html).toContain('name="code"');
    const done = await browser.follow(
      await browser.post(new URL(formAction(step.page!.html, '/mfa'), auth.issuer).toString(), {
        csrf: hiddenInput(step.page!.html, 'csrf'),
        pending: hiddenInput(step.page!.html, 'pending'),
        code: totpCode(secret, totpStep(new Date())),
      }),
      auth.issuer,
    );
    expect(await tokenLogin(auth, done.redirect)).toMatchObject({ user_id: '@erin:localhost' });

    await store.users.setLocked(erin.id, new Date());
    const lockedBrowser = new Browser();
    const lockedPage = await ssoPage(lockedBrowser, auth);
    const refused = await throughProvider(lockedBrowser, auth, lockedPage.html, 'erin');
    expect(refused.page?.status).toBe(403);
    expect(refused.page?.html).toContain('This account has been locked.');
    expect(refused.redirect).toBeUndefined();
  }, 60_000);

  it('with passwords off, the page offers the provider only, and it works', async () => {
    const browser = new Browser();
    const page = await ssoPage(browser, noPasswords);
    expect(page.html).not.toContain('name="password"');
    expect(page.html).toContain('This server does not accept passwords');
    const link = await throughProvider(browser, noPasswords, page.html, 'nora');
    expect(link.page?.html).toContain('Create your account');
    const done = await browser.follow(
      await browser.post(link.page!.url, {
        csrf: hiddenInput(link.page!.html, 'csrf'),
        action: 'register',
        username: 'nora',
      }),
      noPasswords.issuer,
    );
    expect(await tokenLogin(noPasswords, done.redirect)).toMatchObject({ user_id: '@nora:localhost' });
    // A password posted anyway (with the page's valid token: the page has no form to take it from) is
    // still refused.
    const other = await ssoPage(new Browser(), noPasswords);
    const id = new URL(other.url).pathname.split('/').pop()!;
    const csrf = csrfToken(noPasswords.app.get<string>(CSRF_KEY), 'compat-sso', id);
    const posted = await fetch(other.url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf, username: 'nora', password: 'x' }),
      redirect: 'manual',
    });
    expect(posted.status).toBe(403);
    expect(await posted.text()).toContain('This server does not accept passwords.');
  }, 60_000);

  it('with passwords off and no provider, the page says sign-in is unavailable', async () => {
    const bare = await startAuth(
      await freePort(),
      synapse.baseUrl,
      { AUTH_PASSWORD_LOGIN_ENABLED: 'false' },
      { replicaOf: auth },
    );
    try {
      const browser = new Browser();
      const start = await browser.get(
        `${bare.issuer}_matrix/client/v3/login/sso/redirect?redirectUrl=${encodeURIComponent(REDIRECT)}`,
      );
      const page = await browser.get(start.headers.get('location')!);
      expect(page.status).toBe(403);
      const html = await page.text();
      expect(html).toContain('Sign-in unavailable');
      expect(html).not.toContain('name="password"');
    } finally {
      await bare.stop();
    }
  }, 60_000);
});
