import { systemClock, type Clock } from './clock';
import {
  assertValidRule,
  MemoryRateLimiter,
  type RateLimitDecision,
  type RateLimiter,
  type RateLimitRule,
} from './rate-limit';

/**
 * The token bucket of rate-limiter.ts kept in Redis, so every replica draws from the same bucket. One
 * Lua script reads, refills, takes and writes atomically; the bucket expires once it would be full
 * again, so idle keys cost nothing.
 */

/** The subset of an ioredis client used here; an `ioredis` `Redis` instance fits as is. */
export interface RedisScriptRunner {
  eval(script: string, numkeys: number, ...args: (string | number)[]): Promise<unknown>;
  del(...keys: string[]): Promise<number>;
}

// KEYS[1] bucket; ARGV: burst, refill per second, now (ms), cost, idle expiry (ms).
const TOKEN_BUCKET_SCRIPT = `
local burst = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local cost = tonumber(ARGV[4])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'updated')
local tokens = tonumber(state[1]) or burst
local updated = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - updated) / 1000 * rate)
local allowed = 0
local retry = 0
if tokens >= cost then
  tokens = tokens - cost
  allowed = 1
else
  retry = math.ceil((cost - tokens) / rate * 1000)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'updated', tostring(now))
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return {allowed, retry}
`;

export interface RedisRateLimiterOptions {
  /** Distinguishes limiters sharing one Redis, e.g. `rtc:rl:ip:`. */
  prefix: string;
  clock?: Clock;
}

export class RedisRateLimiter implements RateLimiter {
  private readonly clock: Clock;
  private readonly idleMs: number;

  constructor(
    private readonly redis: RedisScriptRunner,
    private readonly rule: RateLimitRule,
    private readonly options: RedisRateLimiterOptions,
  ) {
    assertValidRule(rule);
    this.clock = options.clock ?? systemClock;
    this.idleMs = Math.max(1, Math.ceil((rule.burst / rule.refillPerSecond) * 1000));
  }

  async consume(key: string, cost = 1): Promise<RateLimitDecision> {
    if (!(cost > 0) || cost > this.rule.burst)
      throw new RangeError(`cost must be in (0, ${this.rule.burst}]`);
    const reply = await this.redis.eval(
      TOKEN_BUCKET_SCRIPT,
      1,
      this.options.prefix + key,
      this.rule.burst,
      this.rule.refillPerSecond,
      Math.floor(this.clock()),
      cost,
      this.idleMs,
    );
    if (!Array.isArray(reply) || typeof reply[0] !== 'number' || typeof reply[1] !== 'number') {
      throw new Error('unexpected reply from the rate limit script');
    }
    return { allowed: reply[0] === 1, retryAfterMs: reply[1] };
  }

  async reset(key: string): Promise<void> {
    await this.redis.del(this.options.prefix + key);
  }
}

/**
 * The one way services build a limiter: in Redis when the service has one (every replica draws from the
 * same bucket), in memory only for a service that runs without Redis (then it is one replica's count).
 */
export function createRateLimiter(
  rule: RateLimitRule,
  options: { redis: RedisScriptRunner | null; prefix: string; clock?: Clock },
): RateLimiter {
  const clock = options.clock ?? systemClock;
  return options.redis
    ? new RedisRateLimiter(options.redis, rule, { prefix: options.prefix, clock })
    : new MemoryRateLimiter(rule, { clock });
}
