import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthStore } from '@gateway/auth-data';
import { freePort, type Synapse } from '@gateway/testing';
import type { Accounts } from '../../src/accounts/accounts';
import { ACCOUNTS, AUTH_STORE } from '../../src/tokens';
import { Browser, formAction, hiddenInput } from '../support/browser';
import { approve } from '../support/sign-in';
import { startAuth, startDelegatedStack, SYNAPSE_SECRET, type AuthUnderTest } from '../support/start-auth';

const REDIRECT = 'https://client.example.org/callback';
const DEVICE = 'GATEWAYDEVICE01';

// The whole delegated-auth contract with a real Synapse 1.160: a client registers, a user signs in
// through the HTML forms, the code is exchanged with PKCE, and Synapse accepts the token because it
// introspects it here and the user and device were provisioned before the token was handed out.
describe('OAuth sign-in through the auth service, used on Synapse', () => {
  let synapse: Synapse;
  let auth: AuthUnderTest;
  let clientId: string;

  async function registerClient(): Promise<string> {
    const registration = await fetch(`${auth.issuer}oauth2/registration`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        client_name: 'Test Client',
        client_uri: 'https://client.example.org/',
        redirect_uris: [REDIRECT],
        application_type: 'web',
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
      }),
    });
    expect(registration.status).toBe(201);
    return ((await registration.json()) as { client_id: string }).client_id;
  }

  beforeAll(async () => {
    ({ synapse, auth } = await startDelegatedStack({ username: 'alice', password: 'correct horse battery' }));
    clientId = await registerClient();
  });
  afterAll(async () => {
    await auth.stop();
    await synapse.stop();
  });

  async function signIn(
    scope: string,
    username = 'alice',
  ): Promise<{ access_token: string; refresh_token: string; scope: string }> {
    const { redirect, verifier, state } = await authorizeAs(username, scope);
    const callback = redirect!;
    expect(callback.origin + callback.pathname).toBe(REDIRECT);
    expect(callback.searchParams.get('state')).toBe(state);
    const token = await exchangeCode(auth.issuer, clientId, callback.searchParams.get('code')!, verifier);
    expect(token.status, JSON.stringify(token.body)).toBe(200);
    return token.body as { access_token: string; refresh_token: string; scope: string };
  }

  /**
   * An authorization request (code, PKCE) at `issuer` for `client`, signed in on its page as `username`:
   * where the sign-in leads (the consent page, or the client's redirect), with the PKCE verifier.
   */
  async function signInAt(issuer: string, client: string, scope: string, username = 'alice', state?: string) {
    const verifier = randomBytes(32).toString('base64url');
    const authorize = new URL(`${issuer}authorize`);
    for (const [k, v] of Object.entries({
      client_id: client,
      redirect_uri: REDIRECT,
      response_type: 'code',
      scope,
      ...(state === undefined ? {} : { state }),
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    }))
      authorize.searchParams.set(k, v);
    const browser = new Browser();
    const first = await browser.follow(await browser.get(authorize.toString()), issuer);
    expect(first.page?.html).toContain('name="username"');
    const login = first.page!;
    const step = await browser.follow(
      await browser.post(new URL(formAction(login.html, '/login'), issuer).toString(), {
        csrf: hiddenInput(login.html, 'csrf'),
        username,
        password: 'correct horse battery',
      }),
      issuer,
    );
    return { browser, step, verifier };
  }

  /** The token endpoint's answer to an authorization code with its PKCE verifier. */
  async function exchangeCode(issuer: string, client: string, code: string, verifier: string) {
    const res = await fetch(`${issuer}oauth2/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: REDIRECT,
        client_id: client,
        code_verifier: verifier,
      }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  /** Drives the authorization request through the sign-in (and consent) pages to the client's redirect. */
  async function authorizeAs(
    username: string,
    scope: string,
  ): Promise<{ redirect: URL | undefined; verifier: string; state: string }> {
    const state = randomBytes(8).toString('hex');
    const signedIn = await signInAt(auth.issuer, clientId, scope, username, state);
    const { browser, verifier } = signedIn;
    let { step } = signedIn;
    if (step.page) {
      // The consent page: allow.
      expect(step.page.html).toContain('Allow access');
      step = await browser.follow(
        await browser.post(new URL(formAction(step.page.html, '/consent'), auth.issuer).toString(), {
          csrf: hiddenInput(step.page.html, 'csrf'),
        }),
        auth.issuer,
      );
    }
    return { redirect: step.redirect, verifier, state };
  }

  const form = (path: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
    fetch(`${auth.issuer}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(fields),
    });
  const refresh = (refreshToken: string) =>
    form('oauth2/token', { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: clientId });
  async function until(check: () => Promise<boolean>, ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > deadline)
        throw new Error(
          `condition not met in time\n${auth
            .logs()
            .split('\n')
            .filter((l) => /warn|error/.test(l))
            .slice(-6)
            .join('\n')}`,
        );
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  const whoami = (token: string) =>
    fetch(`${synapse.baseUrl}/_matrix/client/v3/account/whoami`, {
      headers: { Authorization: `Bearer ${token}` },
    });

  it('issues MAS-format tokens that Synapse accepts for the user and device', async () => {
    const tokens = await signIn(`openid urn:matrix:client:api:* urn:matrix:client:device:${DEVICE}`);
    expect(tokens.access_token).toMatch(/^mat_[A-Za-z0-9]{30}_[A-Za-z0-9]{6}$/);
    expect(tokens.refresh_token).toMatch(/^mar_[A-Za-z0-9]{30}_[A-Za-z0-9]{6}$/);
    const res = await whoami(tokens.access_token);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ user_id: '@alice:localhost', device_id: DEVICE });
  });

  it('publishes the discovery document clients and Synapse need, with the issuer exact', async () => {
    const d = (await (await fetch(`${auth.issuer}.well-known/openid-configuration`)).json()) as Record<
      string,
      unknown
    >;
    expect(d).toMatchObject({
      issuer: auth.issuer,
      authorization_endpoint: `${auth.issuer}authorize`,
      token_endpoint: `${auth.issuer}oauth2/token`,
      introspection_endpoint: `${auth.issuer}oauth2/introspect`,
      revocation_endpoint: `${auth.issuer}oauth2/revoke`,
      registration_endpoint: `${auth.issuer}oauth2/registration`,
      device_authorization_endpoint: `${auth.issuer}oauth2/device`,
      jwks_uri: `${auth.issuer}oauth2/keys.json`,
      userinfo_endpoint: `${auth.issuer}oauth2/userinfo`,
      account_management_uri: `${auth.issuer}account/`,
      code_challenge_methods_supported: ['S256'],
    });
    expect(d['account_management_actions_supported']).toEqual(
      expect.arrayContaining(['org.matrix.profile', 'org.matrix.sessions_list']),
    );
    expect(d['prompt_values_supported']).toEqual(expect.arrayContaining(['create']));
    expect(d['response_modes_supported']).toEqual(expect.arrayContaining(['query', 'fragment']));
    expect(d['grant_types_supported']).toEqual(
      expect.arrayContaining([
        'authorization_code',
        'refresh_token',
        'urn:ietf:params:oauth:grant-type:device_code',
        'client_credentials',
      ]),
    );
    // Synapse re-publishes it verbatim for clients.
    const viaSynapse = (await (
      await fetch(`${synapse.baseUrl}/_matrix/client/v1/auth_metadata`)
    ).json()) as Record<string, unknown>;
    expect(viaSynapse['issuer']).toBe(auth.issuer);
  });

  it('remembers consent per client and scopes: a later sign-in for a new device skips the consent page', async () => {
    await signIn('urn:matrix:client:api:* urn:matrix:client:device:CONSENTONCE1');
    const { step: after } = await signInAt(
      auth.issuer,
      clientId,
      'urn:matrix:client:api:* urn:matrix:client:device:CONSENTTWICE',
    );
    expect(after.page).toBeUndefined();
    expect(after.redirect?.searchParams.get('code')).toEqual(expect.any(String));
  });

  it('skips the consent page for a client in AUTH_FIRST_PARTY_CLIENTS, and only for it', async () => {
    // Ids are chosen at registration: the operator lists one and restarts, as a deployment would.
    const listed = await registerClient();
    const unlisted = await registerClient();
    const replica = await startAuth(
      await freePort(),
      synapse.baseUrl,
      { AUTH_FIRST_PARTY_CLIENTS: listed },
      { replicaOf: auth },
    );
    try {
      // Neither client has alice's consent yet.
      const scope = 'urn:matrix:client:api:* urn:matrix:client:device:FIRSTPARTY01';
      // Listed: from the sign-in straight back to the client with a code, which gets the tokens.
      const first = await signInAt(replica.issuer, listed, scope);
      expect(first.step.page).toBeUndefined();
      const code = first.step.redirect?.searchParams.get('code');
      expect(code).toEqual(expect.any(String));
      const token = await exchangeCode(replica.issuer, listed, code!, first.verifier);
      expect(token.status, JSON.stringify(token.body)).toBe(200);
      expect(String(token.body['scope']).split(' ')).toContain('urn:matrix:client:api:*');
      // Not listed, same server and request: the consent page.
      const { step: other } = await signInAt(replica.issuer, unlisted, scope);
      expect(other.redirect).toBeUndefined();
      expect(other.page?.html).toContain('Allow access');
    } finally {
      await replica.stop();
    }
  });

  it('rotates refresh tokens, and a replayed one ends the session and deletes its device in Synapse', async () => {
    const device = 'REPLAYDEVICE01';
    const first = await signIn(`urn:matrix:client:api:* urn:matrix:client:device:${device}`);
    const store = auth.app.get<AuthStore>(AUTH_STORE);
    const alice = (await store.users.findByLocalpart('alice'))!.id;
    const { grantId } = (await store.sessions.activeForUser(alice)).find((s) => s.deviceId === device)!;
    const rotated = await refresh(first.refresh_token);
    expect(rotated.status).toBe(200);
    const second = (await rotated.json()) as { access_token: string; refresh_token: string };
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect((await whoami(second.access_token)).status).toBe(200);

    const replay = await refresh(first.refresh_token);
    expect(replay.status).toBe(400);
    expect(await replay.json()).toMatchObject({ error: 'invalid_grant' });
    // The device goes, so Synapse refuses the session's tokens at once, whatever it cached.
    await until(async () => (await whoami(second.access_token)).status === 401, 10_000);
    expect((await refresh(second.refresh_token)).status).toBe(400);
    // Audited after the session's end: a replay may be a thief's, so nobody known is the actor.
    const replayed = () => store.auditEvents.listPage({ type: 'refresh.replayed', subject: grantId }, {});
    await until(async () => (await replayed()).items.length > 0, 10_000);
    expect((await replayed()).items.map((e) => [e.actor, e.actorKind, e.outcome, e.details])).toEqual([
      ['anonymous', 'anonymous', 'succeeded', { client_id: clientId, device_id: device, user_id: alice }],
    ]);
  });

  it('ends the session when a token is revoked', async () => {
    const tokens = await signIn('urn:matrix:client:api:* urn:matrix:client:device:REVOKEDEVICE1');
    expect((await whoami(tokens.access_token)).status).toBe(200);
    const revoked = await form('oauth2/revoke', { token: tokens.refresh_token, client_id: clientId });
    expect(revoked.status).toBe(200);
    await until(async () => (await whoami(tokens.access_token)).status === 401, 10_000);
  });

  it('answers introspection only with the shared secret, in the shape Synapse reads', async () => {
    const tokens = await signIn('urn:matrix:client:api:* urn:matrix:client:device:INTROSPECT01');
    const wrong = await form(
      'oauth2/introspect',
      { token: tokens.access_token },
      { Authorization: 'Bearer not-the-secret' },
    );
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({
      error: expect.stringMatching(/^(access_denied|invalid_client)$/),
    });
    const right = await form(
      'oauth2/introspect',
      { token: tokens.access_token, token_type_hint: 'access_token' },
      { Authorization: `Bearer ${SYNAPSE_SECRET}` },
    );
    expect(right.status).toBe(200);
    const body = (await right.json()) as Record<string, unknown>;
    // The device travels in the scope (device_id is for compat sessions), in both forms.
    expect(body).toMatchObject({
      active: true,
      username: 'alice',
      client_id: clientId,
      token_type: 'access_token',
    });
    expect(String(body['scope']).split(' ').sort()).toEqual(
      [
        'urn:matrix:client:api:*',
        'urn:matrix:client:device:INTROSPECT01',
        'urn:matrix:org.matrix.msc2967.client:api:*',
        'urn:matrix:org.matrix.msc2967.client:device:INTROSPECT01',
      ].sort(),
    );
    expect(Number(body['expires_in'])).toBeGreaterThan(0);
    for (const token of ['', 'garbage', tokens.refresh_token, `${tokens.access_token.slice(0, -1)}x`]) {
      const res = await form('oauth2/introspect', { token }, { Authorization: `Bearer ${SYNAPSE_SECRET}` });
      expect(res.status).toBe(token === '' ? 400 : 200);
      if (token !== '') expect(await res.json()).toEqual({ active: false });
    }
  });

  it('gives the admin scope to admins only, and Synapse honours it', async () => {
    const refused = await authorizeAs(
      'alice',
      'urn:matrix:client:api:* urn:synapse:admin:* urn:matrix:client:device:NOTADMIN01',
    );
    expect(refused.redirect?.searchParams.get('error')).toBe('invalid_scope');

    const accounts = auth.app.get<Accounts>(ACCOUNTS);
    expect((await accounts.register('root', 'correct horse battery', true)).ok).toBe(true);
    const tokens = await signIn(
      'urn:matrix:client:api:* urn:synapse:admin:* urn:matrix:client:device:ADMINDEVICE1',
      'root',
    );
    expect(tokens.scope.split(' ')).toContain('urn:synapse:admin:*');
    const admin = await fetch(`${synapse.baseUrl}/_synapse/admin/v2/users/@alice:localhost`, {
      headers: { Authorization: `Bearer ${tokens.access_token}` },
    });
    expect(admin.status).toBe(200);
    expect(await admin.json()).toMatchObject({ name: '@alice:localhost' });
  });

  it('refuses a wrong redirect URI, a missing or wrong PKCE verifier, and a reused code with OAuth errors', async () => {
    const bad = await fetch(
      `${auth.issuer}authorize?client_id=${clientId}&redirect_uri=${encodeURIComponent('https://evil.example/cb')}&response_type=code&scope=openid&code_challenge=${'a'.repeat(43)}&code_challenge_method=S256`,
      { redirect: 'manual' },
    );
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('redirect_uri');
    const noPkce = await fetch(
      `${auth.issuer}authorize?client_id=${clientId}&redirect_uri=${encodeURIComponent(REDIRECT)}&response_type=code&scope=openid`,
      { redirect: 'manual' },
    );
    expect(new URL(noPkce.headers.get('location') ?? 'x:/').searchParams.get('error')).toBe(
      'invalid_request',
    );
    // A real code: first with the wrong verifier, then properly, then again.
    const { redirect, verifier } = await authorizeAs(
      'alice',
      'urn:matrix:client:api:* urn:matrix:client:device:CODEREUSE01',
    );
    const code = redirect!.searchParams.get('code')!;
    const exchange = (codeVerifier: string) => exchangeCode(auth.issuer, clientId, code, codeVerifier);
    expect(await exchange(randomBytes(32).toString('base64url'))).toMatchObject({
      status: 400,
      body: { error: 'invalid_grant' },
    });
    expect((await exchange(verifier)).status).toBe(200);
    expect(await exchange(verifier)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });

  it('answers malformed and forged page submissions with a page, never a 5xx', async () => {
    const cases: [string, Record<string, string>][] = [
      ['interaction/nonexistent/login', { username: 'alice', password: 'x' }],
      ['interaction/nonexistent/consent', {}],
      ['interaction/%00/register', { username: '\u0000', password: '' }],
      ['account/sessions/whatever/end', { csrf: 'forged' }],
    ];
    for (const [path, fields] of cases) {
      const res = await form(path, fields);
      expect({ path, ok: res.status >= 200 && res.status < 500 }).toEqual({ path, ok: true });
    }
  });

  it('never answers a fuzzed token request with a 5xx', async () => {
    const pick = <T>(xs: T[]): T => xs[Math.floor(Math.random() * xs.length)]!;
    const values = [
      '',
      'x',
      'mat_x',
      'mar_' + 'a'.repeat(30) + '_000000',
      '\u0000',
      'é'.repeat(300),
      clientId,
      REDIRECT,
      '%',
      '[]',
    ];
    const fields = [
      'grant_type',
      'code',
      'refresh_token',
      'client_id',
      'redirect_uri',
      'code_verifier',
      'device_code',
      'scope',
    ];
    for (let i = 0; i < 120; i++) {
      const body = new URLSearchParams();
      body.set(
        'grant_type',
        pick([
          'authorization_code',
          'refresh_token',
          'urn:ietf:params:oauth:grant-type:device_code',
          'client_credentials',
          'password',
          '',
        ]),
      );
      for (const f of fields) if (Math.random() < 0.5) body.set(f, pick(values));
      const contentType = pick(['application/x-www-form-urlencoded', 'application/json', 'text/plain']);
      const res = await fetch(`${auth.issuer}oauth2/token`, {
        method: 'POST',
        headers: { 'Content-Type': contentType },
        body: body.toString(),
      });
      expect({ body: body.toString(), contentType, status: res.status < 500 }).toEqual({
        body: body.toString(),
        contentType,
        status: true,
      });
    }
  });

  it('serves the account page: signs in, lists the devices, and signs one out (deleting it in Synapse)', async () => {
    const tokens = await signIn('urn:matrix:client:api:* urn:matrix:client:device:ACCOUNTPAGE1');
    const metadata = (await (await fetch(`${auth.issuer}.well-known/openid-configuration`)).json()) as Record<
      string,
      string
    >;
    const browser = new Browser();
    let step = await browser.follow(await browser.get(metadata['account_management_uri']!), auth.issuer);
    const login = step.page!;
    expect(login.html).toContain('name="password"');
    step = await browser.follow(
      await browser.post(new URL(formAction(login.html, '/login'), auth.issuer).toString(), {
        csrf: hiddenInput(login.html, 'csrf'),
        username: 'alice',
        password: 'correct horse battery',
      }),
      auth.issuer,
    );
    expect(step.page?.html).toContain('Signed in as <strong>@alice:localhost</strong>');
    expect(step.page?.html).toContain('ACCOUNTPAGE1');
    const focused = await browser.follow(
      await browser.get(
        `${metadata['account_management_uri']!}?action=org.matrix.session_end&device_id=ACCOUNTPAGE1`,
      ),
      auth.issuer,
    );
    const html = focused.page!.html;
    await browser.follow(
      await browser.post(new URL(formAction(html, '/end'), auth.issuer).toString(), {
        csrf: hiddenInput(html, 'csrf'),
      }),
      auth.issuer,
    );
    await until(async () => (await whoami(tokens.access_token)).status === 401, 10_000);
  });

  it('registers a new account through prompt=create and the account works on Synapse', async () => {
    const verifier = randomBytes(32).toString('base64url');
    const url = new URL(`${auth.issuer}authorize`);
    for (const [k, v] of Object.entries({
      client_id: clientId,
      redirect_uri: REDIRECT,
      response_type: 'code',
      prompt: 'create',
      scope: 'urn:matrix:client:api:* urn:matrix:client:device:NEWUSERDEV1',
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    }))
      url.searchParams.set(k, v);
    const back = await approve(url.toString(), auth.issuer, {
      username: 'newcomer',
      password: 'a fine long password',
      register: true,
    });
    const token = await exchangeCode(auth.issuer, clientId, back.searchParams.get('code')!, verifier);
    expect(await (await whoami(String(token.body['access_token']))).json()).toMatchObject({
      user_id: '@newcomer:localhost',
      device_id: 'NEWUSERDEV1',
    });
  });

  it('applies MSC2966 to dynamic registration', async () => {
    const register = (body: object) =>
      fetch(`${auth.issuer}oauth2/registration`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
    const base = {
      client_name: 'x',
      client_uri: 'https://app.example.org/',
      redirect_uris: ['https://app.example.org/cb'],
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code'],
      response_types: ['code'],
    };
    expect((await register(base)).status).toBe(201);
    const { client_uri: _omit, ...noClientUri } = base;
    const missing = await register(noClientUri);
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ error: 'invalid_client_metadata' });
    const elsewhere = await register({ ...base, redirect_uris: ['https://evil.example/cb'] });
    expect(elsewhere.status).toBe(400);
    expect(await elsewhere.json()).toMatchObject({ error: 'invalid_redirect_uri' });
    const native = await register({
      ...base,
      application_type: 'native',
      redirect_uris: ['org.example.app:/callback', 'http://127.0.0.1:4242/cb'],
    });
    expect(native.status).toBe(201);
  });

  it('limits failed sign-ins per username (shared through Redis) and says so on the page', async () => {
    const url = new URL(`${auth.issuer}authorize`);
    for (const [k, v] of Object.entries({
      client_id: clientId,
      redirect_uri: REDIRECT,
      response_type: 'code',
      scope: 'openid',
      code_challenge: 'a'.repeat(43),
      code_challenge_method: 'S256',
    })) {
      url.searchParams.set(k, v);
    }
    const browser = new Browser();
    const page = (await browser.follow(await browser.get(url.toString()), auth.issuer)).page!;
    const action = new URL(formAction(page.html, '/login'), auth.issuer).toString();
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      const res = await browser.post(action, {
        csrf: hiddenInput(page.html, 'csrf'),
        username: 'bruteforced',
        password: `guess-${i}`,
      });
      statuses.push(res.status);
      if (res.status === 429) expect(await res.text()).toContain('Too many failed attempts');
    }
    expect(statuses.slice(0, 10)).toEqual(Array<number>(10).fill(401));
    expect(statuses[10]).toBe(429);
    expect(await auth.redis.redis.keys(`${auth.redis.prefix}:rl:login-account:bruteforced`)).toHaveLength(1);
  });
});
