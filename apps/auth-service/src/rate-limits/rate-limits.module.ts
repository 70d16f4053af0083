import { Module } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { Clock } from '@gateway/util';
import type { AuthConfig } from '../config';
import { AUTH_CONFIG, AUTH_LIMITS, CLOCK, REDIS, REDIS_PREFIX } from '../tokens';
import { createAuthLimits } from './auth-limits';

/** The service's rate limiters (AUTH_LIMITS), shared through Redis. */
@Module({
  providers: [
    {
      provide: AUTH_LIMITS,
      inject: [AUTH_CONFIG, REDIS, REDIS_PREFIX, CLOCK],
      useFactory: (config: AuthConfig, redis: Redis, prefix: string, clock: Clock) =>
        createAuthLimits(config, redis, prefix, clock),
    },
  ],
  exports: [AUTH_LIMITS],
})
export class RateLimitsModule {}
