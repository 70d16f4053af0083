import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, type Synapse, type TestBrowser } from '@gateway/testing';
import type { Accounts } from '../../src/accounts/accounts';
import { base32Decode, totpCode, totpStep } from '../../src/mfa/totp';
import { ACCOUNTS } from '../../src/tokens';
import { startDelegatedStack, type AuthUnderTest } from '../support/start-auth';
import { pageProblems, visibleText } from './pages-support';

const ALICE = { username: 'alice', password: 'correct horse battery' };
const BOB = { username: 'bob', password: 'battery staple horse' };

// AUTH_MFA_REQUIRED=everyone: an account without a second factor sets one up inside the sign-in (an
// authenticator app, or a passkey through Chromium's virtual authenticator), and the legacy password
// login, which cannot, is refused.
describe('required two-factor authentication in Chromium', () => {
  let synapse: Synapse;
  let auth: AuthUnderTest;
  let chromium: TestBrowser;

  beforeAll(async () => {
    // localhost, not 127.0.0.1: a WebAuthn relying party id is a host name, never an address.
    ({ synapse, auth } = await startDelegatedStack(
      ALICE,
      { AUTH_MFA_ENCRYPTION_KEY: 'browser-test-mfa-key-0123456789abcdef', AUTH_MFA_REQUIRED: 'everyone' },
      { host: 'localhost' },
    ));
    const bob = await auth.app.get<Accounts>(ACCOUNTS).register(BOB.username, BOB.password);
    if (!bob.ok) throw new Error(bob.reason);
    chromium = await launchChromium();
  });
  afterAll(async () => {
    await chromium.close();
    await auth.stop();
    await synapse.stop();
  });

  it('refuses a legacy password login of an account without a factor', async () => {
    const res = await fetch(`${auth.issuer}_matrix/client/v3/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        type: 'm.login.password',
        identifier: { type: 'm.id.user', user: ALICE.username },
        password: ALICE.password,
      }),
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({
      errcode: 'M_FORBIDDEN',
      error:
        'This account must use two-factor authentication: set it up by signing in through the browser (single sign-on)',
    });
  });

  it('sets up the factor during sign-in before the account page opens', async () => {
    const w = await chromium.newPage();
    await w.page.goto(`${auth.issuer}account/`);
    await w.page.getByLabel('Username').fill(ALICE.username);
    await w.page.getByLabel('Password').fill(ALICE.password);
    await w.page.getByRole('button', { name: 'Sign in' }).click();
    await w.page.locator('#totp-secret').waitFor();
    expect(await w.page.locator('h1').innerText()).toBe('Set up two-factor authentication');
    const secret = (await w.page.locator('#totp-secret').innerText()).replace(/\s+/g, '');
    const now = totpStep(new Date());
    const accepted = new Set([now - 1, now, now + 1].map((s) => totpCode(base32Decode(secret)!, s)));
    const wrong = ['000000', '111111', '222222'].find((c) => !accepted.has(c))!;
    await w.page.getByLabel('Code from the app').fill(wrong);
    await w.page.getByRole('button', { name: 'Turn on and continue' }).click();
    await w.page.getByRole('alert').waitFor();
    expect(await w.page.getByRole('alert').innerText()).toContain('That code is not right.');

    await w.page.getByLabel('Code from the app').fill(totpCode(base32Decode(secret)!, totpStep(new Date())));
    await w.page.getByRole('button', { name: 'Turn on and continue' }).click();
    await w.page.locator('#recovery-codes').waitFor();
    expect(await w.page.locator('#recovery-codes li').count()).toBe(10);
    await w.page.getByRole('button', { name: 'Continue' }).click();
    await w.page.waitForURL(/\/account\//);
    expect(await visibleText(w.page)).toContain('Two-factor authentication On.');
    expect(pageProblems(w)).toEqual([]);

    // From now on the password is followed by the code.
    const again = await chromium.newPage();
    await again.page.goto(`${auth.issuer}account/`);
    await again.page.getByLabel('Username').fill(ALICE.username);
    await again.page.getByLabel('Password').fill(ALICE.password);
    await again.page.getByRole('button', { name: 'Sign in' }).click();
    await again.page.getByLabel('Code from your authenticator app').waitFor();
    expect(await again.page.locator('h1').innerText()).toBe('Enter a code');
  });

  it('sets up a passkey during sign-in instead, then asks for it after the password', async () => {
    const w = await chromium.newPage();
    const cdp = await w.page.context().newCDPSession(w.page);
    await cdp.send('WebAuthn.enable');
    const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: 'internal',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
      },
    });
    const passwordStep = async () => {
      await w.page.goto(`${auth.issuer}account/`);
      await w.page.getByLabel('Username').fill(BOB.username);
      await w.page.getByLabel('Password').fill(BOB.password);
      await w.page.getByRole('button', { name: 'Sign in' }).click();
    };
    await passwordStep();
    await w.page.locator('#totp-secret').waitFor();
    expect(await w.page.locator('h1').innerText()).toBe('Set up two-factor authentication');
    await w.page.getByLabel('Name for the passkey').fill('Laptop');
    await w.page.getByRole('button', { name: 'Register a passkey and continue' }).click();
    await w.page.locator('#recovery-codes').waitFor();
    expect(await w.page.locator('#recovery-codes li').count()).toBe(10);
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    expect(credentials.map((c) => c.isResidentCredential)).toEqual([true]);
    await w.page.getByRole('button', { name: 'Continue' }).click();
    await w.page.waitForURL(/\/account\//);
    expect(await visibleText(w.page)).toContain('Two-factor authentication On.');
    await w.page.goto(`${auth.issuer}account/mfa`);
    expect(await w.page.locator('#passkeys .passkey-name').allInnerTexts()).toEqual(['Laptop']);

    // A new browser session: the password, then the passkey (no code: there is no app).
    await w.page.context().clearCookies();
    await passwordStep();
    await w.page.getByRole('button', { name: 'Use a passkey' }).waitFor();
    expect(await w.page.locator('h1').innerText()).toBe('Use your passkey');
    await w.page.getByRole('button', { name: 'Use a passkey' }).click();
    await w.page.waitForURL(/\/account\//);
    expect(await visibleText(w.page)).toContain('Two-factor authentication On.');
    expect(pageProblems(w)).toEqual([]);
  });
});
