import { Counter, Gauge, Histogram } from 'prom-client';
import type { Metrics } from '@gateway/server';
import type { HttpGet, UserInfoCache } from './core';

/** What operators of lk-jwt-service could not see: outcomes, federation latency, cache and SFU health. */
export class RtcMetrics {
  readonly requests: Counter<'endpoint' | 'outcome'>;
  readonly userinfoSeconds: Histogram<'outcome'>;
  readonly userinfoCache: Counter<'result'>;
  readonly createRoomErrors: Counter;
  readonly activeDelegations: Gauge;

  constructor(metrics: Metrics, activeDelegations: () => Promise<number>) {
    const registers = [metrics.registry];
    this.requests = new Counter({
      name: 'rtc_token_requests_total',
      help: 'Token endpoint requests by endpoint and outcome (ok or the errcode)',
      labelNames: ['endpoint', 'outcome'],
      registers,
    });
    this.userinfoSeconds = new Histogram({
      name: 'rtc_userinfo_request_seconds',
      help: 'Federation OpenID userinfo calls to homeservers, by outcome',
      labelNames: ['outcome'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.userinfoCache = new Counter({
      name: 'rtc_userinfo_cache_total',
      help: 'Userinfo cache lookups by result (hit or miss)',
      labelNames: ['result'],
      registers,
    });
    this.createRoomErrors = new Counter({
      name: 'rtc_create_room_errors_total',
      help: 'LiveKit CreateRoom failures',
      registers,
    });
    this.activeDelegations = new Gauge({
      name: 'rtc_delegations_active',
      help: 'Delayed-leave delegations being kept alive',
      registers,
      async collect() {
        this.set(await activeDelegations());
      },
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
    return {
      get: async (key) => {
        const value = await cache.get(key);
        this.userinfoCache.inc({ result: value === null ? 'miss' : 'hit' });
        return value;
      },
      set: (key, userId, ttlMs) => cache.set(key, userId, ttlMs),
    };
  }
}
