import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeHomeserver, unusedPort, type FakeHomeserver } from '../../test/fakes/fake-homeserver';
import { OAuthTokenError, OAuthTokenSource } from './oauth-token-source';
import { MembershipUnknownError } from './is-joined-client';

const GRANTED = 'urn:matrix:client:api:* urn:matrix:client:io.element.msc4502:rooms:is_joined';

// A real local token endpoint (node:http), so the source does its real HTTP work; the clock is moved by hand.
describe('OAuthTokenSource (client_credentials from the auth service)', () => {
  let auth: FakeHomeserver;
  let now: number;
  let issued: number;
  let bodies: string[];
  let authorizations: (string | undefined)[];
  const source = (url = `${auth.baseUrl}/oauth2/token`, secret = 'sec:ret') =>
    new OAuthTokenSource({ tokenUrl: url, clientId: 'rtc', clientSecret: secret }, () => now);
  const answerTokens = (extra: Record<string, unknown> = {}, delayMs = 0): void => {
    auth.handle((req, res) => {
      authorizations.push(req.headers.authorization);
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        bodies.push(body);
        issued += 1;
        setTimeout(() => {
          res.writeHead(200, { 'Content-Type': 'application/json' }).end(
            JSON.stringify({
              access_token: `token-${String(issued)}`,
              token_type: 'Bearer',
              expires_in: 300,
              scope: GRANTED,
              ...extra,
            }),
          );
        }, delayMs);
      });
    });
  };

  beforeEach(async () => {
    auth = await startFakeHomeserver();
    now = 1_000_000;
    issued = 0;
    bodies = [];
    authorizations = [];
  });
  afterEach(async () => {
    await auth.close();
  });

  it('asks for both scopes with client_secret_basic, and reuses the token until shortly before it expires', async () => {
    answerTokens();
    const tokens = source();
    expect(await tokens.token()).toBe('token-1');
    expect(Object.fromEntries(new URLSearchParams(bodies[0]))).toEqual({
      grant_type: 'client_credentials',
      scope: GRANTED,
    });
    // RFC 6749 §2.3.1: id and secret form-encoded, then Basic.
    expect(authorizations[0]).toBe(`Basic ${Buffer.from('rtc:sec%3Aret').toString('base64')}`);
    now += 269_000;
    expect(await tokens.token()).toBe('token-1');
    now += 1_000; // 30 s before expiry
    expect(await tokens.token()).toBe('token-2');
    expect(issued).toBe(2);
  });

  it('fetches once for concurrent callers, and again after the homeserver refused the token', async () => {
    answerTokens({}, 50);
    const tokens = source();
    expect(await Promise.all([tokens.token(), tokens.token(), tokens.token()])).toEqual([
      'token-1',
      'token-1',
      'token-1',
    ]);
    expect(issued).toBe(1);
    tokens.invalidate('token-0'); // not the cached one: nothing happens
    expect(await tokens.token()).toBe('token-1');
    tokens.invalidate('token-1');
    expect(await tokens.token()).toBe('token-2');
  });

  it('keeps a short-lived token for three quarters of its life', async () => {
    answerTokens({ expires_in: 60 });
    const tokens = source();
    await tokens.token();
    now += 44_000;
    expect(await tokens.token()).toBe('token-1');
    now += 1_000;
    expect(await tokens.token()).toBe('token-2');
  });

  it('fails as a MembershipUnknownError that says why: refused, scope missing, no token, unreachable', async () => {
    auth.handle((_req, res) => {
      res.writeHead(401, { 'Content-Type': 'application/json' }).end('{"error":"invalid_client"}');
    });
    const refused = await source()
      .token()
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(MembershipUnknownError);
    expect(refused).toMatchObject({ reason: 'refused', status: 401, oauthError: 'invalid_client' });
    expect((refused as Error).message).not.toContain('sec');

    answerTokens({ scope: 'urn:matrix:client:api:*' });
    await expect(source().token()).rejects.toMatchObject({
      reason: 'scope',
      message:
        'the auth service did not grant urn:matrix:client:io.element.msc4502:rooms:is_joined to client rtc',
    });
    answerTokens({ scope: undefined });
    await expect(source().token()).rejects.toMatchObject({
      reason: 'scope',
      message:
        'the auth service did not grant urn:matrix:client:api:* urn:matrix:client:io.element.msc4502:rooms:is_joined to client rtc',
    });

    auth.handle((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"token_type":"Bearer"}');
    });
    await expect(source().token()).rejects.toMatchObject({ reason: 'bad-answer' });

    const down = source(`http://127.0.0.1:${String(await unusedPort())}/oauth2/token`);
    await expect(down.token()).rejects.toBeInstanceOf(OAuthTokenError);
    await expect(down.token()).rejects.toMatchObject({ reason: 'unreachable' });
  });

  it('does not cache a failure: the next call asks again', async () => {
    auth.handle((_req, res) => {
      res.writeHead(503).end();
    });
    const tokens = source();
    await expect(tokens.token()).rejects.toMatchObject({ reason: 'refused', status: 503 });
    answerTokens();
    expect(await tokens.token()).toBe('token-1');
  });
});
