import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import type { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthStore, User } from '@gateway/auth-data';
import { Database } from '@gateway/db';
import type { JobPayload } from '@gateway/queues';
import {
  Browser,
  formAction,
  freePort,
  hiddenInput,
  oauthAccessToken,
  startSynapse,
  type Synapse,
} from '@gateway/testing';
import type { Accounts } from '../../src/accounts/accounts';
import { SynapseMasClient } from '../../src/synapse/synapse-mas-client';
import type { PersonalTokens } from '../../src/personal-tokens/personal-tokens';
import { ACCOUNTS, AUTH_STORE, PERSONAL_TOKENS, SYNC_DEVICES_QUEUE } from '../../src/tokens';
import { startAuth, SYNAPSE_SECRET, type AuthUnderTest } from '../support/start-auth';

const run = promisify(execFile);
// The operator CLI as an operator runs it: the built file (the contract tier runs after the build).
const CLI = resolve(__dirname, '../../../../dist/apps/auth-service/cli.js');
const PASSWORD = 'correct horse battery';

/** Polls until `check` passes or `ms` run out; the last failure is the test's failure. */
async function eventually(check: () => Promise<void>, ms = 5_000): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      await check();
      return;
    } catch (err) {
      if (Date.now() > until) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

// Issue 11 items 3 and 4: every lifecycle command changes our database and Synapse (checked through
// Synapse's own client API and /_synapse/mas/*), registration takes tokens and asks Synapse, and the
// device sync job heals drift.
describe('account lifecycle and registration, with the CLI against a real Synapse', () => {
  let synapse: Synapse;
  let auth: AuthUnderTest;
  let store: AuthStore;
  let mas: SynapseMasClient;

  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npx nx build auth-service\` first`);
    const port = await freePort();
    synapse = await startSynapse({
      mode: 'delegated',
      authService: { endpoint: `http://127.0.0.1:${port}/`, secret: SYNAPSE_SECRET },
    });
    auth = await startAuth(port, synapse.baseUrl, { AUTH_REGISTRATION_TOKEN_REQUIRED: 'true' });
    store = auth.app.get<AuthStore>(AUTH_STORE);
    const accounts = auth.app.get<Accounts>(ACCOUNTS);
    for (const name of ['alice', 'bob', 'carol', 'dave']) {
      const created = await accounts.register(name, PASSWORD);
      if (!created.ok) throw new Error(created.reason);
    }
    mas = new SynapseMasClient({ baseUrl: synapse.baseUrl, secret: SYNAPSE_SECRET });
  }, 120_000);
  afterAll(async () => {
    await auth.stop();
    await synapse.stop();
  });

  const cli = async (...args: string[]) => {
    const env = {
      ...process.env,
      AUTH_ISSUER: auth.issuer,
      AUTH_DATABASE_URL: auth.db.url,
      AUTH_REDIS_URL: auth.redis.url,
      AUTH_HOMESERVER: 'localhost',
      AUTH_SYNAPSE_URL: synapse.baseUrl,
      AUTH_SYNAPSE_SECRET: SYNAPSE_SECRET,
      AUTH_SIGNING_KEY_FILE: auth.keyFile,
    };
    try {
      const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { env });
      return { code: 0, stdout, out: stdout + stderr };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, out: e.stdout + e.stderr };
    }
  };
  const user = async (localpart: string): Promise<User> => {
    const found = await store.users.findByLocalpart(localpart);
    if (!found) throw new Error(`no ${localpart}`);
    return found;
  };
  const matrix = async (path: string, token: string) => {
    const res = await fetch(`${synapse.baseUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  /** Our introspection's answer, as Synapse would get it (without touching Synapse's cache). */
  const active = async (token: string) => {
    const res = await fetch(`${auth.issuer}oauth2/introspect`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        Authorization: `Bearer ${SYNAPSE_SECRET}`,
      },
      body: new URLSearchParams({ token }),
    });
    return ((await res.json()) as { active: boolean }).active;
  };
  const whoami = (token: string) => matrix('/_matrix/client/v3/account/whoami', token);
  const issue = async (localpart: string, ...options: string[]): Promise<string> => {
    const issued = await cli('user', 'issue-compat-token', localpart, ...options);
    expect(issued).toMatchObject({ code: 0 });
    return issued.stdout.trim();
  };

  it('issues a compat token that Synapse accepts for the named device, and names unknown users', async () => {
    const issued = await cli('user', 'issue-compat-token', 'alice', '--device-id', 'CLIDEVICE');
    expect(issued.code).toBe(0);
    expect(issued.out).toContain('compatibility token for @alice:localhost, device CLIDEVICE, never expires');
    const token = issued.stdout.trim();
    expect(token).toMatch(/^mct_[A-Za-z0-9]{30}_[A-Za-z0-9]{6}$/);
    expect(await whoami(token)).toMatchObject({
      status: 200,
      body: { user_id: '@alice:localhost', device_id: 'CLIDEVICE' },
    });
    const expiring = await cli('user', 'issue-compat-token', '@alice:localhost', '--expires-in', '600');
    expect(expiring.out).toMatch(/device [A-Za-z0-9]{10}, expires 20\d\d-/);
    expect(await cli('user', 'issue-compat-token', 'nobody')).toMatchObject({
      code: 1,
      out: expect.stringContaining('no such user: nobody'),
    });
    expect(await cli('user', 'issue-compat-token', 'alice', '--expires-in', 'soon')).toMatchObject({
      code: 2,
      out: expect.stringContaining('--expires-in must be a whole number of seconds'),
    });
    expect(await cli('user', 'lock')).toMatchObject({ code: 2, out: expect.stringContaining('usage') });
  });

  it('locks (Synapse refuses the token) and unlocks (it works again)', async () => {
    // Synapse caches every introspection answer, active or not, for up to 2 minutes and keeps its lock
    // flag for the user directory only (synapse/api/auth/mas.py, rest/synapse/mas/users.py), as with
    // MAS: a token Synapse has not cached follows the lock at once, a cached one when its entry ends.
    const usedWhileLocked = await issue('alice');
    const unusedWhileLocked = await issue('alice');
    expect(await cli('user', 'lock', 'alice')).toMatchObject({
      code: 0,
      out: expect.stringContaining('locked @alice:localhost'),
    });
    expect((await user('alice')).lockedAt).not.toBeNull();
    // Introspection keeps user rows for 1 s (introspection/user-cache.ts) and the CLI is another
    // process: wait for our answer before asking Synapse, which would cache an early one.
    await eventually(async () => {
      expect(await active(usedWhileLocked)).toBe(false);
    }, 3_000);
    expect(await whoami(usedWhileLocked)).toMatchObject({
      status: 401,
      body: { errcode: 'M_UNKNOWN_TOKEN' },
    });
    expect(await cli('user', 'issue-compat-token', 'alice')).toMatchObject({
      code: 1,
      out: expect.stringContaining('@alice:localhost is locked; no token issued'),
    });
    expect(await cli('user', 'lock', 'alice')).toMatchObject({ code: 0 }); // idempotent
    expect(await cli('user', 'unlock', 'alice')).toMatchObject({ code: 0 });
    expect((await user('alice')).lockedAt).toBeNull();
    await eventually(async () => {
      expect(await active(unusedWhileLocked)).toBe(true);
    }, 3_000);
    expect((await whoami(unusedWhileLocked)).status).toBe(200);
  }, 60_000);

  it('sets the display name in Synapse, and removes it', async () => {
    expect(await cli('user', 'set-display-name', 'alice', 'Alice Liddell')).toMatchObject({ code: 0 });
    expect(await mas.queryUser('alice')).toMatchObject({ displayName: 'Alice Liddell' });
    expect(await cli('user', 'set-display-name', 'alice', '')).toMatchObject({
      code: 0,
      out: expect.stringContaining('display name of @alice:localhost removed'),
    });
    expect(await mas.queryUser('alice')).toMatchObject({ displayName: null });
  });

  it('promotes and demotes an administrator', async () => {
    expect(await cli('user', 'promote-admin', 'carol')).toMatchObject({
      code: 0,
      out: expect.stringContaining('@carol:localhost is now an administrator'),
    });
    expect((await user('carol')).admin).toBe(true);
    expect(await cli('user', 'demote-admin', 'carol')).toMatchObject({ code: 0 });
    expect((await user('carol')).admin).toBe(false);
  });

  it('kills every session: OAuth and compat tokens refused by Synapse within 5 s, browser sessions gone; personal tokens kept, as in MAS', async () => {
    const oauth = await oauthAccessToken(auth.issuer, { username: 'carol', password: PASSWORD });
    const compat = await issue('carol', '--device-id', 'CAROLCOMPAT');
    expect((await whoami(oauth.accessToken)).body).toMatchObject({ device_id: oauth.deviceId });
    expect((await whoami(compat)).body).toMatchObject({ device_id: 'CAROLCOMPAT' });
    const carol = await user('carol');
    // A personal token with the Matrix API (its own device): mas-cli manage kill-sessions leaves it.
    const personal = await auth.app
      .get<PersonalTokens>(PERSONAL_TOKENS)
      .create(
        carol,
        { userId: carol.id },
        { name: 'bot', scope: 'urn:matrix:client:api:*', expiresIn: 3600, mayBeEndless: false },
      );
    if ('problem' in personal) throw new Error(JSON.stringify(personal));
    const personalDevice = personal.session.deviceId;
    expect((await whoami(personal.token)).body).toMatchObject({ device_id: personalDevice });
    const browserSessions = async () =>
      Number(
        (
          await auth.app
            .get(Database)
            .dataSource.query<{ n: string }[]>(
              "SELECT count(*) AS n FROM oidc_payloads WHERE model = 'Session' AND payload->>'accountId' = $1",
              [carol.id],
            )
        )[0]?.n,
      );
    expect(await browserSessions()).toBeGreaterThan(0);
    const killed = await cli('user', 'kill-sessions', 'carol');
    expect(killed).toMatchObject({ code: 0 });
    expect(killed.out).toContain('ended 1 OAuth and 1 compat sessions of @carol:localhost');
    expect(killed.out).toContain('personal access tokens kept');
    const started = Date.now();
    await eventually(async () => {
      expect((await whoami(oauth.accessToken)).status).toBe(401);
      expect((await whoami(compat)).status).toBe(401);
    });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await store.sessions.activeForUser(carol.id)).toEqual([]);
    expect(await store.compat.activeForUser(carol.id)).toEqual([]);
    expect(await browserSessions()).toBe(0);
    expect((await store.personal.activeForUser(carol.id)).map((s) => s.deviceId)).toEqual([personalDevice]);
    expect((await whoami(personal.token)).body).toMatchObject({ device_id: personalDevice });
  });

  it('deactivates with --erase (Synapse deactivates and erases), then reactivates', async () => {
    const token = await issue('bob');
    expect(await cli('user', 'set-display-name', 'bob', 'Bob')).toMatchObject({ code: 0 });
    const deactivated = await cli('user', 'deactivate', 'bob', '--erase');
    expect(deactivated).toMatchObject({
      code: 0,
      out: expect.stringContaining('deactivated @bob:localhost and erased its data in Synapse'),
    });
    expect((await user('bob')).deactivatedAt).not.toBeNull();
    expect(await mas.queryUser('bob')).toMatchObject({ isDeactivated: true, displayName: null });
    // Audited as the CLI's: the attempt, then its outcome, with the option's name.
    const audited = (await store.auditEvents.listPage({ type: 'cli.user.deactivated', subject: 'bob' }, {}))
      .items;
    expect(audited.map((e) => [e.outcome, e.actor, e.actorKind, e.details['options'] ?? null])).toEqual([
      ['attempted', 'cli', 'cli', 'erase'],
      ['succeeded', 'cli', 'cli', 'erase'],
    ]);
    expect((await whoami(token)).status).toBe(401);
    // Synapse's reactivation can fail on a brand-new database until a background update has run
    // (synapse-mas-client.ts); the command is safe to repeat, as its message says.
    await eventually(async () => {
      expect(await cli('user', 'reactivate', 'bob')).toMatchObject({ code: 0 });
    }, 60_000);
    expect((await user('bob')).deactivatedAt).toBeNull();
    expect(await mas.queryUser('bob')).toMatchObject({ isDeactivated: false });
    // The token ended with the deactivation stays ended.
    expect((await whoami(token)).status).toBe(401);
  }, 90_000);

  it('provisions every user into Synapse again, skipping the deactivated', async () => {
    expect(await mas.queryUser('dave')).toBeNull(); // created here only, never signed in
    expect(await cli('user', 'deactivate', 'carol')).toMatchObject({ code: 0 });
    const provisioned = await cli('user', 'provision-all');
    expect(provisioned).toMatchObject({ code: 0 });
    expect(provisioned.out).toContain('provisioned 3 users, skipped 1 deactivated, 0 failed');
    expect(await mas.queryUser('dave')).toMatchObject({ userId: '@dave:localhost', isDeactivated: false });
  });

  describe('registration with tokens, checked with Synapse', () => {
    const open = async () => {
      const url = new URL(`${auth.issuer}authorize`);
      for (const [k, v] of Object.entries({
        client_id: 'account-management',
        redirect_uri: `${auth.issuer}account/callback`,
        response_type: 'code',
        scope: 'openid',
        prompt: 'create',
        code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        code_challenge_method: 'S256',
      }))
        url.searchParams.set(k, v);
      const browser = new Browser();
      const page = (await browser.follow(await browser.get(url.toString()), auth.issuer)).page!;
      return { browser, html: page.html };
    };
    const register = async (username: string, token?: string) => {
      const { browser, html } = await open();
      const res = await browser.post(new URL(formAction(html, '/register'), auth.issuer).toString(), {
        csrf: hiddenInput(html, 'csrf'),
        username,
        password: 'a fine long password',
        ...(token === undefined ? {} : { token }),
      });
      return { status: res.status, text: await res.text() };
    };
    const tokenLine = async (token: string) =>
      (await cli('registration-token', 'list')).stdout.split('\n').find((l) => l.startsWith(`${token} `));

    it('asks for a token on the page and refuses to register without one', async () => {
      const { html } = await open();
      expect(html).toContain('<label for="token">Registration token</label>');
      expect(html).toMatch(
        /<input type="text" id="token" name="token" value="" autocomplete="off" required>/,
      );
      expect(await register('newcomer')).toMatchObject({
        status: 400,
        text: expect.stringContaining('Enter the registration token you were given.'),
      });
      expect(await register('newcomer', 'no-such-token')).toMatchObject({
        status: 400,
        text: expect.stringContaining('This registration token is not valid.'),
      });
      expect(await store.users.findByLocalpart('newcomer')).toBeNull();
    });

    it('registers with a token until it is used up; the account works on Synapse', async () => {
      const added = await cli('registration-token', 'add', '--token', 'welcome-1', '--uses', '1');
      expect(added).toMatchObject({
        code: 0,
        out: expect.stringContaining('created: welcome-1  valid  0/1 uses  no expiry'),
      });
      expect(await register('newcomer', 'welcome-1')).toMatchObject({ status: 303 });
      expect(await store.users.findByLocalpart('newcomer')).not.toBeNull();
      expect(await tokenLine('welcome-1')).toBe('welcome-1  exhausted  1/1 uses  no expiry');
      expect(await register('second', 'welcome-1')).toMatchObject({
        status: 400,
        text: expect.stringContaining('This registration token has been used up.'),
      });
      const token = await issue('newcomer');
      expect((await whoami(token)).body).toMatchObject({ user_id: '@newcomer:localhost' });
    });

    it('refuses expired and revoked tokens, and accepts an unrevoked one', async () => {
      expect(await cli('registration-token', 'add', '--token', 'brief', '--expires-in', '1')).toMatchObject({
        code: 0,
      });
      await new Promise((r) => setTimeout(r, 1_100));
      expect(await register('late', 'brief')).toMatchObject({
        status: 400,
        text: expect.stringContaining('This registration token has expired.'),
      });
      const added = await cli('registration-token', 'add');
      const random = /created: (\S+) {2}valid {2}0\/unlimited uses/.exec(added.out)?.[1];
      expect(random).toMatch(/^[A-Za-z0-9]{24}$/);
      expect(await cli('registration-token', 'revoke', random!)).toMatchObject({ code: 0 });
      expect(await register('late', random)).toMatchObject({
        status: 400,
        text: expect.stringContaining('This registration token has been revoked.'),
      });
      expect(await cli('registration-token', 'unrevoke', random!)).toMatchObject({ code: 0 });
      expect(await register('late', random)).toMatchObject({ status: 303 });
      expect(await cli('registration-token', 'revoke', 'nope')).toMatchObject({
        code: 1,
        out: expect.stringContaining('no such registration token: nope'),
      });
    });

    it('refuses a username Synapse already has, without using the token', async () => {
      // Registered in Synapse behind our back (an appservice user, a pre-existing account).
      await mas.provisionUser({ localpart: 'squatter' });
      expect(await cli('registration-token', 'add', '--token', 'welcome-2', '--uses', '1')).toMatchObject({
        code: 0,
      });
      expect(await register('squatter', 'welcome-2')).toMatchObject({
        status: 400,
        text: expect.stringContaining('That username is taken.'),
      });
      expect(await register('Bad Name', 'welcome-2')).toMatchObject({
        status: 400,
        text: expect.stringContaining('Usernames may only contain'),
      });
      expect(await tokenLine('welcome-2')).toBe('welcome-2  valid  0/1 uses  no expiry');
    });
  });

  it('the sync_devices job, on its schedule, deletes a device made behind our back and restores a missing one', async () => {
    const token = await issue('alice', '--device-id', 'KEEPME');
    const alice = await user('alice');
    // Every live session of alice, for the expectation below.
    const live = new Set(
      [
        ...(await store.sessions.activeForUser(alice.id)),
        ...(await store.compat.activeForUser(alice.id)),
      ].map((s) => s.deviceId),
    );
    await mas.upsertDevice('alice', 'ROGUE');
    await mas.deleteDevice('alice', 'KEEPME');
    expect((await whoami(token)).status).toBe(401); // the drift: Synapse lost the device
    // A second replica with the job on, every second: the schedule lives in the shared Redis.
    const replica = await startAuth(
      Number(new URL(auth.issuer).port),
      synapse.baseUrl,
      { AUTH_SYNC_DEVICES_INTERVAL: '1', AUTH_BIND: `127.0.0.1:${String(await freePort())}` },
      { replicaOf: auth },
    );
    try {
      await eventually(async () => {
        expect((await whoami(token)).status).toBe(200);
      }, 15_000);
      const devices = await matrix('/_matrix/client/v3/devices', token);
      expect(new Set((devices.body['devices'] as { device_id: string }[]).map((d) => d.device_id))).toEqual(
        live,
      );
    } finally {
      await replica.stop();
      await auth.app
        .get<Queue<JobPayload<'auth.sync-devices'>>>(SYNC_DEVICES_QUEUE)
        .removeJobScheduler('sync-devices');
    }
  }, 60_000);
});
