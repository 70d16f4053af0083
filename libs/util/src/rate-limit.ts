import { systemClock, type Clock } from './clock';
import { LruCache } from './lru-cache';

/**
 * Token-bucket rate limiting per key (client IP, account, user), shared by every service: in process
 * memory for a service running without Redis, or in Redis (rate-limit-redis.ts) so that replicas draw
 * from one bucket. A refused request says how long to wait; the caller answers it in its protocol's
 * shape (Matrix `M_LIMIT_EXCEEDED` with `retry_after_ms`, OAuth 429 with `Retry-After`).
 */

export interface RateLimitRule {
  /** Requests allowed back to back from a full bucket. */
  burst: number;
  /** Sustained rate: tokens added back per second. */
  refillPerSecond: number;
}

export interface RateLimitDecision {
  allowed: boolean;
  /** When denied, how long until the request would be allowed; 0 when allowed. */
  retryAfterMs: number;
}

/** A limiter the app can back with process memory or with Redis (shared between replicas). */
export interface RateLimiter {
  consume(key: string, cost?: number): Promise<RateLimitDecision>;
  /** Refills the key's bucket, e.g. an account's sign-in budget after its owner signed in. */
  reset(key: string): Promise<void>;
}

/** `count` requests per `seconds`, all of them allowed back to back from a full bucket. */
export function perPeriod(count: number, seconds: number): RateLimitRule {
  return { burst: count, refillPerSecond: count / seconds };
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export interface MemoryRateLimiterOptions {
  /** Bound on tracked keys; an evicted key starts again with a full bucket. */
  maxKeys?: number;
  clock?: Clock;
}

/** Validates a rule once, so a bad config fails at start-up rather than on the first request. */
export function assertValidRule(rule: RateLimitRule): void {
  if (
    !(rule.burst >= 1) ||
    !(rule.refillPerSecond > 0) ||
    !Number.isFinite(rule.burst + rule.refillPerSecond)
  ) {
    throw new RangeError('a rate limit needs burst >= 1 and refillPerSecond > 0');
  }
}

/** Decides one bucket step; shared with the Redis limiter's tests so both implement the same maths. */
export function takeFromBucket(
  rule: RateLimitRule,
  bucket: Bucket | undefined,
  now: number,
  cost: number,
): { bucket: Bucket; decision: RateLimitDecision } {
  const elapsed = bucket === undefined ? 0 : Math.max(0, now - bucket.updatedAt);
  const start = bucket === undefined ? rule.burst : bucket.tokens;
  const tokens = Math.min(rule.burst, start + (elapsed / 1000) * rule.refillPerSecond);
  if (tokens >= cost) {
    return {
      bucket: { tokens: tokens - cost, updatedAt: now },
      decision: { allowed: true, retryAfterMs: 0 },
    };
  }
  const retryAfterMs = Math.ceil(((cost - tokens) / rule.refillPerSecond) * 1000);
  return { bucket: { tokens, updatedAt: now }, decision: { allowed: false, retryAfterMs } };
}

export class MemoryRateLimiter implements RateLimiter {
  private readonly buckets: LruCache<string, Bucket>;
  private readonly clock: Clock;
  // After this long untouched a bucket is full again, i.e. the same as no entry at all.
  private readonly idleMs: number;

  constructor(
    private readonly rule: RateLimitRule,
    options: MemoryRateLimiterOptions = {},
  ) {
    assertValidRule(rule);
    this.clock = options.clock ?? systemClock;
    this.buckets = new LruCache(options.maxKeys ?? 100_000, { clock: this.clock });
    this.idleMs = Math.ceil((rule.burst / rule.refillPerSecond) * 1000);
  }

  consume(key: string, cost = 1): Promise<RateLimitDecision> {
    if (!(cost > 0) || cost > this.rule.burst) {
      return Promise.reject(new RangeError(`cost must be in (0, ${this.rule.burst}]`));
    }
    const { bucket, decision } = takeFromBucket(this.rule, this.buckets.get(key), this.clock(), cost);
    this.buckets.set(key, bucket, this.idleMs);
    return Promise.resolve(decision);
  }

  reset(key: string): Promise<void> {
    this.buckets.delete(key);
    return Promise.resolve();
  }
}
