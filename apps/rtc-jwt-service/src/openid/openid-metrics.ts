import { Injectable } from '@nestjs/common';
import { Counter, Histogram } from 'prom-client';
import { Metrics } from '@gateway/server';
import type { HttpGet } from './federation-http';
import type { UserInfoCache } from './userinfo-cache';

/** Federation latency and cache effectiveness, which operators of lk-jwt-service could not see. */
@Injectable()
export class OpenIdMetrics {
  readonly userinfoSeconds: Histogram<'outcome'>;
  readonly userinfoCache: Counter<'result'>;

  constructor(metrics: Metrics) {
    this.userinfoSeconds = new Histogram({
      name: 'rtc_userinfo_request_seconds',
      help: 'Federation OpenID userinfo calls to homeservers, by outcome',
      labelNames: ['outcome'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [metrics.registry],
    });
    this.userinfoCache = new Counter({
      name: 'rtc_userinfo_cache_total',
      help: 'Userinfo cache lookups by result (hit or miss)',
      labelNames: ['result'],
      registers: [metrics.registry],
    });
  }

  /** Times every userinfo call the verifier makes. */
  timedHttp(http: HttpGet): HttpGet {
    return async (request) => {
      const end = this.userinfoSeconds.startTimer();
      try {
        const response = await http(request);
        end({ outcome: String(response.status) });
        return response;
      } catch (err) {
        end({ outcome: 'error' });
        throw err;
      }
    };
  }

  /** Counts hits and misses of the userinfo cache. */
  countedCache(cache: UserInfoCache): UserInfoCache {
    const count = <T>(value: T | null): T | null => {
      this.userinfoCache.inc({ result: value === null ? 'miss' : 'hit' });
      return value;
    };
    const peek = cache.peek?.bind(cache);
    return {
      get: async (key) => count(await cache.get(key)),
      set: (key, userId, ttlMs) => cache.set(key, userId, ttlMs),
      // Kept synchronous when the cache is (see UserInfoCache.peek).
      ...(peek === undefined ? {} : { peek: (key: string) => count(peek(key)) }),
    };
  }
}
