import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database } from '@gateway/db';
import { launchChromium, type Synapse, type TestBrowser, type WatchedPage } from '@gateway/testing';
import { qrCodeSvg } from '../../src/mfa/qr-code';
import { base32Decode, totpCode, totpStep } from '../../src/mfa/totp';
import { startDelegatedStack, type AuthUnderTest } from '../support/start-auth';
import { catchRedirect, pageProblems, visibleText, whoami } from './pages-support';

const ALICE = { username: 'alice', password: 'correct horse battery' };

/** The code an authenticator app holding `secret` shows `stepsAhead` steps from now. */
function codeFor(secret: string, stepsAhead = 0): string {
  return totpCode(base32Decode(secret)!, totpStep(new Date()) + stepsAhead);
}

/** Any 6 digits that are none of the codes accepted now (the window is one step either side). */
function wrongCode(secret: string): string {
  const accepted = new Set([-1, 0, 1].map((d) => codeFor(secret, d)));
  for (let n = 0; ; n++) {
    const candidate = String(n).padStart(6, '0');
    if (!accepted.has(candidate)) return candidate;
  }
}

// TOTP in Chromium against a real Synapse: enrolment on the account page with a code computed from the
// key the page shows, then every way in asking for the code (or a recovery code, once).
describe('two-factor authentication in Chromium', () => {
  let synapse: Synapse;
  let auth: AuthUnderTest;
  let chromium: TestBrowser;
  let accountUri: string;
  let secret: string;
  let recoveryCodes: string[];
  /** A legacy session from before the factor: it stays signed in. */
  let compatToken: string;

  beforeAll(async () => {
    ({ synapse, auth } = await startDelegatedStack(ALICE, {
      AUTH_MFA_ENCRYPTION_KEY: 'browser-test-mfa-key-0123456789abcdef',
    }));
    const metadata = (await (await fetch(`${auth.issuer}.well-known/openid-configuration`)).json()) as {
      account_management_uri: string;
    };
    accountUri = metadata.account_management_uri;
    chromium = await launchChromium();
  });
  afterAll(async () => {
    await chromium.close();
    await auth.stop();
    await synapse.stop();
  });

  async function signIn(w: WatchedPage): Promise<void> {
    await w.page.goto(accountUri);
    expect(await w.page.locator('h1').innerText()).toBe('Sign in');
    await w.page.getByLabel('Username').fill(ALICE.username);
    await w.page.getByLabel('Password').fill(ALICE.password);
    await w.page.getByRole('button', { name: 'Sign in' }).click();
  }

  async function typeCode(w: WatchedPage, code: string): Promise<number | undefined> {
    await w.page.getByLabel('Code from your authenticator app').fill(code);
    const [response] = await Promise.all([
      w.page.waitForResponse((r) => r.url().endsWith('/mfa') && r.request().method() === 'POST'),
      w.page.getByRole('button', { name: 'Continue' }).click(),
    ]);
    await w.page.waitForLoadState();
    return response.status();
  }

  it('enrols an authenticator app: active only after a right code, recovery codes shown once', async () => {
    const compat = await fetch(`${auth.issuer}_matrix/client/v3/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        type: 'm.login.password',
        identifier: { type: 'm.id.user', user: ALICE.username },
        password: ALICE.password,
      }),
    });
    expect(compat.status).toBe(200);
    compatToken = ((await compat.json()) as { access_token: string }).access_token;
    const w = await chromium.newPage();
    await signIn(w);
    await w.page.waitForURL(/\/account\//);
    expect(await visibleText(w.page)).toContain('Two-factor authentication Off.');
    await w.page.getByRole('link', { name: 'Set up two-factor authentication' }).click();
    expect(await w.page.locator('h1').innerText()).toBe('Two-factor authentication');
    secret = (await w.page.locator('#totp-secret').innerText()).replace(/\s+/g, '');
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const link = await w.page
      .getByRole('link', { name: 'Open in your authenticator app' })
      .getAttribute('href');
    expect(link).toBe(
      `otpauth://totp/localhost:%40alice%3Alocalhost?secret=${secret}&issuer=localhost&algorithm=SHA1&digits=6&period=30`,
    );
    // The QR code shown is the one of that link (qr-code.spec.ts decodes such a code back to its text),
    // drawn at a size a phone camera reads.
    const qr = w.page.getByRole('img', { name: 'QR code to add this account to an authenticator app' });
    expect((await qr.boundingBox())?.width).toBeGreaterThanOrEqual(150);
    const drawn = qrCodeSvg(link ?? '', 'QR code to add this account to an authenticator app');
    expect(await qr.locator('path').getAttribute('d')).toBe(/ d="([^"]+)"/.exec(drawn)?.[1]);

    await w.page.getByLabel('Code from the app').fill(wrongCode(secret));
    await w.page.getByRole('button', { name: 'Turn on two-factor authentication' }).click();
    await w.page.getByRole('alert').waitFor();
    expect(await w.page.getByRole('alert').innerText()).toContain('That code is not right.');
    // The same key is still shown: the app that scanned it need not start again.
    expect((await w.page.locator('#totp-secret').innerText()).replace(/\s+/g, '')).toBe(secret);

    await w.page.getByLabel('Code from the app').fill(codeFor(secret));
    await w.page.getByRole('button', { name: 'Turn on two-factor authentication' }).click();
    await w.page.locator('#recovery-codes').waitFor();
    recoveryCodes = await w.page.locator('#recovery-codes li').allInnerTexts();
    expect(recoveryCodes).toHaveLength(10);
    expect(await visibleText(w.page)).toContain('Two-factor authentication is on');
    expect(await visibleText(w.page)).toContain('10 unused recovery codes.');
    // Shown once: a reload lists no codes and no key.
    await w.page.reload();
    expect(await w.page.locator('#recovery-codes').count()).toBe(0);
    expect(await w.page.locator('#totp-secret').count()).toBe(0);
    expect(pageProblems(w)).toEqual([]);
  });

  it('asks for the code after the password, refuses a wrong one, and takes a recovery code once', async () => {
    const w = await chromium.newPage();
    await signIn(w);
    await w.page.getByLabel('Code from your authenticator app').waitFor();
    expect(await w.page.locator('h1').innerText()).toBe('Enter a code');
    expect(await typeCode(w, wrongCode(secret))).toBe(401);
    expect(await w.page.getByRole('alert').innerText()).toBe('That code is not right.');
    // A forged proof of the password step finishes nothing.
    await w.page.locator('input[name=pending]').evaluate((e: { value: string }) => {
      e.value = e.value.replace(/\.[^.]*$/, '.forged');
    });
    expect(await typeCode(w, recoveryCodes[0]!)).toBe(400);
    expect(await w.page.locator('h1').innerText()).toBe('Sign in');

    await w.page.getByLabel('Username').fill(ALICE.username);
    await w.page.getByLabel('Password').fill(ALICE.password);
    await w.page.getByRole('button', { name: 'Sign in' }).click();
    await w.page.getByLabel('Code from your authenticator app').waitFor();
    await w.page.getByLabel('Code from your authenticator app').fill(recoveryCodes[0]!.toLowerCase());
    await w.page.getByRole('button', { name: 'Continue' }).click();
    await w.page.waitForURL(/\/account\//);
    expect(await visibleText(w.page)).toContain('Signed in as @alice:localhost');

    const again = await chromium.newPage();
    await signIn(again);
    await again.page.getByLabel('Code from your authenticator app').waitFor();
    expect(await typeCode(again, recoveryCodes[0]!)).toBe(401);
    // A code for the next step (the enrolment used the current one): the app's code works.
    await again.page.getByLabel('Code from your authenticator app').fill(codeFor(secret, 1));
    await again.page.getByRole('button', { name: 'Continue' }).click();
    await again.page.waitForURL(/\/account\//);
    await again.page.goto(`${auth.issuer}account/mfa`);
    expect(await visibleText(again.page)).toContain('9 unused recovery codes.');
    expect(pageProblems(w)).toEqual([]);
    expect(pageProblems(again)).toEqual([]);
  });

  it('refuses a legacy password login with a pointer to the browser, and asks for the code on the SSO page', async () => {
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
    // The legacy session from before the factor is unaffected.
    expect((await whoami(synapse.baseUrl, compatToken)).status).toBe(200);
    expect(await res.json()).toEqual({
      errcode: 'M_FORBIDDEN',
      error:
        'This account uses two-factor authentication: sign in through the browser (single sign-on) instead of with a password',
    });

    const w = await chromium.newPage();
    const back = await catchRedirect(w.page);
    await w.page.goto(
      `${auth.issuer}_matrix/client/v3/login/sso/redirect?redirectUrl=${encodeURIComponent('https://client.example.org/sso')}`,
    );
    await w.page.getByLabel('Username').fill(ALICE.username);
    await w.page.getByLabel('Password').fill(ALICE.password);
    await w.page.getByRole('button', { name: 'Continue' }).click();
    await w.page.getByLabel('Code from your authenticator app').waitFor();
    expect(await typeCode(w, wrongCode(secret))).toBe(401);
    await w.page.getByLabel('Code from your authenticator app').fill(recoveryCodes[1]!);
    await w.page.getByRole('button', { name: 'Continue' }).click();
    const callback = await back();
    const login = await fetch(`${auth.issuer}_matrix/client/v3/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ type: 'm.login.token', token: callback.searchParams.get('loginToken') }),
    });
    const body = (await login.json()) as { user_id: string; access_token: string };
    expect(login.status, JSON.stringify(body)).toBe(200);
    expect((await whoami(synapse.baseUrl, body.access_token)).status).toBe(200);
    expect(pageProblems(w)).toEqual([]);
  });

  it('makes new recovery codes and turns two-factor authentication off with the password; the password alone signs in again', async () => {
    const w = await chromium.newPage();
    await signIn(w);
    await w.page.getByLabel('Code from your authenticator app').fill(recoveryCodes[2]!);
    await w.page.getByRole('button', { name: 'Continue' }).click();
    await w.page.waitForURL(/\/account\//);
    await w.page.goto(`${auth.issuer}account/mfa`);
    expect(await visibleText(w.page)).toContain('7 unused recovery codes.');
    await w.page.locator('#regenerate-password').fill(ALICE.password);
    await w.page.getByRole('button', { name: 'Make new recovery codes' }).click();
    await w.page.locator('#recovery-codes').waitFor();
    const fresh = await w.page.locator('#recovery-codes li').allInnerTexts();
    expect(fresh).toHaveLength(10);
    expect(fresh).not.toContain(recoveryCodes[3]);
    expect(await visibleText(w.page)).toContain('10 unused recovery codes.');
    await w.page.locator('#disable-password').fill('not the password');
    await w.page.getByRole('button', { name: 'Turn off two-factor authentication' }).click();
    await w.page.getByRole('alert').waitFor();
    expect(await w.page.getByRole('alert').innerText()).toBe('Type a code from your app or your password.');
    await w.page.locator('#disable-password').fill(ALICE.password);
    await w.page.getByRole('button', { name: 'Turn off two-factor authentication' }).click();
    await w.page.getByRole('status').waitFor();
    expect(await w.page.getByRole('status').innerText()).toBe('Two-factor authentication is off.');

    const again = await chromium.newPage();
    await signIn(again);
    await again.page.waitForURL(/\/account\//);
    expect(await visibleText(again.page)).toContain('Two-factor authentication Off.');
    expect(pageProblems(w)).toEqual([]);
  });

  it('audited each change and each wrong code, never a code itself', async () => {
    const rows: { type: string; outcome: string; details: unknown }[] = await auth.app
      .get(Database)
      .dataSource.query(
        `SELECT type, outcome, details FROM audit_events WHERE type LIKE '%mfa%' OR details ? 'second_factor' ORDER BY id`,
      );
    expect(rows.map((r) => `${r.type} ${r.outcome}`)).toEqual([
      'account.mfa.totp.enabled succeeded',
      'user.login.mfa.failed failed',
      'user.login.succeeded succeeded',
      'user.login.mfa.failed failed',
      'user.login.succeeded succeeded',
      'user.login.mfa.failed failed',
      'user.login.succeeded succeeded',
      'account.mfa.recovery-codes.regenerated succeeded',
      'account.mfa.totp.disabled succeeded',
    ]);
    expect(rows.filter((r) => r.type === 'user.login.succeeded').map((r) => r.details)).toEqual([
      expect.objectContaining({ second_factor: 'recovery-code' }),
      expect.objectContaining({ second_factor: 'totp' }),
      expect.objectContaining({ second_factor: 'recovery-code' }),
    ]);
    const all = JSON.stringify(rows);
    for (const code of recoveryCodes) expect(all).not.toContain(code);
    expect(all).not.toContain(secret);
  });
});
