import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  DASHBOARD_CLIENT_ID,
  FakeLiveKit,
  launchChromium,
  oauthAccessToken,
  queryRows,
  startGatewayStack,
  testRedisUrl,
  type GatewayStack,
  type TestBrowser,
  type TestDatabase,
  type WatchedPage,
} from '@gateway/testing';

const ROOT = resolve(__dirname, '../../../..');
const SHOTS = resolve(ROOT, 'tmp/admin-dashboard-screenshots');
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const ADMIN = { username: 'admina', password: 'admin passphrase 1' };
const PLAIN = { username: 'plainuser', password: 'plain passphrase 1' };
const BOT = { username: 'botowner', password: 'bot owner passphrase 1' };

/** axe-core's serious and critical findings on the page as it is now. */
async function seriousViolations(page: Page): Promise<string[]> {
  // Injected through the DevTools protocol, which the page's CSP does not govern.
  await page.evaluate(AXE);
  const found = await page.evaluate(async () => {
    // Runs in the page, where axe is a global; this file is compiled without the DOM types.
    const axe = (
      globalThis as unknown as {
        axe: {
          run: () => Promise<{ violations: { id: string; impact: string | null; nodes: unknown[] }[] }>;
        };
      }
    ).axe;
    const result = await axe.run();
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length }));
  });
  return found
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.nodes})`);
}

/** A screenshot artifact and an accessibility pass, for every page the test visits. */
async function checkPage(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  expect(await seriousViolations(page), `axe on ${name}`).toEqual([]);
}

async function signIn(page: Page, dashboardUrl: string, user: { username: string; password: string }) {
  await page.goto(dashboardUrl);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByLabel('Username').fill(user.username);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((u) => u.origin === new URL(dashboardUrl).origin && u.pathname !== '/callback');
}

// The dashboard in Chromium against the built stack (auth service, sync proxy, RTC service, Synapse).
describe('the admin dashboard in Chromium', () => {
  let stack: GatewayStack;
  let chromium: TestBrowser;
  let dashboardUrl: string;
  let livekit: FakeLiveKit;
  const databases: TestDatabase[] = [];
  let authDatabaseUrl: string;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    const auth = await createTestDatabase();
    const sync = await createTestDatabase();
    databases.push(auth, sync);
    authDatabaseUrl = auth.url;
    livekit = await new FakeLiveKit().start();
    stack = await startGatewayStack({
      root: ROOT,
      dashboard: true,
      // Registration by token, to register with the token the dashboard creates.
      authEnv: { AUTH_REGISTRATION_ENABLED: 'true', AUTH_REGISTRATION_TOKEN_REQUIRED: 'true' },
      // The overview's charts fill in seconds rather than minutes.
      dashboardEnv: { DASHBOARD_METRICS_INTERVAL_SECONDS: '1' },
      databases: { auth: auth.url, sync: sync.url },
      redisUrl: testRedisUrl(),
      livekit: { url: livekit.url, key: livekit.key, secret: livekit.secret },
      signingKeyFile: join(mkdtempSync(join(tmpdir(), 'dash-keys-')), 'keys.json'),
      output: () => undefined,
    });
    stack.addUser(ADMIN.username, ADMIN.password, { admin: true });
    stack.addUser(PLAIN.username, PLAIN.password);
    dashboardUrl = `${stack.dashboard!.url}/`;
    chromium = await launchChromium();
  });
  afterAll(async () => {
    await chromium.close();
    await stack.stop();
    await livekit.stop();
    for (const db of databases) await db.drop();
  });

  let plain: WatchedPage;
  it('refuses a non-admin with a clear message', async () => {
    const w = await chromium.newPage();
    plain = w;
    await signIn(w.page, dashboardUrl, PLAIN);
    await expect.poll(() => w.page.locator('h2').first().innerText()).toBe('Not an administrator');
    await checkPage(w.page, 'refused');
  });

  let admin: WatchedPage;
  it('signs an admin in and shows the overview with counts and the services’ charts', async () => {
    admin = await chromium.newPage();
    const page = admin.page;
    await signIn(page, dashboardUrl, ADMIN);
    await expect.poll(() => page.locator('h1').innerText()).toBe('Overview');
    await page.getByText('Ready', { exact: true }).waitFor();
    const counts = await page.getByRole('list', { name: 'Counts' }).innerText();
    expect(counts).toMatch(/2\s+users/);
    // No call is live yet: the RTC service's admin API, through the dashboard, says so.
    await expect
      .poll(() =>
        page
          .getByRole('list', { name: 'Live calls' })
          .innerText()
          .catch(() => ''),
      )
      .toMatch(/0\s+rooms[\s\S]*0\s+participants/);
    // The dashboard server samples the three services' /metrics every second; the page polls it.
    const points = (service: string, label: string) =>
      page
        .locator(`[data-metrics-service="${service}"] figure`, { hasText: label })
        .getAttribute('data-series-points')
        .then(Number)
        .catch(() => 0);
    for (const [service, label] of [
      ['auth', 'Requests'],
      ['sync', 'Pollers'],
      ['rtc', 'Delayed-leave delegations'],
    ] as const)
      await expect.poll(() => points(service, label), { timeout: 15_000 }).toBeGreaterThanOrEqual(2);
    // Each chart's name carries its latest value; the sign-in just made requests of the auth service.
    expect(
      await page
        .getByRole('list', { name: 'Auth service metrics' })
        .getByRole('img')
        .first()
        .getAttribute('aria-label'),
    ).toMatch(/^Requests: [\d.]+ per second \(last .*, \d+ points\)$/);
    expect(
      await page.locator('[data-metrics-service="sync"] svg[role=img] path.spark-line').count(),
    ).toBeGreaterThan(0);
    await checkPage(page, 'overview');
  });

  it('creates a user, locks them, and their sign-in then fails', async () => {
    const page = admin.page;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
    await page.getByRole('table').waitFor();
    await checkPage(page, 'users');
    await page.getByText('Create a user').click();
    await page.getByLabel('Username').fill('carol');
    await page.getByLabel('Password (optional)').fill('a sturdy passphrase 9');
    await page.getByRole('button', { name: 'Create user' }).click();
    await page.locator('h1:text-is("carol"), [role=alert]').first().waitFor();
    expect(await page.locator('main').innerText()).not.toContain('Create user');
    // Carol can get a Matrix session now: it is finished below and Synapse must refuse its token.
    const session = await oauthAccessToken(stack.issuer, {
      username: 'carol',
      password: 'a sturdy passphrase 9',
    });
    const whoami = () =>
      fetch(`${stack.synapse.baseUrl}/_matrix/client/v3/account/whoami`, {
        headers: { Authorization: `Bearer ${session.accessToken}` },
      });
    expect((await whoami()).status).toBe(200);
    await page.reload();
    await page.locator('[data-session]').first().waitFor();
    await checkPage(page, 'user');
    await page.getByRole('button', { name: 'Finish session' }).first().click();
    await checkPage(page, 'confirm-dialog');
    await page.getByRole('dialog').getByRole('button', { name: 'Finish session' }).click();
    await page.getByText('Session finished').waitFor();
    // At once on a quiet machine; under load Synapse's answer can take past the 1 s default.
    await expect.poll(async () => (await whoami()).status, { timeout: 5000 }).toBe(401);

    await page.getByRole('button', { name: 'Lock' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Lock' }).click();
    await page.getByText('User locked').waitFor();
    await expect(
      oauthAccessToken(stack.issuer, { username: 'carol', password: 'a sturdy passphrase 9' }),
    ).rejects.toThrow();
  });

  it('creates a registration token, someone registers with it, and its usage shows', async () => {
    const page = admin.page;
    await page.getByRole('link', { name: 'Registration tokens' }).click();
    await page.getByText('Create a registration token').click();
    await page.getByLabel('Token (optional)').fill('dash-token-1');
    await page.getByLabel('Uses allowed (optional)').fill('1');
    await page.getByRole('button', { name: 'Create token' }).click();
    await page.locator('tr[data-token="dash-token-1"]').waitFor();
    expect(await page.locator('tr[data-token="dash-token-1"]').innerText()).toContain('0 / 1');
    await checkPage(page, 'registration-tokens');

    // Someone registers with it on the auth service's page (reached through the dashboard's sign-in).
    const w = await chromium.newPage();
    await w.page.goto(dashboardUrl);
    await w.page.getByRole('button', { name: 'Sign in' }).click();
    await w.page.getByRole('button', { name: 'Create an account' }).click();
    await w.page.getByLabel('Username').fill('newcomer');
    await w.page.getByLabel('Password').fill('a fine long passphrase');
    await w.page.getByLabel('Registration token').fill('dash-token-1');
    await w.page.getByRole('button', { name: 'Create account' }).click();
    // Registered and signed in, but no admin: the dashboard says so.
    await expect.poll(() => w.page.locator('h2').first().innerText()).toBe('Not an administrator');
    await page.reload();
    await expect.poll(() => page.locator('tr[data-token="dash-token-1"]').innerText()).toContain('1 / 1');
  });

  /** Synapse's whoami with a token, as a Matrix client would ask it. */
  const whoami = (token: string) =>
    fetch(`${stack.synapse.baseUrl}/_matrix/client/v3/account/whoami`, {
      headers: { Authorization: `Bearer ${token}` },
    });

  it('creates a personal token shown once, which Synapse accepts until it is revoked on the page', async () => {
    stack.addUser(BOT.username, BOT.password);
    const page = admin.page;
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Personal tokens' })
      .click();
    await page.getByText('No active personal tokens.').waitFor();
    await page.getByText('Create a personal token').click();
    const form = page.getByRole('form', { name: 'Create a personal token' });
    await form.getByLabel('User', { exact: true }).fill(BOT.username);
    await form.getByLabel('Token name').fill('dash bot');
    await form.getByLabel('Expires in (days)').fill('7');
    await form.getByRole('button', { name: 'Create token' }).click();
    const shown = page.locator('[data-one-time-token]');
    await shown.waitFor();
    expect(await shown.innerText()).toContain('you will not see it again');
    const token = await shown.getByLabel('Token', { exact: true }).inputValue();
    expect(token).toMatch(/^mpt_/);
    const row = page.locator('tr[data-personal-token="dash bot"]');
    await row.waitFor();
    // The user it acts as, by name once looked up.
    await expect.poll(() => row.innerText()).toContain(BOT.username);
    await checkPage(page, 'personal-tokens');

    const me = await whoami(token);
    expect(me.status).toBe(200);
    expect(((await me.json()) as { user_id: string }).user_id).toBe(
      `@${BOT.username}:${stack.synapse.serverName}`,
    );
    // Dismissed, the token is gone from the page for good.
    await shown.getByRole('button', { name: 'Done' }).click();
    expect(await shown.count()).toBe(0);
    expect(await page.locator('main').innerText()).not.toContain(token);

    await row.getByRole('button', { name: 'Revoke' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke' }).click();
    await page.getByText('Token revoked').waitFor();
    await expect.poll(async () => (await whoami(token)).status, { timeout: 5000 }).toBe(401);
    // The list is read again: the token is no longer active.
    await expect.poll(() => row.count()).toBe(0);
    await page.getByRole('search').getByLabel('Status').selectOption('revoked');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => row.innerText().catch(() => '')).toContain('Revoked');
  });

  it('finishes a legacy /login session on the user page, and Synapse refuses its token', async () => {
    const login = await fetch(`${stack.issuer}_matrix/client/v3/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        type: 'm.login.password',
        identifier: { type: 'm.id.user', user: BOT.username },
        password: BOT.password,
        device_id: 'DASHCOMPAT',
      }),
    });
    expect(login.status).toBe(200);
    const { access_token: token } = (await login.json()) as { access_token: string };
    expect((await whoami(token)).status).toBe(200);

    const page = admin.page;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
    await page.getByLabel('Search').fill(BOT.username);
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByRole('link', { name: BOT.username, exact: true }).click();
    const session = page.locator('[data-compat-session="DASHCOMPAT"]');
    await session.waitFor();
    // The legacy login's device, among the user's devices.
    const device = page.getByRole('table', { name: 'Devices' }).locator('tr[data-device="DASHCOMPAT"]');
    expect(await device.innerText()).toContain('Legacy login');
    // Its personal token was revoked above: only active ones are listed at first.
    await page.getByText('No active personal tokens.').waitFor();
    await checkPage(page, 'user-legacy-sessions');
    await session.getByRole('button', { name: 'Finish legacy session' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Finish session' }).click();
    await page.getByText('Legacy session finished').waitFor();
    await expect.poll(async () => (await whoami(token)).status, { timeout: 5000 }).toBe(401);

    // The user page leads to the token form, filled in for them.
    await page.getByRole('link', { name: `Create a token for ${BOT.username}` }).click();
    const form = page.getByRole('form', { name: 'Create a personal token' });
    expect(await form.getByLabel('User', { exact: true }).inputValue()).toBe(BOT.username);
  });

  it("signs a user's browser out of the auth service and resets their MFA on the user page", async () => {
    // Where the plain user's browser lands when a client asks it to authorize: straight through while
    // it is signed in to the auth service, the sign-in form once it is not.
    const authorize = new URL(`${stack.issuer}authorize`);
    authorize.search = new URLSearchParams({
      client_id: DASHBOARD_CLIENT_ID,
      redirect_uri: `${dashboardUrl}callback`,
      response_type: 'code',
      scope: 'openid',
      state: 'browser-session-test',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    }).toString();
    const asksToSignIn = async () => {
      await plain.page.goto(authorize.toString());
      await plain.page.waitForLoadState('load');
      return (await plain.page.getByLabel('Password').count()) > 0;
    };
    expect(await asksToSignIn()).toBe(false);

    const page = admin.page;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
    await page.getByLabel('Search').fill(PLAIN.username);
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByRole('link', { name: PLAIN.username, exact: true }).click();
    const sessions = page.getByRole('region', { name: 'Browser sessions' });
    const session = sessions.locator('[data-browser-session]').first();
    await session.waitFor();
    expect(await session.innerText()).toContain('signed in');
    await checkPage(page, 'user-browser-sessions');
    await session.getByRole('button', { name: 'Sign out browser' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Sign out' }).click();
    await page.getByText('Browser signed out').waitFor();
    await sessions.getByText('No browser sessions.').waitFor();
    expect(await asksToSignIn()).toBe(true);

    await page.getByRole('button', { name: 'Reset MFA' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Reset MFA' }).click();
    await page.getByText('Second factors removed').waitFor();
  });

  it("shows a user's upstream accounts on the user page and unlinks one", async () => {
    // Providers come from the auth service's configuration and links from signing in through one, which
    // this stack does not do: both are put in the auth database as the service would leave them.
    const linked = async () =>
      (
        await queryRows<{ subject: string }>(
          authDatabaseUrl,
          `SELECT l.subject FROM upstream_oauth_links l JOIN users u ON u.id = l.user_id
           WHERE u.localpart = $1 ORDER BY l.subject`,
          [PLAIN.username],
        )
      ).map((r) => r.subject);
    await queryRows(
      authDatabaseUrl,
      `INSERT INTO upstream_oauth_providers (id, issuer, human_name, client_id, scope)
       VALUES ('01JDASHPROVIDER00000000000', 'https://id.example/', 'Example ID', 'gateway', 'openid')`,
    );
    await queryRows(
      authDatabaseUrl,
      `INSERT INTO upstream_oauth_links (provider_id, subject, user_id, human_account_name)
       SELECT '01JDASHPROVIDER00000000000', s, id, n FROM users,
         (VALUES ('plain-sub-1', 'plain@id.example'), ('plain-sub-2', NULL)) AS v(s, n)
       WHERE localpart = $1`,
      [PLAIN.username],
    );
    const page = admin.page;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
    await page.getByLabel('Search').fill(PLAIN.username);
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByRole('link', { name: PLAIN.username, exact: true }).click();
    const accounts = page.getByRole('region', { name: 'Upstream accounts' });
    const first = accounts.locator('li', { hasText: 'plain@id.example' });
    await first.waitFor();
    expect(await first.innerText()).toMatch(
      /Example ID[\s\S]*plain@id\.example · subject plain-sub-1 · linked/,
    );
    expect(await accounts.locator('li', { hasText: 'plain-sub-2' }).innerText()).toContain('Example ID');
    await checkPage(page, 'user-upstream-accounts');
    await first.getByRole('button', { name: 'Unlink' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Unlink' }).click();
    await page.getByText('Upstream account unlinked').waitFor();
    await expect.poll(() => accounts.locator('li').count()).toBe(1);
    expect(await linked()).toEqual(['plain-sub-2']);
  });

  it('lists OAuth clients', async () => {
    const page = admin.page;
    await page.getByRole('link', { name: 'OAuth clients' }).click();
    // Carol's client, registered by oauthAccessToken above (the static clients are configuration).
    await page.getByText('Test Client').first().waitFor();
    await checkPage(page, 'oauth2-clients');
  });

  it('reads the audit entries these actions wrote, filtered by event type', async () => {
    const page = admin.page;
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('table').waitFor();
    for (const type of [
      'admin.user.created',
      'admin.user.locked',
      'admin.session.finished',
      'admin.registration-token.created',
      'admin.personal-session.created',
      'admin.personal-session.revoked',
      'admin.compat-session.finished',
      'admin.user-session.finished',
      'admin.user.mfa.reset',
      'admin.upstream-oauth-link.removed',
    ]) {
      await page.locator('select[name=type]').selectOption(type);
      await page.getByRole('button', { name: 'Apply' }).click();
      await expect.poll(() => page.locator('tbody tr').first().innerText()).toContain(type);
    }
    await checkPage(page, 'audit');
  });

  it('lists live calls on the RTC page and removes a participant through LiveKit', async () => {
    // Participants connect to LiveKit over its WebSocket, which the fake does not speak: its room state
    // is seeded as LiveKit would report it. The page reaches it through the RTC service's admin API.
    const room = 'ZHVtbXktY2FsbC1yb29t';
    livekit.join(room, '@carol:localhost:CAROLDEV', 'Carol');
    livekit.join(room, '@dave:localhost:DAVEDEV', 'Dave');
    const page = admin.page;
    await page.getByRole('link', { name: 'RTC' }).click();
    const carol = page.locator('tr[data-identity="@carol:localhost:CAROLDEV"]');
    await carol.waitFor();
    expect(await page.locator(`section[data-room="${room}"]`).innerText()).toMatch(/2 participants/);
    await checkPage(page, 'rtc');
    // Keyboard only: focus the row's Remove, open the dialog, confirm.
    await carol.getByRole('button', { name: 'Remove' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('dialog').getByText('Remove @carol:localhost:CAROLDEV from the call?').waitFor();
    await checkPage(page, 'rtc-confirm');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.getByText('@carol:localhost:CAROLDEV removed from the call').waitFor();
    expect(livekit.removed).toEqual([{ room, identity: '@carol:localhost:CAROLDEV' }]);
    // The list is read again from LiveKit: Dave is still in the call, Carol is not.
    await page.locator('tr[data-identity="@dave:localhost:DAVEDEV"]').waitFor();
    expect(await carol.count()).toBe(0);
    expect(await page.locator(`section[data-room="${room}"]`).innerText()).toMatch(/1 participant\b/);
  });

  it('shows the sync poller and connection of a device that synced through the proxy', async () => {
    // A device of plainuser syncs once through the sync proxy, which starts polling Synapse for it.
    const session = await oauthAccessToken(stack.issuer, PLAIN);
    const synced = await fetch(
      `${stack.sync.url}/_matrix/client/unstable/org.matrix.simplified_msc3575/sync?timeout=0`,
      {
        method: 'POST',
        headers: { Authorization: `Bearer ${session.accessToken}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({
          conn_id: 'dash-test',
          lists: { all: { ranges: [[0, 9]], timeline_limit: 1 } },
        }),
      },
    );
    expect(synced.status).toBe(200);
    const userId = `@${PLAIN.username}:${stack.synapse.serverName}`;

    const page = admin.page;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sync' }).click();
    await page.getByRole('searchbox', { name: 'User' }).fill(userId);
    await page.getByRole('button', { name: 'Apply' }).click();
    const poller = page.getByRole('table', { name: 'Pollers' }).locator('tbody tr');
    await expect.poll(() => poller.count()).toBe(1);
    expect(await poller.innerText()).toContain(session.deviceId);
    // Its first sync is stored (the sync above answered after it): the loop long-polls on.
    await expect
      .poll(async () => {
        await page.reload();
        return poller.innerText();
      })
      .toContain('Running');
    const connection = page.getByRole('table', { name: 'Connections' }).locator('tbody tr');
    await expect.poll(() => connection.count()).toBe(1);
    expect(await connection.innerText()).toContain('dash-test');
    expect(await connection.innerText()).toContain(session.deviceId);
    await checkPage(page, 'sync');
    // The overview counts them too (one device of one user synced so far).
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Overview' }).click();
    const sync = page.getByRole('list', { name: 'Pollers and connections' });
    await expect.poll(() => sync.innerText().catch(() => '')).toMatch(/1\s+poller\b/);
    expect(await sync.innerText()).toMatch(/1\s+connection\b/);
  });

  it('works at phone width and signs out, revoking the token', async () => {
    const page = admin.page;
    await page.setViewportSize({ width: 375, height: 740 });
    await page.getByRole('link', { name: 'Overview' }).click();
    await checkPage(page, 'overview-phone');
    await page.getByRole('link', { name: 'Personal tokens' }).click();
    // The token made above was revoked: none is active.
    await page.getByText('No active personal tokens.').waitFor();
    await checkPage(page, 'personal-tokens-phone');
    await page.getByRole('link', { name: 'Overview' }).click();
    const saved = await page.evaluate(() =>
      (
        globalThis as unknown as { sessionStorage: { getItem: (k: string) => string | null } }
      ).sessionStorage.getItem('dashboard.tokens'),
    );
    const { accessToken: token, refreshToken } = JSON.parse(saved!) as {
      accessToken: string;
      refreshToken: string | null;
    };
    expect(refreshToken).toEqual(expect.any(String));
    const adminApi = () =>
      fetch(`${stack.issuer}api/admin/v1/version`, { headers: { Authorization: `Bearer ${token}` } });
    expect((await adminApi()).status).toBe(200);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    // Revoked at the auth service, not just forgotten by the page.
    await expect.poll(async () => (await adminApi()).status).toBe(401);
    // The refresh token too: nothing the page kept can get a new access token.
    const refreshed = await fetch(`${stack.issuer}oauth2/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: refreshToken!,
        client_id: DASHBOARD_CLIENT_ID,
      }),
    });
    expect(refreshed.status).toBe(400);
    expect(await refreshed.json()).toMatchObject({ error: 'invalid_grant' });
    expect(admin.problems.filter((p) => !p.startsWith('Failed to load resource'))).toEqual([]);
  });
});
