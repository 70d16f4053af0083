import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthStore } from '@gateway/auth-data';
import {
  formAction,
  freePort,
  hiddenFields,
  hiddenInput,
  startSynapse,
  type Synapse,
} from '@gateway/testing';
import type { Accounts } from '../../src/accounts/accounts';
import { ACCOUNTS, AUTH_STORE } from '../../src/tokens';
import { startAuth, SYNAPSE_SECRET, type AuthUnderTest } from '../support/start-auth';

const ALICE = { username: 'alice', password: 'correct horse battery' };
const MALLORY = { username: 'mallory', password: 'a sturdy passphrase here' };
const REDIRECT = 'https://client.example.org/callback';
const POST_LOGOUT = 'https://client.example.org/signed-out';

interface SeenPage {
  method: string;
  path: string;
  status: number;
  csp: string;
  frameOptions: string | null;
}

/**
 * A browser behind the TLS-terminating proxy of a real deployment: the public URLs are https (the
 * issuer), each request reaches the service over plain HTTP with `X-Forwarded-Proto: https`. It keeps
 * cookies per name, and records every Set-Cookie line and every HTML response it receives, so the
 * tests can hold all of them to the same rules.
 */
class ProxiedBrowser {
  readonly cookies = new Map<string, string>();
  static readonly setCookies: string[] = [];
  static readonly pages: SeenPage[] = [];

  constructor(
    private readonly issuer: string,
    private readonly origin: string,
  ) {}

  get(url: string): Promise<Response> {
    return this.request('GET', url);
  }

  post(url: string, form: Record<string, string>): Promise<Response> {
    return this.request('POST', url, new URLSearchParams(form).toString());
  }

  /** Follows redirects while they stay on the issuer; returns the page, or where it left to. */
  async follow(res: Response): Promise<{ html: string; url: string; status: number } | { left: URL }> {
    let current = res;
    for (let hops = 0; hops < 20; hops++) {
      const location = current.headers.get('location');
      if (current.status < 300 || current.status >= 400 || location === null)
        return { html: await current.text(), url: current.url, status: current.status };
      const next = new URL(location, current.url);
      if (next.origin !== new URL(this.issuer).origin) return { left: next };
      current = await this.get(next.toString());
    }
    throw new Error('too many redirects');
  }

  async open(url: string): Promise<{ html: string; url: string; status: number }> {
    const step = await this.follow(await this.get(url));
    if ('left' in step) throw new Error(`left for ${step.left.toString()}`);
    return step;
  }

  private async request(method: string, url: string, body?: string): Promise<Response> {
    const publicUrl = new URL(url, this.issuer);
    const target = new URL(`${publicUrl.pathname}${publicUrl.search}`, this.origin);
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(target, {
      method,
      redirect: 'manual',
      headers: {
        'X-Forwarded-Proto': 'https',
        ...(body === undefined ? {} : { 'Content-Type': 'application/x-www-form-urlencoded' }),
        ...(cookie === '' ? {} : { Cookie: cookie }),
      },
      ...(body === undefined ? {} : { body }),
    });
    for (const line of res.headers.getSetCookie()) {
      ProxiedBrowser.setCookies.push(line);
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (/expires=Thu, 01 Jan 1970/i.test(line) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    if ((res.headers.get('content-type') ?? '').startsWith('text/html'))
      ProxiedBrowser.pages.push({
        method,
        path: publicUrl.pathname,
        status: res.status,
        csp: res.headers.get('content-security-policy') ?? '',
        frameOptions: res.headers.get('x-frame-options'),
      });
    Object.defineProperty(res, 'url', { value: publicUrl.toString() });
    return res;
  }
}

/** No inline or foreign script, no framing: what every HTML response of the service must say. */
function expectStrictCsp(page: SeenPage): void {
  const directives = new Map(
    page.csp
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0] !== undefined && d[0] !== '')
      .map(([name, ...values]) => [name!, values]),
  );
  const scripts = directives.get('script-src') ?? directives.get('default-src') ?? [];
  const where = `${page.method} ${page.path} (${String(page.status)})`;
  expect(page.csp, where).not.toBe('');
  expect({ where, scripts }).toEqual({
    where,
    scripts: expect.not.arrayContaining([
      "'unsafe-inline'",
      "'unsafe-eval'",
      '*',
      'data:',
      'http:',
      'https:',
    ]),
  });
  expect({ where, frameAncestors: directives.get('frame-ancestors') }).toEqual({
    where,
    frameAncestors: ["'none'"],
  });
}

