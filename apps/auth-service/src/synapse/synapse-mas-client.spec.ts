import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SynapseCallError } from './synapse-call-error';
import { SynapseMasClient, type MasCallEvent } from './synapse-mas-client';

const SECRET = 'unit-secret-7c1e';

interface Sent {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: unknown;
}

/** A fetch that records the request and answers with `status` and `body` (a string is sent as is). */
function fakeFetch(status: number, body: unknown = {}): { fetch: typeof fetch; sent: Sent[] } {
  const sent: Sent[] = [];
  const fn = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const headers = init?.headers as Record<string, string>;
    sent.push({
      url: typeof input === 'string' ? input : input instanceof URL ? input.href : input.url,
      method: init?.method ?? 'GET',
      headers,
      body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
    });
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    return Promise.resolve(new Response(status === 204 ? null : text, { status }));
  };
  return { fetch: fn, sent };
}

function clientWith(f: typeof fetch, extra: { baseUrl?: string; onCall?: (e: MasCallEvent) => void } = {}) {
  return new SynapseMasClient({
    baseUrl: extra.baseUrl ?? 'http://synapse:8008/',
    secret: SECRET,
    fetch: f,
    ...extra,
  });
}

async function failure(promise: Promise<unknown>): Promise<SynapseCallError> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SynapseCallError);
  expect((err as Error).message).not.toContain(SECRET);
  return err as SynapseCallError;
}

