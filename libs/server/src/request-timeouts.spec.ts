import { Body, Controller, Get, HttpCode, Module, Post, Query } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { connect } from 'node:net';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { startApp, type AppOptions } from './bootstrap';
import { ServerModule } from './server.module';

@Controller('test')
class TestController {
  @Post('echo')
  @HttpCode(200)
  echo(@Body() body: unknown): unknown {
    return { got: body ?? null };
  }

  /** A long-poll: answers after `ms`, as /sync does after its `timeout`. */
  @Get('wait')
  async wait(@Query('ms') ms: string): Promise<{ waited: number }> {
    await new Promise((r) => setTimeout(r, Number(ms)));
    return { waited: Number(ms) };
  }

  /** The sliding sync shape: a JSON body, then the wait. */
  @Post('wait')
  @HttpCode(200)
  async waitAfterBody(@Query('ms') ms: string, @Body() body: unknown): Promise<unknown> {
    await new Promise((r) => setTimeout(r, Number(ms)));
    return { got: body ?? null };
  }
}

@Module({ imports: [ServerModule], controllers: [TestController] })
class TestModule {}

/** Short bounds, so a test shows what the 30 s default does without waiting for it. */
const REQUEST_MS = 1_500;
const HEADERS_MS = 1_000;
/** Node looks for expired requests once a second; the rest is a loaded machine's scheduling. */
const SLACK_MS = 1_000 + 1_000;

interface Exchange {
  /** Everything the server wrote. */
  text: string;
  /** The server closed the connection. */
  closed: boolean;
  /** Milliseconds from connecting to the close (or to giving up waiting). */
  ms: number;
}

/**
 * Writes `parts` on one raw connection (a number is a pause in ms) and reads until the server closes it,
 * or until `waitMs` after the last part.
 */
async function exchange(url: string, parts: readonly (string | number)[], waitMs = 8_000): Promise<Exchange> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  const started = Date.now();
  let text = '';
  let closed = false;
  socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
  socket.on('error', () => undefined);
  const done = new Promise<void>((resolve) =>
    socket.on('close', () => {
      closed = true;
      resolve();
    }),
  );
  await new Promise((resolve) => socket.on('connect', resolve));
  for (const part of parts) {
    if (socket.destroyed) break;
    if (typeof part === 'number') await new Promise((r) => setTimeout(r, part));
    else socket.write(part);
  }
  await Promise.race([done, new Promise((r) => setTimeout(r, waitMs))]);
  const ms = Date.now() - started;
  socket.destroy();
  return { text, closed, ms };
}

const head = (method: string, path: string, headers: Record<string, string | number> = {}): string =>
  `${method} ${path} HTTP/1.1\r\nHost: localhost\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}\r\n`;

/** A 20-byte JSON body sent one byte every 250 ms: 5 s in all, far past the bound. */
const BODY = '{"a":"0123456789ab"}';
const trickled = (path: string): (string | number)[] => [
  head('POST', path, { 'Content-Type': 'application/json', 'Content-Length': BODY.length }),
  ...BODY.split('').flatMap((c) => [250, c]),
];

const statusOf = (text: string): number => Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]);

