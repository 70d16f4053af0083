import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, freePort, oauthAccessToken, startSynapse, type Synapse } from '@gateway/testing';
import type { Accounts } from '../../src/accounts/accounts';
import { ACCOUNTS } from '../../src/tokens';
import { codeIn, linkIn, startMailbox, type Mailbox } from '../support/mailbox';
import { startAuth, SYNAPSE_SECRET, type AuthUnderTest } from '../support/start-auth';

const ALICE = { username: 'alice', password: 'correct horse battery' };
const NEW_PASSWORD = 'a brand new passphrase';

/** The CSRF token of the form posting to `action` on an account page. */
function csrfOf(html: string, action: string): string {
  const form = html.split('<form').find((f) => f.includes(`action="${action}"`));
  const token = form === undefined ? undefined : /name="csrf" value="([^"]*)"/.exec(form)?.[1];
  if (token === undefined) throw new Error(`no form posting to ${action}:\n${html.slice(0, 800)}`);
  return token;
}

// Email on the account page and password recovery against a real Synapse, with mail through a real
// SMTP server on loopback: the test reads each mail and types its code or follows its link.
describe('email addresses and password recovery', () => {
  let synapse: Synapse;
  let auth: AuthUnderTest;
  let mailbox: Mailbox;
  let offset = 0;
  let accessToken: string;

  beforeAll(async () => {
    mailbox = await startMailbox();
    const port = await freePort();
    synapse = await startSynapse({
      mode: 'delegated',
      authService: { endpoint: `http://127.0.0.1:${port}/`, secret: SYNAPSE_SECRET },
    });
    auth = await startAuth(
      port,
      synapse.baseUrl,
      {
        ...mailbox.env,
        AUTH_PASSWORD_RECOVERY_ENABLED: 'true',
        AUTH_EMAILS_PER_HOUR_PER_ADDRESS: '4',
        AUTH_ADMIN_CLIENTS: 'ops:0123456789abcdef0123',
      },
      { clock: () => Date.now() + offset },
    );
    expect((await auth.app.get<Accounts>(ACCOUNTS).register(ALICE.username, ALICE.password)).ok).toBe(true);
    accessToken = (await oauthAccessToken(auth.issuer, ALICE)).accessToken;
  });
  afterAll(async () => {
    await auth.stop();
    await synapse.stop();
    await mailbox.stop();
  });

  async function threepids(): Promise<string[]> {
    const res = await fetch(`${synapse.baseUrl}/_matrix/client/v3/account/3pid`, {
      headers: { Authorization: `Bearer ${accessToken}` },
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { threepids: { address: string }[] }).threepids
      .map((t) => t.address)
      .sort();
  }

  /** A browser signed in on the account page, and the page's HTML. */
  async function accountPage(password = ALICE.password): Promise<{ browser: Browser; html: string }> {
    const browser = new Browser();
    const login = (await browser.follow(await browser.get(`${auth.issuer}account/`), auth.issuer)).page!;
    const action = /action="([^"]*\/login)"/.exec(login.html)?.[1];
    const csrf = /name="csrf" value="([^"]*)"/.exec(login.html)?.[1];
    const signedIn = await browser.follow(
      await browser.post(new URL(action!, auth.issuer).toString(), {
        csrf: csrf!,
        username: ALICE.username,
        password,
      }),
      auth.issuer,
    );
    expect(signedIn.page?.html).toContain('Signed in as');
    return { browser, html: signedIn.page!.html };
  }

  async function addEmail(browser: Browser, html: string, address: string) {
    const res = await browser.post(`${auth.issuer}account/emails`, {
      csrf: csrfOf(html, '/account/emails'),
      email: address,
    });
    return res;
  }

  it('adds an address by code, another by link, mirrors both into Synapse, and removes one', async () => {
    const { browser, html } = await accountPage();
    const added = await addEmail(browser, html, 'Alice@Example.ORG');
    expect(added.status).toBe(303);
    const codePage = (await browser.follow(added, auth.issuer)).page!;
    expect(codePage.html).toContain('We sent a code to <strong>Alice@example.org</strong>');
    const mail = await mailbox.next('Alice@example.org');
    expect(mail.from).toMatch(/^"?Gateway Test"? <noreply@gateway\.test>$/);
    expect(mail.replyTo).toBe('help@gateway.test');
    expect(mail.html).toContain('@alice:localhost');
    const codeAction = /action="(\/account\/emails\/[^"]+\/verify)"/.exec(codePage.html)![1]!;
    const csrf = csrfOf(codePage.html, codeAction);
    const code = codeIn(mail);
    const wrong = code === '000000' ? '111111' : '000000';
    const refused = await browser.post(`${auth.issuer}${codeAction.slice(1)}`, { csrf, code: wrong });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('That code is not right.');
    const verified = await browser.post(`${auth.issuer}${codeAction.slice(1)}`, { csrf, code });
    expect(verified.status).toBe(303);
    const overview = (await browser.follow(verified, auth.issuer)).page!;
    expect(overview.html).toContain('Email address verified.');
    expect(overview.html).toContain('<strong>Alice@example.org</strong>');
    expect(await threepids()).toEqual(['alice@example.org']);

    // The second address through the link in its mail, from a browser that is not signed in.
    expect((await addEmail(browser, overview.html, 'work@example.net')).status).toBe(303);
    const link = linkIn(await mailbox.next('work@example.net'));
    const stranger = new Browser();
    const linkPage = await stranger.get(link);
    expect(linkPage.status).toBe(200);
    expect(await linkPage.text()).toContain('Add <strong>work@example.net</strong> to your account?');
    const token = new URL(link).searchParams.get('token')!;
    const confirmed = await stranger.post(`${auth.issuer}account/emails/confirm`, { token });
    expect(confirmed.status).toBe(200);
    expect(await threepids()).toEqual(['alice@example.org', 'work@example.net']);
    // Used once: the link is refused afterwards.
    expect((await stranger.get(link)).status).toBe(400);
    expect((await stranger.post(`${auth.issuer}account/emails/confirm`, { token })).status).toBe(400);

    const page = (await browser.follow(await browser.get(`${auth.issuer}account/`), auth.issuer)).page!;
    const removeAction = /action="(\/account\/emails\/[^"]+\/remove)"/.exec(page.html)![1]!;
    const removed = await browser.post(`${auth.issuer}${removeAction.slice(1)}`, {
      csrf: csrfOf(page.html, removeAction),
    });
    expect(removed.status).toBe(303);
    expect(await threepids()).toEqual(['work@example.net']);
  });

  it('refuses bad input with pages, never a 500', async () => {
    const { browser, html } = await accountPage();
    expect((await addEmail(browser, html, 'not an address')).status).toBe(400);
    expect((await addEmail(browser, html, 'a@b@example.org')).status).toBe(400);
    expect((await addEmail(browser, html, 'x@example.org\r\nBcc: y@example.org')).status).toBe(400);
    const json = (path: string, body: unknown) =>
      browser.get(`${auth.issuer}${path}`).then(() =>
        fetch(`${auth.issuer}${path}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(body),
        }),
      );
    expect((await json('recover', { email: ['a@example.org'] })).status).toBe(400);
    expect((await json('recover', null)).status).toBe(400);
    expect((await json('recover/finish', { ticket: 5, new_password: {} })).status).toBe(400);
    expect((await json('account/emails/confirm', [])).status).toBe(400);
    // Not signed in (fetch has no cookies): refused, and no mail leaves.
    const before = mailbox.received.length;
    const anonymous = await json('account/emails', { email: 'x@example.org' });
    expect([303, 400]).toContain(anonymous.status);
    expect(mailbox.received.length).toBe(before);
    const missing = await browser.post(`${auth.issuer}account/emails`, {
      csrf: csrfOf(html, '/account/emails'),
    });
    expect(missing.status).toBe(400);
  });

  it('answers JSON with non-text fields on the account and sign-in forms with a page, never a 500', async () => {
    const { browser, html } = await accountPage();
    const profileCsrf = csrfOf(html, '/account/profile');
    for (const body of [
      { csrf: profileCsrf, displayname: 5 },
      { csrf: profileCsrf, displayname: ['a'] },
      { csrf: 5 },
      { csrf: [1, 2], displayname: 'x' },
      { csrf: { a: 1 } },
    ]) {
      const r = await browser.postJson(`${auth.issuer}account/profile`, body);
      expect(r.status, JSON.stringify(body)).toBeLessThan(500);
    }
    const passwordCsrf = csrfOf(html, '/account/password');
    const password = await browser.postJson(`${auth.issuer}account/password`, {
      csrf: passwordCsrf,
      current_password: 7,
      new_password: ['x'],
    });
    expect(password.status).toBeLessThan(500);
    // The sign-in form: a fresh interaction, fields of every JSON type.
    const visitor = new Browser();
    const login = (await visitor.follow(await visitor.get(`${auth.issuer}account/`), auth.issuer)).page!;
    const action = /action="([^"]*\/login)"/.exec(login.html)![1]!;
    for (const body of [{ csrf: 5, username: [], password: {} }, { csrf: null }, [1], 'text']) {
      const r = await visitor.postJson(new URL(action, auth.issuer).toString(), body);
      expect(r.status, JSON.stringify(body)).toBeLessThan(500);
    }
  });

  it('recovers the password by a one-time link; the same answer for an unknown address; other sessions stay', async () => {
    const unknown = await fetch(`${auth.issuer}recover`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email: 'nobody@example.org' }),
    });
    const known = await fetch(`${auth.issuer}recover`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email: 'WORK@example.net' }),
    });
    expect(unknown.status).toBe(200);
    expect(known.status).toBe(200);
    expect(await known.text()).toBe(await unknown.text());
    const link = linkIn(await mailbox.next('work@example.net'));
    expect(new URL(link).pathname).toBe('/recover/finish');
    const form = await fetch(link);
    expect(form.status).toBe(200);
    const ticket = new URL(link).searchParams.get('ticket')!;
    const finish = (fields: Record<string, string>) =>
      fetch(`${auth.issuer}recover/finish`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ ticket, ...fields }),
      });
    const mismatch = await finish({ new_password: NEW_PASSWORD, confirm_password: 'something else' });
    expect(mismatch.status).toBe(400);
    expect(await mismatch.text()).toContain('The new passwords do not match.');
    const done = await finish({ new_password: NEW_PASSWORD, confirm_password: NEW_PASSWORD });
    expect(done.status).toBe(200);
    expect(await done.text()).toContain('Password changed');
    // Used: refused the second time.
    expect((await finish({ new_password: NEW_PASSWORD, confirm_password: NEW_PASSWORD })).status).toBe(400);
    expect((await fetch(link)).status).toBe(400);
    // The new password signs in; the old session still works on Synapse (MAS ends none).
    await accountPage(NEW_PASSWORD);
    const whoami = await fetch(`${synapse.baseUrl}/_matrix/client/v3/account/whoami`, {
      headers: { Authorization: `Bearer ${accessToken}` },
    });
    expect(whoami.status).toBe(200);
    const legacy = await fetch(`${auth.issuer}_matrix/client/v3/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ type: 'm.login.password', user: 'alice', password: ALICE.password }),
    });
    expect(legacy.status).toBe(403);
  });

  it('refuses an expired link, and limits mails per address', async () => {
    const ask = () =>
      fetch(`${auth.issuer}recover`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ email: 'work@example.net' }),
      });
    expect((await ask()).status).toBe(200);
    const link = linkIn(await mailbox.next('work@example.net'));
    offset += 11 * 60_000;
    const expired = await fetch(link);
    expect(expired.status).toBe(400);
    expect(await expired.text()).toContain('This link has expired or has already been used.');
    // Four mails an hour to this address (the verification and two recovery mails so far): one more
    // goes, then the page says so.
    expect((await ask()).status).toBe(200);
    const limited = await ask();
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await limited.text()).toContain('Too many mails asked for.');
    // Back to now: tokens stored by the next test expire by this clock.
    offset = 0;
  });

  it('reports the email flags in the admin API site-config', async () => {
    const token = await fetch(`${auth.issuer}oauth2/token`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        Authorization: `Basic ${Buffer.from('ops:0123456789abcdef0123').toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'urn:mas:admin' }),
    });
    expect(token.status).toBe(200);
    const { access_token } = (await token.json()) as { access_token: string };
    const res = await fetch(`${auth.issuer}api/admin/v1/site-config`, {
      headers: { Authorization: `Bearer ${access_token}` },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ email_change_allowed: true, account_recovery_allowed: true });

    // The account page's own changes reach the audit log, with the person as the actor and no secret
    // (alice's password is the one recovery set, earlier in this file).
    const { browser, html } = await accountPage(NEW_PASSWORD);
    const saved = await browser.post(`${auth.issuer}account/profile`, {
      csrf: csrfOf(html, '/account/profile'),
      displayname: 'Alice Audited',
    });
    expect(saved.status).toBe(303);
    const audit = await fetch(
      `${auth.issuer}api/admin/v1/audit-events?filter[type]=account.displayname.changed`,
      { headers: { Authorization: `Bearer ${access_token}` } },
    );
    expect(audit.status).toBe(200);
    const events = ((await audit.json()) as { data: { attributes: Record<string, unknown> }[] }).data;
    expect(events.length).toBeGreaterThanOrEqual(1);
    expect(events.at(-1)!.attributes).toMatchObject({
      type: 'account.displayname.changed',
      outcome: 'succeeded',
      actor_kind: 'user',
    });
    expect(JSON.stringify(events)).not.toContain(NEW_PASSWORD);
  });
});
