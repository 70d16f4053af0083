import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeLiveKit } from '../fakes/fake-livekit';
import { answerSub, startFakeHomeserver, type FakeHomeserver } from '../fakes/fake-homeserver';
import { post, startRtc, type RtcUnderTest } from '../support/start-rtc';

const BODY_LIMIT = 64 * 1024;
const CORS = 'access-control-allow-origin: *';

/** A raw HTTP/1.1 exchange: what the service wrote back, and whether it closed the connection. */
interface Exchange {
  text: string;
  closed: boolean;
}

/**
 * Writes `parts` to a fresh connection (a number is a pause in ms) and collects the answer until the
 * service closes the connection or has answered and been quiet for `quietMs`.
 */
function exchange(url: string, parts: (string | number)[], quietMs = 300): Promise<Exchange> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(Number(port), hostname);
    let text = '';
    let quiet: NodeJS.Timeout | undefined;
    const done = (closed: boolean) => {
      clearTimeout(quiet);
      socket.destroy();
      resolve({ text, closed });
    };
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      clearTimeout(quiet);
      quiet = setTimeout(() => {
        done(false);
      }, quietMs);
    });
    socket.on('close', () => {
      done(true);
    });
    socket.on('error', reject);
    socket.on('connect', () => {
      void (async () => {
        for (const part of parts) {
          if (typeof part === 'number') await new Promise((r) => setTimeout(r, part));
          else socket.write(part);
        }
      })();
    });
  });
}

const request = (path: string, headers: Record<string, string | number>, body = '') =>
  `POST ${path} HTTP/1.1\r\nHost: rtc.test\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}\r\n${body}`;

const statusOf = (text: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]);
const bodyOf = (text: string): unknown => JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4));

