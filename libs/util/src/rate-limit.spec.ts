import { describe, expect, it } from 'vitest';
import { MemoryRateLimiter, perPeriod, takeFromBucket } from './rate-limit';

function fakeClock(start = 0): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}

describe(MemoryRateLimiter.name, () => {
  it('allows a burst, then refuses with the time until the next token', async () => {
    const clock = fakeClock();
    const limiter = new MemoryRateLimiter({ burst: 3, refillPerSecond: 2 }, { clock: clock.now });
    for (let i = 0; i < 3; i++)
      expect(await limiter.consume('ip')).toEqual({ allowed: true, retryAfterMs: 0 });
    expect(await limiter.consume('ip')).toEqual({ allowed: false, retryAfterMs: 500 });
    clock.advance(200);
    expect(await limiter.consume('ip')).toEqual({ allowed: false, retryAfterMs: 300 });
    clock.advance(300);
    expect((await limiter.consume('ip')).allowed).toBe(true);
  });

  it('refills a key at once on reset (a successful sign-in clears its account budget)', async () => {
    const limiter = new MemoryRateLimiter(perPeriod(2, 600), { clock: fakeClock().now });
    await limiter.consume('acct');
    await limiter.consume('acct');
    expect((await limiter.consume('acct')).allowed).toBe(false);
    await limiter.reset('acct');
    expect((await limiter.consume('acct')).allowed).toBe(true);
  });

  it('keeps keys independent', async () => {
    const limiter = new MemoryRateLimiter({ burst: 1, refillPerSecond: 1 }, { clock: fakeClock().now });
    expect((await limiter.consume('a')).allowed).toBe(true);
    expect((await limiter.consume('a')).allowed).toBe(false);
    expect((await limiter.consume('b')).allowed).toBe(true);
  });

  it('refills to the burst and no further', async () => {
    const clock = fakeClock();
    const limiter = new MemoryRateLimiter({ burst: 2, refillPerSecond: 10 }, { clock: clock.now });
    await limiter.consume('k');
    await limiter.consume('k');
    clock.advance(60_000);
    expect((await limiter.consume('k')).allowed).toBe(true);
    expect((await limiter.consume('k')).allowed).toBe(true);
    expect((await limiter.consume('k')).allowed).toBe(false);
  });

  it('does not let refused requests drain the bucket further', async () => {
    const clock = fakeClock();
    const limiter = new MemoryRateLimiter({ burst: 1, refillPerSecond: 1 }, { clock: clock.now });
    await limiter.consume('k');
    for (let i = 0; i < 10; i++) await limiter.consume('k');
    clock.advance(1000);
    expect((await limiter.consume('k')).allowed).toBe(true);
  });

  it('forgets keys beyond its bound, which start with a full bucket', async () => {
    const limiter = new MemoryRateLimiter(
      { burst: 1, refillPerSecond: 0.001 },
      { maxKeys: 2, clock: fakeClock().now },
    );
    await limiter.consume('a');
    await limiter.consume('b');
    await limiter.consume('c');
    expect((await limiter.consume('a')).allowed).toBe(true);
  });

  it('refuses invalid rules and costs', async () => {
    expect(() => new MemoryRateLimiter({ burst: 0, refillPerSecond: 1 })).toThrow(RangeError);
    expect(() => new MemoryRateLimiter({ burst: 1, refillPerSecond: 0 })).toThrow(RangeError);
    expect(() => new MemoryRateLimiter({ burst: Number.NaN, refillPerSecond: 1 })).toThrow(RangeError);
    const limiter = new MemoryRateLimiter({ burst: 2, refillPerSecond: 1 });
    await expect(limiter.consume('k', 3)).rejects.toThrow(RangeError);
    await expect(limiter.consume('k', 0)).rejects.toThrow(RangeError);
  });
});

describe(takeFromBucket.name, () => {
  it('treats a clock going backwards as no elapsed time', () => {
    const rule = { burst: 2, refillPerSecond: 1 };
    const { bucket } = takeFromBucket(rule, { tokens: 0, updatedAt: 5_000 }, 1_000, 1);
    expect(bucket.tokens).toBe(0);
  });
});
