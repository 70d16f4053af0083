import { request } from 'node:https';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeHomeserver, MALFORMED_JSON } from './fake-homeserver';
import { TEST_TLS_CERT, TEST_TLS_KEY } from './test-tls';

describe('FakeHomeserver scripted routes', () => {
  let fake: FakeHomeserver | undefined;
  afterEach(async () => {
    await fake?.stop();
    fake = undefined;
  });

  it('answers a scripted status and JSON body, then falls back to the built-in route', async () => {
    fake = await FakeHomeserver.start();
    fake.script('GET', '/_matrix/client/versions', { status: 503, json: { errcode: 'M_UNKNOWN' } }, 1);
    const first = await fetch(`${fake.url}/_matrix/client/versions`);
    expect(first.status).toBe(503);
    expect(await first.json()).toEqual({ errcode: 'M_UNKNOWN' });
    const second = await fetch(`${fake.url}/_matrix/client/versions`);
    expect(second.status).toBe(200);
    expect(((await second.json()) as { versions: unknown }).versions).toContain('v1.11');
  });

  it('sends malformed bodies as is, and records what was asked', async () => {
    fake = await FakeHomeserver.start();
    fake.script('POST', /^\/_matrix\/client\/v3\/rooms\/[^/]+\/send\//, { text: MALFORMED_JSON });
    const res = await fetch(`${fake.url}/_matrix/client/v3/rooms/!r:hs/send/m.x/1?x=1`, {
      method: 'POST',
      headers: { authorization: 'Bearer t' },
      body: '{"a":1}',
    });
    await expect(res.json()).rejects.toThrow();
    const recorded = fake.requests.at(-1);
    expect(recorded).toMatchObject({
      method: 'POST',
      path: '/_matrix/client/v3/rooms/!r:hs/send/m.x/1',
      body: '{"a":1}',
    });
    expect(recorded?.query.get('x')).toBe('1');
    expect(recorded?.headers.authorization).toBe('Bearer t');
  });

  it('delays an answer, or hangs up instead of answering', async () => {
    fake = await FakeHomeserver.start();
    fake.script('GET', '/slow', { delayMs: 300, json: {} });
    fake.script('GET', '/gone', { hangUp: true });
    const started = performance.now();
    expect((await fetch(`${fake.url}/slow`)).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    await expect(fetch(`${fake.url}/gone`)).rejects.toThrow();
    // The handler form sees the request.
    fake.script('GET', '/echo', (req) => ({ json: { q: req.query.get('q') } }));
    expect(await (await fetch(`${fake.url}/echo?q=hi`)).json()).toEqual({ q: 'hi' });
  });

  it('serves HTTPS when given a key, and records the SNI the client sent', async () => {
    fake = await FakeHomeserver.start({ tls: { key: TEST_TLS_KEY, cert: TEST_TLS_CERT } });
    expect(fake.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    fake.script('GET', '/tls', { json: { ok: true } });
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const req = request(
        `${fake?.url ?? ''}/tls`,
        { ca: TEST_TLS_CERT, servername: 'hs.example' },
        (res) => {
          res.resume();
          resolve(res.statusCode);
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(200);
    expect(fake.requests.at(-1)?.servername).toBe('hs.example');
  });
});