describe('request timeouts (every listener of every service)', () => {
  let app: NestFastifyApplication | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  let logs = '';
  async function boot(extra: Partial<AppOptions> = {}): Promise<{ url: string; internal: string }> {
    const stream = new PassThrough();
    logs = '';
    stream.on('data', (chunk: Buffer) => (logs += chunk.toString()));
    const running = await startApp(TestModule, {
      name: 'test',
      logLevel: 'warn',
      bind: { host: '127.0.0.1', port: 0 },
      logDestination: stream,
      requestTimeoutMs: REQUEST_MS,
      headersTimeoutMs: HEADERS_MS,
      metricsBind: { host: '127.0.0.1', port: 0 },
      internalPrefixes: ['/test/'],
      ...extra,
    });
    app = running.app;
    return { url: running.url, internal: running.metricsUrl! };
  }

  it('answers 408 and closes the connection when the body comes slower than the bound', async () => {
    const { url } = await boot({ internalPrefixes: [] });
    const slow = await exchange(url, trickled('/test/echo'));
    expect(statusOf(slow.text)).toBe(408);
    expect(slow.closed).toBe(true);
    expect(slow.ms).toBeGreaterThanOrEqual(REQUEST_MS - 50);
    expect(slow.ms).toBeLessThan(REQUEST_MS + SLACK_MS);
    // The same body sent at once is answered.
    const whole = await exchange(url, [
      head('POST', '/test/echo', {
        'Content-Type': 'application/json',
        'Content-Length': BODY.length,
        Connection: 'close',
      }) + BODY,
    ]);
    expect(statusOf(whole.text)).toBe(200);
    expect(whole.text).toContain('{"got":{"a":"0123456789ab"}}');
    // A client too slow is not the service's error.
    expect(logs).not.toMatch(/"level":"(error|fatal)"/);
  });

  it('answers 408 and closes the connection when the headers never end', async () => {
    const { url } = await boot({ internalPrefixes: [] });
    const hanging = await exchange(url, ['POST /test/echo HTTP/1.1\r\nHost: localhost\r\nContent-Le']);
    expect(statusOf(hanging.text)).toBe(408);
    expect(hanging.closed).toBe(true);
    expect(hanging.ms).toBeGreaterThanOrEqual(HEADERS_MS - 50);
    expect(hanging.ms).toBeLessThan(HEADERS_MS + SLACK_MS);
    // A connection opened and never written to at all is closed too.
    const silent = await exchange(url, []);
    expect(silent.closed).toBe(true);
    expect(silent.ms).toBeLessThan(HEADERS_MS + SLACK_MS);
  });

  it('answers 408 to a stalled request on a reused connection too, after the earlier answer', async () => {
    const { url } = await boot({ internalPrefixes: [] });
    const reused = await exchange(url, [
      head('POST', '/test/echo', { 'Content-Type': 'application/json', 'Content-Length': BODY.length }) +
        BODY,
      200,
      head('POST', '/test/echo', { 'Content-Type': 'application/json', 'Content-Length': BODY.length }) + '{',
    ]);
    expect([...reused.text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => m[1])).toEqual(['200', '408']);
    expect(reused.closed).toBe(true);
    expect(reused.ms).toBeLessThan(200 + REQUEST_MS + SLACK_MS);
  });

  it('only closes the connection when the request that ran out was already answered', async () => {
    // A route that answers before reading the body, as a forwarded upload the upstream refused early.
    const { url } = await boot({
      internalPrefixes: [],
      configureFastify: (fastify) => {
        fastify.addHook('onRequest', (request, reply, done) => {
          if (request.url !== '/early') {
            done();
            return;
          }
          reply.hijack();
          reply.raw.writeHead(413, { 'Content-Length': 2 }).end('{}');
        });
      },
    });
    const early = await exchange(url, trickled('/early'));
    expect([...early.text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => m[1])).toEqual(['413']);
    expect(early.closed).toBe(true);
    expect(early.ms).toBeLessThan(REQUEST_MS + SLACK_MS);
  });

  it('does not cut a long-poll longer than the bound once its request is in', async () => {
    const { url } = await boot({ internalPrefixes: [] });
    const waitMs = REQUEST_MS * 2 + SLACK_MS;
    const started = Date.now();
    const [get, post] = await Promise.all([
      fetch(`${url}/test/wait?ms=${waitMs}`),
      fetch(`${url}/test/wait?ms=${waitMs}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: BODY,
      }),
    ]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(waitMs - 50);
    expect(get.status).toBe(200);
    expect(await get.json()).toEqual({ waited: waitMs });
    expect(post.status).toBe(200);
    expect(await post.json()).toEqual({ got: { a: '0123456789ab' } });
    // The connection stays usable for the next request (keep-alive, announced above any proxy's 60 s).
    expect(get.headers.get('keep-alive')).toBe('timeout=72');
  });

  it('bounds the internal listener the same way, for /metrics and the internal routes', async () => {
    const { internal } = await boot();
    const slow = await exchange(internal, trickled('/test/echo'));
    expect(statusOf(slow.text)).toBe(408);
    expect(slow.closed).toBe(true);
    expect(slow.ms).toBeLessThan(REQUEST_MS + SLACK_MS);
    const hanging = await exchange(internal, ['GET /metrics HTTP/1.1\r\nHost: local']);
    expect(statusOf(hanging.text)).toBe(408);
    expect(hanging.closed).toBe(true);
    expect(hanging.ms).toBeLessThan(HEADERS_MS + SLACK_MS);
    const waitMs = REQUEST_MS * 2;
    const poll = await fetch(`${internal}/test/wait?ms=${waitMs}`);
    expect(poll.status).toBe(200);
    expect(await poll.json()).toEqual({ waited: waitMs });
    const scrape = await fetch(`${internal}/metrics`);
    expect(scrape.status).toBe(200);
    expect(scrape.headers.get('keep-alive')).toBe('timeout=72');
  });

  it('defaults to 30 s for the request and 20 s for its headers, and refuses a bound of 0', async () => {
    const running = await startApp(TestModule, {
      name: 'test',
      logLevel: 'warn',
      bind: { host: '127.0.0.1', port: 0 },
      logDestination: new PassThrough().resume(),
    });
    app = running.app;
    const server = running.app.getHttpServer();
    expect([server.requestTimeout, server.headersTimeout, server.keepAliveTimeout]).toEqual([
      30_000, 20_000, 72_000,
    ]);
    await expect(
      startApp(TestModule, {
        name: 'test',
        logLevel: 'warn',
        bind: { host: '127.0.0.1', port: 0 },
        logDestination: new PassThrough().resume(),
        requestTimeoutMs: 0,
      }),
    ).rejects.toThrow('requestTimeoutMs must be a positive integer');
  });
});
