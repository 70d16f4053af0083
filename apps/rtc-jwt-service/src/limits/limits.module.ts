import { Module } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { createRateLimiter, type Clock, type RateLimiter, type RateLimitRule } from '@gateway/util';
import type { RtcConfig } from '../config';
import { CLOCK, REDIS, RTC_CONFIG } from '../tokens';

/** Per client IP, checked before anything else; null when RTC_RATE_LIMIT_PER_IP is 0. */
export const IP_LIMITER = Symbol('IP_LIMITER');
/** Per verified Matrix user, checked right after OpenID verification; null when off. */
export const USER_LIMITER = Symbol('USER_LIMITER');

/** Per-minute budgets become token buckets: a burst of a tenth of the minute, refilled evenly. */
function rule(perMinute: number): RateLimitRule {
  return { burst: Math.max(5, Math.ceil(perMinute / 10)), refillPerSecond: perMinute / 60 };
}

/** Shared by every replica through Redis when there is one. */
function limiter(perMinute: number, redis: Redis | null, prefix: string, clock: Clock): RateLimiter | null {
  if (perMinute === 0) return null;
  return createRateLimiter(rule(perMinute), { redis, prefix, clock });
}

@Module({
  exports: [IP_LIMITER, USER_LIMITER],
  providers: [
    {
      provide: IP_LIMITER,
      inject: [RTC_CONFIG, REDIS, CLOCK],
      useFactory: (config: RtcConfig, redis: Redis | null, clock: Clock) =>
        limiter(config.rateLimitPerIp, redis, `${config.redisPrefix}:rl:ip`, clock),
    },
    {
      provide: USER_LIMITER,
      inject: [RTC_CONFIG, REDIS, CLOCK],
      useFactory: (config: RtcConfig, redis: Redis | null, clock: Clock) =>
        limiter(config.rateLimitPerUser, redis, `${config.redisPrefix}:rl:user`, clock),
    },
  ],
})
export class LimitsModule {}
