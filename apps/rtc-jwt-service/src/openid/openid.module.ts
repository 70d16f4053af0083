import { Module } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { Clock } from '@gateway/util';
import type { RtcConfig } from '../config';
import { SsrfGuard } from '@gateway/http';
import { CLOCK, REDIS, RTC_CONFIG } from '../tokens';
import { nodeHttpGet } from './federation-http';
import { OpenIdMetrics } from './openid-metrics';
import { OpenIdVerifier } from './openid-verifier';
import { ServerDiscovery, systemResolveSrv } from './server-discovery';
import { MemoryUserInfoCache, type UserInfoCache } from './userinfo-cache';
import { RedisUserInfoCache } from './userinfo-cache-redis';

const USERINFO_CACHE = Symbol('USERINFO_CACHE');

/** Shared through Redis when there is one, else in this process; size 0 without Redis turns it off. */
function userInfoCache(config: RtcConfig, redis: Redis | null, clock: Clock): UserInfoCache | null {
  if (redis !== null) return new RedisUserInfoCache(redis, `${config.redisPrefix}:userinfo:`);
  return config.userinfoCacheSize > 0
    ? new MemoryUserInfoCache({ maxEntries: config.userinfoCacheSize, clock })
    : null;
}

/** Who is asking: OpenID tokens verified over federation, behind the SSRF guard and the userinfo cache. */
@Module({
  exports: [OpenIdVerifier],
  providers: [
    OpenIdMetrics,
    {
      provide: SsrfGuard,
      inject: [RTC_CONFIG],
      useFactory: (config: RtcConfig) =>
        new SsrfGuard({ allowedServerNames: config.allowPrivateHomeservers }),
    },
    {
      provide: ServerDiscovery,
      inject: [RTC_CONFIG, SsrfGuard, CLOCK],
      useFactory: (config: RtcConfig, guard: SsrfGuard, clock: Clock) =>
        new ServerDiscovery({
          guard,
          overrides: config.federationOverrides,
          resolveSrv: systemResolveSrv(),
          insecureSkipVerifyTls: config.insecureSkipVerifyTls,
          clock,
        }),
    },
    { provide: USERINFO_CACHE, inject: [RTC_CONFIG, REDIS, CLOCK], useFactory: userInfoCache },
    {
      provide: OpenIdVerifier,
      inject: [RTC_CONFIG, ServerDiscovery, SsrfGuard, USERINFO_CACHE, OpenIdMetrics],
      useFactory: (
        config: RtcConfig,
        discovery: ServerDiscovery,
        guard: SsrfGuard,
        cache: UserInfoCache | null,
        metrics: OpenIdMetrics,
      ) =>
        new OpenIdVerifier({
          resolver: discovery,
          guard,
          http: metrics.timedHttp(nodeHttpGet),
          cache: cache && metrics.countedCache(cache),
          insecureSkipVerifyTls: config.insecureSkipVerifyTls,
          totalTimeoutMs: config.userinfoTimeoutMs,
          connectTimeoutMs: Math.min(5_000, config.userinfoTimeoutMs),
        }),
    },
  ],
})
export class OpenIdModule {}