describe('SynapseMasClient wire format', () => {
  it('sends each call to its path with the Bearer secret and the body Synapse parses', async () => {
    const { fetch, sent } = fakeFetch(200);
    const c = clientWith(fetch);
    await c.deleteUser('alice', true);
    await c.reactivateUser('alice');
    await c.setDisplayName('alice', 'Alice');
    await c.unsetDisplayName('alice');
    await c.allowCrossSigningReset('alice');
    await c.upsertDevice('alice', 'DEV', 'Phone');
    await c.upsertDevice('alice', 'DEV');
    await c.updateDeviceDisplayName('alice', 'DEV', 'Tablet');
    await c.deleteDevice('alice', 'DEV');
    await c.syncDevices('alice', ['A', 'B', 'A']);
    await c.provisionUser({ localpart: 'alice', displayName: null, locked: true });

    expect(
      sent.map((s) => [s.method, s.url.replace('http://synapse:8008/_synapse/mas/', ''), s.body]),
    ).toEqual([
      ['POST', 'delete_user', { localpart: 'alice', erase: true }],
      ['POST', 'reactivate_user', { localpart: 'alice' }],
      ['POST', 'set_displayname', { localpart: 'alice', displayname: 'Alice' }],
      ['POST', 'unset_displayname', { localpart: 'alice' }],
      ['POST', 'allow_cross_signing_reset', { localpart: 'alice' }],
      ['POST', 'upsert_device', { localpart: 'alice', device_id: 'DEV', display_name: 'Phone' }],
      ['POST', 'upsert_device', { localpart: 'alice', device_id: 'DEV' }],
      [
        'POST',
        'update_device_display_name',
        { localpart: 'alice', device_id: 'DEV', display_name: 'Tablet' },
      ],
      ['POST', 'delete_device', { localpart: 'alice', device_id: 'DEV' }],
      ['POST', 'sync_devices', { localpart: 'alice', devices: ['A', 'B'] }],
      ['POST', 'provision_user', { localpart: 'alice', unset_displayname: true, locked: true }],
    ]);
    for (const s of sent) {
      expect(s.headers).toMatchObject({
        authorization: `Bearer ${SECRET}`,
        accept: 'application/json',
        'content-type': 'application/json',
      });
    }
  });

  it('puts the localpart of the GET calls in the query string, encoded', async () => {
    const { fetch, sent } = fakeFetch(200, {});
    await clientWith(fetch, { baseUrl: 'https://hs.example/prefix/' }).isLocalpartAvailable('a&b=c d');
    expect(sent[0]?.url).toBe(
      'https://hs.example/prefix/_synapse/mas/is_localpart_available?localpart=a%26b%3Dc+d',
    );
    expect(sent[0]?.method).toBe('GET');
    expect(sent[0]?.headers['content-type']).toBeUndefined();
  });

  it('maps 201 to created and 200 to updated; any other 2xx is an error', async () => {
    expect(await clientWith(fakeFetch(201).fetch).provisionUser({ localpart: 'a' })).toBe('created');
    expect(await clientWith(fakeFetch(200).fetch).upsertDevice('a', 'D')).toBe('updated');
    const err = await failure(clientWith(fakeFetch(202).fetch).provisionUser({ localpart: 'a' }));
    expect({ status: err.status, failure: err.failure }).toEqual({ status: 202, failure: 'status' });
  });

  it('accepts 204 without a body (delete_device)', async () => {
    await expect(clientWith(fakeFetch(204).fetch).deleteDevice('a', 'D')).resolves.toBeUndefined();
  });

  it('queryUser parses the user, returns null on 404, and refuses a malformed 200', async () => {
    const wire = {
      user_id: '@a:hs',
      display_name: 'A',
      avatar_url: null,
      is_suspended: true,
      is_deactivated: false,
    };
    expect(await clientWith(fakeFetch(200, wire).fetch).queryUser('a')).toEqual({
      userId: '@a:hs',
      displayName: 'A',
      avatarUrl: null,
      isSuspended: true,
      isDeactivated: false,
    });
    expect(await clientWith(fakeFetch(404, { errcode: 'M_NOT_FOUND' }).fetch).queryUser('a')).toBeNull();
    const err = await failure(clientWith(fakeFetch(200, { user_id: 1 }).fetch).queryUser('a'));
    expect(err.failure).toBe('bad_response');
    expect((await failure(clientWith(fakeFetch(200, 'not json').fetch).queryUser('a'))).failure).toBe(
      'bad_response',
    );
  });

  it('isLocalpartAvailable reads the three "taken" errcodes and throws on anything else', async () => {
    const taken = fakeFetch(400, { errcode: 'M_EXCLUSIVE', error: 'in an appservice namespace' });
    expect(await clientWith(taken.fetch).isLocalpartAvailable('irc_x')).toEqual({
      available: false,
      reason: 'exclusive',
      errcode: 'M_EXCLUSIVE',
      message: 'in an appservice namespace',
    });
    const err = await failure(
      clientWith(fakeFetch(400, { errcode: 'M_UNKNOWN' }).fetch).isLocalpartAvailable('x'),
    );
    expect(err.errcode).toBe('M_UNKNOWN');
    expect((await failure(clientWith(fakeFetch(403, {}).fetch).isLocalpartAvailable('x'))).status).toBe(403);
  });
});

describe('SynapseMasClient errors', () => {
  it('names the call, status and errcode; retryable only for 429 and 5xx', async () => {
    const err = await failure(
      clientWith(fakeFetch(404, { errcode: 'M_NOT_FOUND', error: 'User not found' }).fetch).reactivateUser(
        'x',
      ),
    );
    expect(err.message).toBe(
      'Synapse /_synapse/mas/reactivate_user failed: HTTP 404 M_NOT_FOUND User not found',
    );
    expect({ call: err.call, status: err.status, errcode: err.errcode, retryable: err.retryable }).toEqual({
      call: 'reactivate_user',
      status: 404,
      errcode: 'M_NOT_FOUND',
      retryable: false,
    });
    expect((await failure(clientWith(fakeFetch(429, {}).fetch).deleteDevice('a', 'b'))).retryable).toBe(true);
    const html = await failure(
      clientWith(fakeFetch(502, '<html>Bad Gateway</html>').fetch).deleteDevice('a', 'b'),
    );
    expect({ status: html.status, errcode: html.errcode, retryable: html.retryable }).toEqual({
      status: 502,
      errcode: undefined,
      retryable: true,
    });
  });

  it('redacts the secret if Synapse’s error text ever echoes it', async () => {
    const echo = fakeFetch(400, { errcode: 'M_UNKNOWN', error: `bad token ${SECRET}` });
    const err = await failure(clientWith(echo.fetch).deleteDevice('a', 'b'));
    expect(err.synapseError).toBe('bad token [redacted]');
  });

  it('reports every call to onCall', async () => {
    const events: MasCallEvent[] = [];
    const c = clientWith(fakeFetch(404, { errcode: 'M_NOT_FOUND' }).fetch, { onCall: (e) => events.push(e) });
    await failure(c.deleteDevice('a', 'b'));
    expect(events).toEqual([
      { call: 'delete_device', status: 404, failure: 'status', durationMs: expect.any(Number) as unknown },
    ]);
  });

  it('refuses an empty secret and non-http URLs', () => {
    expect(() => new SynapseMasClient({ baseUrl: 'http://hs', secret: '' })).toThrow(/secret/);
    expect(() => new SynapseMasClient({ baseUrl: 'ftp://hs', secret: 'x' })).toThrow(/http/);
  });
});

