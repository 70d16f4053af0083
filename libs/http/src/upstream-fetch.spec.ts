import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_TLS_CERT, TEST_TLS_KEY } from '@gateway/testing';
import { SsrfGuard } from './ssrf-guard';
import { UpstreamError } from './upstream-error';
import { expectOk, upstreamJson, upstreamStatus, upstreamText, type UpstreamRequest } from './upstream-fetch';

// A real local server: each path is one behaviour an upstream can show.
const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => void> = {
  '/json': (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'),
  '/echo': (req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      res.writeHead(200).end(JSON.stringify({ method: req.method, headers: req.headers, body }));
    });
  },
  '/empty': (_req, res) => res.writeHead(204).end(),
  '/not-json': (_req, res) => res.writeHead(200).end('<html>hi</html>'),
  '/proxy-error': (_req, res) => res.writeHead(502).end('<html>bad gateway</html>'),
  '/matrix-error': (_req, res) => res.writeHead(403).end('{"errcode":"M_FORBIDDEN"}'),
  '/big': (_req, res) => res.writeHead(200).end('x'.repeat(10_000)),
  '/big-chunked': (_req, res) => {
    res.writeHead(200);
    for (let i = 0; i < 10; i++) res.write('y'.repeat(1_000));
    res.end();
  },
  '/slow-headers': (_req, res) => setTimeout(() => res.writeHead(200).end('{}'), 2_000),
  '/slow-body': (_req, res) => {
    res.writeHead(200).write('{"a":');
    setTimeout(() => res.end('1}'), 2_000);
  },
  '/redirect': (_req, res) => res.writeHead(302, { location: '/json' }).end(),
};

let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const route = routes[new URL(req.url ?? '/', 'http://x').pathname];
    if (route) route(req, res);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const opts = (more: Partial<UpstreamRequest> = {}): UpstreamRequest => ({
  timeoutMs: 1_000,
  maxBodyBytes: 4_096,
  ...more,
});

async function failure(p: Promise<unknown>): Promise<UpstreamError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UpstreamError);
  return err as UpstreamError;
}

describe('upstreamJson', () => {
  it('parses a JSON answer', async () => {
    const res = await upstreamJson(`${base}/json`, opts());
    expect(res).toMatchObject({ status: 200, ok: true, body: { ok: true } });
  });

  it('sends method, headers and a JSON body', async () => {
    const res = await upstreamJson(
      `${base}/echo`,
      opts({ method: 'POST', json: { a: 1 }, headers: { 'x-k': 'v' } }),
    );
    expect(res.body).toMatchObject({
      method: 'POST',
      body: '{"a":1}',
      headers: { 'content-type': 'application/json', 'x-k': 'v' },
    });
  });

  it('reads an empty answer as undefined', async () => {
    expect((await upstreamJson(`${base}/empty`, opts())).body).toBeUndefined();
  });

  it('returns error answers with their JSON, and non-JSON error pages as undefined', async () => {
    expect(await upstreamJson(`${base}/matrix-error`, opts())).toMatchObject({
      status: 403,
      ok: false,
      body: { errcode: 'M_FORBIDDEN' },
    });
    expect(await upstreamJson(`${base}/proxy-error`, opts())).toMatchObject({ status: 502, body: undefined });
  });

  it('fails a success answer that is not JSON with bad-json', async () => {
    const err = await failure(upstreamJson(`${base}/not-json`, opts()));
    expect(err).toMatchObject({ kind: 'bad-json', status: 200 });
  });

  it('stops reading at the cap, declared or chunked', async () => {
    expect(await failure(upstreamJson(`${base}/big`, opts()))).toMatchObject({ kind: 'body-too-large' });
    expect(await failure(upstreamText(`${base}/big-chunked`, opts()))).toMatchObject({
      kind: 'body-too-large',
    });
  });

  it('times out waiting for headers and while reading the body', async () => {
    const started = performance.now();
    expect(await failure(upstreamJson(`${base}/slow-headers`, opts({ timeoutMs: 200 })))).toMatchObject({
      kind: 'timeout',
    });
    expect(await failure(upstreamJson(`${base}/slow-body`, opts({ timeoutMs: 200 })))).toMatchObject({
      kind: 'timeout',
    });
    expect(performance.now() - started).toBeLessThan(1_500);
  });

  it('reports the caller aborting as aborted, not timeout', async () => {
    const controller = new AbortController();
    setTimeout(() => {
      controller.abort();
    }, 50);
    expect(
      await failure(upstreamJson(`${base}/slow-headers`, opts({ signal: controller.signal }))),
    ).toMatchObject({
      kind: 'aborted',
    });
  });

  it('reports a refused connection as network, transient', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const err = await failure(upstreamJson(`http://127.0.0.1:${String(port)}/x`, opts()));
    expect(err.kind).toBe('network');
    expect(err.transient).toBe(true);
    expect(err.message).toMatch(/ECONNREFUSED/);
  });
});

