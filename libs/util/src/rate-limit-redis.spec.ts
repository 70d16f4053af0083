import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import { RedisRateLimiter, type RedisScriptRunner } from './rate-limit-redis';

function unusedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        resolve(typeof address === 'object' && address !== null ? address.port : 0);
      });
    });
  });
}

// The Lua script can only be exercised by Redis itself: a throwaway redis-server on loopback, when the
// binary is installed (it is on the development machines); otherwise only the fake-based tests run.
const haveRedis = spawnSync('redis-server', ['--version']).status === 0;

describe(RedisRateLimiter.name, () => {
  it('refuses invalid rules and costs before touching Redis', async () => {
    const never: RedisScriptRunner = {
      eval: () => Promise.reject(new Error('not expected')),
      del: () => Promise.reject(new Error('not expected')),
    };
    expect(() => new RedisRateLimiter(never, { burst: 0, refillPerSecond: 1 }, { prefix: 'p:' })).toThrow(
      RangeError,
    );
    const limiter = new RedisRateLimiter(never, { burst: 2, refillPerSecond: 1 }, { prefix: 'p:' });
    await expect(limiter.consume('k', 3)).rejects.toThrow(RangeError);
  });

  it('refuses a malformed script reply', async () => {
    const odd: RedisScriptRunner = { eval: () => Promise.resolve('OK'), del: () => Promise.resolve(0) };
    const limiter = new RedisRateLimiter(odd, { burst: 1, refillPerSecond: 1 }, { prefix: 'p:' });
    await expect(limiter.consume('k')).rejects.toThrow(/unexpected reply/);
  });

  it('accepts a real ioredis client', () => {
    const client = new Redis({ lazyConnect: true });
    expect(new RedisRateLimiter(client, { burst: 1, refillPerSecond: 1 }, { prefix: 'p:' })).toBeInstanceOf(
      RedisRateLimiter,
    );
    client.disconnect();
  });
});

describe.skipIf(!haveRedis)(`${RedisRateLimiter.name} against redis-server`, () => {
  let server: ChildProcess;
  let redis: Redis;

  beforeAll(async () => {
    const port = await unusedPort();
    server = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      {
        stdio: 'ignore',
      },
    );
    redis = new Redis({ port, host: '127.0.0.1' });
    // Until the server is up, connection attempts fail and are retried; the queued PING waits for them.
    redis.on('error', () => undefined);
    await redis.ping();
  });

  afterAll(() => {
    redis.disconnect();
    server.kill();
  });

  it('allows a burst, refuses with the time to the next token, and refills', async () => {
    const clock = { now: 1_000_000 };
    const limiter = new RedisRateLimiter(
      redis,
      { burst: 3, refillPerSecond: 2 },
      { prefix: 't1:', clock: () => clock.now },
    );
    for (let i = 0; i < 3; i++)
      expect(await limiter.consume('ip')).toEqual({ allowed: true, retryAfterMs: 0 });
    expect(await limiter.consume('ip')).toEqual({ allowed: false, retryAfterMs: 500 });
    clock.now += 200;
    expect(await limiter.consume('ip')).toEqual({ allowed: false, retryAfterMs: 300 });
    clock.now += 300;
    expect((await limiter.consume('ip')).allowed).toBe(true);
    expect((await limiter.consume('other')).allowed).toBe(true);
  });

  it('shares one bucket between limiter instances (replicas)', async () => {
    const clock = () => 5_000_000;
    const a = new RedisRateLimiter(redis, { burst: 1, refillPerSecond: 1 }, { prefix: 't2:', clock });
    const b = new RedisRateLimiter(redis, { burst: 1, refillPerSecond: 1 }, { prefix: 't2:', clock });
    expect((await a.consume('@u:x')).allowed).toBe(true);
    expect((await b.consume('@u:x')).allowed).toBe(false);
  });

  it('refills a key at once on reset, for every replica', async () => {
    const clock = () => 7_000_000;
    const a = new RedisRateLimiter(redis, { burst: 1, refillPerSecond: 0.001 }, { prefix: 't4:', clock });
    const b = new RedisRateLimiter(redis, { burst: 1, refillPerSecond: 0.001 }, { prefix: 't4:', clock });
    expect((await a.consume('acct')).allowed).toBe(true);
    expect((await b.consume('acct')).allowed).toBe(false);
    await a.reset('acct');
    expect((await b.consume('acct')).allowed).toBe(true);
  });

  it('lets idle buckets expire', async () => {
    const limiter = new RedisRateLimiter(
      redis,
      { burst: 2, refillPerSecond: 4 },
      { prefix: 't3:', clock: () => 9_000_000 },
    );
    await limiter.consume('k');
    const ttl = await redis.pttl('t3:k');
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(500);
  });
});
