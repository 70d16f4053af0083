import { hash as bcryptHash } from '@node-rs/bcrypt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthStore } from '@gateway/auth-data';
import { Database } from '@gateway/db';
import { launchChromium, type Synapse, type TestBrowser } from '@gateway/testing';
import { AUTH_STORE } from '../../src/tokens';
import { startDelegatedStack, type AuthUnderTest } from '../support/start-auth';
import {
  authorizeUrl,
  catchRedirect,
  exchangeCode,
  pageProblems,
  registerClient,
  whoami,
} from './pages-support';

const PASSWORD = 'an old synapse password';

// A user as import-synapse brings them: Synapse's bcrypt hash stored as it is. The first sign-in on the
// page proves the password and replaces the hash with argon2id (read here from the test database, as an
// operator would see it); the same password keeps working afterwards.
describe('an imported bcrypt password on the sign-in page, in Chromium', () => {
  let synapse: Synapse;
  let auth: AuthUnderTest;
  let chromium: TestBrowser;
  let clientId: string;

  beforeAll(async () => {
    ({ synapse, auth } = await startDelegatedStack({ username: 'alice', password: 'correct horse battery' }));
    // Synapse's own hashing: bcrypt with the `$2b$` prefix and its default 12 rounds.
    const synapseHash = await bcryptHash(PASSWORD, 12);
    expect(synapseHash).toMatch(/^\$2b\$12\$/);
    await auth.app
      .get<AuthStore>(AUTH_STORE)
      .users.create({ localpart: 'legacy', passwordHash: synapseHash });
    clientId = await registerClient(auth.issuer, 'Imported password test');
    chromium = await launchChromium();
  });
  afterAll(async () => {
    await chromium.close();
    await auth.stop();
    await synapse.stop();
  });

  /** The row as it is in the test database (plain SQL, not the app's user cache or repositories). */
  async function storedHash(): Promise<string> {
    const rows: { password_hash: string }[] = await auth.app
      .get(Database)
      .dataSource.query("SELECT password_hash FROM users WHERE localpart = 'legacy'");
    return rows[0]?.password_hash ?? '';
  }

  /**
   * Signs in on the page in a fresh browser context, allows when asked (the consent is remembered after
   * the first time), and returns the token's whoami.
   */
  async function signIn(password: string, device: string, consent: boolean): Promise<Response> {
    const w = await chromium.newPage();
    const { page } = w;
    const authz = authorizeUrl(
      auth.issuer,
      clientId,
      `urn:matrix:client:api:* urn:matrix:client:device:${device}`,
    );
    const back = await catchRedirect(page);
    await page.goto(authz.url);
    await page.getByLabel('Username').fill('legacy');
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    if (consent) {
      await page.waitForURL(/\/interaction\//);
      expect(await page.locator('h1').innerText()).toBe('Allow access?');
      await page.getByRole('button', { name: 'Allow' }).click();
    }
    const callback = await back();
    const tokens = await exchangeCode(
      auth.issuer,
      clientId,
      callback.searchParams.get('code') ?? '',
      authz.verifier,
    );
    expect(pageProblems(w)).toEqual([]);
    return whoami(synapse.baseUrl, tokens.access_token);
  }

  it('signs in with the Synapse password, after which the stored hash is argon2id', async () => {
    expect(await storedHash()).toMatch(/^\$2b\$/);
    const me = await signIn(PASSWORD, 'IMPORTED01', true);
    expect(await me.json()).toMatchObject({ user_id: '@legacy:localhost', device_id: 'IMPORTED01' });
    expect(await storedHash()).toMatch(/^\$argon2id\$/);
  });

  it('keeps taking the same password against the new hash, and still refuses a wrong one', async () => {
    const hashAfterFirst = await storedHash();
    const me = await signIn(PASSWORD, 'IMPORTED02', false);
    expect(await me.json()).toMatchObject({ user_id: '@legacy:localhost', device_id: 'IMPORTED02' });
    // Not rehashed again: the argon2id hash stays as the first sign-in left it.
    expect(await storedHash()).toBe(hashAfterFirst);

    const w = await chromium.newPage();
    await w.page.goto(authorizeUrl(auth.issuer, clientId, 'urn:matrix:client:api:*').url);
    await w.page.getByLabel('Username').fill('legacy');
    await w.page.getByLabel('Password').fill('not the password');
    await w.page.getByRole('button', { name: 'Sign in' }).click();
    await w.page.getByText('Wrong username or password.').waitFor();
    expect(await storedHash()).toBe(hashAfterFirst);
  });
});
