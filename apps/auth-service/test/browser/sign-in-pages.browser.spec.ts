import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, type Synapse, type TestBrowser, type WatchedPage } from '@gateway/testing';
import type { Accounts } from '../../src/accounts/accounts';
import { ACCOUNTS } from '../../src/tokens';
import { startDelegatedStack, type AuthUnderTest } from '../support/start-auth';
import {
  authorizeUrl,
  catchRedirect,
  DEVICE_GRANT,
  exchangeCode,
  registerClient,
  submit,
  pageProblems,
  visibleText,
  whoami,
} from './pages-support';

const USER = { username: 'alice', password: 'correct horse battery' };
const CLIENT_NAME = 'Element X (test)';

// The sign-in, consent, device-link, logout and error pages as a person meets them: Debian's Chromium
// with the pages' own CSP in force, clicking and typing, against a real Synapse. Every page must leave
// the browser's console free of CSP violations and script errors.
describe('sign-in pages in Chromium', () => {
  let synapse: Synapse;
  let auth: AuthUnderTest;
  let chromium: TestBrowser;
  let clientId: string;

  beforeAll(async () => {
    ({ synapse, auth } = await startDelegatedStack(USER));
    clientId = await registerClient(auth.issuer, CLIENT_NAME);
    chromium = await launchChromium();
  });
  afterAll(async () => {
    await chromium.close();
    await auth.stop();
    await synapse.stop();
  });

  async function signInPage(w: WatchedPage, scope: string) {
    const authz = authorizeUrl(auth.issuer, clientId, scope);
    const back = await catchRedirect(w.page);
    const response = await w.page.goto(authz.url);
    expect(response?.headers()['content-security-policy']).toContain("default-src 'none'");
    return { authz, back };
  }

  it('names the client by its client_name on the sign-in and consent pages, and the token works on Synapse', async () => {
    const w = await chromium.newPage();
    const { page } = w;
    const { authz, back } = await signInPage(
      w,
      'urn:matrix:client:api:* urn:matrix:client:device:BROWSERDEV1',
    );
    expect(await page.locator('h1').innerText()).toBe('Sign in');
    let text = await visibleText(page);
    expect(text).toContain(`to continue to ${CLIENT_NAME}`);
    expect(text).not.toContain(clientId);

    await page.getByLabel('Username').fill(USER.username);
    await page.getByLabel('Password').fill(USER.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/interaction\//);
    expect(await page.locator('h1').innerText()).toBe('Allow access?');
    text = await visibleText(page);
    expect(text).toContain(`${CLIENT_NAME} wants to act as @alice:localhost`);
    expect(text).not.toContain(clientId);

    await page.getByRole('button', { name: 'Allow' }).click();
    const callback = await back();
    const tokens = await exchangeCode(
      auth.issuer,
      clientId,
      callback.searchParams.get('code')!,
      authz.verifier,
    );
    const me = await whoami(synapse.baseUrl, tokens.access_token);
    expect(await me.json()).toMatchObject({ user_id: '@alice:localhost', device_id: 'BROWSERDEV1' });
    expect(pageProblems(w)).toEqual([]);
  });

  it('says so when the password is wrong, keeping the username', async () => {
    const w = await chromium.newPage();
    await signInPage(w, 'urn:matrix:client:api:* urn:matrix:client:device:BROWSERDEV2');
    await w.page.getByLabel('Username').fill('alice');
    await w.page.getByLabel('Password').fill('not the password');
    await submit(w.page, w.page.getByRole('button', { name: 'Sign in' }));
    expect(await w.page.getByRole('alert').innerText()).toBe('Wrong username or password.');
    expect(await w.page.getByLabel('Username').inputValue()).toBe('alice');
  });

  it('refuses a form whose CSRF token was tampered with', async () => {
    const w = await chromium.newPage();
    await signInPage(w, 'urn:matrix:client:api:* urn:matrix:client:device:BROWSERDEV3');
    // As a page on another site would post it: the right fields, but not this page's token.
    await w.page.locator('form[action$="/login"] input[name=csrf]').evaluate((e: { value: string }) => {
      e.value = 'forged';
    });
    await w.page.getByLabel('Username').fill(USER.username);
    await w.page.getByLabel('Password').fill(USER.password);
    const [response] = await Promise.all([
      w.page.waitForResponse((r) => r.url().endsWith('/login')),
      w.page.getByRole('button', { name: 'Sign in' }).click(),
    ]);
    expect(response.status()).toBe(403);
    expect(await w.page.locator('h1').innerText()).toBe('Request refused');
  });

  it('sends the browser back to the client with access_denied when the person cancels', async () => {
    const w = await chromium.newPage();
    const { back } = await signInPage(w, 'urn:matrix:client:api:* urn:matrix:client:device:BROWSERDEV4');
    await w.page.getByRole('button', { name: 'Cancel' }).click();
    const callback = await back();
    expect(callback.searchParams.get('error')).toBe('access_denied');
  });

  async function startDeviceFlow(device: string) {
    const res = await fetch(`${auth.issuer}oauth2/device`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        client_id: clientId,
        scope: `urn:matrix:client:api:* urn:matrix:client:device:${device}`,
      }),
    });
    const body = (await res.json()) as {
      device_code: string;
      user_code: string;
      verification_uri: string;
      verification_uri_complete: string;
    };
    expect(res.status, JSON.stringify(body)).toBe(200);
    return body;
  }

  async function deviceToken(deviceCode: string): Promise<Response> {
    return fetch(`${auth.issuer}oauth2/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: DEVICE_GRANT, device_code: deviceCode, client_id: clientId }),
    });
  }

  /** From the confirmation page on: confirm, sign in, allow, and see "Device linked". */
  async function confirmAndSignIn(w: WatchedPage): Promise<void> {
    const { page } = w;
    expect(await page.locator('h1').innerText()).toBe('Confirm the device');
    expect(await visibleText(page)).toContain(`${CLIENT_NAME} wants to sign in`);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(/\/interaction\//);
    await page.getByLabel('Username').fill(USER.username);
    await page.getByLabel('Password').fill(USER.password);
    await submit(page, page.getByRole('button', { name: 'Sign in' }));
    if ((await page.locator('h1').innerText()) === 'Allow access?')
      await page.getByRole('button', { name: 'Allow' }).click();
    await page.getByText('Device linked').waitFor();
  }

  it('links a device by the code typed into the one labelled Code field of /link', async () => {
    const flow = await startDeviceFlow('LINKTYPED01');
    const w = await chromium.newPage();
    const { page } = w;
    const entry = await page.goto(flow.verification_uri);
    expect(entry?.headers()['content-security-policy']).toContain("default-src 'none'");
    expect(await page.locator('h1').innerText()).toBe('Link a device');
    // One field for the code, the labelled one (oidc-provider's own unlabelled input used to sit beside it).
    expect(await page.locator('input[name=user_code]').count()).toBe(1);
    await page.getByLabel('Code').fill(flow.user_code);
    await submit(page, page.getByRole('button', { name: 'Continue' }));
    await confirmAndSignIn(w);

    const token = await deviceToken(flow.device_code);
    const tokens = (await token.json()) as { access_token: string };
    expect(token.status, JSON.stringify(tokens)).toBe(200);
    expect(await (await whoami(synapse.baseUrl, tokens.access_token)).json()).toMatchObject({
      user_id: '@alice:localhost',
      device_id: 'LINKTYPED01',
    });
    expect(pageProblems(w)).toEqual([]);
  });

  it('links a device through the QR link that carries the code', async () => {
    const flow = await startDeviceFlow('LINKQRCODE1');
    const w = await chromium.newPage();
    // oidc-provider's own auto-submitting form: its one inline script allowed by hash, nothing else.
    const entry = await w.page.goto(flow.verification_uri_complete);
    expect(entry?.headers()['content-security-policy']).toMatch(/script-src 'self' 'sha256-[^']+'/);
    await w.page.waitForURL(/\/link/);
    await w.page.locator('h1', { hasText: 'Confirm the device' }).waitFor();
    await confirmAndSignIn(w);
    expect((await deviceToken(flow.device_code)).status).toBe(200);
    expect(pageProblems(w)).toEqual([]);
  });

  it('says a wrong code is wrong, and lets the person try again', async () => {
    const w = await chromium.newPage();
    await w.page.goto(`${auth.issuer}link`);
    await w.page.getByLabel('Code').fill('BCDF-GHJK');
    await submit(w.page, w.page.getByRole('button', { name: 'Continue' }));
    expect(await w.page.getByRole('alert').innerText()).toBe('That code is not right. Try again.');
    expect(await w.page.locator('input[name=user_code]').count()).toBe(1);
    expect(pageProblems(w)).toEqual([]);
  });

  it('shows oidc-provider errors on our error page, under the same CSP', async () => {
    const w = await chromium.newPage();
    const res = await w.page.goto(`${auth.issuer}authorize?client_id=nobody&response_type=code&scope=openid`);
    expect(res?.status()).toBe(400);
    expect(res?.headers()['content-security-policy']).toContain("default-src 'none'");
    expect(await w.page.locator('h1').innerText()).toBe('Something went wrong');
    expect(await visibleText(w.page)).toContain('invalid_client');
    expect(pageProblems(w)).toEqual([]);
  });

  it('signs the browser out from the logout page', async () => {
    const w = await chromium.newPage();
    const { back } = await signInPage(w, 'openid');
    await w.page.getByLabel('Username').fill(USER.username);
    await w.page.getByLabel('Password').fill(USER.password);
    await submit(w.page, w.page.getByRole('button', { name: 'Sign in' }));
    if ((await w.page.locator('h1').innerText()) === 'Allow access?')
      await w.page.getByRole('button', { name: 'Allow' }).click();
    await back();
    await w.page.goto(`${auth.issuer}logout`);
    expect(await w.page.locator('h1').innerText()).toBe('Sign out?');
    await w.page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await w.page.locator('h1', { hasText: 'Signed out' }).waitFor();
    // Signed out: the next authorization asks for the password again.
    await signInPage(w, 'openid');
    expect(await w.page.locator('h1').innerText()).toBe('Sign in');
    expect(pageProblems(w)).toEqual([]);
  });

  it('creates an account from the sign-in page (prompt=create) and the new account works on Synapse', async () => {
    const w = await chromium.newPage();
    const { authz, back } = await signInPage(
      w,
      'urn:matrix:client:api:* urn:matrix:client:device:NEWACCOUNT1',
    );
    await w.page.getByRole('button', { name: 'Create an account' }).click();
    await w.page.locator('h1', { hasText: 'Create an account' }).waitFor();
    expect(await visibleText(w.page)).toContain(`for ${CLIENT_NAME}`);
    // Long enough, but zxcvbn guesses it (a keyboard row): the page says so and nothing is created.
    await w.page.getByLabel('Username').fill('carol');
    await w.page.getByLabel('Password').fill('qwertyuiopasdfghjkl');
    await submit(w.page, w.page.getByRole('button', { name: 'Create account' }));
    expect(await w.page.getByRole('alert').innerText()).toBe('This password is too easy to guess.');
    expect(await auth.app.get<Accounts>(ACCOUNTS).authenticate('carol', 'qwertyuiopasdfghjkl')).toBeNull();
    await w.page.getByLabel('Username').fill('carol');
    await w.page.getByLabel('Password').fill('she picks a long passphrase');
    await submit(w.page, w.page.getByRole('button', { name: 'Create account' }));
    if ((await w.page.locator('h1').innerText()) === 'Allow access?')
      await w.page.getByRole('button', { name: 'Allow' }).click();
    const callback = await back();
    const tokens = await exchangeCode(
      auth.issuer,
      clientId,
      callback.searchParams.get('code')!,
      authz.verifier,
    );
    expect(await (await whoami(synapse.baseUrl, tokens.access_token)).json()).toMatchObject({
      user_id: '@carol:localhost',
      device_id: 'NEWACCOUNT1',
    });
    expect(pageProblems(w)).toEqual([]);
  });

  it("signs a legacy client in through the SSO redirect's page, back with a login token that logs in", async () => {
    const w = await chromium.newPage();
    const back = await catchRedirect(w.page);
    const res = await w.page.goto(
      `${auth.issuer}_matrix/client/v3/login/sso/redirect?redirectUrl=${encodeURIComponent('https://client.example.org/sso')}`,
    );
    expect(res?.headers()['content-security-policy']).toContain("default-src 'none'");
    expect(await w.page.locator('h1').innerText()).toBe('Sign in');
    expect(await visibleText(w.page)).toContain('client.example.org');
    await w.page.getByLabel('Username').fill(USER.username);
    await w.page.getByLabel('Password').fill(USER.password);
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
});
