import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@gateway/testing';
import { startProxy, type ProxyUnderTest } from '../support/start-proxy';

// A fake upstream, for what a real homeserver cannot show: what exactly arrives, and what happens to an
// upstream request when the client hangs up.
describe('forwarding to the upstream', () => {
  let upstream: Server;
  let proxy: ProxyUnderTest;
  const seen: { req: IncomingMessage; closed: boolean }[] = [];

  beforeAll(async () => {
    upstream = createServer((req, res) => {
      const entry = { req, closed: false };
      seen.push(entry);
      req.on('close', () => (entry.closed = true));
      if (req.url?.startsWith('/_matrix/client/v3/sync') === true) return; // a long-poll that never answers
      res
        .writeHead(200, { 'Content-Type': 'application/json', Connection: 'keep-alive', 'X-Upstream': 'yes' })
        .end('{"ok":true}');
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    proxy = await startProxy(`http://127.0.0.1:${(upstream.address() as AddressInfo).port}`);
  });
  afterAll(async () => {
    await proxy.stop();
    upstream.closeAllConnections();
    await new Promise((r) => upstream.close(r));
  });

  it('sends the request as the client made it, plus X-Forwarded-*, minus hop-by-hop headers', async () => {
    const res = await fetch(`${proxy.url}/_matrix/client/v3/account/whoami?x=1`, {
      headers: {
        Authorization: 'Bearer t',
        'X-Forwarded-For': '203.0.113.7',
        'Proxy-Authorization': 'secret',
      },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-upstream')).toBe('yes');
    const req = seen.at(-1)!.req;
    expect(req.url).toBe('/_matrix/client/v3/account/whoami?x=1');
    expect(req.headers['authorization']).toBe('Bearer t');
    expect(req.headers['x-forwarded-for']).toBe('203.0.113.7, 127.0.0.1');
    expect(req.headers['proxy-authorization']).toBeUndefined();
  });

  it('cancels the upstream long-poll when the client hangs up', async () => {
    const controller = new AbortController();
    const polling = fetch(`${proxy.url}/_matrix/client/v3/sync?timeout=30000`, {
      signal: controller.signal,
    }).catch(() => 'aborted');
    await new Promise((r) => setTimeout(r, 200));
    const entry = seen.find((s) => s.req.url?.startsWith('/_matrix/client/v3/sync') === true)!;
    expect(entry.closed).toBe(false);
    controller.abort();
    expect(await polling).toBe('aborted');
    await new Promise((r) => setTimeout(r, 200));
    expect(entry.closed).toBe(true);
  });

  it('serves metrics on the separate SYNCV3_PROM listener only', async () => {
    const port = await freePort();
    const withProm = await startProxy(`http://127.0.0.1:${(upstream.address() as AddressInfo).port}`, {
      SYNCV3_PROM: `127.0.0.1:${port}`,
    });
    try {
      await fetch(`${withProm.url}/_matrix/client/v3/account/whoami`);
      const metrics = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toContain('sync_proxy_forwarded_requests_total');
      expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
      expect((await fetch(`${withProm.url}/metrics`)).status).toBe(404);
    } finally {
      await withProm.stop();
    }
    await expect(fetch(`http://127.0.0.1:${port}/metrics`)).rejects.toThrow();
  });

  it('logs the client address from X-Forwarded-For only when the peer is in SYNCV3_TRUSTED_PROXIES', async () => {
    const up = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    const ipLogged = async (p: ProxyUnderTest) => {
      await fetch(`${p.url}/health`, { headers: { 'X-Forwarded-For': '198.51.100.4, 203.0.113.7' } });
      await new Promise((r) => setTimeout(r, 50));
      const line = p
        .logs()
        .split('\n')
        .filter((l) => l.includes('"route":"/health"'))
        .at(-1);
      return (JSON.parse(line ?? '{}') as { ip?: string }).ip;
    };
    const trusted = await startProxy(up, { SYNCV3_TRUSTED_PROXIES: '127.0.0.1' });
    const untrusted = await startProxy(up, { SYNCV3_TRUSTED_PROXIES: '10.0.0.0/8' });
    try {
      expect(await ipLogged(trusted)).toBe('203.0.113.7');
      expect(await ipLogged(untrusted)).toBe('127.0.0.1');
    } finally {
      await trusted.stop();
      await untrusted.stop();
    }
  });
});
