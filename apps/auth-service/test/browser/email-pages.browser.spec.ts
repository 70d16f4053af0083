import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, launchChromium, startSynapse, type Synapse, type TestBrowser } from '@gateway/testing';
import type { Accounts } from '../../src/accounts/accounts';
import { ACCOUNTS } from '../../src/tokens';
import { codeIn, linkIn, startMailbox, type Mailbox } from '../support/mailbox';
import { startAuth, SYNAPSE_SECRET, type AuthUnderTest } from '../support/start-auth';
import { pageProblems, submit, visibleText } from './pages-support';

const ALICE = { username: 'alice', password: 'correct horse battery' };

// The account page's email section and /recover in Chromium, with mail through a real SMTP server on
// loopback: the test reads the code from the mail and types it, and follows the recovery link.
describe('email pages in Chromium', () => {
  let synapse: Synapse;
  let auth: AuthUnderTest;
  let mailbox: Mailbox;
  let chromium: TestBrowser;

  beforeAll(async () => {
    mailbox = await startMailbox();
    const port = await freePort();
    synapse = await startSynapse({
      mode: 'delegated',
      authService: { endpoint: `http://127.0.0.1:${port}/`, secret: SYNAPSE_SECRET },
    });
    auth = await startAuth(port, synapse.baseUrl, { ...mailbox.env, AUTH_PASSWORD_RECOVERY_ENABLED: 'true' });
    expect((await auth.app.get<Accounts>(ACCOUNTS).register(ALICE.username, ALICE.password)).ok).toBe(true);
    chromium = await launchChromium();
  });
  afterAll(async () => {
    await chromium.close();
    await auth.stop();
    await synapse.stop();
    await mailbox.stop();
  });

  it('adds and verifies an address by typing the mailed code, then recovers the password through /recover', async () => {
    const w = await chromium.newPage();
    await w.page.goto(`${auth.issuer}account/`);
    // The sign-in page links to recovery when it is on.
    expect(await w.page.getByRole('link', { name: 'Forgot your password?' }).count()).toBe(1);
    await w.page.getByLabel('Username').fill(ALICE.username);
    await w.page.getByLabel('Password').fill(ALICE.password);
    await w.page.getByRole('button', { name: 'Sign in' }).click();
    await w.page.waitForURL(/\/account\//);

    await w.page.getByLabel('Add an email address').fill('alice@example.org');
    await submit(w.page, w.page.getByRole('button', { name: 'Send a code' }));
    expect(await visibleText(w.page)).toContain('We sent a code to alice@example.org');
    const mail = await mailbox.next('alice@example.org');
    await w.page.getByLabel('Code').fill(codeIn(mail));
    await submit(w.page, w.page.getByRole('button', { name: 'Verify' }));
    const overview = await visibleText(w.page);
    expect(overview).toContain('Email address verified.');
    expect(overview).toContain('alice@example.org');
    expect(await w.page.getByRole('button', { name: 'Remove alice@example.org' }).count()).toBe(1);

    // Recovery, in a fresh context (signed out).
    const r = await chromium.newPage();
    await r.page.goto(`${auth.issuer}recover`);
    await r.page.getByLabel('Email address').fill('alice@example.org');
    await submit(r.page, r.page.getByRole('button', { name: 'Send the link' }));
    expect(await visibleText(r.page)).toContain('If an account has that address, we sent it a link');
    await r.page.goto(linkIn(await mailbox.next('alice@example.org')));
    await r.page.getByLabel('New password', { exact: true }).fill('a brand new passphrase');
    await r.page.getByLabel('New password again').fill('a brand new passphrase');
    await submit(r.page, r.page.getByRole('button', { name: 'Set the new password' }));
    expect(await visibleText(r.page)).toContain('Password changed');

    // Signing in with the new password works.
    const s = await chromium.newPage();
    await s.page.goto(`${auth.issuer}account/`);
    await s.page.getByLabel('Username').fill(ALICE.username);
    await s.page.getByLabel('Password').fill('a brand new passphrase');
    await s.page.getByRole('button', { name: 'Sign in' }).click();
    await s.page.waitForURL(/\/account\//);
    expect(await visibleText(s.page)).toContain('Signed in as @alice:localhost');
    for (const x of [w, r, s]) expect(pageProblems(x)).toEqual([]);
  });
});
