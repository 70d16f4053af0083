import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
