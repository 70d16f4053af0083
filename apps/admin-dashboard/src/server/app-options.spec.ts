import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type RunningApp } from '@gateway/server';
import { AppModule } from './app.module';
import { dashboardAppOptions } from './app-options';
import { loadDashboardConfig } from './config';

// The dashboard server as main.ts runs it (its AppModule and options, on a real port), for what the
// options decide: DASHBOARD_TRUSTED_PROXIES makes the client's address the one a trusted reverse proxy
// names in X-Forwarded-For, which the server passes on to the auth service and writes in its request log.
describe('the dashboard server behind a reverse proxy (DASHBOARD_TRUSTED_PROXIES)', () => {
  let staticDir: string;
  let auth: Server;
  let authUrl: string;
  const seen: IncomingHttpHeaders[] = [];

  beforeAll(async () => {
    staticDir = mkdtempSync(join(tmpdir(), 'dashboard-web-'));
    writeFileSync(join(staticDir, 'index.html'), '<!doctype html>');
    auth = createServer((req, res) => {
      seen.push(req.headers);
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"status":"ok"}');
    });
    await new Promise<void>((resolve) => auth.listen(0, '127.0.0.1', resolve));
    authUrl = `http://127.0.0.1:${String((auth.address() as AddressInfo).port)}`;
  });
  afterAll(() => {
    auth.close();
    rmSync(staticDir, { recursive: true, force: true });
  });

  /** Starts the server, sends one request from 127.0.0.1 claiming to be for 203.0.113.9, stops it. */
  async function forwardedFor(env: Record<string, string>): Promise<{ upstream: unknown; logged: unknown }> {
    let logs = '';
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => (logs += chunk.toString()));
    const config = loadDashboardConfig({
      DASHBOARD_BIND: '127.0.0.1:0',
      DASHBOARD_PUBLIC_URL: 'http://dash.test/',
      DASHBOARD_AUTH_ISSUER: `${authUrl}/`,
      DASHBOARD_CLIENT_ID: 'admin-dashboard',
      DASHBOARD_STATIC_DIR: staticDir,
      DASHBOARD_LOG_LEVEL: 'debug',
      ...env,
    });
    const running: RunningApp = await startApp(AppModule, {
      ...dashboardAppOptions(config),
      logDestination: stream,
    });
    try {
      seen.length = 0;
      const res = await fetch(`${running.url}/auth-service/ready`, {
        headers: { 'X-Forwarded-For': '203.0.113.9' },
      });
      expect(res.status).toBe(200);
    } finally {
      await running.app.close();
    }
    const request = logs
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l['msg'] === 'request' && l['route'] === '/auth-service/ready');
    return { upstream: seen[0]?.['x-forwarded-for'], logged: request?.['ip'] };
  }

  it('believes X-Forwarded-For from a trusted proxy, and only from one', async () => {
    expect(await forwardedFor({ DASHBOARD_TRUSTED_PROXIES: '127.0.0.1/32' })).toEqual({
      upstream: '203.0.113.9',
      logged: '203.0.113.9',
    });
    // The peer is not one of the proxies, or there are none: the header is the client's own claim.
    const untrusted: Record<string, string>[] = [{ DASHBOARD_TRUSTED_PROXIES: '10.0.0.0/8' }, {}];
    for (const env of untrusted)
      expect(await forwardedFor(env)).toEqual({ upstream: '127.0.0.1', logged: '127.0.0.1' });
  });
});
