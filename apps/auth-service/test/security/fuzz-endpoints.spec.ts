import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BODYLESS_METHODS,
  Browser,
  formAction,
  freePort,
  fuzzSeed,
  hiddenInput,
  runFuzzTier,
  type BodyExample,
  type FuzzAnswer,
  type FuzzTarget,
  type RegisteredRoute,
} from '@gateway/testing';
import type { Accounts } from '../../src/accounts/accounts';
import { OIDC_ROUTES } from '../../src/oidc/provider.factory';
import { ACCOUNTS } from '../../src/tokens';
import { startAuth, SYNAPSE_SECRET, type AuthUnderTest } from '../support/start-auth';

// Every route of the auth service that takes a body — its Nest controllers and raw Fastify routes as
// registered, plus oidc-provider's endpoints (OIDC_ROUTES, mounted in front of Fastify's router) —
// FUZZ_BODIES seeded bodies each (10,000 unless set; npm test sets 1,000, see tools/test/run-all.mjs), over
// keep-alive HTTP against the real app on real Postgres and Redis. The forms are posted with a signed-in
// browser's session cookie and its CSRF token, and the interaction pages with a live interaction, so bodies
// reach the forms' own checks. Asserted: no 5xx, no answer slower than the deadline, every answer in the
// route's documented shape, and no secret (the user's password, the admin client's secret and token, the
// Synapse secret, the MFA key, the signing key's private parts) in any answer or log line. No Synapse: its
// URL is a closed port.
const SEED = fuzzSeed(0x5ecfa0);
const UNUSED_SYNAPSE = 'http://127.0.0.1:9';
const BODY_LIMIT = 64 * 1024; // app-options.ts
const PASSWORD = 'correct horse 7c1e93 staple';
const ADMIN = { id: 'fuzz-admin', secret: 'fuzz-admin-secret-0a8b6f2d4c' };
const MFA_KEY = 'fuzz-mfa-key-0123456789abcdef-never-echoed';
const REDIRECT = 'https://client.example.org/cb';
// An id of the right shape that names nothing.
const UNKNOWN_ID = '01ARZ3NDEKTSV4RRFFQ69G5FAV';

// Routes not fuzzed, each with why; the coverage check fails on a route in neither list, and on a
// reason left here after its route is gone.
const EXCLUDED: Record<string, string> = {
  'POST /authorize':
    'oidc-mount.ts hands oidc-provider only GET /authorize (MAS has no POST form there); a POST is the 404 of an unknown route',
  'POST /logout':
    'oidc-mount.ts hands oidc-provider only GET /logout (MAS has no POST form there); a POST is the 404 of an unknown route',
};

/** The JSON bodies, by route; any other route is an HTML form. */
const JSON_EXAMPLES: Record<string, unknown> = {
  'POST /_matrix/client/:version/login': {
    type: 'm.login.password',
    identifier: { type: 'm.id.user', user: 'owner' },
    password: PASSWORD,
    device_id: 'FUZZDEV',
    initial_device_display_name: 'fuzz',
    refresh_token: true,
  },
  'POST /_matrix/client/:version/refresh': { refresh_token: 'mct_not_a_real_refresh_token' },
  'POST /_matrix/client/:version/logout': {},
  'POST /_matrix/client/:version/logout/all': {},
  'POST /oauth2/registration': {
    client_name: 'Fuzz client',
    client_uri: 'https://client.example.org/',
    redirect_uris: [REDIRECT],
    application_type: 'web',
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
  },
  'POST /api/admin/v1/users': { username: 'fuzzed', skip_homeserver_check: true },
  'POST /api/admin/v1/users/:id/set-password': {
    password: 'another fuzz password',
    skip_password_check: true,
  },
  'POST /api/admin/v1/users/:id/set-admin': { admin: true },
  'POST /api/admin/v1/user-emails': { user_id: UNKNOWN_ID, email: 'fuzz@example.org' },
  'POST /api/admin/v1/registration-tokens': { token: 'fuzztoken', usage_limit: 3, expires_at: null },
  'PUT /api/admin/v1/registration-tokens/:id': { usage_limit: 5 },
  'POST /api/admin/v1/upstream-oauth-links': {
    user_id: UNKNOWN_ID,
    provider_id: 'fuzz-provider',
    subject: 'fuzz-subject',
    human_account_name: 'fuzz',
  },
  'POST /api/admin/v1/personal-sessions': {
    actor_user_id: UNKNOWN_ID,
    human_name: 'fuzz',
    scope: 'urn:matrix:client:api:*',
    expires_in: 3600,
  },
};

