import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { WebhookReceiver } from 'livekit-server-sdk';
import { redisDependency } from '@gateway/queues';
import {
  DependenciesModule,
  dependency,
  Lifecycle,
  Metrics,
  ServerModule,
  type Dependency,
} from '@gateway/server';
import type { RtcConfig } from './config';
import {
  FullAccessPolicy,
  MemoryRateLimiter,
  MemoryUserInfoCache,
  nodeHttpGet,
  OpenIdVerifier,
  RedisRateLimiter,
  RedisUserInfoCache,
  ServerDiscovery,
  SsrfGuard,
  systemResolveSrv,
  type RateLimiter,
  type RateLimitRule,
  type UserInfoCache,
} from './core';
import {
  createDelayedLeaveManager,
  DelayedEventsHttpClient,
  type DelayedLeaveManager,
} from './delayed-leave';
import { coreLogger } from './core-logger';
import { CsApiResolver } from './homeserver/cs-api-resolver';
import { HealthzController } from './http/healthz.controller';
import { TokenController } from './http/token.controller';
import { WebhookController } from './http/webhook.controller';
import { LiveKitRooms } from './livekit/livekit-rooms';
import { RtcMetrics } from './rtc-metrics';
import { TokenIssuer } from './token/token-issuer';
import { DELAYED_LEAVE } from './tokens';

const REDIS = Symbol('REDIS');

/** Per-minute budgets become token buckets: a burst of a tenth of the minute, refilled evenly. */
function rule(perMinute: number): RateLimitRule {
  return { burst: Math.max(5, Math.ceil(perMinute / 10)), refillPerSecond: perMinute / 60 };
}

function limiter(perMinute: number, redis: Redis | null, prefix: string): RateLimiter | null {
  if (perMinute === 0) return null;
  return redis
    ? new RedisRateLimiter(redis, rule(perMinute), { prefix })
    : new MemoryRateLimiter(rule(perMinute));
}

@Module({})
export class AppModule {
  static forRoot(config: RtcConfig): DynamicModule {
    const dependencies: Dependency[] = [
      dependency({
        provide: LiveKitRooms,
        name: 'livekit',
        create: () => new LiveKitRooms(config.livekit.url, config.livekit.key, config.livekit.secret),
        ping: (rooms) => rooms.ping(),
        close: () => undefined,
      }),
    ];
    if (config.redisUrl !== undefined) dependencies.push(dependency(redisDependency(REDIS, config.redisUrl)));
    const redisInject = config.redisUrl === undefined ? [] : [REDIS];

    const providers: Provider[] = [
      {
        provide: RtcMetrics,
        inject: [Metrics, DELAYED_LEAVE],
        useFactory: (m: Metrics, d: DelayedLeaveManager) => new RtcMetrics(m, () => d.activeCount()),
      },
      {
        provide: WebhookReceiver,
        useFactory: () => new WebhookReceiver(config.livekit.key, config.livekit.secret),
      },
      {
        provide: DELAYED_LEAVE,
        inject: [LiveKitRooms, ...redisInject],
        useFactory: async (rooms: LiveKitRooms, redis?: Redis) => {
          const manager = createDelayedLeaveManager({
            redis: redis === undefined ? undefined : { client: redis, prefix: `${config.redisPrefix}:dl` },
            lookup: { getParticipant: (room, identity) => rooms.participant(room, identity) },
            events: new DelayedEventsHttpClient(),
            sanityCheckIntervalMs: config.sanityCheckIntervalSeconds * 1000,
            logger: coreLogger('delayed-leave'),
          });
          await manager.start();
          return manager;
        },
      },
      {
        provide: TokenIssuer,
        inject: [LiveKitRooms, DELAYED_LEAVE, Lifecycle, RtcMetrics, ...redisInject],
        useFactory: (
          rooms: LiveKitRooms,
          delayedLeave: DelayedLeaveManager,
          lifecycle: Lifecycle,
          metrics: RtcMetrics,
          redis?: Redis,
        ) => {
          const guard = new SsrfGuard({ allowedServerNames: config.allowPrivateHomeservers });
          const discovery = new ServerDiscovery({
            guard,
            overrides: config.federationOverrides,
            resolveSrv: systemResolveSrv(),
            insecureSkipVerifyTls: config.insecureSkipVerifyTls,
          });
          const cache: UserInfoCache | null = redis
            ? new RedisUserInfoCache(redis, `${config.redisPrefix}:userinfo:`)
            : config.userinfoCacheSize > 0
              ? new MemoryUserInfoCache({ maxEntries: config.userinfoCacheSize })
              : null;
          const verifier = new OpenIdVerifier({
            resolver: discovery,
            guard,
            http: metrics.timedHttp(nodeHttpGet),
            cache: cache && metrics.countedCache(cache),
            insecureSkipVerifyTls: config.insecureSkipVerifyTls,
            logger: coreLogger('openid'),
            totalTimeoutMs: config.userinfoTimeoutMs,
            connectTimeoutMs: Math.min(5_000, config.userinfoTimeoutMs),
          });
          return new TokenIssuer({
            livekit: config.livekit,
            parseOptions: { strictUnknownFields: config.strictUnknownFields },
            verifier,
            policy: new FullAccessPolicy(config.fullAccessHomeservers),
            rooms,
            csApi: new CsApiResolver(config.csApiOverrides),
            delayedLeave,
            ipLimiter: limiter(config.rateLimitPerIp, redis ?? null, `${config.redisPrefix}:rl:ip`),
            userLimiter: limiter(config.rateLimitPerUser, redis ?? null, `${config.redisPrefix}:rl:user`),
            shuttingDown: () => lifecycle.shuttingDown,
            onCreateRoomError: () => {
              metrics.createRoomErrors.inc();
            },
          });
        },
      },
    ];
    return {
      module: AppModule,
      imports: [ServerModule, DependenciesModule.forRoot(dependencies)],
      controllers: [TokenController, HealthzController, WebhookController],
      providers,
    };
  }
}
