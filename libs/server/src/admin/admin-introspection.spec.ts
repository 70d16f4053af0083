import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AdminApiError } from './admin-error';
import { AdminIntrospection } from './admin-introspection';

interface Seen {
  authorization: string | undefined;
  contentType: string | undefined;
  form: URLSearchParams;
}

/** A loopback introspection endpoint whose answers each test chooses, recording what it was asked. */
class FakeIntrospection {
  readonly seen: Seen[] = [];
  answer: (form: URLSearchParams, res: ServerResponse) => void = (_f, res) => {
    json(res, 200, { active: false });
  };
  private server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const form = new URLSearchParams(body);
        this.seen.push({
          authorization: req.headers.authorization,
          contentType: req.headers['content-type'],
          form,
        });
        if (req.url !== '/auth/oauth2/introspect' || req.method !== 'POST') json(res, 404, {});
        else this.answer(form, res);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${String((this.server.address() as AddressInfo).port)}/auth`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) =>
      this.server?.close(() => {
        resolve();
      }),
    );
  }
}

function json(res: ServerResponse, status: number, body: object): void {
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}

async function refusal(p: Promise<void>): Promise<{ status: number; body: object }> {
  try {
    await p;
  } catch (err) {
    if (err instanceof AdminApiError) return { status: err.status, body: err.toBody() };
    throw err;
  }
  throw new Error('the check passed');
}

describe(AdminIntrospection.name, () => {
  let fake: FakeIntrospection;
  let now: number;
  let reasons: string[];
  const make = (timeoutMs = 2_000) =>
    new AdminIntrospection(
      { authUrl: fake.url, clientId: 'rtc admin', clientSecret: 's3cret:x' },
      { clock: () => now, timeoutMs, onUnavailable: (r) => reasons.push(r) },
    );

  beforeEach(async () => {
    fake = new FakeIntrospection();
    await fake.start();
    now = Date.parse('2031-01-01T00:00:00Z');
    reasons = [];
  });
  afterEach(async () => {
    await fake.stop();
  });

  it('lets an active token with urn:mas:admin through, asking as the configured client with client_secret_basic', async () => {
    fake.answer = (form, res) => {
      json(res, 200, {
        active: true,
        scope: 'openid urn:mas:admin',
        exp: Math.floor(now / 1000) + 300,
        token: form.get('token'),
      });
    };
    await make().check('Bearer tok-1');
    expect(fake.seen).toHaveLength(1);
    const [seen] = fake.seen;
    // RFC 6749 §2.3.1: both parts form-encoded, then joined.
    expect(seen!.authorization).toBe(`Basic ${Buffer.from('rtc+admin:s3cret%3Ax').toString('base64')}`);
    expect(seen!.contentType).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(seen!.form)).toEqual({ token: 'tok-1', token_type_hint: 'access_token' });
  });

  it('refuses a missing or non-Bearer header with 401 without asking the auth service', async () => {
    const guard = make();
    expect(await refusal(guard.check(undefined))).toEqual({
      status: 401,
      body: { errors: [{ title: 'Missing Authorization header' }] },
    });
    expect(await refusal(guard.check('Basic Zm9vOmJhcg=='))).toEqual({
      status: 401,
      body: { errors: [{ title: 'Invalid Authorization header' }] },
    });
    expect(fake.seen).toHaveLength(0);
  });

  it('refuses an inactive token with 401 and an active one without urn:mas:admin with 403, asking again each time', async () => {
    const guard = make();
    expect(await refusal(guard.check('Bearer gone'))).toEqual({
      status: 401,
      body: { errors: [{ title: 'Unknown access token' }] },
    });
    fake.answer = (_f, res) => {
      json(res, 200, { active: true, scope: 'urn:matrix:client:api:* urn:mas:admin:x' });
    };
    const forbidden = { status: 403, body: { errors: [{ title: 'Missing urn:mas:admin scope' }] } };
    expect(await refusal(guard.check('Bearer user'))).toEqual(forbidden);
    expect(await refusal(guard.check('Bearer user'))).toEqual(forbidden);
    expect(fake.seen).toHaveLength(3);
  });

  it('believes a positive answer for 5 s at most, and never past the token expiry', async () => {
    const exp = Math.floor(now / 1000) + 2;
    fake.answer = (_f, res) => {
      json(res, 200, { active: true, scope: 'urn:mas:admin', exp });
    };
    const guard = make();
    await guard.check('Bearer short');
    await guard.check('Bearer short');
    expect(fake.seen).toHaveLength(1);
    now += 2_000;
    await guard.check('Bearer short');
    expect(fake.seen).toHaveLength(2);

    fake.answer = (_f, res) => {
      json(res, 200, { active: true, scope: 'urn:mas:admin', exp: Math.floor(now / 1000) + 3600 });
    };
    await guard.check('Bearer long');
    now += 4_999;
    await guard.check('Bearer long');
    expect(fake.seen).toHaveLength(3);
    now += 1;
    // Revoked meanwhile: the next check after the 5 s asks again and refuses.
    fake.answer = (_f, res) => {
      json(res, 200, { active: false });
    };
    expect((await refusal(guard.check('Bearer long'))).status).toBe(401);
    expect(fake.seen).toHaveLength(4);
  });

  it('asks once for concurrent requests with the same token', async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => (release = r));
    fake.answer = (_f, res) =>
      void held.then(() => {
        json(res, 200, { active: true, scope: 'urn:mas:admin' });
      });
    const guard = make();
    const checks = Array.from({ length: 5 }, () => guard.check('Bearer burst'));
    await new Promise((r) => setTimeout(r, 50));
    release();
    await Promise.all(checks);
    expect(fake.seen).toHaveLength(1);
  });

  it('answers 503 when the auth service errs, refuses this client, is too slow or is down, saying why in the log', async () => {
    const unavailable = {
      status: 503,
      body: { errors: [{ title: 'The auth service is unavailable; the token could not be checked' }] },
    };
    fake.answer = (_f, res) => {
      json(res, 500, { error: 'server_error' });
    };
    expect(await refusal(make().check('Bearer t'))).toEqual(unavailable);
    fake.answer = (_f, res) => {
      json(res, 401, { error: 'invalid_client' });
    };
    expect(await refusal(make().check('Bearer t'))).toEqual(unavailable);
    fake.answer = (_f, res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end('<html>proxy</html>');
    expect(await refusal(make().check('Bearer t'))).toEqual(unavailable);
    fake.answer = () => undefined; // never answers
    expect(await refusal(make(200).check('Bearer t'))).toEqual(unavailable);
    await fake.stop();
    expect(await refusal(make().check('Bearer t'))).toEqual(unavailable);
    expect(reasons).toEqual([
      'the auth service answered introspection with 500',
      "the auth service refused this service's introspection client (401); check its client id and secret",
      expect.stringMatching(/^the auth service could not be reached: .*JSON/),
      expect.stringMatching(/^the auth service could not be reached: .*(timeout|aborted)/i),
      expect.stringMatching(/^the auth service could not be reached: fetch failed/),
    ]);
  });
});
