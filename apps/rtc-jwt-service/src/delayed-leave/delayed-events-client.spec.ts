import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DelayedEventsHttpClient } from './delayed-events-client';

interface Seen {
  method: string;
  url: string;
  authorization: string | undefined;
  body: string;
}
type Handler = (req: IncomingMessage, res: ServerResponse, seen: Seen) => void;

/** A homeserver on loopback whose answer each test scripts. */
async function fakeHomeserver(handler: Handler) {
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const entry = {
        method: req.method ?? '',
        url: req.url ?? '',
        authorization: req.headers.authorization,
        body,
      };
      seen.push(entry);
      handler(req, res, entry);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

const PATH = '/_matrix/client/unstable/org.matrix.msc4140/delayed_events/';

describe(DelayedEventsHttpClient.name, () => {
  it('POSTs …/delayed_events/{id}/restart|send without an access token; 200 is ok', async () => {
    const hs = await fakeHomeserver((_req, res) => {
      json(res, 200, {});
    });
    const client = new DelayedEventsHttpClient();
    expect(await client.restart(`${hs.url}/`, 'syd/a b')).toEqual({ kind: 'ok' });
    expect(await client.send(hs.url, 'syd_x')).toEqual({ kind: 'ok' });
    expect(hs.seen).toEqual([
      { method: 'POST', url: `${PATH}syd%2Fa%20b/restart`, authorization: undefined, body: '{}' },
      { method: 'POST', url: `${PATH}syd_x/send`, authorization: undefined, body: '{}' },
    ]);
  });

  it('maps 404 M_NOT_FOUND, and a 404 that is not even JSON, to not_found', async () => {
    let html = false;
    const hs = await fakeHomeserver((_req, res) => {
      if (html) res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>nope</h1>');
      else json(res, 404, { errcode: 'M_NOT_FOUND', error: 'Not found' });
    });
    const client = new DelayedEventsHttpClient();
    expect(await client.restart(hs.url, 'd')).toEqual({ kind: 'not_found' });
    html = true;
    expect(await client.send(hs.url, 'd')).toEqual({ kind: 'not_found' });
  });

  it('retries 429 after Retry-After (header first, then retry_after_ms)', async () => {
    let headers: Record<string, string> = { 'retry-after': '2' };
    const hs = await fakeHomeserver((_req, res) => {
      json(res, 429, { errcode: 'M_LIMIT_EXCEEDED', retry_after_ms: 1500 }, headers);
    });
    const client = new DelayedEventsHttpClient();
    expect(await client.restart(hs.url, 'd')).toEqual({ kind: 'retry', retryAfterMs: 2000 });
    headers = {};
    expect(await client.restart(hs.url, 'd')).toEqual({ kind: 'retry', retryAfterMs: 1500 });
  });

  it('reads a Retry-After date against the injected clock', async () => {
    const hs = await fakeHomeserver((_req, res) => {
      json(res, 429, { errcode: 'M_LIMIT_EXCEEDED' }, { 'retry-after': 'Wed, 21 Oct 2026 07:28:00 GMT' });
    });
    const at = Date.parse('Wed, 21 Oct 2026 07:28:00 GMT');
    const client = new DelayedEventsHttpClient({ clock: () => at - 7_000 });
    expect(await client.restart(hs.url, 'd')).toEqual({ kind: 'retry', retryAfterMs: 7_000 });
  });

  it('retries 5xx and garbage without a verdict; ignores a garbage body on 200', async () => {
    let status = 500;
    const hs = await fakeHomeserver((_req, res) => res.writeHead(status).end('%%% not json'));
    const client = new DelayedEventsHttpClient();
    expect(await client.send(hs.url, 'd')).toEqual({ kind: 'retry' });
    status = 200;
    expect(await client.send(hs.url, 'd')).toEqual({ kind: 'ok' });
    status = 403;
    expect(await client.send(hs.url, 'd')).toEqual({ kind: 'retry' });
  });

  it('does not follow redirects', async () => {
    const hs = await fakeHomeserver((_req, res) =>
      res.writeHead(307, { location: 'http://127.0.0.1:1/' }).end(),
    );
    expect(await new DelayedEventsHttpClient().restart(hs.url, 'd')).toEqual({ kind: 'retry' });
    expect(hs.seen).toHaveLength(1);
  });

  it('gives up on a slow homeserver after its timeout, and on a refused connection', async () => {
    const hs = await fakeHomeserver(() => undefined);
    const client = new DelayedEventsHttpClient({ timeoutMs: 150 });
    const started = Date.now();
    expect(await client.restart(hs.url, 'd')).toEqual({ kind: 'retry' });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await client.restart('http://127.0.0.1:1', 'd')).toEqual({ kind: 'retry' });
  });

  it('falls back to the {"action": …} form for a homeserver without the path form, and remembers it', async () => {
    const hs = await fakeHomeserver((req, res) => {
      if (req.url?.endsWith('/restart') === true) json(res, 404, { errcode: 'M_UNRECOGNIZED' });
      else json(res, 200, {});
    });
    const client = new DelayedEventsHttpClient();
    expect(await client.restart(hs.url, 'd')).toEqual({ kind: 'ok' });
    expect(await client.restart(hs.url, 'd')).toEqual({ kind: 'ok' });
    expect(hs.seen.map((s) => [s.url, s.body])).toEqual([
      [`${PATH}d/restart`, '{}'],
      [`${PATH}d`, '{"action":"restart"}'],
      [`${PATH}d`, '{"action":"restart"}'],
    ]);
  });

  it('treats a homeserver that serves neither form as having no such delayed event', async () => {
    const hs = await fakeHomeserver((_req, res) => {
      json(res, 404, { errcode: 'M_UNRECOGNIZED' });
    });
    expect(await new DelayedEventsHttpClient().send(hs.url, 'd')).toEqual({ kind: 'not_found' });
  });

  it('does not buffer an oversized error body', async () => {
    const hs = await fakeHomeserver((_req, res) => res.writeHead(503).end('x'.repeat(1024 * 1024)));
    expect(await new DelayedEventsHttpClient().restart(hs.url, 'd')).toEqual({ kind: 'retry' });
  });
});