// The browser-facing hardening of every page, seen from outside (status, headers, body) through a
// deployment's https front: CSP without inline script and with frame-ancestors 'none' on every HTML
// response, cookie flags, CSRF refusals, no open redirect, a new session id at sign-in.
describe('browser hardening of the auth pages', () => {
  let synapse: Synapse;
  let auth: AuthUnderTest;
  let issuer: string;
  let origin: string;
  let clientId: string;
  const browser = () => new ProxiedBrowser(issuer, origin);

  beforeAll(async () => {
    const port = await freePort();
    issuer = `https://127.0.0.1:${port}/`;
    origin = `http://127.0.0.1:${port}`;
    synapse = await startSynapse({
      mode: 'delegated',
      authService: { endpoint: `${origin}/`, secret: SYNAPSE_SECRET },
    });
    auth = await startAuth(port, synapse.baseUrl, {
      AUTH_ISSUER: issuer,
      AUTH_TRUSTED_PROXIES: '127.0.0.1',
      // Every page the service has: two-factor settings, password recovery (mail goes nowhere).
      AUTH_MFA_ENCRYPTION_KEY: 'browser-hardening-mfa-key-0123456789abcdef',
      AUTH_EMAIL_TRANSPORT: 'smtp',
      AUTH_EMAIL_SMTP_HOST: '127.0.0.1',
      AUTH_EMAIL_SMTP_PORT: '9',
      AUTH_EMAIL_SMTP_MODE: 'plain',
      AUTH_EMAIL_FROM: 'noreply@localhost',
      AUTH_PASSWORD_RECOVERY_ENABLED: 'true',
      // An upstream provider (never reached): its button on the sign-in page, the /upstream/* pages.
      AUTH_UPSTREAM_OAUTH2: `providers:\n  - { id: hardening, issuer: 'http://127.0.0.1:9/', discovery_mode: insecure, client_id: gw, client_secret: hardening-secret }\n`,
    });
    const accounts = auth.app.get<Accounts>(ACCOUNTS);
    for (const user of [ALICE, MALLORY])
      expect((await accounts.register(user.username, user.password)).ok).toBe(true);
    const registered = await fetch(`${origin}/oauth2/registration`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Forwarded-Proto': 'https' },
      body: JSON.stringify({
        client_name: 'Hardening test client',
        client_uri: 'https://client.example.org/',
        redirect_uris: [REDIRECT],
        post_logout_redirect_uris: [POST_LOGOUT],
        application_type: 'web',
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
        response_types: ['code'],
      }),
    });
    const body = (await registered.json()) as { client_id: string };
    expect(registered.status, JSON.stringify(body)).toBe(201);
    clientId = body.client_id;
  });
  afterAll(async () => {
    await auth.stop();
    await synapse.stop();
  });

  function authorizeUrl(extra: Record<string, string> = {}): string {
    const url = new URL(`${issuer}authorize`);
    for (const [k, v] of Object.entries({
      client_id: clientId,
      redirect_uri: REDIRECT,
      response_type: 'code',
      scope: 'openid urn:matrix:client:api:*',
      state: randomBytes(8).toString('hex'),
      code_challenge: createHash('sha256').update(randomBytes(32).toString('base64url')).digest('base64url'),
      code_challenge_method: 'S256',
      ...extra,
    }))
      url.searchParams.set(k, v);
    return url.toString();
  }

  /** Signs `user` in through the sign-in and consent pages; returns where the browser is sent back. */
  async function signIn(b: ProxiedBrowser, user: typeof ALICE, extra: Record<string, string> = {}) {
    const login = await b.open(authorizeUrl(extra));
    let step = await b.follow(
      await b.post(formAction(login.html, '/login'), {
        csrf: hiddenInput(login.html, 'csrf'),
        username: user.username,
        password: user.password,
      }),
    );
    // Signing in over another account's session: oidc-provider first ends that one, through a form
    // its page submits by script.
    if (!('left' in step) && step.html.includes('action="https://') && step.html.includes('/logout/confirm"'))
      step = await b.follow(await b.post(formAction(step.html, '/logout/confirm'), hiddenFields(step.html)));
    if (!('left' in step) && step.html.includes('/consent"'))
      step = await b.follow(
        await b.post(formAction(step.html, '/consent'), { csrf: hiddenInput(step.html, 'csrf') }),
      );
    if (!('left' in step)) throw new Error(`sign-in did not finish:\n${step.html.slice(0, 600)}`);
    expect(step.left.toString()).toContain(`${REDIRECT}?code=`);
    return step.left;
  }

  it('serves every HTML page with a CSP that allows no inline script and no framing', async () => {
    const b = browser();
    // The sign-in flow: sign-in page, registration page, a wrong password, consent.
    const login = await b.open(authorizeUrl());
    const uid = /\/interaction\/([^/"]+)\/login"/.exec(login.html)?.[1] ?? '';
    expect(uid).not.toBe('');
    await b.get(`interaction/${uid}/register`);
    await b.get(`interaction/${uid}/passkey`);
    await b.post(formAction(login.html, '/login'), {
      csrf: hiddenInput(login.html, 'csrf'),
      username: ALICE.username,
      password: 'not the password',
    });
    await signIn(b, ALICE);
    // The account pages, signed in.
    const account = await b.open('account/');
    expect(account.html).toContain('Signed in as <strong>@alice:localhost</strong>');
    for (const path of [
      'account/?action=org.matrix.profile',
      'account/?action=org.matrix.sessions_list',
      'account/?action=org.matrix.account_deactivate',
      'account/?action=org.matrix.cross_signing_reset',
      'account/?action=org.matrix.session_view&device_id=NOSUCHDEVICE',
      'account/tokens',
      'account/mfa',
      'account/emails/confirm?link=nothing',
    ])
      expect((await b.get(path)).status).toBeLessThan(500);
    // Recovery, the device-link and sign-out pages (oidc-provider's), an oidc-provider error page, the
    // legacy SSO page, the admin API's documentation.
    for (const path of [
      'recover',
      'recover/finish?ticket=nothing',
      'link',
      'logout',
      'authorize?client_id=no-such-client',
      'api/doc/',
      // The upstream pages a browser can reach without the provider: its error answer, an expired link
      // page, an unknown provider.
      'upstream/callback/hardening?error=access_denied&error_description=%3Cscript%3Ealert(1)%3C/script%3E',
      `upstream/link/${'x'.repeat(43)}`,
      'upstream/authorize/nope',
    ])
      expect((await b.get(path)).status).toBeLessThan(500);
    const sso = await b.get(
      `_matrix/client/v3/login/sso/redirect?redirectUrl=${encodeURIComponent(`${REDIRECT}?x=1`)}`,
    );
    expect((await b.open(sso.headers.get('location') ?? '')).html).toContain('<form');

    const seen = ProxiedBrowser.pages;
    const paths = new Set(
      seen.map((p) =>
        p.path.replace(uid, ':uid').replace(/\/complete-compat-sso\/[^/]+/, '/complete-compat-sso/:id'),
      ),
    );
    for (const path of [
      '/interaction/:uid',
      '/interaction/:uid/register',
      '/interaction/:uid/passkey',
      '/interaction/:uid/login',
      '/account/',
      '/account/tokens',
      '/account/mfa',
      '/account/emails/confirm',
      '/recover',
      '/recover/finish',
      '/link',
      '/logout',
      '/authorize',
      '/api/doc/',
      '/complete-compat-sso/:id',
      '/upstream/callback/hardening',
      `/upstream/link/${'x'.repeat(43)}`,
      '/upstream/authorize/nope',
    ])
      expect([...paths]).toContain(path);
    for (const page of seen) expectStrictCsp(page);
  });

  it('marks every cookie it sets over a full sign-in Secure, HttpOnly and SameSite', async () => {
    const before = ProxiedBrowser.setCookies.length;
    const b = browser();
    await signIn(b, ALICE);
    await b.open('account/');
    const lines = ProxiedBrowser.setCookies.slice(before);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of [...ProxiedBrowser.setCookies]) {
      const attributes = line
        .split(';')
        .slice(1)
        .map((a) => a.trim().toLowerCase());
      expect({ line, secure: attributes.includes('secure') }).toEqual({ line, secure: true });
      expect({ line, httpOnly: attributes.includes('httponly') }).toEqual({ line, httpOnly: true });
      expect({ line, sameSite: attributes.some((a) => /^samesite=(lax|strict)$/.test(a)) }).toEqual({
        line,
        sameSite: true,
      });
    }
  });

  it('refuses every account form posted without its CSRF token or with a wrong one, changing nothing', async () => {
    const b = browser();
    await signIn(b, ALICE);
    const forms = [
      'account/profile',
      'account/password',
      'account/sessions/x/end',
      'account/compat-sessions/x/end',
      'account/browser-sessions/x/end',
      'account/cross-signing-reset',
      'account/deactivate',
      'account/tokens',
      'account/tokens/x/revoke',
      'account/mfa/confirm',
      'account/mfa/recovery-codes',
      'account/mfa/disable',
      'account/mfa/passkeys',
      'account/mfa/passkeys/rename',
      'account/mfa/passkeys/remove',
      'account/emails',
      'account/emails/x/verify',
      'account/emails/x/remove',
    ];
    // Not here, as they act on no session but on a secret from a mail, which the form carries: /recover,
    // /recover/finish and /account/emails/confirm (a forged post needs that secret already).
    for (const path of forms) {
      for (const csrf of [undefined, 'forged', hiddenInput((await b.open('account/')).html, 'csrf')]) {
        // The overview's first token is the profile form's: good for that form alone.
        if (csrf !== undefined && csrf !== 'forged' && path === 'account/profile') continue;
        const res = await b.post(path, {
          ...(csrf === undefined ? {} : { csrf }),
          displayname: 'Mallory was here',
          current_password: ALICE.password,
          new_password: 'a whole new passphrase 7',
          confirm_password: 'a whole new passphrase 7',
          password: ALICE.password,
          name: 'x',
          email: 'alice@example.org',
          code: '000000',
        });
        expect({ path, csrf, status: res.status }).toEqual({ path, csrf, status: 403 });
      }
    }
    // Nothing happened: the password is unchanged, the account active.
    expect(
      await auth.app.get<Accounts>(ACCOUNTS).authenticate(ALICE.username, ALICE.password),
    ).not.toBeNull();
  });

  it('refuses every sign-in form posted without its CSRF token or with a wrong one', async () => {
    const b = browser();
    const login = await b.open(authorizeUrl());
    for (const form of [
      'login',
      'register',
      'consent',
      'abort',
      'mfa',
      'mfa-passkey',
      'passkey',
      'mfa-enrol',
      'mfa-enrol-passkey',
      'mfa-enrolled',
    ]) {
      const action = formAction(login.html, '/login').replace(/\/login$/, `/${form}`);
      for (const csrf of [undefined, 'forged', hiddenInput(login.html, 'csrf').slice(1)]) {
        const res = await b.post(action, {
          ...(csrf === undefined ? {} : { csrf }),
          username: form === 'register' ? 'newcomer' : ALICE.username,
          password: form === 'register' ? 'a fine long password' : ALICE.password,
        });
        expect({ form, csrf, status: res.status }).toEqual({ form, csrf, status: 403 });
      }
    }
    expect(
      await auth.app.get<Accounts>(ACCOUNTS).authenticate('newcomer', 'a fine long password'),
    ).toBeNull();
    // The device-link and sign-out forms are oidc-provider's, with its own xsrf field.
    for (const path of ['link', 'logout']) {
      const page = await b.open(path);
      expect(page.html).toContain('name="xsrf"');
      const refused = await b.post(path === 'logout' ? 'logout/confirm' : 'link', {
        xsrf: 'forged',
        user_code: 'BCDF-GHJK',
        logout: 'yes',
      });
      expect({ path, status: refused.status }).toEqual({ path, status: 400 });
    }
  });

  it('sends the browser to no external URL it was given: sign-out, account return paths, authorize', async () => {
    const b = browser();
    await signIn(b, ALICE);
    // A post-logout redirect URI the client never registered is refused, not followed.
    for (const target of [
      'https://evil.example/',
      '//evil.example/',
      'https://client.example.org.evil.example/signed-out',
    ]) {
      const res = await b.get(
        `logout?client_id=${clientId}&post_logout_redirect_uri=${encodeURIComponent(target)}`,
      );
      expect({ target, status: res.status, location: res.headers.get('location') }).toEqual({
        target,
        status: 400,
        location: null,
      });
    }
    // The account page's return from sign-in keeps only a known action.
    for (const state of [
      'action=//evil.example/',
      'next=https://evil.example/',
      'action=https://evil.example/',
    ]) {
      const res = await b.get(`account/callback?state=${encodeURIComponent(state)}`);
      expect(res.status).toBe(303);
      expect(new URL(res.headers.get('location') ?? '', issuer).origin).toBe(new URL(issuer).origin);
    }
    // An authorization request's redirect_uri must be a registered one: an error page, no redirect.
    const elsewhere = await b.get(authorizeUrl({ redirect_uri: 'https://evil.example/callback' }));
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.headers.get('location')).toBeNull();
    // The registered one is used after sign-out.
    const page = await b.open(
      `logout?client_id=${clientId}&post_logout_redirect_uri=${encodeURIComponent(POST_LOGOUT)}`,
    );
    const store = auth.app.get<AuthStore>(AUTH_STORE);
    const alice = (await store.users.findByLocalpart(ALICE.username))!.id;
    const signOuts = async () =>
      (await store.auditEvents.listPage({ type: 'session.ended', actor: alice }, {})).items
        .map((e) => e.details)
        .filter((d) => d['via'] === 'logout');
    const before = (await signOuts()).length;
    const out = await b.follow(
      await b.post(formAction(page.html, '/logout/confirm'), {
        xsrf: hiddenInput(page.html, 'xsrf'),
        logout: 'yes',
      }),
    );
    expect('left' in out ? out.left.toString() : '').toBe(POST_LOGOUT);
    // The sign-out is in the audit log (recorded fail-open, beside the redirect).
    await expect.poll(async () => (await signOuts()).length).toBe(before + 1);
    expect((await signOuts()).at(-1)).toEqual({ kind: 'browser', via: 'logout' });
  });

  it('gives the browser a new session id at sign-in, so a planted session cookie is worth nothing', async () => {
    // Mallory signs in and plants her session cookies in Alice's browser.
    const mallory = browser();
    await signIn(mallory, MALLORY);
    const planted = new Map([...mallory.cookies].filter(([name]) => name.startsWith('_session')));
    expect(planted.size).toBeGreaterThan(0);
    const alice = browser();
    for (const [name, value] of planted) alice.cookies.set(name, value);
    // Alice signs in as herself (the client asks for a fresh sign-in, or Mallory's session would do).
    const seenBefore = ProxiedBrowser.pages.length;
    await signIn(alice, ALICE, { prompt: 'login' });
    // On the way, oidc-provider's own page ending Mallory's session: under the same strict CSP, its one
    // inline script allowed by hash.
    const endingPage = ProxiedBrowser.pages.slice(seenBefore).find((p) => p.path.startsWith('/authorize/'));
    expect(endingPage?.csp).toMatch(/script-src 'self' 'sha256-[^']+'/);
    expectStrictCsp(endingPage!);
    expect(alice.cookies.get('_session')).toBeDefined();
    expect(alice.cookies.get('_session')).not.toBe(planted.get('_session'));
    expect((await alice.open('account/')).html).toContain('Signed in as <strong>@alice:localhost</strong>');
    // Mallory's cookie does not carry Alice's sign-in.
    expect((await mallory.open('account/')).html).not.toContain('@alice:localhost');

    // And without a planted cookie: the id a browser holds before signing in is not the one after.
    const fresh = browser();
    await fresh.open(authorizeUrl());
    const anonymous = fresh.cookies.get('_session');
    await signIn(fresh, ALICE);
    expect(fresh.cookies.get('_session')).not.toBe(anonymous);
  });
});
