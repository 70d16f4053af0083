import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthStore } from '@gateway/auth-data';
import { Database } from '@gateway/db';
import { Browser, formAction, freePort, hiddenInput } from '@gateway/testing';
import type { Accounts } from '../../src/accounts/accounts';
import { relyingPartyOf } from '../../src/mfa/passkeys';
import { base32Decode, totpCode, totpStep } from '../../src/mfa/totp';
import { ACCOUNTS, AUTH_STORE } from '../../src/tokens';
import { SoftAuthenticator } from '../support/soft-authenticator';
import { startAuth, type AuthUnderTest } from '../support/start-auth';

// The account page's sign-in neither exchanges its code nor calls Synapse: no Synapse is needed.
const UNUSED_SYNAPSE = 'http://127.0.0.1:9';
const PASSWORD = 'correct horse battery';

// AUTH_MFA_REQUIRED's setup step offers an authenticator app and a passkey; the passkey is a real
// registration ceremony whose challenge belongs to that sign-in, and nothing short of one finishes it.
describe('the required setup step with a passkey', () => {
  let auth: AuthUnderTest;
  let store: AuthStore;
  let userId: string;

  beforeAll(async () => {
    auth = await startAuth(await freePort(), UNUSED_SYNAPSE, {
      AUTH_MFA_ENCRYPTION_KEY: 'integration-mfa-key-0123456789abcdef',
      AUTH_MFA_REQUIRED: 'everyone',
    });
    store = auth.app.get<AuthStore>(AUTH_STORE);
    const created = await auth.app.get<Accounts>(ACCOUNTS).register('setup', PASSWORD);
    if (!created.ok) throw new Error(created.reason);
    userId = created.user.id;
  });
  afterAll(async () => {
    await auth.stop();
  });

  /** A browser past the password, on the setup page. */
  async function setupPage() {
    const browser = new Browser();
    const login = (await browser.follow(await browser.get(`${auth.issuer}account/`), auth.issuer)).page!;
    const csrf = hiddenInput(login.html, 'csrf');
    const res = await browser.post(new URL(formAction(login.html, '/login'), auth.issuer).toString(), {
      csrf,
      username: 'setup',
      password: PASSWORD,
    });
    const html = await res.text();
    expect(res.status).toBe(200);
    return { browser, html, csrf, pending: hiddenInput(html, 'pending') };
  }

  const optionsOf = (html: string): string =>
    /<script type="application\/json" id="passkey-options">([^<]*)<\/script>/.exec(html)![1]!;
  const post = (
    step: Awaited<ReturnType<typeof setupPage>>,
    suffix: string,
    fields: Record<string, string>,
  ) =>
    step.browser.post(new URL(formAction(step.html, suffix), auth.issuer).toString(), {
      csrf: step.csrf,
      pending: step.pending,
      ...fields,
    });
  const device = () => {
    const rp = relyingPartyOf(auth.issuer, 'localhost');
    return new SoftAuthenticator(rp.id, rp.origin);
  };

  it('offers an authenticator app and a passkey on the same page, under the page script', async () => {
    const { html } = await setupPage();
    expect(html).toContain('<h1>Set up two-factor authentication</h1>');
    expect(html).toContain('id="totp-secret"');
    expect(html).toMatch(/<form method="post" action="\/interaction\/[^/"]+\/mfa-enrol">/);
    expect(html).toMatch(
      /<form method="post" action="\/interaction\/[^/"]+\/mfa-enrol-passkey" data-passkey="create">/,
    );
    expect(html).toContain('<script src="/assets/passkey.js" integrity="sha256-');
    expect(JSON.parse(optionsOf(html))).toMatchObject({
      rp: { id: '127.0.0.1' },
      user: { name: '@setup:localhost' },
      authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
    });
  });

  it('refuses a bad, another sign-in’s or a replayed attestation, and the sign-in does not finish', async () => {
    const one = await setupPage();
    const refused = async (res: Response) => {
      expect(res.status).toBe(400);
      expect(res.headers.get('location')).toBeNull();
      const html = await res.text();
      expect(html).toContain('No passkey was added: the browser did not send one this server could check.');
      expect(html).toContain('<h1>Set up two-factor authentication</h1>');
      return html;
    };
    // Nothing the script would send, then a credential made without user verification.
    let html = await refused(await post(one, '/mfa-enrol-passkey', { response: '{}' }));
    const unverified = new SoftAuthenticator('127.0.0.1', new URL(auth.issuer).origin, 0x01);
    html = await refused(
      await post(one, '/mfa-enrol-passkey', { response: unverified.create(optionsOf(html)) }),
    );

    // Another sign-in's challenge (same user, another browser): refused there, and spent.
    const two = await setupPage();
    const forOne = device().create(optionsOf(html));
    await refused(await post(two, '/mfa-enrol-passkey', { response: forOne }));
    await refused(await post(one, '/mfa-enrol-passkey', { response: forOne }));
    expect(await store.passkeys.list(userId)).toEqual([]);

    // Straight to the last step with the password's proof: it is not that step's, so nothing finishes.
    const enrolled = formAction(one.html, '/mfa-enrol').replace(/mfa-enrol$/, 'mfa-enrolled');
    const skip = await one.browser.post(new URL(enrolled, auth.issuer).toString(), {
      csrf: one.csrf,
      pending: one.pending,
    });
    expect(skip.status).toBe(400);
    expect(await skip.text()).toContain('Sign in again');
  });

  it('finishes after a verified registration, and then a code for the app’s pending setup is refused', async () => {
    const app = await setupPage();
    const secret = base32Decode(/id="totp-secret">([^<]*)</.exec(app.html)![1]!.replace(/\s+/g, ''))!;
    const step = await setupPage();
    const answer = device().create(optionsOf(step.html));
    const added = await post(step, '/mfa-enrol-passkey', { response: answer, name: ' Phone ' });
    expect(added.status).toBe(200);
    const codesPage = await added.text();
    expect(codesPage.match(/<li><code>/g)).toHaveLength(10);
    expect((await store.passkeys.list(userId)).map((p) => p.name)).toEqual(['Phone']);

    // Replayed once the passkey exists: refused before the ceremony, and nothing added.
    const replayed = await post(step, '/mfa-enrol-passkey', { response: answer });
    expect(replayed.status).toBe(400);
    expect(await replayed.text()).toContain('Sign in again: this account has a second factor now.');
    // The other tab's app setup no longer finishes a sign-in on the password alone.
    const late = await post(app, '/mfa-enrol', { code: totpCode(secret, totpStep(new Date())) });
    expect(late.status).toBe(400);
    expect(await store.mfa.hasTotp(userId)).toBe(false);

    const done = await step.browser.post(
      new URL(formAction(codesPage, '/mfa-enrolled'), auth.issuer).toString(),
      { csrf: step.csrf, pending: hiddenInput(codesPage, 'pending') },
    );
    expect(done.status).toBe(303);

    const rows: { type: string; subject: string }[] = await auth.app
      .get(Database)
      .dataSource.query(
        `SELECT type, subject FROM audit_events WHERE type LIKE 'account.mfa.%' OR type LIKE 'user.login.succeeded' ORDER BY id`,
      );
    expect(rows.map((r) => r.type)).toEqual(['account.mfa.passkey.added', 'user.login.succeeded']);
  });
});
