import { describe, expect, it } from 'vitest';
import { HttpGetError, type HttpGet, type HttpGetRequest, type HttpGetResponse } from './federation-http';
import { cacheLifetimeMs, DEFAULT_WELL_KNOWN_SETTINGS, fetchWellKnownServer } from './well-known-server';

const HOUR = 3_600_000;
const settings = { ...DEFAULT_WELL_KNOWN_SETTINGS };

function scripted(responses: (HttpGetResponse | Error)[]): { http: HttpGet; seen: HttpGetRequest[] } {
  const seen: HttpGetRequest[] = [];
  const http: HttpGet = (req) => {
    seen.push(req);
    const next = responses.shift() ?? new Error('no more responses');
    return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
  };
  return { http, seen };
}

const ok = (body: unknown, headers: Record<string, string> = {}): HttpGetResponse => ({
  status: 200,
  headers,
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

function fetchWith(http: HttpGet) {
  return fetchWellKnownServer('example.com', { http, policy: null, rejectUnauthorized: true, settings });
}

describe(fetchWellKnownServer.name, () => {
  it('reads m.server and asks https://<name>/.well-known/matrix/server', async () => {
    const { http, seen } = scripted([
      ok({ 'm.server': 'matrix.example.com:443' }, { 'cache-control': 'max-age=7200' }),
    ]);
    expect(await fetchWith(http)).toEqual({ delegatedTo: 'matrix.example.com:443', ttlMs: 2 * HOUR });
    expect(seen[0]?.url.href).toBe('https://example.com/.well-known/matrix/server');
    expect(seen[0]?.maxBodyBytes).toBe(50 * 1024);
  });

  it('follows redirects, but never to plain http', async () => {
    const redirect = (location: string): HttpGetResponse => ({
      status: 301,
      headers: { location },
      body: '',
    });
    const follow = scripted([redirect('/elsewhere'), ok({ 'm.server': 'hs.example.com' })]);
    expect((await fetchWith(follow.http)).delegatedTo).toBe('hs.example.com');
    expect(follow.seen[1]?.url.href).toBe('https://example.com/elsewhere');
    const downgrade = scripted([redirect('http://example.com/x')]);
    expect((await fetchWith(downgrade.http)).delegatedTo).toBeNull();
  });

  it('gives up after too many redirects', async () => {
    const loop = Array.from({ length: 10 }, () => ({
      status: 302,
      headers: { location: '/loop' },
      body: '',
    }));
    expect(await fetchWith(scripted(loop).http)).toEqual({ delegatedTo: null, ttlMs: settings.failureTtlMs });
  });

  it.each([
    ['a 404', { status: 404, headers: {}, body: '{}' }],
    ['bad JSON', ok('<html>')],
    ['no m.server', ok({ other: 1 })],
    ['a non-string m.server', ok({ 'm.server': 42 })],
    ['an invalid m.server', ok({ 'm.server': 'bad host/x' })],
    ['a JSON array', ok([1])],
    ['a network error', new HttpGetError('network', 'ECONNREFUSED')],
  ])('treats %s as no delegation, remembered briefly', async (_label, response) => {
    expect(await fetchWith(scripted([response]).http)).toEqual({
      delegatedTo: null,
      ttlMs: settings.failureTtlMs,
    });
  });
});

describe(cacheLifetimeMs.name, () => {
  const bounds = { minTtlMs: HOUR, maxTtlMs: 24 * HOUR, defaultTtlMs: 24 * HOUR };
  it.each([
    [{}, 24 * HOUR],
    [{ 'cache-control': 'max-age=7200' }, 2 * HOUR],
    [{ 'cache-control': 'public, max-age="10800"' }, 3 * HOUR],
    [{ 'cache-control': 'max-age=10' }, HOUR],
    [{ 'cache-control': 'max-age=999999999' }, 24 * HOUR],
    [{ 'cache-control': 'no-store' }, HOUR],
    [{ 'cache-control': 'No-Cache, max-age=7200' }, HOUR],
  ])('%j → %d ms', (headers, expected) => {
    expect(cacheLifetimeMs(headers, bounds)).toBe(expected);
  });
});