describe('SynapseMasClient transport (loopback)', () => {
  let server: Server | undefined;
  afterEach(async () => {
    const s = server;
    server = undefined;
    if (s === undefined) return;
    s.closeAllConnections();
    await new Promise((resolve) => {
      s.close(resolve);
    });
  });

  /** A server that accepts requests and answers `respond` (or never, if it does nothing). */
  async function serve(respond: (res: import('node:http').ServerResponse) => void): Promise<string> {
    server = createServer((_req, res) => {
      respond(res);
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it('gives up after timeoutMs when Synapse does not answer', async () => {
    const baseUrl = await serve(() => undefined);
    const c = new SynapseMasClient({ baseUrl, secret: SECRET, timeoutMs: 150 });
    const started = Date.now();
    const err = await failure(c.queryUser('alice'));
    expect(Date.now() - started).toBeLessThan(2_000);
    expect({ failure: err.failure, retryable: err.retryable, status: err.status }).toEqual({
      failure: 'timeout',
      retryable: true,
      status: undefined,
    });
    expect(err.message).toMatch(/^Synapse \/_synapse\/mas\/query_user failed: timeout/);
  });

  it('times out a body that stalls after the headers', async () => {
    const baseUrl = await serve((res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"user_id":');
    });
    const err = await failure(
      new SynapseMasClient({ baseUrl, secret: SECRET, timeoutMs: 150 }).queryUser('a'),
    );
    expect(err.failure).toBe('timeout');
  });

  it('stops when the caller aborts', async () => {
    const baseUrl = await serve(() => undefined);
    const c = new SynapseMasClient({ baseUrl, secret: SECRET, timeoutMs: 10_000 });
    const err = await failure(c.syncDevices('alice', [], { signal: AbortSignal.timeout(50) }));
    expect(err.failure).toBe('aborted');
    expect(err.retryable).toBe(false);
  });

  it('reports a refused connection as a network failure', async () => {
    const baseUrl = await serve(() => undefined);
    server?.close();
    server?.closeAllConnections();
    const err = await failure(new SynapseMasClient({ baseUrl, secret: SECRET }).deleteUser('a', false));
    expect({ failure: err.failure, retryable: err.retryable }).toEqual({
      failure: 'network',
      retryable: true,
    });
    expect(err.message).toContain('ECONNREFUSED');
  });

  it('refuses an oversized body', async () => {
    const baseUrl = await serve((res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`"${'x'.repeat(100_000)}"`);
    });
    const err = await failure(new SynapseMasClient({ baseUrl, secret: SECRET }).queryUser('a'));
    expect(err.failure).toBe('bad_response');
  });

  it('does not follow redirects (they could carry the secret elsewhere)', async () => {
    const baseUrl = await serve((res) => {
      res.writeHead(302, { location: 'http://127.0.0.1:1/steal' });
      res.end();
    });
    const err = await failure(new SynapseMasClient({ baseUrl, secret: SECRET }).deleteDevice('a', 'b'));
    expect({ failure: err.failure, status: err.status, retryable: err.retryable }).toEqual({
      failure: 'status',
      status: 302,
      retryable: false,
    });
  });
});