describe('redirects', () => {
  it('are returned, not followed, by default', async () => {
    const res = await upstreamStatus(`${base}/redirect`, opts());
    expect(res.status).toBe(302);
    expect(() => expectOk(res, `${base}/redirect`)).toThrow(UpstreamError);
  });

  it('are followed when asked', async () => {
    expect((await upstreamJson(`${base}/redirect`, opts({ redirect: 'follow' }))).body).toEqual({ ok: true });
  });

  it('are never followed behind a guard', async () => {
    const guard = () => Promise.resolve();
    expect((await upstreamStatus(`${base}/redirect`, opts({ redirect: 'follow', guard }))).status).toBe(302);
  });
});

describe('guard', () => {
  it('refuses a forbidden target before connecting', async () => {
    const guard = new SsrfGuard().targetGuard('attacker.example');
    const err = await failure(upstreamJson(`${base}/json`, opts({ guard })));
    expect(err.kind).toBe('refused');
  });

  it('refuses a name that resolves to a private address', async () => {
    const guard = new SsrfGuard({
      resolve: () => Promise.resolve([{ address: '10.0.0.1', family: 4 }]),
    }).targetGuard('hs.example');
    expect(await failure(upstreamJson('http://hs.example/x', opts({ guard })))).toMatchObject({
      kind: 'refused',
    });
  });

  it('lets allow-listed server names through', async () => {
    const guard = new SsrfGuard({ allowedServerNames: ['local'] }).targetGuard('local');
    expect(guard).toBeNull();
    expect((await upstreamJson(`${base}/json`, opts({ guard }))).status).toBe(200);
  });
});

describe('redaction', () => {
  it('keeps tokens and secrets out of error messages and the url', async () => {
    const err = await failure(
      upstreamJson(
        `http://127.0.0.1:1/x?access_token=syt_abcdefgh_12345`,
        opts({ secrets: ['shared-secret-value'] }),
      ),
    );
    expect(err.url).toBe('http://127.0.0.1:1/x?[redacted]');
    expect(err.message).not.toContain('syt_abcdefgh');
  });
});

describe('certificates', () => {
  it('refuses a self-signed certificate unless the request skips the checks, and only that request', async () => {
    const server = createTlsServer({ cert: TEST_TLS_CERT, key: TEST_TLS_KEY }, (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    try {
      const request = { timeoutMs: 5_000, maxBodyBytes: 1_000 };
      const refused = await upstreamJson(url, request).catch((err: unknown) => err);
      expect(refused).toBeInstanceOf(UpstreamError);
      expect((refused as UpstreamError).kind).toBe('network');
      expect((await upstreamJson(url, { ...request, insecureSkipVerifyTls: true })).body).toEqual({
        ok: true,
      });
      // The loosened pool is that request's only: the next default request is refused again.
      await expect(upstreamJson(url, request)).rejects.toBeInstanceOf(UpstreamError);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