/** The fields a form may carry; unknown ones are ignored by every form, so one set serves them all. */
function formFields(csrf: string, pending: string): Record<string, string> {
  return {
    csrf,
    pending,
    username: 'owner',
    password: PASSWORD,
    password_confirm: PASSWORD,
    current_password: PASSWORD,
    new_password: 'a new fuzz password',
    email: 'owner@example.org',
    code: '123456',
    name: 'fuzz',
    displayname: 'Fuzz',
    token: 'fuzztoken',
    user_code: 'ABCD-EFGH',
    xsrf: csrf,
    confirm: 'yes',
    response: '{}',
    id: UNKNOWN_ID,
    logout_token: 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJmdXp6In0.c2ln',
  };
}

const parse = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};
const has = (json: unknown, key: string): boolean => typeof json === 'object' && json !== null && key in json;

/** Fastify's own refusals before any handler (bad body, too large, unsupported type) as Matrix errors. */
const parserRefusal = (status: number, json: unknown) =>
  [400, 413, 415].includes(status) && has(json, 'errcode');

/** The documented shape of each kind of route: MAS's admin errors, Matrix errors, OAuth errors, pages. */
function shapeOf(path: string): (answer: FuzzAnswer) => string | null {
  const oauthJson =
    ['token', 'introspection', 'revocation', 'registration', 'device_authorization', 'userinfo']
      .map((k) => OIDC_ROUTES[k as keyof typeof OIDC_ROUTES])
      .includes(path as never) ||
    // A provider's server-to-server call: MAS answers it with OAuth errors.
    path === '/upstream/backchannel-logout/:providerId';
  return ({ status, contentType, text }) => {
    const json = parse(text);
    if (path.startsWith('/api/admin/')) {
      if (status === 204) return text === '' ? null : 'a 204 with a body';
      if (status < 300) return typeof json === 'object' ? null : 'a success that is not JSON';
      return has(json, 'errors') || parserRefusal(status, json) ? null : 'an admin error without `errors`';
    }
    if (path.startsWith('/_matrix/')) {
      if (status < 300) return typeof json === 'object' ? null : 'a success that is not JSON';
      return has(json, 'errcode') ? null : 'a Matrix error without errcode';
    }
    if (oauthJson) {
      if (status < 300)
        return status === 204 || typeof json === 'object' ? null : 'a success that is not JSON';
      return has(json, 'error') || parserRefusal(status, json) ? null : 'an OAuth error without `error`';
    }
    // A form: a page, a redirect, or (before the form is read) the parser's refusal.
    if (status >= 300 && status < 400) return null;
    if (contentType.startsWith('text/html')) return null;
    return parserRefusal(status, json) ? null : `a form answered ${contentType || 'without a type'}`;
  };
}

/** Every string under a JWK's private members, wherever they sit in the key file. */
function privateKeyParts(file: string): string[] {
  const found: string[] = [];
  const walk = (value: unknown): void => {
    if (typeof value !== 'object' || value === null) return;
    for (const [k, v] of Object.entries(value)) {
      if (['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'].includes(k) && typeof v === 'string') found.push(v);
      else walk(v);
    }
  };
  walk(JSON.parse(readFileSync(file, 'utf8')));
  return found;
}

