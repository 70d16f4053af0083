import { createHash, randomBytes } from 'node:crypto';
import { Controller, Get, Module, UseFilters, UseGuards } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthStore } from '@gateway/auth-data';
import {
  AdminApiErrorFilter,
  AdminGuard,
  AdminGuardModule,
  ServerModule,
  startApp,
  type RunningApp,
} from '@gateway/server';
import { freePort, startSynapse, type Synapse } from '@gateway/testing';
import type { Accounts } from '../../src/accounts/accounts';
import { ACCOUNTS, AUTH_STORE } from '../../src/tokens';
import { approve } from '../support/sign-in';
import { startAuth, SYNAPSE_SECRET, type AuthUnderTest } from '../support/start-auth';

const ADMIN = { id: 'rtc-admin', secret: 'rtc-admin-secret-0123456789' };
const REDIRECT = 'https://client.example.org/callback';
const PASSWORD = 'correct horse battery';

@Controller('admin/v1')
@UseGuards(AdminGuard)
@UseFilters(AdminApiErrorFilter)
class ProbeController {
  @Get('probe')
  probe(): { ok: true } {
    return { ok: true };
  }
}

/**
 * A person's own admin token (the dashboard's sign-in) at another service's admin endpoint, checked by
 * introspection as an AUTH_ADMIN_CLIENTS client: it works while the person is an admin who can sign in,
 * as the auth service's own admin API would decide. (Signing in registers the session in Synapse, hence
 * the contract tier; client tokens are in test/integration/admin-introspection.spec.ts.)
 */
describe('AdminGuard with an admin user token', () => {
  let synapse: Synapse;
  let auth: AuthUnderTest;
  let probe: RunningApp;

  beforeAll(async () => {
    const port = await freePort();
    synapse = await startSynapse({
      mode: 'delegated',
      authService: { endpoint: `http://127.0.0.1:${port}/`, secret: SYNAPSE_SECRET },
    });
    auth = await startAuth(port, synapse.baseUrl, { AUTH_ADMIN_CLIENTS: `${ADMIN.id}:${ADMIN.secret}` });
    @Module({
      imports: [
        ServerModule,
        AdminGuardModule.forRoot({ authUrl: auth.url, clientId: ADMIN.id, clientSecret: ADMIN.secret }),
      ],
      controllers: [ProbeController],
    })
    class ProbeModule {}
    probe = await startApp(ProbeModule, {
      name: 'probe',
      logLevel: 'error',
      bind: { host: '127.0.0.1', port: 0 },
    });
  });
  afterAll(async () => {
    await probe.app.close();
    await auth.stop();
    await synapse.stop();
  });

  const call = (authorization: string) =>
    fetch(`${probe.url}/admin/v1/probe`, { headers: { authorization } }).then(async (r) => ({
      status: r.status,
      body: await r.json(),
    }));

  /** A dashboard-like sign-in: authorization code + PKCE for `openid urn:mas:admin`. */
  async function signIn(username: string): Promise<string> {
    const registration = await fetch(`${auth.url}/oauth2/registration`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        client_name: 'Console',
        client_uri: 'https://client.example.org/',
        redirect_uris: [REDIRECT],
        application_type: 'web',
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code'],
        response_types: ['code'],
      }),
    });
    const clientId = ((await registration.json()) as { client_id: string }).client_id;
    const verifier = randomBytes(32).toString('base64url');
    const authorize = new URL(`${auth.url}/authorize`);
    for (const [k, v] of Object.entries({
      client_id: clientId,
      redirect_uri: REDIRECT,
      response_type: 'code',
      scope: 'openid urn:mas:admin',
      state: 'st',
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    }))
      authorize.searchParams.set(k, v);
    const callback = await approve(authorize.toString(), `${auth.url}/`, { username, password: PASSWORD });
    const res = await fetch(`${auth.url}/oauth2/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: callback.searchParams.get('code') ?? '',
        redirect_uri: REDIRECT,
        client_id: clientId,
        code_verifier: verifier,
      }),
    });
    const body = (await res.json()) as { access_token: string; scope: string };
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body.scope.split(' ')).toContain('urn:mas:admin');
    return body.access_token;
  }

  it("lets an admin's own sign-in token through, and not once they are demoted or locked", async () => {
    const store = auth.app.get<AuthStore>(AUTH_STORE);
    const created = await auth.app.get<Accounts>(ACCOUNTS).register('root', PASSWORD, true);
    if (!created.ok) throw new Error(created.reason);
    const root = await store.users.findByLocalpart('root');
    const token = await signIn('root');
    expect(await call(`Bearer ${token}`)).toEqual({ status: 200, body: { ok: true } });
    // A fresh token each time: the guard believes a positive answer for up to 5 s.
    const demoted = await signIn('root');
    await store.users.update(root!.id, { admin: false });
    expect(await call(`Bearer ${demoted}`)).toEqual({
      status: 401,
      body: { errors: [{ title: 'Unknown access token' }] },
    });
    await store.users.update(root!.id, { admin: true });
    const locked = await signIn('root');
    await store.users.update(root!.id, { lockedAt: new Date() });
    expect((await call(`Bearer ${locked}`)).status).toBe(401);
  });
});
