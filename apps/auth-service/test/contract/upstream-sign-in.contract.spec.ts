import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthStore } from '@gateway/auth-data';
import { Database } from '@gateway/db';
import {
  Browser,
  formAction,
  freePort,
  hiddenInput,
  signInUpstream,
  signOutUpstream,
  startSynapse,
  startUpstreamProvider,
  type Synapse,
  type UpstreamProvider,
} from '@gateway/testing';
import type { Accounts } from '../../src/accounts/accounts';
import type { SecondFactor } from '../../src/mfa/second-factor';
import { base32Decode, totpCode, totpStep } from '../../src/mfa/totp';
import { csrfToken } from '../../src/pages/form-security';
import { ACCOUNTS, AUTH_STORE, CSRF_KEY, SECOND_FACTOR } from '../../src/tokens';
import { ProviderSync } from '../../src/upstream/provider-sync';
import { startAuth, SYNAPSE_SECRET, type AuthUnderTest } from '../support/start-auth';

// Node 20 lacks Promise.withResolvers, which matrix-js-sdk ≥ 37.6 uses; it must exist before the import.
const promiseCtor = Promise as unknown as { withResolvers?: () => unknown };
promiseCtor.withResolvers ??= () => {
  let resolve: unknown;
  let reject: unknown;
  const promise = new Promise((a, b) => {
    resolve = a;
    reject = b;
  });
  return { promise, resolve, reject };
};

const CLIENT_SECRET = 'upstream-client-secret-0123456789';
const REDIRECT = 'https://app.example.org/callback';

/** Providers: `idp` suggests the username and imports the name; `corp` imposes it and links to an existing
 * account of that name (on_conflict add), answering by form_post; `strict` imposes it and refuses conflicts. */
function providersYaml(issuers: { idp: string; corp: string }): string {
  return `# MAS's whole config file: only upstream_oauth2 is read.
http:
  public_base: https://auth.example.org/
upstream_oauth2:
  providers:
    - id: idp
      human_name: Example ID
      issuer: ${issuers.idp}
      discovery_mode: insecure
      client_id: gateway
      client_secret: ${CLIENT_SECRET}
      scope: openid profile email
      claims_imports:
        localpart: { action: suggest }
        displayname: { action: force }
        email: { action: suggest }
        account_name: { template: "{{ user.email }}" }
    - id: corp
      human_name: Corp SSO
      issuer: ${issuers.corp}
      discovery_mode: insecure
      client_id: gateway
      client_secret: ${CLIENT_SECRET}
      token_endpoint_auth_method: client_secret_post
      scope: openid profile
      response_mode: form_post
      pkce_method: always
      claims_imports:
        localpart: { action: require, on_conflict: add }
    - id: corp-replace
      human_name: Corp Replace
      issuer: ${issuers.corp}
      discovery_mode: insecure
      client_id: gateway-replace
      client_secret: ${CLIENT_SECRET}
      scope: openid profile
      claims_imports:
        localpart: { action: force, template: "{{ user.preferred_username }}", on_conflict: replace }
    - id: corp-set
      human_name: Corp Set
      issuer: ${issuers.corp}
      discovery_mode: insecure
      client_id: gateway-set
      client_secret: ${CLIENT_SECRET}
      scope: openid profile
      claims_imports:
        localpart: { action: force, on_conflict: set }
    - id: jwt-secret
      human_name: Secret JWT
      issuer: ${issuers.idp}
      discovery_mode: insecure
      client_id: gateway-jwt-secret
      client_secret: ${CLIENT_SECRET}
      token_endpoint_auth_method: client_secret_jwt
      token_endpoint_auth_signing_alg: HS512
      scope: openid profile
    - id: jwt-key
      human_name: Key JWT
      issuer: ${issuers.idp}
      discovery_mode: insecure
      client_id: gateway-jwt-key
      token_endpoint_auth_method: private_key_jwt
      token_endpoint_auth_signing_alg: RS256
      scope: openid profile
    - id: strict
      human_name: Strict ID
      issuer: ${issuers.idp}
      discovery_mode: insecure
      client_id: gateway-strict
      client_secret: ${CLIENT_SECRET}
      scope: openid profile
      claims_imports:
        localpart: { action: require }
    - id: bcl-all
      human_name: Logout All
      issuer: ${issuers.idp}
      discovery_mode: insecure
      client_id: gateway-bcl-all
      client_secret: ${CLIENT_SECRET}
      scope: openid profile
      on_backchannel_logout: logout_all
      claims_imports:
        localpart: { action: require, on_conflict: add }
    - id: bcl-browser
      human_name: Logout Browser
      issuer: ${issuers.idp}
      discovery_mode: insecure
      client_id: gateway-bcl-browser
      client_secret: ${CLIENT_SECRET}
      scope: openid profile
      on_backchannel_logout: logout_browser_only
      claims_imports:
        localpart: { action: require, on_conflict: add }
`;
}

