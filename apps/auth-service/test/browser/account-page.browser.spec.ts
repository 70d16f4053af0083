import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthStore } from '@gateway/auth-data';
import { approve, launchChromium, type Synapse, type TestBrowser, type WatchedPage } from '@gateway/testing';
import type { Accounts } from '../../src/accounts/accounts';
import type { SynapseMasClient } from '../../src/synapse/synapse-mas-client';
import { ACCOUNTS, AUTH_STORE, SYNAPSE } from '../../src/tokens';
import { startDelegatedStack, type AuthUnderTest } from '../support/start-auth';
import {
  authorizeUrl,
  exchangeCode,
  pageProblems,
  registerClient,
  submit,
  visibleText,
  whoami,
} from './pages-support';

const ALICE = { username: 'alice', password: 'correct horse battery' };
const BOB = { username: 'bob', password: 'a sturdy passphrase here' };
const CLIENT_NAME = 'Element X (test)';

async function until(check: () => Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 200));
  }
}

// The account page (MSC4191 account_management_uri) in Chromium against a real Synapse: every action
// the discovery document advertises, done by clicking, with its effect checked on Synapse.
describe('the account page in Chromium', () => {
  let synapse: Synapse;
  let auth: AuthUnderTest;
  let chromium: TestBrowser;
  let clientId: string;
  let accountUri: string;
  let store: AuthStore;

  beforeAll(async () => {
    ({ synapse, auth } = await startDelegatedStack(ALICE));
    const bob = await auth.app.get<Accounts>(ACCOUNTS).register(BOB.username, BOB.password);
    expect(bob.ok).toBe(true);
    clientId = await registerClient(auth.issuer, CLIENT_NAME);
    const metadata = (await (await fetch(`${auth.issuer}.well-known/openid-configuration`)).json()) as {
      account_management_uri: string;
    };
    accountUri = metadata.account_management_uri;
    chromium = await launchChromium();
    store = auth.app.get<AuthStore>(AUTH_STORE);
  });
  afterAll(async () => {
    await chromium.close();
    await auth.stop();
    await synapse.stop();
  });

  /** A Matrix session of `user` on `device`, from the code flow (set-up, not the page under test). */
  async function oauthSession(user: { username: string; password: string }, device: string): Promise<string> {
    const authz = authorizeUrl(
      auth.issuer,
      clientId,
      `urn:matrix:client:api:* urn:matrix:client:device:${device}`,
    );
    const back = await approve(authz.url, auth.issuer, user);
    const tokens = await exchangeCode(auth.issuer, clientId, back.searchParams.get('code')!, authz.verifier);
    expect((await whoami(synapse.baseUrl, tokens.access_token)).status).toBe(200);
    return tokens.access_token;
  }

  async function compatLogin(
    user: { username: string; password: string },
    device: string,
  ): Promise<Response> {
    return fetch(`${auth.issuer}_matrix/client/v3/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        type: 'm.login.password',
        identifier: { type: 'm.id.user', user: user.username },
        password: user.password,
        device_id: device,
      }),
    });
  }

  const userId = async (user: { username: string }) => (await store.users.findByLocalpart(user.username))!.id;

  /** The audit log's events of `type` about `subject`: who acted, the outcome and the details. */
  async function audited(type: string, subject: string) {
    const { items } = await store.auditEvents.listPage({ type, subject }, {});
    return items.map((e) => ({
      actor: e.actor,
      actorKind: e.actorKind,
      outcome: e.outcome,
      details: e.details,
    }));
  }

  /** Opens `url` (the account page, with or without an action) and signs in when asked to. */
  async function openSignedIn(w: WatchedPage, url: string, user = ALICE): Promise<void> {
    await w.page.goto(url);
    if ((await w.page.locator('h1').innerText()) === 'Sign in') {
      expect(await visibleText(w.page)).toContain('to continue to Account management');
      await w.page.getByLabel('Username').fill(user.username);
      await w.page.getByLabel('Password').fill(user.password);
      await w.page.getByRole('button', { name: 'Sign in' }).click();
      await w.page.waitForURL(/\/account\//);
    }
  }

  it('lists OAuth, legacy and browser sessions with client name and device, and shows one session', async () => {
    await oauthSession(ALICE, 'ACCTLISTDEV1');
    const compat = await compatLogin(ALICE, 'COMPATLIST1');
    expect(compat.status).toBe(200);
    const w = await chromium.newPage();
    await openSignedIn(w, accountUri);
    expect(await w.page.locator('h1').innerText()).toBe('Your account');
    const text = await visibleText(w.page);
    expect(text).toContain('Signed in as @alice:localhost');
    const items = await w.page.locator('ul.sessions li').allInnerTexts();
    const flat = items.map((i) => i.replace(/\s+/g, ' '));
    const oauthRow = flat.find((i) => i.includes('ACCTLISTDEV1'));
    expect(oauthRow).toContain(CLIENT_NAME);
    // Last active: the code exchange, from this machine.
    expect(oauthRow).toMatch(/Last active \d{4}-\d\d-\d\d \d\d:\d\d UTC from 127\.0\.0\.1/);
    const compatRow = flat.find((i) => i.includes('COMPATLIST1'));
    expect(compatRow).toContain('Legacy login');
    expect(compatRow).toMatch(/Last active .* from 127\.0\.0\.1/);
    expect(flat.some((i) => i.includes('Browser (this browser)'))).toBe(true);

    // MSC4191 session_view for one device.
    await w.page.goto(`${accountUri}?action=org.matrix.session_view&device_id=ACCTLISTDEV1`);
    const view = await visibleText(w.page);
    expect(view).toContain(`App ${CLIENT_NAME}`);
    expect(view).toContain('Device ACCTLISTDEV1');
    expect(view).toContain('IP address 127.0.0.1');
    // The same through the overview's "Details" link.
    await w.page.goto(accountUri);
    await w.page
      .locator('ul.sessions li', { hasText: 'COMPATLIST1' })
      .getByRole('link', { name: 'Details' })
      .click();
    expect(await visibleText(w.page)).toContain('Kind Legacy login');
    expect(pageProblems(w)).toEqual([]);
  });

  it('ends an OAuth session from the session_end action (Synapse refuses its token) and a legacy one from the list', async () => {
    const oauthToken = await oauthSession(ALICE, 'ACCTENDDEV1');
    const compat = (await (await compatLogin(ALICE, 'COMPATEND01')).json()) as { access_token: string };
    expect((await whoami(synapse.baseUrl, compat.access_token)).status).toBe(200);
    const alice = await userId(ALICE);
    const grantId = (await store.sessions.activeForUser(alice)).find(
      (s) => s.deviceId === 'ACCTENDDEV1',
    )!.grantId;
    const compatId = (await store.compat.activeForUser(alice)).find((s) => s.deviceId === 'COMPATEND01')!.id;
    const w = await chromium.newPage();
    // Signed out at first: the action survives the sign-in.
    await openSignedIn(w, `${accountUri}?action=org.matrix.session_end&device_id=ACCTENDDEV1`);
    expect(await w.page.locator('h1').innerText()).toBe('Sign out a device?');
    expect(await visibleText(w.page)).toContain(`Sign out ${CLIENT_NAME} on this device?`);
    await w.page.getByRole('button', { name: 'Sign out this device' }).click();
    await w.page.getByRole('status').waitFor();
    expect(await w.page.getByRole('status').innerText()).toBe('Signed out.');
    await until(async () => (await whoami(synapse.baseUrl, oauthToken)).status === 401, 10_000);
    expect(await visibleText(w.page)).not.toContain('ACCTENDDEV1');

    await w.page
      .locator('ul.sessions li', { hasText: 'COMPATEND01' })
      .getByRole('button', { name: 'Sign out this device' })
      .click();
    await w.page.getByRole('status').waitFor();
    expect((await whoami(synapse.baseUrl, compat.access_token)).status).toBe(401);
    expect(await visibleText(w.page)).not.toContain('COMPATEND01');
    // Each end is audited once, the person as the actor and the session as the subject.
    const ended = { actor: alice, actorKind: 'user', outcome: 'succeeded' };
    expect(await audited('session.ended', grantId)).toEqual([{ ...ended, details: { kind: 'oauth' } }]);
    expect(await audited('session.ended', compatId)).toEqual([{ ...ended, details: { kind: 'compat' } }]);
    expect(pageProblems(w)).toEqual([]);
  });

  it('changes the display name in Synapse', async () => {
    const w = await chromium.newPage();
    await openSignedIn(w, `${accountUri}?action=org.matrix.profile`);
    await w.page.getByLabel('Display name').fill('Alice Liddell');
    await w.page.getByRole('button', { name: 'Save display name' }).click();
    await w.page.getByRole('status').waitFor();
    expect(await w.page.getByRole('status').innerText()).toBe('Display name saved.');
    const profile = await fetch(`${synapse.baseUrl}/_matrix/client/v3/profile/@alice:localhost/displayname`);
    expect(await profile.json()).toEqual({ displayname: 'Alice Liddell' });
    // The page reads it back from Synapse.
    expect(await w.page.getByLabel('Display name').inputValue()).toBe('Alice Liddell');
  });

  it('refuses a profile change whose CSRF token was forged', async () => {
    const w = await chromium.newPage();
    await openSignedIn(w, accountUri);
    await w.page
      .locator('form[action="/account/profile"] input[name=csrf]')
      .evaluate((e: { value: string }) => {
        e.value = 'forged';
      });
    await w.page.getByLabel('Display name').fill('Mallory');
    const [response] = await Promise.all([
      w.page.waitForResponse((r) => r.url().endsWith('/account/profile')),
      w.page.getByRole('button', { name: 'Save display name' }).click(),
    ]);
    expect(response.status()).toBe(403);
    const profile = await fetch(`${synapse.baseUrl}/_matrix/client/v3/profile/@alice:localhost/displayname`);
    expect(await profile.json()).not.toEqual({ displayname: 'Mallory' });
  });

  it("approves Element X's identity reset: cross-signing keys can be replaced only after approval", async () => {
    const token = await oauthSession(ALICE, 'XSIGNDEV01');
    const upload = (seed: string) =>
      fetch(`${synapse.baseUrl}/_matrix/client/v3/keys/device_signing/upload`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({
          master_key: {
            user_id: '@alice:localhost',
            usage: ['master'],
            keys: { [`ed25519:${seed}`]: seed },
          },
        }),
      });
    const key = () => randomBytes(32).toString('base64').replace(/=+$/, '');
    // First-time setup needs no approval (MSC3967).
    expect((await upload(key())).status).toBe(200);
    // Replacing it does: Synapse points at the account page.
    const refused = await upload(key());
    expect(refused.status).toBe(401);
    const uia = (await refused.json()) as {
      flows: { stages: string[] }[];
      params: Record<string, { url: string }>;
    };
    expect(uia.flows).toEqual([{ stages: ['m.oauth'] }, { stages: ['org.matrix.cross_signing_reset'] }]);
    const url = uia.params['m.oauth']!.url;
    expect(url).toBe(`${accountUri}?action=org.matrix.cross_signing_reset`);

    const w = await chromium.newPage();
    await openSignedIn(w, url);
    expect(await w.page.locator('h1').innerText()).toBe('Reset your identity?');
    // Still refused before the button is pressed.
    expect((await upload(key())).status).toBe(401);
    await w.page.getByRole('button', { name: 'Allow the reset' }).click();
    await w.page.locator('h1', { hasText: 'Identity reset allowed' }).waitFor();
    const alice = await userId(ALICE);
    expect(await audited('account.cross-signing-reset.allowed', alice)).toEqual([
      { actor: alice, actorKind: 'user', outcome: 'succeeded', details: {} },
    ]);
    const replacement = key();
    expect((await upload(replacement)).status).toBe(200);
    const query = await fetch(`${synapse.baseUrl}/_matrix/client/v3/keys/query`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ device_keys: { '@alice:localhost': [] } }),
    });
    const keys = (await query.json()) as { master_keys: Record<string, { keys: Record<string, string> }> };
    expect(keys.master_keys['@alice:localhost']?.keys).toEqual({ [`ed25519:${replacement}`]: replacement });
    expect(pageProblems(w)).toEqual([]);
  });

  it('changes the password only with the current one and within the password policy', async () => {
    const w = await chromium.newPage();
    await openSignedIn(w, accountUri, BOB);
    const change = async (current: string, next: string, again = next) => {
      await w.page.getByLabel('Current password').fill(current);
      await w.page.getByLabel('New password', { exact: true }).fill(next);
      await w.page.getByLabel('New password again').fill(again);
      await submit(w.page, w.page.getByRole('button', { name: 'Change password' }));
    };
    await change('not my password', 'a brand new passphrase');
    expect(await w.page.getByRole('alert').innerText()).toBe('That password is not right.');
    await change(BOB.password, 'a brand new passphrase', 'a different passphrase');
    expect(await w.page.getByRole('alert').innerText()).toBe('The new passwords do not match.');
    // The policy of accounts/password-policy.ts (a too-short one the browser itself refuses: minlength).
    await change(BOB.password, 'bob-is-my-name-2026');
    expect(await w.page.getByRole('alert').innerText()).toBe('The password must not contain your username.');
    // Long, but zxcvbn guesses it: a keyboard row.
    await change(BOB.password, 'qwertyuiopasdfghjkl');
    expect(await w.page.getByRole('alert').innerText()).toBe('This password is too easy to guess.');
    // Strong for a stranger (zxcvbn scores it 4 without names), weak once Bob's display name is known.
    // Bob has no Matrix session yet, so Synapse learns of him here (as his first sign-in would do).
    await auth.app.get<SynapseMasClient>(SYNAPSE).provisionUser({ localpart: BOB.username });
    await w.page.getByLabel('Display name').fill('Bartholomew Quixley');
    await submit(w.page, w.page.getByRole('button', { name: 'Save display name' }));
    expect(await w.page.getByRole('status').innerText()).toBe('Display name saved.');
    await change(BOB.password, 'quixleybartholomew');
    expect(await w.page.getByRole('alert').innerText()).toBe('This password is too easy to guess.');
    await change(BOB.password, 'a brand new passphrase');
    expect(await w.page.getByRole('status').innerText()).toBe('Password changed.');
    // Audited once: the refused attempts above changed nothing and recorded nothing.
    const bob = await userId(BOB);
    expect(await audited('account.password.changed', bob)).toEqual([
      { actor: bob, actorKind: 'user', outcome: 'succeeded', details: {} },
    ]);
    expect((await compatLogin(BOB, 'BOBOLDPASS1')).status).toBe(403);
    expect((await compatLogin({ ...BOB, password: 'a brand new passphrase' }, 'BOBNEWPASS1')).status).toBe(
      200,
    );
    BOB.password = 'a brand new passphrase';
    expect(pageProblems(w)).toEqual([]);
  });

  it('deactivates the account after the password: Synapse refuses its tokens, sign-in is refused', async () => {
    const token = await oauthSession(BOB, 'BOBDEACT01');
    const w = await chromium.newPage();
    await openSignedIn(w, `${accountUri}?action=org.matrix.account_deactivate`, BOB);
    expect(await w.page.locator('h1').innerText()).toBe('Deactivate your account?');
    await w.page.getByLabel('Your password').fill('wrong password');
    await submit(w.page, w.page.getByRole('button', { name: 'Deactivate account' }));
    expect(await w.page.getByRole('alert').innerText()).toBe('That password is not right.');
    expect((await whoami(synapse.baseUrl, token)).status).toBe(200);

    await w.page.getByLabel('Your password').fill(BOB.password);
    await w.page.getByRole('button', { name: 'Deactivate account' }).click();
    await w.page.locator('h1', { hasText: 'Account deactivated' }).waitFor();
    const bob = await userId(BOB);
    expect(await audited('account.deactivated', bob)).toEqual([
      { actor: bob, actorKind: 'user', outcome: 'succeeded', details: { erase: false } },
    ]);
    await until(async () => (await whoami(synapse.baseUrl, token)).status === 401, 10_000);
    expect((await compatLogin(BOB, 'BOBAFTER01')).status).toBe(403);
    // The browser is signed out: the account page asks for a sign-in again.
    await w.page.goto(accountUri);
    expect(await w.page.locator('h1').innerText()).toBe('Sign in');
    expect(pageProblems(w)).toEqual([]);
  });
});