// The token endpoints read their bodies themselves (src/http/read-body.ts, token-routes.ts): what that
// reading does on a real socket, and that the request metrics and log still see every request.
describe('rtc-jwt-service token routes', () => {
  let hs: FakeHomeserver;
  let livekit: FakeLiveKit;
  let rtc: RtcUnderTest;

  const json = JSON.stringify({
    room_id: '!r:hs.test',
    slot_id: 'm.call#ROOM',
    openid_token: { access_token: 'tok', matrix_server_name: 'hs.test' },
    member: { id: 'm1', claimed_user_id: '@alice:hs.test', claimed_device_id: 'DEV' },
  });

  beforeAll(async () => {
    hs = await startFakeHomeserver();
    hs.handle(answerSub('@alice:hs.test'));
    livekit = await new FakeLiveKit().start();
    rtc = await startRtc({
      LIVEKIT_URL: livekit.url,
      LIVEKIT_KEY: livekit.key,
      LIVEKIT_SECRET: livekit.secret,
      LIVEKIT_FULL_ACCESS_HOMESERVERS: 'hs.test',
      LIVEKIT_FEDERATION_URL_OVERRIDES: `hs.test=${hs.baseUrl}`,
      RTC_RATE_LIMIT_PER_IP: '0',
      RTC_METRICS_BIND: '127.0.0.1:0',
    });
  });
  afterAll(async () => {
    await rtc.stop();
    await livekit.stop();
    await hs.close();
  });

  it('refuses a body over the limit with 413 M_TOO_LARGE and closes the connection, declared or sent', async () => {
    const declared = await exchange(rtc.url, [
      request('/get_token', { 'Content-Type': 'application/json', 'Content-Length': BODY_LIMIT + 1 }),
    ]);
    const chunk = 'x'.repeat(40 * 1024);
    const sent = await exchange(rtc.url, [
      request('/sfu/get', { 'Transfer-Encoding': 'chunked' }),
      `${chunk.length.toString(16)}\r\n${chunk}\r\n`,
      `${chunk.length.toString(16)}\r\n${chunk}\r\n0\r\n\r\n`,
    ]);
    for (const answer of [declared, sent]) {
      expect(statusOf(answer.text)).toBe(413);
      expect(bodyOf(answer.text)).toEqual({ errcode: 'M_TOO_LARGE', error: 'Request body too large' });
      expect(answer.text.toLowerCase()).toContain('connection: close');
      expect(answer.text.toLowerCase()).toContain(CORS);
      expect(answer.closed).toBe(true);
    }
    const atLimit = ' '.repeat(BODY_LIMIT - json.length) + json;
    expect((await post(`${rtc.url}/get_token`, atLimit)).status).toBe(200);
  });

  it('waits for a slowly sent body without holding up other requests', async () => {
    const full = request('/get_token', { 'Content-Length': json.length }, json);
    const slow = exchange(rtc.url, [full.slice(0, -40), 400, full.slice(-40, -20), 400, full.slice(-20)]);
    const started = Date.now();
    expect((await post(`${rtc.url}/get_token`, json)).status).toBe(200);
    expect(Date.now() - started).toBeLessThan(400);
    const answer = await slow;
    expect(statusOf(answer.text)).toBe(200);
    expect(bodyOf(answer.text)).toMatchObject({ url: livekit.url });
    expect(answer.closed).toBe(false);
  });

  it('answers 408 to a body slower than the bound on receiving requests, and logs no error', async () => {
    const bounded = await startRtc(
      {
        LIVEKIT_URL: livekit.url,
        LIVEKIT_KEY: livekit.key,
        LIVEKIT_SECRET: livekit.secret,
        LIVEKIT_FULL_ACCESS_HOMESERVERS: 'hs.test',
        LIVEKIT_FEDERATION_URL_OVERRIDES: `hs.test=${hs.baseUrl}`,
        RTC_RATE_LIMIT_PER_IP: '0',
      },
      { requestTimeoutMs: 1_000 },
    );
    try {
      const full = request('/get_token', { 'Content-Length': json.length }, json);
      const started = Date.now();
      const slow = await exchange(bounded.url, [
        full.slice(0, -40),
        1_500,
        full.slice(-40, -20),
        1_500,
        full.slice(-20),
      ]);
      // Node checks the bound once a second.
      expect(Date.now() - started).toBeLessThan(1_000 + 2_000);
      expect(statusOf(slow.text)).toBe(408);
      expect(slow.closed).toBe(true);
      // The routes that read their body in onRequest give up on it quietly, and keep serving.
      expect((await post(`${bounded.url}/get_token`, json)).status).toBe(200);
      const lines = bounded
        .logs()
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as { level: string });
      expect(lines.filter((l) => l.level === 'error' || l.level === 'fatal')).toEqual([]);
    } finally {
      await bounded.stop();
    }
  });

  it('keeps serving after a client goes away halfway through its body, and logs no error', async () => {
    rtc.takeLogs();
    const socket = connect(Number(new URL(rtc.url).port), '127.0.0.1');
    await new Promise((resolve) => socket.on('connect', resolve));
    socket.write(request('/get_token', { 'Content-Length': 500 }, '{"room_id":'));
    await new Promise((r) => setTimeout(r, 100));
    socket.destroy();
    await new Promise((r) => setTimeout(r, 100));
    expect((await post(`${rtc.url}/get_token`, json)).status).toBe(200);
    const lines = rtc
      .takeLogs()
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as { level: string });
    expect(lines.filter((l) => l.level === 'error' || l.level === 'fatal')).toEqual([]);
  });

  it('reads the body whatever its Content-Type, as lk-jwt-service, but refuses a malformed one', async () => {
    expect((await post(`${rtc.url}/get_token`, json, { 'Content-Type': 'text/plain' })).status).toBe(200);
    const none = await exchange(rtc.url, [request('/get_token', { 'Content-Length': json.length }, json)]);
    expect(statusOf(none.text)).toBe(200);
    // Fastify's refusal of a Content-Type that is not `type/subtype`, as the exception filter words it.
    const malformed = await post(`${rtc.url}/get_token`, json, { 'Content-Type': 'json' });
    expect(malformed).toMatchObject({ status: 415, json: { errcode: 'M_UNKNOWN', error: 'Bad request' } });
    expect(malformed.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('counts every answer in the request metrics and logs it with its route and client address', async () => {
    rtc.takeLogs();
    expect((await post(`${rtc.url}/get_token`, json)).status).toBe(200);
    expect((await post(`${rtc.url}/delegate_delayed_leave`, '{')).status).toBe(400);
    const metrics = await (await fetch(`${rtc.metricsUrl ?? ''}/metrics`)).text();
    expect(metrics).toMatch(/rtc_token_requests_total\{endpoint="get_token",outcome="ok"\} [1-9]/);
    expect(metrics).toContain(
      'rtc_token_requests_total{endpoint="delegate_delayed_leave",outcome="M_NOT_JSON"} 1',
    );
    expect(metrics).toMatch(/http_requests_total\{route="\/get_token",method="POST",status="200"\} [1-9]/);
    expect(metrics).toContain(
      'http_requests_total{route="/delegate_delayed_leave",method="POST",status="400"} 1',
    );
    const requests = rtc
      .takeLogs()
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l['msg'] === 'request');
    expect(requests.map(({ method, route, status, ip }) => ({ method, route, status, ip }))).toEqual([
      { method: 'POST', route: '/get_token', status: 200, ip: '127.0.0.1' },
      { method: 'POST', route: '/delegate_delayed_leave', status: 400, ip: '127.0.0.1' },
    ]);
  });
});