describe('sign-in through upstream OpenID providers', () => {
  let synapse: Synapse;
  let auth: AuthUnderTest;
  let idp: UpstreamProvider;
  let corp: UpstreamProvider;
  let store: AuthStore;
  let sdk: typeof import('matrix-js-sdk');
  let metadata: Awaited<ReturnType<import('matrix-js-sdk').MatrixClient['getAuthMetadata']>>;
  let clientId: string;

  beforeAll(async () => {
    const port = await freePort();
    const callback = (id: string) => `http://127.0.0.1:${port}/upstream/callback/${id}`;
    idp = await startUpstreamProvider({
      accounts: [
        {
          sub: 'bob-1',
          preferred_username: 'bob',
          name: 'Bob Builder',
          email: 'bob@idp.example',
          email_verified: true,
        },
        { sub: 'alice-at-idp', preferred_username: 'alice', name: 'Alice at IdP' },
      ],
      client: { id: 'gateway', secret: CLIENT_SECRET, redirectUris: [callback('idp')] },
      extraClients: [
        { id: 'gateway-strict', secret: CLIENT_SECRET, redirectUris: [callback('strict')] },
        {
          id: 'gateway-jwt-secret',
          secret: CLIENT_SECRET,
          redirectUris: [callback('jwt-secret')],
          authMethod: 'client_secret_jwt',
          signingAlg: 'HS512',
        },
        {
          // Back-channel logout with sid (the provider's session), and with sub only.
          id: 'gateway-bcl-all',
          secret: CLIENT_SECRET,
          redirectUris: [callback('bcl-all')],
          backchannelLogoutUri: `http://127.0.0.1:${port}/upstream/backchannel-logout/bcl-all`,
          backchannelLogoutSessionRequired: true,
        },
        {
          id: 'gateway-bcl-browser',
          secret: CLIENT_SECRET,
          redirectUris: [callback('bcl-browser')],
          backchannelLogoutUri: `http://127.0.0.1:${port}/upstream/backchannel-logout/bcl-browser`,
        },
        {
          // The provider checks the assertion against the gateway's published keys.
          id: 'gateway-jwt-key',
          secret: '',
          redirectUris: [callback('jwt-key')],
          authMethod: 'private_key_jwt',
          signingAlg: 'RS256',
          jwksUri: `http://127.0.0.1:${port}/oauth2/keys.json`,
        },
      ],
    });
    corp = await startUpstreamProvider({
      accounts: [{ sub: 'corp-alice', preferred_username: 'alice', name: 'Alice Corp' }],
      client: { id: 'gateway', secret: CLIENT_SECRET, redirectUris: [callback('corp')] },
      extraClients: [
        { id: 'gateway-replace', secret: CLIENT_SECRET, redirectUris: [callback('corp-replace')] },
        { id: 'gateway-set', secret: CLIENT_SECRET, redirectUris: [callback('corp-set')] },
      ],
      authMethod: 'client_secret_post',
    });
    const file = join(mkdtempSync(join(tmpdir(), 'upstream-')), 'mas.yaml');
    writeFileSync(file, providersYaml({ idp: idp.issuer, corp: corp.issuer }));
    synapse = await startSynapse({
      mode: 'delegated',
      authService: { endpoint: `http://127.0.0.1:${port}/`, secret: SYNAPSE_SECRET },
    });
    auth = await startAuth(port, synapse.baseUrl, {
      AUTH_UPSTREAM_OAUTH2_FILE: file,
      // As in MAS: registering through a provider needs no password registration.
      AUTH_REGISTRATION_ENABLED: 'false',
      AUTH_MFA_ENCRYPTION_KEY: 'upstream-test-mfa-key-0123456789abcdef',
    });
    store = auth.app.get<AuthStore>(AUTH_STORE);
    const created = await auth.app.get<Accounts>(ACCOUNTS).register('alice', 'correct horse battery');
    if (!created.ok) throw new Error(created.reason);
    sdk = await import('matrix-js-sdk');
    metadata = await sdk.createClient({ baseUrl: synapse.baseUrl }).getAuthMetadata();
    clientId = await sdk.OAuth2.registerClient(metadata, {
      client_name: 'Upstream test app',
      client_uri: 'https://app.example.org/',
      redirect_uris: [REDIRECT],
      application_type: 'web',
    });
  }, 120_000);
  afterAll(async () => {
    await auth.stop();
    await synapse.stop();
    await idp.stop();
    await corp.stop();
  });

  const whoami = async (token: string) =>
    (
      await fetch(`${synapse.baseUrl}/_matrix/client/v3/account/whoami`, {
        headers: { Authorization: `Bearer ${token}` },
      })
    ).json() as Promise<Record<string, unknown>>;

  /** The app's authorization request, with matrix-js-sdk's PKCE, up to the gateway's sign-in page. */
  async function startAtApp(browser: Browser, deviceId: string, loginHint?: string) {
    const oauth = new sdk.OAuth2(metadata, { clientId, deviceId });
    const url = new URL(
      await oauth.generateAuthorizationCodeGrantUrl(`state-${deviceId}`, REDIRECT, 'query'),
    );
    if (loginHint !== undefined) url.searchParams.set('login_hint', loginHint);
    const step = await browser.follow(await browser.get(url.toString()), auth.issuer);
    expect(step.page?.status).toBe(200);
    return { oauth, page: step.page! };
  }

  /** The sign-in page's button for a provider, then the provider's own sign-in, back at the gateway. */
  async function throughProvider(
    browser: Browser,
    signInPage: string,
    name: string,
    upstream: UpstreamProvider,
    username: string | { cancel: true },
  ) {
    const button = new RegExp(
      `action="(/upstream/authorize/[^"]+)"><input type="hidden" name="interaction" value="([^"]+)"><button type="submit" class="secondary">Continue with ${name}<`,
    ).exec(signInPage);
    expect(button, signInPage).not.toBeNull();
    const start = await browser.get(`${auth.issuer.slice(0, -1)}${button![1]}?interaction=${button![2]}`);
    expect(start.status).toBe(303);
    const back = await signInUpstream(browser, start.headers.get('location')!, upstream, username);
    return browser.follow(await browser.get(back.toString()), auth.issuer);
  }

  /** Allows the consent page when it is shown; the redirect back to the app. */
  async function consent(browser: Browser, step: Awaited<ReturnType<Browser['follow']>>): Promise<URL> {
    if (step.page?.html.includes('/consent"') === true) {
      step = await browser.follow(
        await browser.post(new URL(formAction(step.page.html, '/consent'), auth.issuer).toString(), {
          csrf: hiddenInput(step.page.html, 'csrf'),
        }),
        auth.issuer,
      );
    }
    expect(step.redirect, step.page?.html).toBeDefined();
    return step.redirect!;
  }

  it('syncs the configured providers to the database at start, without their secrets', async () => {
    await auth.app.get(ProviderSync).synced();
    const rows: unknown[] = await auth.app
      .get(Database)
      .dataSource.query('SELECT * FROM upstream_oauth_providers');
    expect(JSON.stringify(rows)).not.toContain(CLIENT_SECRET);
    const page = await store.upstream.listProviders({ enabled: true }, { first: 10 });
    expect(page.items.map((p) => [p.id, p.humanName, p.uiOrder])).toEqual([
      ['bcl-all', 'Logout All', 7],
      ['bcl-browser', 'Logout Browser', 8],
      ['corp', 'Corp SSO', 1],
      ['corp-replace', 'Corp Replace', 2],
      ['corp-set', 'Corp Set', 3],
      ['idp', 'Example ID', 0],
      ['jwt-key', 'Key JWT', 5],
      ['jwt-secret', 'Secret JWT', 4],
      ['strict', 'Strict ID', 6],
    ]);
    expect(auth.logs()).toContain('upstream providers synced');
  });

  it('registers on the first sign-in, and the token works on Synapse with the imported name', async () => {
    const browser = new Browser();
    const { oauth, page } = await startAtApp(browser, 'UPSTREAMDEV1');
    expect(page.html).toContain('Continue with Example ID');
    expect(page.html).toContain('Continue with Corp SSO');
    const link = await throughProvider(browser, page.html, 'Example ID', idp, 'bob');
    expect(link.page?.url).toMatch(/\/upstream\/link\/[A-Za-z0-9_-]{43}$/);
    const html = link.page!.html;
    expect(html).toContain('Create your account');
    expect(html).toContain('value="bob"'); // suggested, editable
    expect(html).toContain('Use the display name: <strong>Bob Builder</strong>'); // forced
    expect(html).toContain('name="import_email"');
    const registered = await browser.follow(
      await browser.post(link.page!.url, {
        csrf: hiddenInput(html, 'csrf'),
        action: 'register',
        username: 'bob',
        import_email: 'on',
      }),
      auth.issuer,
    );
    const back = await consent(browser, registered);
    expect(back.searchParams.get('state')).toBe('state-UPSTREAMDEV1');
    const tokens = await oauth.completeAuthorizationCodeGrant(back.searchParams.get('code')!, REDIRECT);
    expect(await whoami(tokens.access_token)).toMatchObject({
      user_id: '@bob:localhost',
      device_id: 'UPSTREAMDEV1',
    });
    const client = sdk.createClient({ baseUrl: synapse.baseUrl, accessToken: tokens.access_token });
    expect(await client.getProfileInfo('@bob:localhost')).toMatchObject({ displayname: 'Bob Builder' });
    const bob = await store.users.findByLocalpart('bob');
    expect(bob?.passwordHash).toBeNull();
    const links = await store.upstream.linksOfUser(bob!.id);
    expect(links.map((l) => [l.providerId, l.subject, l.humanAccountName])).toEqual([
      ['idp', 'bob-1', 'bob@idp.example'],
    ]);
    // email_verified was true: the address is confirmed.
    expect((await store.emails.listOf(bob!.id)).map((e) => [e.email, e.confirmedAt !== null])).toEqual([
      ['bob@idp.example', true],
    ]);
  }, 60_000);

  it('authenticates to the provider with client assertions: client_secret_jwt (HS512), private_key_jwt (RS256)', async () => {
    // The provider (node-oidc-provider) accepts each client only with its method and algorithm; the
    // private key's signature is checked against the gateway's /oauth2/keys.json. Reaching the link
    // page means the code was exchanged and the ID token verified.
    for (const [button, device] of [
      ['Secret JWT', 'UPSTREAMJWT1'],
      ['Key JWT', 'UPSTREAMJWT2'],
    ] as const) {
      const browser = new Browser();
      const { page } = await startAtApp(browser, device);
      const link = await throughProvider(browser, page.html, button, idp, 'bob');
      // On failure, the service's log says what the provider answered (e.g. invalid_client).
      const warnings = auth
        .logs()
        .split('\n')
        .filter((l) => l.includes('upstream code exchange failed'));
      expect(link.page?.url, `${button}: ${warnings.join('\n')}`).toMatch(
        /\/upstream\/link\/[A-Za-z0-9_-]{43}$/,
      );
      expect(link.page!.html).toContain('Create your account');
    }
  }, 60_000);

  it('signs a linked subject straight in the second time', async () => {
    const browser = new Browser();
    const { oauth, page } = await startAtApp(browser, 'UPSTREAMDEV2');
    const step = await throughProvider(browser, page.html, 'Example ID', idp, 'bob');
    expect(step.page?.html ?? '').not.toContain('Create your account');
    const back = await consent(browser, step);
    const tokens = await oauth.completeAuthorizationCodeGrant(back.searchParams.get('code')!, REDIRECT);
    expect(await whoami(tokens.access_token)).toMatchObject({ user_id: '@bob:localhost' });
  }, 60_000);

  it('on_conflict add: an imposed username of an existing account links to it (form_post answer)', async () => {
    const browser = new Browser();
    const { oauth, page } = await startAtApp(browser, 'UPSTREAMDEV3');
    const link = await throughProvider(browser, page.html, 'Corp SSO', corp, 'alice');
    const html = link.page!.html;
    expect(html).toContain('Continue as @alice:localhost');
    const done = await browser.follow(
      await browser.post(link.page!.url, { csrf: hiddenInput(html, 'csrf'), action: 'link' }),
      auth.issuer,
    );
    const back = await consent(browser, done);
    const tokens = await oauth.completeAuthorizationCodeGrant(back.searchParams.get('code')!, REDIRECT);
    expect(await whoami(tokens.access_token)).toMatchObject({ user_id: '@alice:localhost' });
    const alice = await store.users.findByLocalpart('alice');
    expect((await store.upstream.linksOfUser(alice!.id)).map((l) => [l.providerId, l.subject])).toEqual([
      ['corp', 'corp-alice'],
    ]);
  }, 60_000);

  it('on_conflict fail: an imposed username of an existing account is refused with a page', async () => {
    const browser = new Browser();
    const { page } = await startAtApp(browser, 'UPSTREAMDEV4');
    const refused = await throughProvider(browser, page.html, 'Strict ID', idp, 'alice');
    expect(refused.page?.status).toBe(409);
    expect(refused.page?.html).toContain('An account named alice already exists');
    const alice = await store.users.findByLocalpart('alice');
    expect((await store.upstream.linksOfUser(alice!.id)).map((l) => l.providerId)).toEqual(['corp']);
  }, 60_000);

  it('answers a cancelled upstream sign-in, an unknown state and another browser with pages, never a 500', async () => {
    const browser = new Browser();
    const { page } = await startAtApp(browser, 'UPSTREAMDEV5');
    const cancelled = await throughProvider(browser, page.html, 'Example ID', idp, { cancel: true });
    expect(cancelled.page?.status).toBe(400);
    expect(cancelled.page?.html).toContain('Sign-in was not completed');
    expect(cancelled.page?.html).toContain('access_denied');

    const bogus = await fetch(`${auth.issuer}upstream/callback/idp?code=abc&state=${'x'.repeat(43)}`);
    expect(bogus.status).toBe(400);
    expect(await bogus.text()).toContain('This sign-in has expired');
    expect((await fetch(`${auth.issuer}upstream/callback/nope?code=abc&state=x`)).status).toBe(404);

    // Started in one browser, answered in another (a login CSRF): refused.
    const mine = new Browser();
    const started = await startAtApp(mine, 'UPSTREAMDEV6');
    const button =
      /action="(\/upstream\/authorize\/idp)"><input type="hidden" name="interaction" value="([^"]+)"/.exec(
        started.page.html,
      );
    const start = await mine.get(`${auth.issuer.slice(0, -1)}${button![1]}?interaction=${button![2]}`);
    const back = await signInUpstream(mine, start.headers.get('location')!, idp, 'bob');
    const other = await new Browser().get(back.toString());
    expect(other.status).toBe(400);
    expect(await other.text()).toContain('started in another browser');
  }, 60_000);

  it('the account page links a second provider, unlinks, and refuses to unlink the last way in', async () => {
    const browser = new Browser();
    // Signing in to the account page through the provider (bob has no password).
    const entry = await browser.follow(await browser.get(`${auth.issuer}account/`), auth.issuer);
    let account = await throughProvider(browser, entry.page!.html, 'Example ID', idp, 'bob');
    expect(account.page?.html).toContain('Signed in as <strong>@bob:localhost</strong>');
    expect(account.page?.html).toContain('Sign-in methods');
    expect(account.page?.html).toContain('bob@idp.example');
    const bob = (await store.users.findByLocalpart('bob'))!;
    const [idpLink] = await store.upstream.linksOfUser(bob.id);
    // No password to change: no form asking for the current one, and a post is refused.
    expect(account.page?.html).not.toContain('Current password');
    expect(account.page?.html).toContain('This account has no password');
    const noPassword = await browser.post(`${auth.issuer}account/password`, {
      // The page offers no password form, so its token is made as the page would (a forged post).
      csrf: csrfToken(auth.app.get<string>(CSRF_KEY), 'account', bob.id, 'password'),
      current_password: '',
      new_password: 'a new password 4f1c9e',
      confirm_password: 'a new password 4f1c9e',
    });
    expect(noPassword.status).toBe(400);
    expect(await noPassword.text()).toContain('This account has no password to change.');
    expect((await store.users.findByLocalpart('bob'))!.passwordHash).toBeNull();

    const unlink = async (html: string, linkId: string) =>
      browser.post(`${auth.issuer}account/linked-accounts/${linkId}/unlink`, {
        csrf: new RegExp(
          `/account/linked-accounts/${linkId}/unlink"><input type="hidden" name="csrf" value="([^"]+)"`,
        ).exec(html)![1]!,
      });
    // The only way in: refused.
    const refused = await unlink(account.page!.html, idpLink!.id);
    expect(refused.status).toBe(409);
    expect(await refused.text()).toContain('This is the only way you can sign in');
    expect(await store.upstream.linksOfUser(bob.id)).toHaveLength(1);

    // Link Corp SSO: through the provider, back to the account page.
    corp.setAccount({ sub: 'corp-bob', preferred_username: 'bob.corp', name: 'Bob at Corp' });
    const linkButton =
      /action="(\/upstream\/authorize\/corp)"><input type="hidden" name="action" value="link"><input type="hidden" name="csrf" value="([^"]+)"/.exec(
        account.page!.html,
      );
    expect(linkButton).not.toBeNull();
    const start = await browser.get(
      `${auth.issuer}upstream/authorize/corp?action=link&csrf=${encodeURIComponent(linkButton![2]!.replace(/&amp;/g, '&'))}`,
    );
    expect(start.status).toBe(303);
    const back = await signInUpstream(browser, start.headers.get('location')!, corp, 'bob.corp');
    account = await browser.follow(await browser.get(back.toString()), auth.issuer);
    expect(account.page?.html).toContain('Account linked.');
    expect((await store.upstream.linksOfUser(bob.id)).map((l) => [l.providerId, l.subject])).toEqual([
      ['idp', 'bob-1'],
      ['corp', 'corp-bob'],
    ]);

    // A provider account already linked to someone else (alice's corp account) is refused; another
    // browser, so the provider asks who signs in.
    const second = new Browser();
    const secondEntry = await second.follow(await second.get(`${auth.issuer}account/`), auth.issuer);
    const secondPage = await throughProvider(second, secondEntry.page!.html, 'Example ID', idp, 'bob');
    const secondButton =
      /action="\/upstream\/authorize\/corp"><input type="hidden" name="action" value="link"><input type="hidden" name="csrf" value="([^"]+)"/.exec(
        secondPage.page!.html,
      );
    const again = await second.get(
      `${auth.issuer}upstream/authorize/corp?action=link&csrf=${encodeURIComponent(secondButton![1]!.replace(/&amp;/g, '&'))}`,
    );
    const elsewhere = await second.get(
      (await signInUpstream(second, again.headers.get('location')!, corp, 'alice')).toString(),
    );
    expect(elsewhere.status).toBe(400);
    expect(await elsewhere.text()).toContain('already linked to another account');
    // A link request without the page's CSRF token is refused.
    expect((await browser.get(`${auth.issuer}upstream/authorize/corp?action=link&csrf=forged`)).status).toBe(
      403,
    );

    // With Corp linked, Example ID may go.
    const unlinked = await unlink(account.page!.html, idpLink!.id);
    expect(unlinked.status).toBe(303);
    expect(unlinked.headers.get('location')).toBe('/account/?done=unlinked');
    expect((await store.upstream.linksOfUser(bob.id)).map((l) => l.providerId)).toEqual(['corp']);
    const events = await store.auditEvents.listPage({ subject: bob.id }, { first: 50 });
    expect(events.items.map((e) => e.type)).toEqual(
      expect.arrayContaining([
        'account.upstream.registered',
        'account.upstream-link.added',
        'account.upstream-link.removed',
        'user.login.succeeded',
      ]),
    );
  }, 60_000);

  it('an account without a password deactivates itself by typing its user ID', async () => {
    idp.setAccount({ sub: 'erin-1', preferred_username: 'erin', name: 'Erin' });
    const browser = new Browser();
    const entry = await browser.follow(await browser.get(`${auth.issuer}account/`), auth.issuer);
    const link = await throughProvider(browser, entry.page!.html, 'Example ID', idp, 'erin');
    expect(link.page?.html).toContain('Create your account');
    const account = await browser.follow(
      await browser.post(link.page!.url, {
        csrf: hiddenInput(link.page!.html, 'csrf'),
        action: 'register',
        username: 'erin',
      }),
      auth.issuer,
    );
    expect(account.page?.html).toContain('Signed in as <strong>@erin:localhost</strong>');
    const ask = await browser.get(`${auth.issuer}account/?action=org.matrix.account_deactivate`);
    const askHtml = await ask.text();
    expect(askHtml).not.toContain('name="password"');
    expect(askHtml).toContain('name="confirm_user_id"');
    const csrf = hiddenInput(askHtml, 'csrf');
    const wrong = await browser.post(`${auth.issuer}account/deactivate`, {
      csrf,
      confirm_user_id: '@bob:localhost',
    });
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain('Type your user ID exactly as shown.');
    const erin = (await store.users.findByLocalpart('erin'))!;
    expect(erin.deactivatedAt).toBeNull();
    const done = await browser.post(`${auth.issuer}account/deactivate`, {
      csrf,
      confirm_user_id: ' @erin:localhost ',
    });
    expect(done.status).toBe(200);
    expect(await done.text()).toContain('is deactivated and signed out everywhere');
    expect((await store.users.findByLocalpart('erin'))!.deactivatedAt).not.toBeNull();
    // Synapse sees it: its MAS API reports the user deactivated.
    const query = await fetch(`${synapse.baseUrl}/_synapse/mas/query_user?localpart=erin`, {
      headers: { authorization: `Bearer ${SYNAPSE_SECRET}` },
    });
    expect(await query.json()).toMatchObject({ user_id: '@erin:localhost', is_deactivated: true });
  }, 60_000);

  it('on_conflict replace and set: an existing account, its other links at that provider', async () => {
    const carol = await auth.app.get<Accounts>(ACCOUNTS).register('carol', 'correct horse battery');
    if (!carol.ok) throw new Error(carol.reason);
    const now = new Date();
    // Carol already has an account linked at each of the two providers.
    for (const providerId of ['corp-replace', 'corp-set'])
      await store.upstream.addLink(
        { providerId, subject: `old-${providerId}`, userId: carol.user.id, humanAccountName: null },
        now,
      );
    corp.setAccount({ sub: 'corp-carol', preferred_username: 'carol', name: 'Carol' });
    const linkAs = async (name: string) => {
      const browser = new Browser();
      const { page } = await startAtApp(browser, `UPSTREAM${name.replace(/\W/g, '').toUpperCase()}`);
      return { browser, step: await throughProvider(browser, page.html, name, corp, 'carol') };
    };
    // set: carol has a link there already, so no second one.
    const set = await linkAs('Corp Set');
    expect(set.step.page?.status).toBe(409);
    expect(set.step.page?.html).toContain('An account named carol already exists');
    // replace: her old link there goes, the new subject is linked.
    const replace = await linkAs('Corp Replace');
    expect(replace.step.page?.html).toContain('Continue as @carol:localhost');
    expect(replace.step.page?.html).toContain('Any other Corp Replace account linked to it is unlinked');
    const done = await replace.browser.follow(
      await replace.browser.post(replace.step.page!.url, {
        csrf: hiddenInput(replace.step.page!.html, 'csrf'),
        action: 'link',
      }),
      auth.issuer,
    );
    expect((await consent(replace.browser, done)).searchParams.get('code')).toBeTruthy();
    expect(
      (await store.upstream.linksOfUser(carol.user.id)).map((l) => [l.providerId, l.subject]).sort(),
    ).toEqual([
      ['corp-replace', 'corp-carol'],
      ['corp-set', 'old-corp-set'],
    ]);
  }, 60_000);

  it('asks a linked account with a second factor for it, and refuses a locked one', async () => {
    const created = await auth.app.get<Accounts>(ACCOUNTS).register('dave', 'correct horse battery');
    if (!created.ok) throw new Error(created.reason);
    const dave = created.user;
    await store.upstream.addLink(
      { providerId: 'idp', subject: 'dave-1', userId: dave.id, humanAccountName: null },
      new Date(),
    );
    idp.setAccount({ sub: 'dave-1', preferred_username: 'dave', name: 'Dave' });
    const mfa = auth.app.get<SecondFactor>(SECOND_FACTOR).mfa;
    const enrolment = (await mfa.pendingEnrolment(dave.id, '@dave:localhost'))!;
    const secret = base32Decode(enrolment.secret)!;
    expect(await mfa.confirmEnrolment(dave.id, totpCode(secret, totpStep(new Date()) - 1))).not.toBeNull();

    const browser = new Browser();
    const { oauth, page } = await startAtApp(browser, 'UPSTREAMMFA1');
    const step = await throughProvider(browser, page.html, 'Example ID', idp, 'dave');
    // The upstream sign-in is the first factor only: the code page, as after a password.
    expect(step.page?.html).toContain('name="code"');
    const signedIn = await browser.follow(
      await browser.post(new URL(formAction(step.page!.html, '/mfa'), auth.issuer).toString(), {
        csrf: hiddenInput(step.page!.html, 'csrf'),
        pending: hiddenInput(step.page!.html, 'pending'),
        code: totpCode(secret, totpStep(new Date())),
      }),
      auth.issuer,
    );
    const back = await consent(browser, signedIn);
    const tokens = await oauth.completeAuthorizationCodeGrant(back.searchParams.get('code')!, REDIRECT);
    expect(await whoami(tokens.access_token)).toMatchObject({ user_id: '@dave:localhost' });

    // Locked: refused on the sign-in page, as a password would be.
    await store.users.setLocked(dave.id, new Date());
    const lockedBrowser = new Browser();
    const again = await startAtApp(lockedBrowser, 'UPSTREAMMFA2');
    const refused = await throughProvider(lockedBrowser, again.page.html, 'Example ID', idp, 'dave');
    expect(refused.page?.status).toBe(403);
    expect(refused.page?.html).toContain('This account cannot sign in.');
  }, 60_000);

  it('with passwords off and one provider, the sign-in page is that provider', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'upstream-one-')), 'one.yaml');
    writeFileSync(
      file,
      `providers:\n  - { id: only, issuer: '${idp.issuer}', discovery_mode: insecure, client_id: gateway, client_secret: ${CLIENT_SECRET} }\n`,
    );
    const other = await startAuth(await freePort(), synapse.baseUrl, {
      AUTH_UPSTREAM_OAUTH2_FILE: file,
      AUTH_PASSWORD_LOGIN_ENABLED: 'false',
    });
    try {
      const registration = await fetch(`${other.issuer}oauth2/registration`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({
          client_name: 'x',
          client_uri: 'https://app.example.org/',
          redirect_uris: [REDIRECT],
          application_type: 'web',
          token_endpoint_auth_method: 'none',
        }),
      });
      const { client_id } = (await registration.json()) as { client_id: string };
      const authorize = new URL(`${other.issuer}authorize`);
      for (const [k, v] of Object.entries({
        client_id,
        redirect_uri: REDIRECT,
        response_type: 'code',
        scope: 'openid',
        code_challenge: 'x'.repeat(43),
        code_challenge_method: 'S256',
      }))
        authorize.searchParams.set(k, v);
      const browser = new Browser();
      const step = await browser.follow(await browser.get(authorize.toString()), other.issuer);
      // Straight to the provider: the first hop leaving the gateway is its authorization endpoint.
      expect(step.redirect?.origin).toBe(new URL(idp.issuer).origin);
      expect(step.redirect?.searchParams.get('redirect_uri')).toBe(`${other.issuer}upstream/callback/only`);
      // And the legacy API offers no password flow.
      const flows = (await (await fetch(`${other.issuer}_matrix/client/v3/login`)).json()) as {
        flows: { type: string }[];
      };
      expect(flows.flows.map((f) => f.type)).not.toContain('m.login.password');
      const password = await fetch(`${other.issuer}_matrix/client/v3/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({
          type: 'm.login.password',
          identifier: { type: 'm.id.user', user: 'alice' },
          password: 'correct horse battery',
        }),
      });
      expect(password.status).toBe(403);
      expect(await password.json()).toEqual({
        errcode: 'M_FORBIDDEN',
        error: 'Password login is disabled on this server',
      });
    } finally {
      await other.stop();
    }
  }, 60_000);

  it('login_hint=mxid:@user:server prefills the username', async () => {
    const { page } = await startAtApp(new Browser(), 'UPSTREAMDEV7', 'mxid:@alice:localhost');
    expect(page.html).toContain('name="username" value="alice"');
    const other = await startAtApp(new Browser(), 'UPSTREAMDEV8', 'mxid:@alice:elsewhere.example');
    expect(other.page.html).toContain('name="username" value=""');
  }, 60_000);

  /** Alice signs in to the app through `button` (linked to her account, on_conflict add). */
  async function signInThrough(button: string, device: string) {
    const browser = new Browser();
    const { oauth, page } = await startAtApp(browser, device);
    const link = await throughProvider(browser, page.html, button, idp, 'alice');
    const done = await browser.follow(
      await browser.post(link.page!.url, { csrf: hiddenInput(link.page!.html, 'csrf'), action: 'link' }),
      auth.issuer,
    );
    const back = await consent(browser, done);
    const tokens = await oauth.completeAuthorizationCodeGrant(back.searchParams.get('code')!, REDIRECT);
    expect(await whoami(tokens.access_token)).toMatchObject({
      user_id: '@alice:localhost',
      device_id: device,
    });
    return { browser, accessToken: tokens.access_token };
  }

  /** The gateway's browser sessions the provider's sign-ins for alice made, still alive. */
  const liveBrowserSessions = async (providerId: string) => {
    const signedIn = await store.upstream.signedInSessions(providerId, { sub: 'alice-at-idp', sid: null });
    return store.payloads.findKeysByUid(
      'Session',
      signedIn.map((s) => s.browserSessionUid),
    );
  };

  it('back-channel logout, logout_all: signing out at the provider ends the browser session and the Matrix session', async () => {
    const { browser, accessToken } = await signInThrough('Logout All', 'BCLALLDEV01');
    expect(await liveBrowserSessions('bcl-all')).toHaveLength(1);
    // The provider posts its logout token (with sid) to the gateway before it answers the sign-out.
    await signOutUpstream(browser, idp);
    expect(await liveBrowserSessions('bcl-all')).toEqual([]);
    // The device goes through the delete-device job; as the revocation tests, allow a loaded machine.
    const deadline = Date.now() + 10_000;
    while ((await whoami(accessToken))['errcode'] === undefined && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    expect(await whoami(accessToken)).toMatchObject({ errcode: 'M_UNKNOWN_TOKEN' });
    const ended = (await store.auditEvents.listPage({ type: 'session.ended' }, { last: 100 })).items
      .map((e) => e.details)
      .filter((d) => d['via'] === 'backchannel-logout' && d['provider'] === 'bcl-all');
    expect(ended.map((d) => d['kind']).sort()).toEqual(['browser', 'oauth']);
  }, 60_000);

  it('back-channel logout, logout_browser_only: the browser session ends, the Matrix session stays', async () => {
    const { browser, accessToken } = await signInThrough('Logout Browser', 'BCLBROWSER01');
    expect(await liveBrowserSessions('bcl-browser')).toHaveLength(1);
    // This client asked for no sid: the logout token names the subject only.
    await signOutUpstream(browser, idp);
    expect(await liveBrowserSessions('bcl-browser')).toEqual([]);
    expect(await whoami(accessToken)).toMatchObject({
      user_id: '@alice:localhost',
      device_id: 'BCLBROWSER01',
    });
  }, 60_000);

  it('answers a back-channel logout it cannot validate with 400 invalid_request, an unknown provider with 404', async () => {
    const post = (provider: string, body: string) =>
      fetch(`${auth.issuer}upstream/backchannel-logout/${provider}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body,
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      iss: idp.issuer,
      aud: 'gateway-bcl-all',
      iat: now,
      exp: now + 120,
      sub: 'alice-at-idp',
      jti: 'x',
      events: { 'http://schemas.openid.net/event/backchannel-logout': {} },
    };
    for (const token of [
      '',
      'not-a-jwt',
      `${b64({ alg: 'none' })}.${b64(claims)}.`,
      `${b64({ alg: 'HS256' })}.${b64(claims)}.${b64({})}`,
      // Signed by nobody the provider knows.
      `${b64({ alg: 'RS256', kid: 'unknown' })}.${b64(claims)}.${'A'.repeat(342)}`,
    ]) {
      const res = await post('bcl-all', new URLSearchParams({ logout_token: token }).toString());
      expect({ token, ...res }).toMatchObject({ token, status: 400, body: { error: 'invalid_request' } });
    }
    expect(await post('bcl-all', '')).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    expect(await post('nobody', 'logout_token=x')).toMatchObject({
      status: 404,
      body: { error: 'invalid_request' },
    });
  });
});
