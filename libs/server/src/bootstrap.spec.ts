import { Controller, Get, Module, Post, Query, Body, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { connect } from 'node:net';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { MatrixError } from '@gateway/matrix';
import { startApp, type AppOptions } from './bootstrap';
import { DependenciesModule, dependency } from './dependencies.module';
import { Lifecycle } from './lifecycle';
import { ServerModule } from './server.module';

@Controller('test')
class TestController {
  constructor(private readonly lifecycle: Lifecycle) {}

  @Post('echo')
  echo(@Body() body: unknown): unknown {
    return { got: body ?? null };
  }

  @Get('boom')
  boom(): never {
    throw new Error('database password is hunter2');
  }

  @Get('ip')
  ip(@Req() req: FastifyRequest): { ip: string } {
    return { ip: req.ip };
  }

  @Get('limited')
  limited(): never {
    throw MatrixError.limitExceeded(2500);
  }

  @Get('slow')
  async slow(@Query('ms') ms: string): Promise<{ done: boolean; stopping: boolean }> {
    await new Promise((r) => setTimeout(r, Number(ms)));
    return { done: true, stopping: this.lifecycle.shuttingDown };
  }
}

let healthy = true;
@Module({
  imports: [
    ServerModule,
    DependenciesModule.forRoot([
      dependency({
        provide: 'FAKE_DB',
        name: 'fake-db',
        create: () => ({}),
        ping: () => (healthy ? Promise.resolve() : Promise.reject(new Error('connection refused'))),
        close: () => undefined,
      }),
    ]),
  ],
  controllers: [TestController],
})
class TestModule {}

describe('startApp (the bootstrap every service uses)', () => {
  let app: NestFastifyApplication | undefined;
  let logs = '';
  afterEach(async () => {
    await app?.close();
    app = undefined;
    healthy = true;
  });

  let metricsUrl: string | undefined;
  async function boot(extra: Partial<AppOptions> = {}): Promise<string> {
    const stream = new PassThrough();
    logs = '';
    stream.on('data', (chunk: Buffer) => (logs += chunk.toString()));
    const running = await startApp(TestModule, {
      name: 'test',
      logLevel: 'debug',
      bind: { host: '127.0.0.1', port: 0 },
      logDestination: stream,
      ...extra,
    });
    app = running.app;
    metricsUrl = running.metricsUrl;
    return running.url;
  }

  it('takes the client address from X-Forwarded-For only when the peer is a trusted proxy', async () => {
    const ipOf = async (url: string, xff?: string) =>
      (
        (await (
          await fetch(`${url}/test/ip`, { headers: xff ? { 'X-Forwarded-For': xff } : {} })
        ).json()) as {
          ip: string;
        }
      ).ip;
    // The tests connect from 127.0.0.1: trusted here.
    let url = await boot({ trustedProxies: ['127.0.0.0/8', '10.0.0.0/8'] });
    expect(await ipOf(url)).toBe('127.0.0.1');
    expect(await ipOf(url, '203.0.113.9')).toBe('203.0.113.9');
    // The rightmost hop that is not a trusted proxy: what the client put further left is not believed.
    expect(await ipOf(url, '198.51.100.1, 203.0.113.9, 10.1.2.3')).toBe('203.0.113.9');
    expect(logs).toContain('"ip":"203.0.113.9"');
    await app?.close();
    // Not trusted: the header is the client's own say-so, and ignored.
    url = await boot({ trustedProxies: ['10.0.0.0/8'] });
    expect(await ipOf(url, '203.0.113.9')).toBe('127.0.0.1');
    await app?.close();
    url = await boot();
    expect(await ipOf(url, '203.0.113.9')).toBe('127.0.0.1');
    expect(logs).toContain('"ip":"127.0.0.1"');
  });

  it('serves /metrics only on the internal listener, never on the public port', async () => {
    let url = await boot({ metricsBind: { host: '127.0.0.1', port: 0 } });
    await fetch(`${url}/health`);
    expect((await fetch(`${url}/metrics`)).status).toBe(404);
    const scrape = await fetch(`${metricsUrl!}/metrics`);
    expect(scrape.status).toBe(200);
    expect(await scrape.text()).toContain('http_requests_total{route="/health",method="GET",status="200"} 1');
    expect((await fetch(`${metricsUrl!}/health`)).status).toBe(404);
    const internal = metricsUrl!;
    await app?.close();
    app = undefined;
    await expect(fetch(`${internal}/metrics`)).rejects.toThrow();
    // Without an internal listener there are no metrics at all (MAS's default).
    url = await boot();
    expect((await fetch(`${url}/metrics`)).status).toBe(404);
    expect(metricsUrl).toBeUndefined();
  });

  it('serves internal prefixes through the app only on the internal listener; the public port 404s them', async () => {
    const url = await boot({ metricsBind: { host: '127.0.0.1', port: 0 }, internalPrefixes: ['/test/ip'] });
    const internal = await fetch(`${metricsUrl!}/test/ip`);
    expect(internal.status).toBe(200);
    expect(await internal.json()).toEqual({ ip: '127.0.0.1' });
    const unknown = await (await fetch(`${url}/nowhere`)).json();
    const hidden = await fetch(`${url}/test/ip`);
    expect(hidden.status).toBe(404);
    // Indistinguishable from a path that does not exist.
    expect(await hidden.json()).toEqual(unknown);
    // Nor reached by spelling the path another way.
    for (const other of ['/%74est/ip', '/test/%69p', '/test//ip', '//test/ip', '/test/ip/'])
      expect((await fetch(`${url}${other}`)).status, other).toBe(404);
    // The other routes stay public, and the internal listener still serves only its own paths.
    expect((await fetch(`${url}/test/limited`)).status).toBe(429);
    expect((await fetch(`${metricsUrl!}/test/limited`)).status).toBe(404);
    expect((await fetch(`${metricsUrl!}/metrics`)).status).toBe(200);
  });

  it('serves /health, /ready and /metrics', async () => {
    const url = await boot({ metricsBind: { host: '127.0.0.1', port: 0 } });
    const health = await fetch(`${url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });

    expect(await (await fetch(`${url}/ready`)).json()).toEqual({ status: 'ok', checks: { 'fake-db': 'ok' } });
    healthy = false;
    const ready = await fetch(`${url}/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({
      status: 'unavailable',
      checks: { 'fake-db': 'connection refused' },
    });

    const metrics = await (await fetch(`${metricsUrl!}/metrics`)).text();
    expect(metrics).toContain('http_requests_total{route="/ready",method="GET",status="503"} 1');
    expect(metrics).toContain('process_cpu_user_seconds_total');
  });

  it('answers unknown paths with 404 and known paths with the wrong method with 405, as Matrix errors', async () => {
    const url = await boot();
    const missing = await fetch(`${url}/nowhere`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ errcode: 'M_UNRECOGNIZED', error: 'Unrecognized request' });
    const wrong = await fetch(`${url}/test/echo`);
    expect(wrong.status).toBe(405);
    expect(await wrong.json()).toEqual({ errcode: 'M_UNRECOGNIZED', error: 'Unrecognized request' });
  });

  it('turns an unparseable or oversized body into M_NOT_JSON / M_TOO_LARGE', async () => {
    const url = await boot();
    const post = (body: string) =>
      fetch(`${url}/test/echo`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
    const bad = await post('{"a":');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ errcode: 'M_NOT_JSON', error: 'Content not JSON.' });
    expect(await (await post('{"a":1}')).json()).toEqual({ got: { a: 1 } });
    const big = await post(JSON.stringify({ a: 'x'.repeat(2 * 1024 * 1024) }));
    expect(big.status).toBe(413);
    expect(await big.json()).toEqual({ errcode: 'M_TOO_LARGE', error: 'Request body too large' });
  });

  it('refuses a JSON body with U+0000 in a string or key (Postgres cannot store it) as M_BAD_JSON', async () => {
    const url = await boot();
    const post = (body: string) =>
      fetch(`${url}/test/echo`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
    for (const body of ['{"a":"x\\u0000"}', '{"a\\u0000":1}', '[[["\\u0000"]]]']) {
      const res = await post(body);
      expect(res.status, body).toBe(400);
      expect(await res.json()).toEqual({
        errcode: 'M_BAD_JSON',
        error: 'Strings must not contain NUL or unpaired surrogates.',
      });
    }
    // An escaped backslash before "u0000" is only text.
    expect(await (await post('{"a":"\\\\u0000"}')).json()).toEqual({ got: { a: '\\u0000' } });
  });

  it('hides unexpected errors behind 500 M_UNKNOWN and logs them', async () => {
    const url = await boot();
    const res = await fetch(`${url}/test/boom`);
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({ errcode: 'M_UNKNOWN', error: 'Internal server error' });
    expect(text).not.toContain('hunter2');
    expect(logs).toContain('unhandled error');
  });

  it('sends MatrixError headers and fields (429 with Retry-After)', async () => {
    const url = await boot();
    const res = await fetch(`${url}/test/limited`);
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('3');
    expect(await res.json()).toEqual({
      errcode: 'M_LIMIT_EXCEEDED',
      error: 'Too many requests',
      retry_after_ms: 2500,
    });
  });

  it('never writes tokens from query strings or headers into the logs', async () => {
    const url = await boot();
    await fetch(`${url}/test/echo?access_token=sekrit-query-token`, {
      method: 'POST',
      headers: { Authorization: 'Bearer sekrit-header-token', 'Content-Type': 'application/json' },
      body: '{"password":"sekrit-body"}',
    });
    expect(logs).toContain('"route":"/test/echo"');
    expect(logs).not.toContain('sekrit');
  });

  it('finishes in-flight requests when closed', async () => {
    const url = await boot();
    const inFlight = fetch(`${url}/test/slow?ms=300`).then((r) => r.json());
    await new Promise((r) => setTimeout(r, 50));
    const closing = app!.close();
    app = undefined;
    expect(await inFlight).toEqual({ done: true, stopping: true });
    await closing;
    await expect(fetch(`${url}/health`)).rejects.toThrow();
  });

  it('closes promptly although clients hold idle and never-used connections', async () => {
    const url = await boot();
    const { port } = new URL(url);
    // A connection opened and never used, and one kept alive after a response.
    const unused = connect(Number(port), '127.0.0.1');
    await new Promise((r) => unused.once('connect', r));
    const keptAlive = connect(Number(port), '127.0.0.1');
    keptAlive.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise((r) => keptAlive.once('data', r));
    const started = Date.now();
    const closing = app!.close();
    app = undefined;
    await closing;
    expect(Date.now() - started).toBeLessThan(2_000);
    // The server ended the unused connection (the client sees it close).
    const ended = await Promise.race([
      new Promise((r) =>
        unused.once('close', () => {
          r(true);
        }),
      ),
      new Promise((r) =>
        setTimeout(() => {
          r(false);
        }, 1_000),
      ),
    ]);
    expect(ended).toBe(true);
    unused.destroy();
    keptAlive.destroy();
  });
});
