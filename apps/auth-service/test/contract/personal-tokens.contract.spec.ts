import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthStore } from '@gateway/auth-data';
import { Browser, freePort, startSynapse, type Synapse } from '@gateway/testing';
import type { Accounts } from '../../src/accounts/accounts';
import { ACCOUNTS, AUTH_STORE } from '../../src/tokens';
import { startAuth, SYNAPSE_SECRET, type AuthUnderTest } from '../support/start-auth';

const ALICE = { username: 'alice', password: 'correct horse battery' };
const ROOT = { username: 'root', password: 'another horse battery' };

/** The CSRF token of the form posting to `action` on an account page. */
function csrfOf(html: string, action: string): string {
  const form = html.split('<form').find((f) => f.includes(`action="${action}"`));
  const token = form === undefined ? undefined : /name="csrf" value="([^"]*)"/.exec(form)?.[1];
  if (token === undefined) throw new Error(`no form posting to ${action}:\n${html.slice(0, 800)}`);
  return token;
}

// Personal access tokens made and revoked on the account page, used on a real Synapse.
describe('personal access tokens on the account page', () => {
  let synapse: Synapse;
  let auth: AuthUnderTest;
  let offset = 0;

  beforeAll(async () => {
    const port = await freePort();
    synapse = await startSynapse({
      mode: 'delegated',
      authService: { endpoint: `http://127.0.0.1:${port}/`, secret: SYNAPSE_SECRET },
    });
    auth = await startAuth(port, synapse.baseUrl, {}, { clock: () => Date.now() + offset });
    const accounts = auth.app.get<Accounts>(ACCOUNTS);
    expect((await accounts.register(ALICE.username, ALICE.password)).ok).toBe(true);
    expect((await accounts.register(ROOT.username, ROOT.password, true)).ok).toBe(true);
  });
  afterAll(async () => {
    await auth.stop();
    await synapse.stop();
  });

  const whoami = (token: string) =>
    fetch(`${synapse.baseUrl}/_matrix/client/v3/account/whoami`, {
      headers: { Authorization: `Bearer ${token}` },
    });
  async function within(ms: number, check: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error('condition not met in time');
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** A browser signed in on the account page, on the tokens page. */
  async function tokensPage(user: {
    username: string;
    password: string;
  }): Promise<{ browser: Browser; html: string }> {
    const browser = new Browser();
    const login = (await browser.follow(await browser.get(`${auth.issuer}account/`), auth.issuer)).page!;
    const action = /action="([^"]*\/login)"/.exec(login.html)?.[1];
    const csrf = /name="csrf" value="([^"]*)"/.exec(login.html)?.[1];
    const signedIn = await browser.follow(
      await browser.post(new URL(action!, auth.issuer).toString(), { csrf: csrf!, ...user }),
      auth.issuer,
    );
    expect(signedIn.page?.html).toContain('href="/account/tokens"');
    const res = await browser.get(`${auth.issuer}account/tokens`);
    expect(res.status).toBe(200);
    return { browser, html: await res.text() };
  }

  async function create(browser: Browser, html: string, fields: Record<string, string>) {
    const res = await browser.post(`${auth.issuer}account/tokens`, {
      csrf: csrfOf(html, '/account/tokens'),
      ...fields,
    });
    const page = await res.text();
    return { status: res.status, page, token: /id="issued-token">([^<]+)</.exec(page)?.[1] };
  }

  it('makes a token shown once that works on Synapse; revoking it deletes its device within 5 s', async () => {
    const { browser, html } = await tokensPage(ALICE);
    // A non-admin is not offered the admin scopes.
    expect(html).not.toContain('urn:mas:admin');
    const made = await create(browser, html, { name: 'my bot', scope_api: 'yes', expires_days: '7' });
    expect(made.status).toBe(200);
    expect(made.token).toMatch(/^mpt_[A-Za-z0-9]{30}_[A-Za-z0-9]{6}$/);
    expect(made.page).toContain('not used yet');
    const me = await whoami(made.token!);
    expect(me.status).toBe(200);
    const { user_id, device_id } = (await me.json()) as { user_id: string; device_id: string };
    expect(user_id).toBe('@alice:localhost');
    expect(device_id).toMatch(/^[A-Za-z0-9]{10}$/);

    // Listed, never shown again; Synapse's introspection of it for whoami counts as its last use.
    let again = '';
    await within(5_000, async () => {
      again = await (await browser.get(`${auth.issuer}account/tokens`)).text();
      return again.includes('last used');
    });
    expect(again).toContain('my bot');
    expect(again).not.toContain(made.token!);
    expect(again).not.toContain('not used yet');

    const store = auth.app.get<AuthStore>(AUTH_STORE);
    const [session] = await store.personal.activeForUser((await store.users.findByLocalpart('alice'))!.id);
    const revokeAction = `/account/tokens/${session!.id}/revoke`;
    // A forged CSRF token changes nothing.
    expect((await browser.post(`${auth.issuer}${revokeAction.slice(1)}`, { csrf: 'forged' })).status).toBe(
      403,
    );
    expect((await whoami(made.token!)).status).toBe(200);
    const revoked = await browser.post(`${auth.issuer}${revokeAction.slice(1)}`, {
      csrf: csrfOf(again, revokeAction),
    });
    expect(revoked.status).toBe(303);
    await within(5_000, async () => (await whoami(made.token!)).status === 401);
    expect(await store.auditEvents.count({ type: 'account.personal-token.created' })).toBe(1);
    expect(
      await store.auditEvents.count({ type: 'account.personal-token.revoked', subject: session!.id }),
    ).toBe(1);
  });

  it('refuses admin scopes to a non-admin, a missing expiry or name, and a forged CSRF token', async () => {
    const { browser, html } = await tokensPage(ALICE);
    const admin = await create(browser, html, { name: 'x', scope_mas_admin: 'yes', expires_days: '1' });
    expect(admin.status).toBe(400);
    expect(admin.token).toBeUndefined();
    expect((await create(browser, html, { name: 'x', scope_api: 'yes' })).status).toBe(400);
    expect((await create(browser, html, { name: 'x', scope_api: 'yes', expires_days: '9999' })).status).toBe(
      400,
    );
    expect((await create(browser, html, { name: '', scope_api: 'yes', expires_days: '1' })).status).toBe(400);
    expect((await create(browser, html, { name: 'x', expires_days: '1' })).status).toBe(400);
    const forged = await browser.post(`${auth.issuer}account/tokens`, {
      csrf: 'forged',
      name: 'x',
      scope_api: 'yes',
      expires_days: '1',
    });
    expect(forged.status).toBe(403);
    // Signed out: sent to sign in, nothing made.
    const anonymous = await new Browser().post(`${auth.issuer}account/tokens`, {
      name: 'x',
      expires_days: '1',
    });
    expect(anonymous.status).toBe(303);
  });

  it('lets an admin make an admin token, which the admin API accepts; an expired token is refused', async () => {
    const { browser, html } = await tokensPage(ROOT);
    expect(html).toContain('urn:mas:admin');
    const made = await create(browser, html, { name: 'ops', scope_mas_admin: 'yes', expires_days: '1' });
    expect(made.status).toBe(200);
    const users = await fetch(`${auth.issuer}api/admin/v1/users?count=only`, {
      headers: { Authorization: `Bearer ${made.token!}` },
    });
    expect(users.status).toBe(200);

    // Made, then used for the first time after its expiry: Synapse (no cached answer) and the API refuse it.
    const { browser: alice, html: aliceHtml } = await tokensPage(ALICE);
    const short = await create(alice, aliceHtml, { name: 'short', scope_api: 'yes', expires_days: '1' });
    offset = 2 * 24 * 3600 * 1000;
    try {
      expect((await whoami(short.token!)).status).toBe(401);
      const expired = await fetch(`${auth.issuer}api/admin/v1/users`, {
        headers: { Authorization: `Bearer ${made.token!}` },
      });
      expect(expired.status).toBe(401);
    } finally {
      offset = 0;
    }
  });
});
