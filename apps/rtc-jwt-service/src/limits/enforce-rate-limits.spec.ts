import { MatrixError } from '@gateway/matrix';
import { MemoryRateLimiter } from '@gateway/util';
import { describe, expect, it } from 'vitest';
import { enforceRateLimits } from './enforce-rate-limits';

function fakeClock(start = 0): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}

describe(enforceRateLimits.name, () => {
  it('passes when every limiter allows', async () => {
    const ip = new MemoryRateLimiter({ burst: 5, refillPerSecond: 1 });
    await expect(enforceRateLimits([{ limiter: ip, key: '192.0.2.1' }])).resolves.toBeUndefined();
  });

  it('throws 429 M_LIMIT_EXCEEDED with Retry-After and retry_after_ms', async () => {
    const clock = fakeClock();
    const ip = new MemoryRateLimiter({ burst: 1, refillPerSecond: 0.5 }, { clock: clock.now });
    await enforceRateLimits([{ limiter: ip, key: 'x' }]);
    const error = await enforceRateLimits([{ limiter: ip, key: 'x' }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MatrixError);
    const e = error as MatrixError;
    expect([e.status, e.errcode]).toEqual([429, 'M_LIMIT_EXCEEDED']);
    expect(e.fields).toEqual({ retry_after_ms: 2000 });
    expect(e.headers).toEqual({ 'Retry-After': '2' });
  });

  it('does not charge later limiters for a request an earlier one refused', async () => {
    const clock = fakeClock();
    const ip = new MemoryRateLimiter({ burst: 1, refillPerSecond: 1 }, { clock: clock.now });
    const user = new MemoryRateLimiter({ burst: 1, refillPerSecond: 0.001 }, { clock: clock.now });
    await ip.consume('ip');
    await expect(
      enforceRateLimits([
        { limiter: ip, key: 'ip' },
        { limiter: user, key: '@u:x' },
      ]),
    ).rejects.toThrow();
    expect((await user.consume('@u:x')).allowed).toBe(true);
  });
});
