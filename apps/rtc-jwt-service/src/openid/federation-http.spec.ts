import type { LookupFunction } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpGetError, nodeHttpGet, type HttpGetRequest } from './federation-http';
import { SsrfGuard } from '@gateway/http';
import {
  answerSub,
  startFakeHomeserver,
  unusedPort,
  type FakeHomeserver,
} from '../../test/fakes/fake-homeserver';

let plain: FakeHomeserver;
let tls: FakeHomeserver;

beforeAll(async () => {
  plain = await startFakeHomeserver();
  tls = await startFakeHomeserver({ tls: true });
});
afterAll(async () => {
  await plain.close();
  await tls.close();
});

function get(
  url: string,
  overrides: Partial<HttpGetRequest> = {},
): Promise<Awaited<ReturnType<typeof nodeHttpGet>>> {
  return nodeHttpGet({
    url: new URL(url),
    policy: null,
    connectTimeoutMs: 1000,
    signal: AbortSignal.timeout(2000),
    maxBodyBytes: 1024,
    rejectUnauthorized: true,
    ...overrides,
  });
}

async function failure(promise: Promise<unknown>): Promise<HttpGetError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HttpGetError);
  return error as HttpGetError;
}

describe(nodeHttpGet.name, () => {
  it('returns status, headers and body, sending the requested Host header', async () => {
    plain.handle((_req, res) => {
      res.writeHead(404, { 'Cache-Control': 'max-age=60' });
      res.end('{"errcode":"M_NOT_FOUND"}');
    });
    const response = await get(`${plain.baseUrl}/path?x=1`, { hostHeader: 'example.com' });
    expect(response.status).toBe(404);
    expect(response.headers['cache-control']).toBe('max-age=60');
    expect(response.body).toBe('{"errcode":"M_NOT_FOUND"}');
    expect(plain.requests.at(-1)).toMatchObject({ path: '/path', host: 'example.com' });
  });

  it('times out a server that never answers', async () => {
    plain.handle(() => undefined);
    const error = await failure(get(plain.baseUrl, { signal: AbortSignal.timeout(150) }));
    expect(error.reason).toBe('timeout');
  });

  it('times out a connection that never gets established', async () => {
    const stalledLookup: LookupFunction = () => undefined;
    const policy = { lookup: stalledLookup, checkLiteral: () => undefined };
    const error = await failure(get('http://stalled.example:1/', { policy, connectTimeoutMs: 100 }));
    expect(error.reason).toBe('connect-timeout');
  });

  it('reports a refused connection as a network failure', async () => {
    const error = await failure(get(`http://127.0.0.1:${await unusedPort()}/`));
    expect(error.reason).toBe('network');
  });

  it('caps the body size', async () => {
    plain.handle((_req, res) => {
      res.end('x'.repeat(5000));
    });
    const error = await failure(get(plain.baseUrl));
    expect(error.reason).toBe('too-large');
  });

  it('refuses forbidden IP literals before connecting', async () => {
    const before = plain.requests.length;
    const policy = new SsrfGuard().policyFor('attacker.example');
    const error = await failure(get(plain.baseUrl, { policy }));
    expect(error.reason).toBe('refused');
    expect(plain.requests.length).toBe(before);
  });

  it('refuses names resolving to forbidden addresses', async () => {
    const policy = new SsrfGuard({
      resolve: () => Promise.resolve([{ address: '127.0.0.1', family: 4 }]),
    }).policyFor('x');
    const error = await failure(get(`http://rebind.example:${plain.port}/`, { policy }));
    expect(error.reason).toBe('refused');
  });

  it('refuses unsupported schemes', async () => {
    expect((await failure(get('ftp://example.com/'))).reason).toBe('refused');
  });

  it('verifies TLS certificates unless told not to', async () => {
    tls.handle(answerSub('@a:hs.example'));
    expect((await failure(get(tls.baseUrl))).reason).toBe('network');
    const response = await get(tls.baseUrl, { rejectUnauthorized: false });
    expect(JSON.parse(response.body)).toEqual({ sub: '@a:hs.example' });
  });

  it('sends the server name as SNI while connecting to another host, and none for IP literals', async () => {
    tls.handle(answerSub('@a:hs.example'));
    await get(tls.baseUrl, {
      rejectUnauthorized: false,
      tlsServerName: 'hs.example',
      hostHeader: 'hs.example',
    });
    expect(tls.requests.at(-1)).toMatchObject({ servername: 'hs.example', host: 'hs.example' });
    await get(tls.baseUrl, { rejectUnauthorized: false, tlsServerName: null });
    expect(tls.requests.at(-1)?.servername).toBeUndefined();
  });
});