describe('auth-service endpoints under seeded fuzzing', () => {
  let auth: AuthUnderTest;
  let userId: string;
  let adminToken: string;
  const browser = new Browser();
  let csrf: string;
  let interactionUid: string;
  let interactionCsrf: string;

  beforeAll(async () => {
    auth = await startAuth(await freePort(), UNUSED_SYNAPSE, {
      AUTH_ADMIN_CLIENTS: `${ADMIN.id}:${ADMIN.secret}`,
      AUTH_MFA_ENCRYPTION_KEY: MFA_KEY,
      // A configured provider (never reached) so the /upstream/* forms get past the provider lookup.
      AUTH_UPSTREAM_OAUTH2: `providers:\n  - { id: fuzz-idp, issuer: 'http://127.0.0.1:9/', discovery_mode: insecure, client_id: gw, client_secret: fuzz-secret }\n`,
    });
    const created = await auth.app.get<Accounts>(ACCOUNTS).register('owner', PASSWORD, true);
    if (!created.ok) throw new Error(created.reason);
    userId = created.user.id;

    const token = await fetch(`${auth.issuer}oauth2/token`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        Authorization: `Basic ${Buffer.from(`${ADMIN.id}:${ADMIN.secret}`).toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'urn:mas:admin' }),
    });
    adminToken = ((await token.json()) as { access_token: string }).access_token;

    // A signed-in browser: its session cookie and CSRF token go with every form body.
    const login = (await browser.follow(await browser.get(`${auth.issuer}account/`), auth.issuer)).page!;
    csrf = hiddenInput(login.html, 'csrf');
    const signedIn = await browser.post(new URL(formAction(login.html, '/login'), auth.issuer).toString(), {
      csrf,
      username: 'owner',
      password: PASSWORD,
    });
    expect(signedIn.status).toBeLessThan(400);
    // The account page signs in through its own authorization flow: follow it back to /account/callback.
    await browser.follow(signedIn, auth.issuer);
    const account = (await browser.follow(await browser.get(`${auth.issuer}account/`), auth.issuer)).page!;
    csrf = hiddenInput(account.html, 'csrf');

    // A live interaction for the /interaction/:uid/* forms.
    const registration = await fetch(`${auth.issuer}oauth2/registration`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(JSON_EXAMPLES['POST /oauth2/registration']),
    });
    const clientId = ((await registration.json()) as { client_id: string }).client_id;
    const verifier = randomBytes(32).toString('base64url');
    const authorize = new URL('authorize', auth.issuer);
    for (const [k, v] of Object.entries({
      client_id: clientId,
      response_type: 'code',
      redirect_uri: REDIRECT,
      scope: 'openid urn:matrix:client:api:*',
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
      prompt: 'login',
    }))
      authorize.searchParams.set(k, v);
    const page = (await browser.follow(await browser.get(authorize.toString()), auth.issuer)).page!;
    interactionUid = /\/interaction\/([^/"]+)\//.exec(page.html)?.[1] ?? UNKNOWN_ID;
    interactionCsrf = /name="csrf" value="([^"]*)"/.exec(page.html)?.[1] ?? csrf;
  });
  afterAll(async () => {
    await auth.stop();
  });

  /** A route pattern with its parameters filled in: the signed-in user, the live interaction. */
  function concrete(path: string): string {
    return path
      .replace(':version', 'v3')
      .replace(':uid', interactionUid)
      .replace(':providerId', 'fuzz-idp')
      .replace(/^\/api\/admin\/v1\/users\/:id/, `/api/admin/v1/users/${userId}`)
      .replace(/:[a-zA-Z]+/g, UNKNOWN_ID);
  }

  it('answers every body of every body-taking route in shape, in time, without a secret', async () => {
    // oidc-provider's routes are not Fastify's: every one but the key set may take a POST body.
    const oidcRoutes: RegisteredRoute[] = Object.values(OIDC_ROUTES)
      .filter((url) => url !== OIDC_ROUTES.jwks)
      .map((url) => ({ method: 'POST', url }));
    const routes = [...auth.routes, ...oidcRoutes];
    const targets: FuzzTarget[] = [];
    for (const { method, url } of routes) {
      const route = `${method} ${url}`;
      if (BODYLESS_METHODS.includes(method) || route in EXCLUDED) continue;
      if (targets.some((t) => t.route === route)) continue;
      const json = JSON_EXAMPLES[route];
      const example: BodyExample =
        json !== undefined || url.startsWith('/api/admin/') || url.startsWith('/_matrix/')
          ? { kind: 'json', value: json ?? {} }
          : {
              kind: 'form',
              fields: formFields(url.startsWith('/interaction/') ? interactionCsrf : csrf, ''),
              keep: ['csrf', 'xsrf'],
            };
      targets.push({
        route,
        method,
        url: new URL(concrete(url).slice(1), auth.issuer).toString(),
        headers: url.startsWith('/api/admin/')
          ? { authorization: `Bearer ${adminToken}` }
          : { cookie: browser.cookieHeader() },
        example,
        bodyLimit: BODY_LIMIT,
        shape: shapeOf(url),
        // No Synapse here (the tier needs none, for speed): what needs it answers its documented 503.
        dependencyDown: ({ status, text }) => status === 503 && /homeserver/i.test(text),
      });
    }
    const secrets = [
      PASSWORD,
      ADMIN.secret,
      adminToken,
      SYNAPSE_SECRET,
      MFA_KEY,
      ...privateKeyParts(auth.keyFile),
    ];
    const results = await runFuzzTier('auth-service', targets, {
      routes,
      excluded: EXCLUDED,
      seed: SEED,
      secrets,
      takeLogs: () => auth.takeLogs(),
    });
    // Bodies got past the CSRF and session checks (400 bad form, 403 refused) to the forms themselves.
    for (const route of [
      'POST /account/profile',
      'POST /interaction/:uid/login',
      'POST /interaction/:uid/consent',
    ]) {
      const statuses = Object.keys(results.find((r) => r.route === route)?.statuses ?? {});
      expect(
        statuses.filter((s) => !['400', '403', '413', '415'].includes(s)),
        route,
      ).not.toEqual([]);
    }
  });
});
