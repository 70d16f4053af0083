import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProxy, type ProxyUnderTest } from '../support/start-proxy';

const PUBLIC = 'https://matrix.example.org';
const RTC = 'https://rtc.example.org';
type Answer = (res: ServerResponse) => void;

// A fake upstream for what a real Synapse will not do: break its well-known document in every way.
// Whatever the upstream does, the proxy's own answer stays a well-formed document, never a 500.
describe('/.well-known/matrix/client with a broken or absent upstream document', () => {
  let upstream: Server;
  let upstreamUrl: string;
  let answer: Answer = (res) => res.writeHead(404).end();
  const proxies: ProxyUnderTest[] = [];

  beforeAll(async () => {
    upstream = createServer((req, res) => {
      if (req.url === '/.well-known/matrix/client') {
        answer(res);
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"versions":["v1.11"]}');
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const p of proxies) await p.stop();
    upstream.closeAllConnections();
    await new Promise((r) => upstream.close(r));
  });

  /** A fresh proxy per case: the proxy caches the upstream document for a minute. */
  async function proxyWith(env: Record<string, string>): Promise<ProxyUnderTest> {
    const p = await startProxy(upstreamUrl, env);
    proxies.push(p);
    return p;
  }

  const broken: [string, Answer][] = [
    [
      'absent (404)',
      (res) => res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"errcode":"M_NOT_FOUND"}'),
    ],
    ['a server error', (res) => res.writeHead(500).end('Internal Server Error')],
    [
      'malformed JSON',
      (res) => res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"m.homeserver":'),
    ],
    ['an HTML page', (res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end('<html>hello</html>')],
    ['a connection reset', (res) => res.socket?.destroy()],
    ['no answer at all (timeout)', () => undefined],
  ];

  it.each(broken)(
    'upstream document %s: the proxy still announces itself and the RTC focus',
    async (_name, a) => {
      answer = a;
      const proxy = await proxyWith({ SYNCV3_PUBLIC_URL: `${PUBLIC}/`, SYNCV3_LIVEKIT_SERVICE_URL: RTC });
      const res = await fetch(`${proxy.url}/.well-known/matrix/client`);
      expect(res.status).toBe(200);
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await res.json()).toEqual({
        'm.homeserver': { base_url: PUBLIC },
        'org.matrix.msc4143.rtc_foci': [{ type: 'livekit', livekit_service_url: RTC }],
      });
    },
  );

  it('without SYNCV3_PUBLIC_URL and no upstream document: 404 M_NOT_FOUND as Synapse answers, with CORS', async () => {
    answer = (res) => res.writeHead(500).end();
    const proxy = await proxyWith({});
    const res = await fetch(`${proxy.url}/.well-known/matrix/client`);
    expect(res.status).toBe(404);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(await res.json()).toEqual({ errcode: 'M_NOT_FOUND', error: '.well-known not available' });
  });

  it('answers HEAD and the browser preflight', async () => {
    answer = (res) => res.writeHead(404).end();
    const proxy = await proxyWith({ SYNCV3_PUBLIC_URL: PUBLIC });
    const head = await fetch(`${proxy.url}/.well-known/matrix/client`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    const preflight = await fetch(`${proxy.url}/.well-known/matrix/client`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://app.example.org', 'Access-Control-Request-Method': 'GET' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-methods')).toContain('GET');
    const post = await fetch(`${proxy.url}/.well-known/matrix/client`, { method: 'POST', body: '{}' });
    expect(post.status).toBe(405);
    expect(((await post.json()) as { errcode: string }).errcode).toBe('M_UNRECOGNIZED');
  });
});
