import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, type Synapse, type TestBrowser } from '@gateway/testing';
import { base32Decode, totpCode, totpStep } from '../../src/mfa/totp';
import { startDelegatedStack, type AuthUnderTest } from '../support/start-auth';
import { pageProblems, visibleText } from './pages-support';

const ALICE = { username: 'alice', password: 'correct horse battery' };

// AUTH_MFA_REQUIRED=everyone: an account without a second factor sets one up inside the sign-in, and
// the legacy password login, which cannot, is refused.
describe('required two-factor authentication in Chromium', () => {
  let synapse: Synapse;
  let auth: AuthUnderTest;
  let chromium: TestBrowser;

  beforeAll(async () => {
    ({ synapse, auth } = await startDelegatedStack(ALICE, {
      AUTH_MFA_ENCRYPTION_KEY: 'browser-test-mfa-key-0123456789abcdef',
      AUTH_MFA_REQUIRED: 'everyone',
    }));
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
});
