import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@gateway/testing';
import type { SeriesAnswer } from './metrics/sampler';
import { loadDashboardConfig } from './config';
import { configureDashboardFastify } from './fastify-setup';
import type { StaticFile } from './static-files';

const INDEX: StaticFile = {
  body: Buffer.from('<!doctype html>'),
  gzip: undefined,
  type: 'text/html; charset=utf-8',
  etag: '"i"',
  immutable: false,
};

const BASE_ENV = {
  DASHBOARD_PUBLIC_URL: 'http://dash.test/',
  DASHBOARD_AUTH_ISSUER: 'http://127.0.0.1:9/',
  DASHBOARD_CLIENT_ID: 'admin-dashboard',
};

async function dashboard(env: Record<string, string>): Promise<FastifyInstance> {
  const fastify = Fastify();
  configureDashboardFastify(
    loadDashboardConfig({ ...BASE_ENV, ...env }, '/nonexistent'),
    new Map([['/index.html', INDEX]]),
  )(fastify);
  await fastify.ready();
  return fastify;
}

/** The RTC service's internal listener: records what reached it. */
describe('the RTC admin API proxy (/api/rtc/v1/*)', () => {
  let upstream: Server;
  let upstreamUrl: string;
  const seen: { method: string; url: string; headers: IncomingHttpHeaders }[] = [];

  beforeAll(async () => {
    upstream = createServer((req, res) => {
      // The overview's sampler scrapes the same listener; that is another test's.
      if (req.url === '/metrics') {
        res.writeHead(404).end();
        return;
      }
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
      if (req.method === 'DELETE') res.writeHead(204).end();
      else
        res
          .writeHead(403, { 'Content-Type': 'application/json', 'WWW-Authenticate': 'Bearer' })
          .end(JSON.stringify({ errors: [{ title: 'Missing urn:mas:admin scope' }] }));
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    upstreamUrl = `http://127.0.0.1:${String((upstream.address() as AddressInfo).port)}`;
  });
  afterAll(() => {
    upstream.close();
  });

  it('forwards the person’s token and the path under /admin/v1/, and passes the answer back', async () => {
    const app = await dashboard({ DASHBOARD_RTC_ADMIN_URL: `${upstreamUrl}/` });
    const listed = await app.inject({
      method: 'GET',
      url: '/api/rtc/v1/rooms',
      headers: { authorization: 'Bearer person-token', cookie: 'secret=1' },
    });
    expect(listed.statusCode).toBe(403);
    expect(listed.json()).toEqual({ errors: [{ title: 'Missing urn:mas:admin scope' }] });
    const removed = await app.inject({
      method: 'DELETE',
      url: '/api/rtc/v1/rooms/a%2Fb/participants/%40alice%3Ahs%3ADEV',
      headers: { authorization: 'Bearer person-token' },
    });
    expect(removed.statusCode).toBe(204);
    expect(seen.map((s) => [s.method, s.url, s.headers.authorization, s.headers.cookie])).toEqual([
      ['GET', '/admin/v1/rooms', 'Bearer person-token', undefined],
      ['DELETE', '/admin/v1/rooms/a%2Fb/participants/%40alice%3Ahs%3ADEV', 'Bearer person-token', undefined],
    ]);
    expect(JSON.parse((await app.inject({ method: 'GET', url: '/config.json' })).body)).toMatchObject({
      rtcAdmin: true,
    });
    await app.close();
  });

  it('never resolves dot segments to the internal listener’s other paths', async () => {
    const app = await dashboard({ DASHBOARD_RTC_ADMIN_URL: upstreamUrl });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const port = (app.server.address() as AddressInfo).port;
    // Sent as they are (a browser would resolve them first; curl --path-as-is does not).
    const status = (path: string) =>
      new Promise<number | undefined>((resolve, reject) => {
        request({ host: '127.0.0.1', port, path }, (res) => {
          res.resume();
          resolve(res.statusCode);
        })
          .on('error', reject)
          .end();
      });
    const before = seen.length;
    for (const path of [
      '/api/rtc/v1/../../metrics',
      '/api/rtc/v1/%2e%2e/%2E%2E/metrics',
      '/api/rtc/v1/./rooms',
    ])
      expect(await status(path), path).toBe(400);
    expect(seen.length).toBe(before);
    await app.close();
  });

  it('says the RTC admin API is not configured when DASHBOARD_RTC_ADMIN_URL is unset', async () => {
    const app = await dashboard({});
    const answer = await app.inject({ method: 'GET', url: '/api/rtc/v1/rooms' });
    expect(answer.statusCode).toBe(404);
    expect(answer.json()).toEqual({
      errors: [{ title: 'The RTC admin API is not configured (DASHBOARD_RTC_ADMIN_URL)' }],
    });
    expect(JSON.parse((await app.inject({ method: 'GET', url: '/config.json' })).body)).toMatchObject({
      rtcAdmin: false,
    });
    await app.close();
  });

  it('answers 502 naming the RTC service when it cannot be reached', async () => {
    const app = await dashboard({ DASHBOARD_RTC_ADMIN_URL: 'http://127.0.0.1:9' });
    const answer = await app.inject({
      method: 'GET',
      url: '/api/rtc/v1/rooms',
      headers: { authorization: 'Bearer t' },
    });
    expect(answer.statusCode).toBe(502);
    expect(answer.json()).toEqual({ errors: [{ title: 'The RTC service cannot be reached' }] });
    await app.close();
  });
});

/** A service's internal listener and the auth service, as the sync route and the metrics route use them. */
describe('the sync proxy admin API proxy and the sampled metrics', () => {
  let upstream: Server;
  let upstreamUrl: string;
  const seen: { method: string; url: string; authorization: string | undefined }[] = [];
  let pollers = 3;

  beforeAll(async () => {
    upstream = createServer((req, res) => {
      const url = req.url ?? '';
      if (url === '/metrics') {
        res
          .writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' })
          .end(
            [
              '# HELP sync_proxy_pollers Upstream /sync loops this replica runs',
              '# TYPE sync_proxy_pollers gauge',
              `sync_proxy_pollers ${pollers++}`,
              'http_requests_total{route="/health",method="GET",status="200"} 50',
              'http_requests_total{route="/sync",method="POST",status="200"} 7',
              '',
            ].join('\n'),
          );
        return;
      }
      seen.push({ method: req.method ?? '', url, authorization: req.headers.authorization });
      // The auth service's admin API: one admin token.
      if (url === '/api/admin/v1/version') {
        if (req.headers.authorization === 'Bearer admin-token')
          res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"version":"1"}');
        else
          res
            .writeHead(401, { 'Content-Type': 'application/json' })
            .end(JSON.stringify({ errors: [{ title: 'Invalid access token' }] }));
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"data":[],"meta":{"count":0}}');
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    upstreamUrl = `http://127.0.0.1:${String((upstream.address() as AddressInfo).port)}`;
  });
  afterAll(() => {
    upstream.close();
  });

  it('reaches the sync proxy under /api/sync/v1/ like the RTC service, GET only, no dot segments', async () => {
    const app = await dashboard({ DASHBOARD_SYNC_ADMIN_URL: upstreamUrl });
    const listed = await app.inject({
      method: 'GET',
      url: '/api/sync/v1/pollers?page%5Bfirst%5D=5',
      headers: { authorization: 'Bearer admin-token' },
    });
    expect(listed.statusCode).toBe(200);
    expect(listed.json()).toEqual({ data: [], meta: { count: 0 } });
    expect(seen.at(-1)).toEqual({
      method: 'GET',
      url: '/admin/v1/pollers?page%5Bfirst%5D=5',
      authorization: 'Bearer admin-token',
    });
    expect((await app.inject({ method: 'DELETE', url: '/api/sync/v1/pollers' })).statusCode).toBe(404);
    await app.listen({ host: '127.0.0.1', port: 0 });
    const port = (app.server.address() as AddressInfo).port;
    const before = seen.length;
    // Sent as it is (inject and browsers resolve dot segments first).
    const raw = await new Promise<number | undefined>((resolve, reject) => {
      request({ host: '127.0.0.1', port, path: '/api/sync/v1/%2e%2e/%2e%2e/metrics' }, (res) => {
        res.resume();
        resolve(res.statusCode);
      })
        .on('error', reject)
        .end();
    });
    expect(raw).toBe(400);
    expect(seen.length).toBe(before);
    expect(JSON.parse((await app.inject({ method: 'GET', url: '/config.json' })).body)).toMatchObject({
      syncAdmin: true,
      rtcAdmin: false,
    });
    await app.close();
  });

  it('says the sync proxy admin API is not configured, in /config.json and on its paths', async () => {
    const app = await dashboard({});
    const answer = await app.inject({ method: 'GET', url: '/api/sync/v1/pollers' });
    expect(answer.statusCode).toBe(404);
    expect(answer.json()).toEqual({
      errors: [{ title: 'The sync proxy admin API is not configured (DASHBOARD_SYNC_ADMIN_URL)' }],
    });
    expect(JSON.parse((await app.inject({ method: 'GET', url: '/config.json' })).body)).toMatchObject({
      syncAdmin: false,
    });
    await app.close();
  });

  it('serves the sampled series to an admin token only, as the auth service decides', async () => {
    const app = await dashboard({
      DASHBOARD_AUTH_SERVICE_URL: upstreamUrl,
      DASHBOARD_SYNC_ADMIN_URL: upstreamUrl,
      DASHBOARD_METRICS_INTERVAL_SECONDS: '1',
    });
    const series = (authorization?: string) =>
      app.inject({
        method: 'GET',
        url: '/api/metrics/v1/series',
        headers: authorization === undefined ? {} : { authorization },
      });
    const anonymous = await series();
    expect(anonymous.statusCode).toBe(401);
    const refused = await series('Bearer someone-else');
    expect(refused.statusCode).toBe(401);
    expect(refused.json()).toEqual({ errors: [{ title: 'Invalid access token' }] });

    // Sampled at start and every second: the gauge goes up by one a scrape; probes are no requests.
    await expect
      .poll(async () => (await series('Bearer admin-token')).json<SeriesAnswer>().series[0]?.points.length, {
        timeout: 5000,
      })
      .toBeGreaterThanOrEqual(2);
    const answer = (await series('Bearer admin-token')).json<SeriesAnswer>();
    expect(answer.interval_seconds).toBe(1);
    expect(answer.services).toEqual([
      { id: 'sync', up: true, error: null, scraped_at: expect.any(String) as string },
    ]);
    const byId = new Map(answer.series.map((s) => [s.id, s.points.map((p) => p[1])]));
    expect([...byId.keys()]).toEqual(['sync.requests', 'sync.errors', 'sync.pollers', 'sync.waiters']);
    // Each scrape saw the next value (earlier tests' dashboards scraped this listener too).
    const [first, second] = byId.get('sync.pollers') ?? [];
    expect(second).toBe((first ?? NaN) + 1);
    expect(byId.get('sync.requests')?.slice(0, 2)).toEqual([null, 0]);
    expect(byId.get('sync.waiters')?.[0]).toBe(0);
    // The token was checked once, then remembered for the polls after it.
    expect(
      seen.filter((s) => s.url === '/api/admin/v1/version' && s.authorization === 'Bearer admin-token'),
    ).toHaveLength(1);
    await app.close();
  });
});

describe('the pages’ security headers', () => {
  it('sends the strict policy and the other headers with the app and its configuration', async () => {
    const app = await dashboard({});
    for (const url of ['/', '/users/x', '/config.json']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers, url).toMatchObject({
        'content-security-policy':
          "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'DENY',
        'referrer-policy': 'no-referrer',
        'cross-origin-opener-policy': 'same-origin',
      });
    }
  });
});

describe('static files', () => {
  it('serves index.html unhashed and revalidated, hashed assets for a year (gzip when asked), unknown ones 404', async () => {
    const asset: StaticFile = {
      body: Buffer.from('console.log(1)'),
      gzip: Buffer.from('gzipped'),
      type: 'text/javascript; charset=utf-8',
      etag: '"a"',
      immutable: true,
    };
    const fastify = Fastify();
    configureDashboardFastify(
      loadDashboardConfig(BASE_ENV, '/nonexistent'),
      new Map([
        ['/index.html', INDEX],
        ['/assets/app-1234.js', asset],
      ]),
    )(fastify);
    await fastify.ready();
    const page = await fastify.inject({ method: 'GET', url: '/users/abc' });
    expect(page.headers).toMatchObject({ 'cache-control': 'no-cache', etag: '"i"' });
    expect(page.body).toBe('<!doctype html>');
    const again = await fastify.inject({ method: 'GET', url: '/', headers: { 'if-none-match': '"i"' } });
    expect(again.statusCode).toBe(304);
    const js = await fastify.inject({
      method: 'GET',
      url: '/assets/app-1234.js',
      headers: { 'accept-encoding': 'gzip, br' },
    });
    expect(js.headers).toMatchObject({
      'cache-control': 'public, max-age=31536000, immutable',
      'content-encoding': 'gzip',
    });
    expect(js.body).toBe('gzipped');
    // A stale hashed name fails visibly instead of getting the page; so does an unknown API path.
    for (const url of ['/assets/app-0000.js', '/api/nothing'])
      expect((await fastify.inject({ method: 'GET', url })).statusCode, url).toBe(404);
  });
});

describe('the auth service proxy', () => {
  it("passes the auth service's refusal back with its headers, sends the client's address, not its cookies", async () => {
    let seen: IncomingHttpHeaders = {};
    const auth = createServer((req, res) => {
      seen = req.headers;
      res
        .writeHead(401, {
          'Content-Type': 'application/json',
          'WWW-Authenticate': 'Bearer error="invalid_token"',
          'Cache-Control': 'no-store',
          'Set-Cookie': 'auth=1',
        })
        .end('{"errors":[{"title":"Unknown access token"}]}');
    });
    await new Promise<void>((resolve) => auth.listen(0, '127.0.0.1', resolve));
    try {
      const app = await dashboard({
        DASHBOARD_AUTH_SERVICE_URL: `http://127.0.0.1:${String((auth.address() as AddressInfo).port)}`,
      });
      const res = await app.inject({
        method: 'GET',
        url: '/api/admin/v1/users',
        headers: { authorization: 'Bearer t', cookie: 'session=secret' },
        remoteAddress: '198.51.100.7',
      });
      expect(res.statusCode).toBe(401);
      expect(res.headers).toMatchObject({
        'www-authenticate': 'Bearer error="invalid_token"',
        'cache-control': 'no-store',
      });
      expect(res.headers['set-cookie']).toBeUndefined();
      expect(seen).toMatchObject({ authorization: 'Bearer t', 'x-forwarded-for': '198.51.100.7' });
      expect(seen.cookie).toBeUndefined();
    } finally {
      auth.close();
    }
  });

  it('answers 502, naming the auth service, when it cannot be reached', async () => {
    // Nothing listens there.
    const app = await dashboard({
      DASHBOARD_AUTH_SERVICE_URL: `http://127.0.0.1:${String(await freePort())}`,
    });
    const res = await app.inject({ method: 'POST', url: '/oauth2/token', payload: 'grant_type=x' });
    expect(res.statusCode).toBe(502);
    expect(res.json()).toEqual({ errors: [{ title: 'The auth service cannot be reached' }] });
  });
});
