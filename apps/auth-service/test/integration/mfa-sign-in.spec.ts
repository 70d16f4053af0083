import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, formAction, freePort, hiddenInput } from '@gateway/testing';
import type { Accounts } from '../../src/accounts/accounts';
import type { SecondFactor } from '../../src/mfa/second-factor';
import { base32Decode, totpCode, totpStep } from '../../src/mfa/totp';
import type { AuthStore } from '@gateway/auth-data';
import { ACCOUNTS, AUTH_STORE, SECOND_FACTOR } from '../../src/tokens';
import { startAuth, type AuthUnderTest } from '../support/start-auth';

// The account page's sign-in neither exchanges its code nor calls Synapse: no Synapse is needed.
const UNUSED_SYNAPSE = 'http://127.0.0.1:9';
const PASSWORD = 'correct horse battery';

describe('the second sign-in step and the sign-in budget', () => {
  let auth: AuthUnderTest;
  let keyless: AuthUnderTest;
  let secret: Buffer;

  beforeAll(async () => {
    auth = await startAuth(await freePort(), UNUSED_SYNAPSE, {
      AUTH_MFA_ENCRYPTION_KEY: 'integration-mfa-key-0123456789abcdef',
      AUTH_LOGIN_ATTEMPTS: '3',
    });
    // The same deployment after its operator unset the key.
    keyless = await startAuth(
      await freePort(),
      UNUSED_SYNAPSE,
      { AUTH_LOGIN_ATTEMPTS: '3' },
      { replicaOf: auth },
    );
    const created = await auth.app.get<Accounts>(ACCOUNTS).register('owner', PASSWORD);
    if (!created.ok) throw new Error(created.reason);
    const mfa = auth.app.get<SecondFactor>(SECOND_FACTOR).mfa;
    const enrolment = (await mfa.pendingEnrolment(created.user.id, '@owner:localhost'))!;
    secret = base32Decode(enrolment.secret)!;
    expect(await mfa.confirmEnrolment(created.user.id, totpCode(secret, totpStep(new Date())))).toHaveLength(
      10,
    );
  });
  afterAll(async () => {
    await keyless.stop();
    await auth.stop();
  });

  async function passwordStep(app: AuthUnderTest, username = 'owner') {
    const browser = new Browser();
    const page = (await browser.follow(await browser.get(`${app.issuer}account/`), app.issuer)).page!;
    const csrf = hiddenInput(page.html, 'csrf');
    const res = await browser.post(new URL(formAction(page.html, '/login'), app.issuer).toString(), {
      csrf,
      username,
      password: PASSWORD,
    });
    return { browser, res, html: await res.text(), csrf };
  }

  // First: the next test spends the account's budget, which both replicas share.
  it('refuses the password alone when the key that checks the code is gone', async () => {
    const { res, html } = await passwordStep(keyless);
    expect(res.status).toBe(403);
    expect(html).toContain('This account needs a second factor this server cannot check now.');
  });

  it('charges wrong codes to the account’s budget and refuses once it is spent', async () => {
    const { browser, res, html, csrf } = await passwordStep(auth);
    expect(res.status).toBe(200);
    expect(html).toContain('<h1>Enter a code</h1>');
    const action = new URL(formAction(html, '/mfa'), auth.issuer).toString();
    const pending = hiddenInput(html, 'pending');
    const now = totpStep(new Date());
    const accepted = new Set([now - 1, now, now + 1].map((s) => totpCode(secret, s)));
    const wrong = ['000000', '111111', '222222', '333333', '444444'].filter((c) => !accepted.has(c));
    const attempt = (code: string) => browser.post(action, { csrf, pending, code });
    // The right password refilled the budget (3): three wrong codes are told so, the fourth waits.
    for (const code of wrong.slice(0, 3)) expect((await attempt(code)).status).toBe(401);
    const refused = await attempt(wrong[3]!);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.text()).toContain('Too many failed attempts.');
    // Even the right code waits: the budget is the account's, whatever is typed.
    expect((await attempt(totpCode(secret, now + 1))).status).toBe(429);
  });

  it('holds a passkey-only account to its factor: no legacy password login, the passkey or a recovery code', async () => {
    const created = await auth.app.get<Accounts>(ACCOUNTS).register('keyonly', PASSWORD);
    if (!created.ok) throw new Error(created.reason);
    const factor = auth.app.get<SecondFactor>(SECOND_FACTOR);
    await auth.app.get<AuthStore>(AUTH_STORE).passkeys.add({
      credentialId: 'keyonly-passkey',
      userId: created.user.id,
      publicKey: new Uint8Array([1, 2, 3]),
      counter: 0,
      transports: ['internal'],
      name: 'Phone',
      createdAt: new Date(),
    });
    const codes = (await factor.mfa.regenerateRecoveryCodes(created.user.id))!;

    const legacy = await fetch(`${auth.issuer}_matrix/client/v3/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        type: 'm.login.password',
        identifier: { type: 'm.id.user', user: 'keyonly' },
        password: PASSWORD,
      }),
    });
    expect(legacy.status).toBe(403);
    expect(await legacy.json()).toMatchObject({ errcode: 'M_FORBIDDEN' });

    const { browser, res, html, csrf } = await passwordStep(auth, 'keyonly');
    expect(res.status).toBe(200);
    expect(html).toContain('<h1>Use your passkey</h1>');
    expect(html).toContain('id="passkey-options"');
    expect(html).toContain('<label for="code">Recovery code</label>');
    const pending = hiddenInput(html, 'pending');
    // No passkey answer: refused, and the page stays.
    const none = await browser.post(new URL(formAction(html, '/mfa-passkey'), auth.issuer).toString(), {
      csrf,
      pending,
      response: '',
    });
    expect(none.status).toBe(401);
    expect(await none.text()).toContain('That passkey was not accepted. Try again.');
    const recovered = await browser.post(new URL(formAction(html, '/mfa'), auth.issuer).toString(), {
      csrf,
      pending,
      code: codes[0]!,
    });
    expect(recovered.status).toBe(303);
  });
});
