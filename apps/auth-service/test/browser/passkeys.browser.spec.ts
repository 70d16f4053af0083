import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CDPSession } from 'playwright-core';
import { Database } from '@gateway/db';
import { launchChromium, type Synapse, type TestBrowser, type WatchedPage } from '@gateway/testing';
import { startDelegatedStack, type AuthUnderTest } from '../support/start-auth';
import {
  authorizeUrl,
  catchRedirect,
  exchangeCode,
  pageProblems,
  registerClient,
  visibleText,
  whoami,
} from './pages-support';

const ALICE = { username: 'alice', password: 'correct horse battery' };
const SCOPE = 'urn:matrix:client:api:* urn:matrix:client:device:PASSKEYDEV';

// Passkeys in Chromium against a real Synapse, with Chromium's virtual authenticator (CTAP2, resident
// keys, user verification done) standing in for a phone or a security key: added on the account page,
// then the second step after the password, then signing in with the passkey alone, then removed.
describe('passkeys in Chromium', () => {
  let synapse: Synapse;
  let auth: AuthUnderTest;
  let chromium: TestBrowser;
  let clientId: string;
  let w: WatchedPage;
  let cdp: CDPSession;
  let authenticatorId: string;

  beforeAll(async () => {
    // localhost, not 127.0.0.1: a WebAuthn relying party id is a host name, never an address.
    ({ synapse, auth } = await startDelegatedStack(
      ALICE,
      { AUTH_MFA_ENCRYPTION_KEY: 'browser-test-mfa-key-0123456789abcdef' },
      { host: 'localhost' },
    ));
    clientId = await registerClient(auth.issuer, 'Passkey Client');
    chromium = await launchChromium();
    w = await chromium.newPage();
    cdp = await w.page.context().newCDPSession(w.page);
    await cdp.send('WebAuthn.enable');
    ({ authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: 'internal',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
      },
    }));
  });
  afterAll(async () => {
    await chromium.close();
    await auth.stop();
    await synapse.stop();
  });

  /** A new browser session (the passkey stays on the authenticator). */
  async function signOut(): Promise<void> {
    await w.page.context().clearCookies();
  }

  /** Starts the client's authorization; the returned function gives the token once it is back. */
  async function authorize(): Promise<() => Promise<string>> {
    const authz = authorizeUrl(auth.issuer, clientId, SCOPE);
    const back = await catchRedirect(w.page);
    await w.page.goto(authz.url);
    expect(await w.page.locator('h1').innerText()).toBe('Sign in');
    return async () => {
      if ((await w.page.locator('h1').innerText()) === 'Allow access?')
        await w.page.getByRole('button', { name: 'Allow' }).click();
      const callback = await back();
      const code = callback.searchParams.get('code');
      expect(code, callback.toString()).not.toBeNull();
      return (await exchangeCode(auth.issuer, clientId, code!, authz.verifier)).access_token;
    };
  }

  async function typePassword(): Promise<void> {
    await w.page.getByLabel('Username').fill(ALICE.username);
    await w.page.getByLabel('Password').fill(ALICE.password);
    await w.page.getByRole('button', { name: 'Sign in' }).click();
  }

  async function expectOnSynapse(token: string): Promise<void> {
    const me = await whoami(synapse.baseUrl, token);
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ user_id: '@alice:localhost', device_id: 'PASSKEYDEV' });
  }

  it('adds a passkey on the account page after the password, with recovery codes as the first factor', async () => {
    const done = await authorize();
    await typePassword();
    await expectOnSynapse(await done());
    await w.page.goto(`${auth.issuer}account/mfa`);
    expect(await visibleText(w.page)).toContain('No passkeys.');

    // Without the password: refused, nothing stored.
    await w.page.getByLabel('Name for the new passkey').fill('Laptop');
    await w.page.getByRole('button', { name: 'Add a passkey' }).click();
    await w.page.getByRole('alert').waitFor();
    expect(await w.page.getByRole('alert').innerText()).toBe('Type a code from your app or your password.');
    expect((await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials).toHaveLength(1);

    await w.page.getByLabel('Name for the new passkey').fill('Laptop');
    await w.page.getByLabel('Your password').fill(ALICE.password);
    await w.page.getByRole('button', { name: 'Add a passkey' }).click();
    await w.page.getByRole('status').first().waitFor();
    expect(await w.page.getByRole('status').first().innerText()).toBe('Passkey added.');
    expect(await w.page.locator('#recovery-codes li').count()).toBe(10);
    expect(await w.page.locator('#passkeys .passkey-name').allInnerTexts()).toEqual(['Laptop']);
    expect(await visibleText(w.page)).toMatch(/Laptop added \d{4}-\d{2}-\d{2}, last used never/);

    // The first attempt created a credential on the authenticator that the server refused to keep;
    // the second a discoverable one the server now holds.
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    expect(credentials.every((c) => c.isResidentCredential)).toBe(true);
    await w.page.getByLabel('New name for Laptop').fill('  Work   laptop ');
    await w.page.getByRole('button', { name: 'Rename' }).click();
    await w.page.getByRole('status').first().waitFor();
    expect(await w.page.getByRole('status').innerText()).toBe('Passkey renamed.');
    expect(await w.page.locator('#passkeys .passkey-name').allInnerTexts()).toEqual(['Work laptop']);
    await w.page.goto(`${auth.issuer}account/`);
    expect(await visibleText(w.page)).toContain('Two-factor authentication On.');
    expect(pageProblems(w)).toEqual([]);
  });

  it('asks for the passkey after the password; an absent or altered assertion is refused', async () => {
    await signOut();
    const done = await authorize();
    await typePassword();
    await w.page.getByRole('button', { name: 'Use a passkey' }).waitFor();
    expect(await w.page.locator('h1').innerText()).toBe('Use your passkey');

    // Posted without the browser's answer (as without JavaScript): refused.
    const [absent] = await Promise.all([
      w.page.waitForResponse((r) => r.url().endsWith('/mfa-passkey')),
      w.page.locator('form[data-passkey]').evaluate((form: { submit(): void }) => {
        form.submit();
      }),
    ]);
    expect(absent.status()).toBe(401);
    await w.page.getByRole('alert').waitFor();
    expect(await w.page.getByRole('alert').innerText()).toBe('That passkey was not accepted. Try again.');

    // A real assertion with its signature altered on the way: refused.
    await w.page.route('**/mfa-passkey', async (route) => {
      const form = new URLSearchParams(route.request().postData() ?? '');
      const answer = JSON.parse(form.get('response')!) as { response: { signature: string } };
      const signature = Buffer.from(answer.response.signature, 'base64url');
      const last = signature.length - 1;
      signature.writeUInt8(signature.readUInt8(last) ^ 1, last);
      answer.response.signature = signature.toString('base64url');
      form.set('response', JSON.stringify(answer));
      await route.continue({ postData: form.toString() });
    });
    const [altered] = await Promise.all([
      w.page.waitForResponse((r) => r.url().endsWith('/mfa-passkey')),
      w.page.getByRole('button', { name: 'Use a passkey' }).click(),
    ]);
    expect(altered.status()).toBe(401);
    await w.page.unroute('**/mfa-passkey');
    await w.page.getByRole('alert').waitFor();

    await w.page.getByRole('button', { name: 'Use a passkey' }).click();
    await expectOnSynapse(await done());
  });

  it('signs in with the passkey alone (no password, no further step), and the token works on Synapse', async () => {
    await signOut();
    const done = await authorize();
    await w.page.getByRole('link', { name: 'Sign in with a passkey' }).click();
    await w.page.waitForURL(/\/passkey$/);
    expect(await w.page.locator('h1').innerText()).toBe('Sign in with a passkey');
    await w.page.getByRole('button', { name: 'Use a passkey' }).click();
    await expectOnSynapse(await done());
    await w.page.goto(`${auth.issuer}account/mfa`);
    expect(await visibleText(w.page)).not.toContain('last used never');
  });

  it('refuses passwordless sign-in with an assertion that does not verify', async () => {
    await signOut();
    await authorize();
    await w.page.getByRole('link', { name: 'Sign in with a passkey' }).click();
    await w.page.waitForURL(/\/passkey$/);
    const [absent] = await Promise.all([
      w.page.waitForResponse((r) => r.url().endsWith('/passkey') && r.request().method() === 'POST'),
      w.page.locator('form[data-passkey]').evaluate((form: { submit(): void }) => {
        form.submit();
      }),
    ]);
    expect(absent.status()).toBe(401);
    await w.page.getByRole('alert').waitFor();
    expect(await w.page.getByRole('alert').innerText()).toBe('That passkey cannot sign in here.');
  });

  it('asks a legacy client’s SSO sign-in for the passkey, and its login token works on Synapse', async () => {
    await signOut();
    const back = await catchRedirect(w.page);
    await w.page.goto(
      `${auth.issuer}_matrix/client/v3/login/sso/redirect?redirectUrl=${encodeURIComponent('https://client.example.org/sso')}`,
    );
    await w.page.getByLabel('Username').fill(ALICE.username);
    await w.page.getByLabel('Password').fill(ALICE.password);
    await w.page.getByRole('button', { name: 'Continue' }).click();
    await w.page.getByRole('button', { name: 'Use a passkey' }).click();
    const callback = await back();
    const login = await fetch(`${auth.issuer}_matrix/client/v3/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ type: 'm.login.token', token: callback.searchParams.get('loginToken') }),
    });
    const body = (await login.json()) as { user_id: string; access_token: string };
    expect(login.status, JSON.stringify(body)).toBe(200);
    expect(await (await whoami(synapse.baseUrl, body.access_token)).json()).toMatchObject({
      user_id: '@alice:localhost',
    });
  });

  it('removes the passkey after the password; then the password alone signs in', async () => {
    await signOut();
    await w.page.goto(`${auth.issuer}account/mfa`);
    await typePassword();
    await w.page.getByRole('button', { name: 'Use a passkey' }).click();
    await w.page.waitForURL(/\/account\//);
    await w.page.goto(`${auth.issuer}account/mfa`);
    await w.page.getByLabel('Your password, to remove Work laptop').fill(ALICE.password);
    await w.page.getByRole('button', { name: 'Remove Work laptop' }).click();
    await w.page.getByRole('status').waitFor();
    expect(await w.page.getByRole('status').innerText()).toBe('Passkey removed.');
    expect(await visibleText(w.page)).toContain('No passkeys.');

    await signOut();
    const done = await authorize();
    await typePassword();
    await expectOnSynapse(await done());
    expect(pageProblems(w)).toEqual([]);
  });

  it('audited the passkey added and removed, and how each sign-in was made', async () => {
    const rows: { type: string; outcome: string; details: Record<string, unknown> }[] = await auth.app
      .get(Database)
      .dataSource.query(
        `SELECT type, outcome, details FROM audit_events WHERE type LIKE 'account.mfa.%' OR type LIKE 'user.login.%' ORDER BY id`,
      );
    const d = (r: (typeof rows)[number], key: string): string => {
      const value = r.details[key];
      return typeof value === 'string' ? value : '-';
    };
    expect(
      rows.map((r) => `${r.type} ${r.outcome} ${d(r, 'second_factor')} ${d(r, 'method')} ${d(r, 'reason')}`),
    ).toEqual([
      'user.login.succeeded succeeded - - -',
      'account.mfa.passkey.added succeeded - - -',
      'user.login.mfa.failed failed - - wrong-passkey',
      'user.login.mfa.failed failed - - wrong-passkey',
      'user.login.succeeded succeeded passkey - -',
      'user.login.succeeded succeeded - passkey -',
      'user.login.failed failed - passkey wrong-passkey',
      'user.login.succeeded succeeded passkey - -',
      'account.mfa.passkey.removed succeeded - - -',
      'user.login.succeeded succeeded - - -',
    ]);
  });
});
