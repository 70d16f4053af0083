import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
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
      const late = /^\/_matrix\/client\/r0\/sync\?timeout=(\d+)/.exec(req.url ?? '');
      if (late) {
        // A long-poll answered when its timeout runs out.
        setTimeout(
          () => res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"late":true}'),
          Number(late[1]),
        );
        return;
      }
      if (req.url === '/_matrix/client/versions') {
        res
          .writeHead(200, { 'Content-Type': 'application/json' })
          .end('{"versions":["v1.11"],"unstable_features":{"org.example.feature":true}}');
        return;
      }
      if (req.url === '/_matrix/media/v3/upload') {
        // As a homeserver does: the whole upload first, then the answer.
        req.resume().on('end', () => res.writeHead(200).end('{}'));
        return;
      }
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
    // How the client reached the proxy, for the homeserver to see.
    expect(req.headers['x-forwarded-proto']).toBe('http');
    expect(req.headers['x-forwarded-host']).toBe(new URL(proxy.url).host);
    expect(req.headers['host']).toBe(`127.0.0.1:${String((upstream.address() as AddressInfo).port)}`);
    expect(req.headers['proxy-authorization']).toBeUndefined();
  });

  it("answers /versions with the homeserver's answer plus the simplified sliding sync flag", async () => {
    // A homeserver that does not announce MSC4186 itself (Synapse 1.160 does: its contract test cannot
    // tell the proxy's flag from Synapse's).
    const res = await fetch(`${proxy.url}/_matrix/client/versions`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      versions: ['v1.11'],
      unstable_features: { 'org.example.feature': true, 'org.matrix.simplified_msc3575': true },
    });
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

  it('lets a forwarded long-poll run past the bound on receiving requests, but not a trickled body', async () => {
    const bounded = await startProxy(
      `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`,
      {},
      { requestTimeoutMs: 2_000 },
    );
    try {
      const started = Date.now();
      const poll = await fetch(`${bounded.url}/_matrix/client/r0/sync?timeout=4000`);
      expect(poll.status).toBe(200);
      expect(await poll.json()).toEqual({ late: true });
      expect(Date.now() - started).toBeGreaterThanOrEqual(3_950);
      // A forwarded upload whose body comes slower than the bound: 408, and the connection closed.
      const { port } = new URL(bounded.url);
      const socket = connect(Number(port), '127.0.0.1');
      let answer = '';
      socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
      const closed = new Promise<number>((resolve) =>
        socket.on('close', () => {
          resolve(Date.now());
        }),
      );
      const sent = Date.now();
      socket.write(
        'POST /_matrix/media/v3/upload HTTP/1.1\r\nHost: localhost\r\nContent-Type: image/png\r\nContent-Length: 10\r\n\r\n',
      );
      for (let i = 0; i < 10; i++) {
        await new Promise((r) => setTimeout(r, 500));
        if (socket.destroyed) break;
        socket.write('x');
      }
      expect((await closed) - sent).toBeLessThan(2_000 + 2_000);
      expect(answer).toMatch(/^HTTP\/1\.1 408 /);
      // The upstream's half of the upload is cut with it.
      await new Promise((r) => setTimeout(r, 200));
      expect(seen.find((s) => s.req.url === '/_matrix/media/v3/upload')?.closed).toBe(true);
    } finally {
      await bounded.stop();
    }
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
