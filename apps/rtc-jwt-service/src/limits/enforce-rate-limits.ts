import { MatrixError } from '@gateway/matrix';
import type { RateLimiter } from '@gateway/util';

export interface RateLimitCheck {
  limiter: RateLimiter;
  key: string;
}

/**
 * Consumes from every limiter in order and throws 429 M_LIMIT_EXCEEDED (with `Retry-After` and
 * `retry_after_ms`) at the first that refuses. Later limiters are not charged for a refused request.
 */
export async function enforceRateLimits(checks: readonly RateLimitCheck[]): Promise<void> {
  for (const { limiter, key } of checks) {
    const decision = await limiter.consume(key);
    if (!decision.allowed) throw MatrixError.limitExceeded(decision.retryAfterMs);
  }
}
