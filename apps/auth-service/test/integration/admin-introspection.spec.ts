import { Controller, Get, Module, UseFilters, UseGuards } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AdminApiErrorFilter,
  AdminGuard,
  AdminGuardModule,
  ServerModule,
  startApp,
  type RunningApp,
} from '@gateway/server';
import { freePort } from '@gateway/testing';
import { startAuth, type AuthUnderTest } from '../support/start-auth';

// Introspection needs no Synapse; the URL is never called.
const UNUSED_SYNAPSE = 'http://127.0.0.1:9';
const ADMIN = { id: 'rtc-admin', secret: 'rtc-admin-secret-0123456789' };

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
 * Another service's admin endpoint behind the shared AdminGuard, asking this auth service by RFC 7662
 * introspection as one of its AUTH_ADMIN_CLIENTS: what the rtc-jwt-service's admin API relies on.
 */
describe('AdminGuard against the real auth service', () => {
  let auth: AuthUnderTest;
  let probe: RunningApp;

  beforeAll(async () => {
    auth = await startAuth(await freePort(), UNUSED_SYNAPSE, {
      AUTH_ADMIN_CLIENTS: `${ADMIN.id}:${ADMIN.secret}`,
    });
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
  });

  async function clientCredentials(client: { id: string; secret: string }, scope: string): Promise<string> {
    const res = await fetch(`${auth.url}/oauth2/token`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        Authorization: `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope }),
    });
    const body = (await res.json()) as { access_token: string };
    expect(res.status, JSON.stringify(body)).toBe(200);
    return body.access_token;
  }

  const call = (authorization?: string) =>
    fetch(`${probe.url}/admin/v1/probe`, { headers: authorization ? { authorization } : {} }).then(
      async (r) => ({
        status: r.status,
        body: await r.json(),
      }),
    );

  it('lets an admin client token through: the admin client may introspect it at /oauth2/introspect', async () => {
    const token = await clientCredentials(ADMIN, 'urn:mas:admin');
    expect(await call(`Bearer ${token}`)).toEqual({ status: 200, body: { ok: true } });
  });

  it('refuses a live token without urn:mas:admin with 403, and an unknown one with 401', async () => {
    // The admin client's own token, asked for without the scope.
    const token = await clientCredentials(ADMIN, '');
    expect(await call(`Bearer ${token}`)).toEqual({
      status: 403,
      body: { errors: [{ title: 'Missing urn:mas:admin scope' }] },
    });
    expect(await call('Bearer not-a-token-anyone-issued-0000')).toEqual({
      status: 401,
      body: { errors: [{ title: 'Unknown access token' }] },
    });
    expect(await call()).toEqual({
      status: 401,
      body: { errors: [{ title: 'Missing Authorization header' }] },
    });
  });

  it('lets no client but the admin clients introspect tokens that are not its own', async () => {
    const registration = await fetch(`${auth.url}/oauth2/registration`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        client_name: 'Curious',
        client_uri: 'https://curious.example.org/',
        application_type: 'web',
        token_endpoint_auth_method: 'client_secret_basic',
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
      }),
    });
    const curious = (await registration.json()) as { client_id: string; client_secret: string };
    const introspect = async (as: { id: string; secret: string }, token: string) => {
      const res = await fetch(`${auth.url}/oauth2/introspect`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          Authorization: `Basic ${Buffer.from(`${as.id}:${as.secret}`).toString('base64')}`,
        },
        body: new URLSearchParams({ token }),
      });
      return ((await res.json()) as { active: boolean }).active;
    };
    const other = { id: curious.client_id, secret: curious.client_secret };
    const adminToken = await clientCredentials(ADMIN, 'urn:mas:admin');
    const ownToken = await clientCredentials(other, '');
    expect(await introspect(other, adminToken)).toBe(false);
    expect(await introspect(other, ownToken)).toBe(true);
    expect(await introspect(ADMIN, adminToken)).toBe(true);
    expect(await introspect(ADMIN, ownToken)).toBe(true);
  });

  it('answers 503 once the auth service is gone', async () => {
    // A token never seen before, so no cached answer applies.
    const token = await clientCredentials(ADMIN, 'urn:mas:admin');
    await auth.app.close();
    expect(await call(`Bearer ${token}`)).toEqual({
      status: 503,
      body: { errors: [{ title: 'The auth service is unavailable; the token could not be checked' }] },
    });
  });
});
