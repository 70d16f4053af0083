import {
  Inject,
  Injectable,
  Module,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { Redis } from 'ioredis';
import { Gauge } from 'prom-client';
import { Metrics } from '@gateway/server';
import type { Clock } from '@gateway/util';
import type { RtcConfig } from '../config';
import { LiveKitRooms } from '../livekit/livekit-rooms';
import { CLOCK, REDIS, RTC_CONFIG } from '../tokens';
import { createDelayedLeaveManager } from './create-delayed-leave-manager';
import { SsrfGuard } from '@gateway/http';
import { CsApiResolver } from './cs-api-resolver';
import { DelayedEventsHttpClient } from './delayed-events-client';
import type { DelayedLeaveManager } from './types';

/** The DelayedLeaveManager (an interface, hence a token). */
export const DELAYED_LEAVE = Symbol('DELAYED_LEAVE');

/**
 * Resumes persisted jobs and starts the steps once the app is up; stops them before Redis is closed
 * (DependenciesModule closes it in onApplicationShutdown, which runs after this hook).
 */
@Injectable()
class DelayedLeaveRunner implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(@Inject(DELAYED_LEAVE) private readonly manager: DelayedLeaveManager) {}

  onApplicationBootstrap(): Promise<void> {
    return this.manager.start();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.manager.close();
  }
}

/** `rtc_delegations_active`, read from the store when scraped. */
@Injectable()
class DelayedLeaveMetrics {
  readonly active: Gauge;

  constructor(metrics: Metrics, @Inject(DELAYED_LEAVE) manager: DelayedLeaveManager) {
    this.active = new Gauge({
      name: 'rtc_delegations_active',
      help: 'Delayed-leave delegations being kept alive',
      registers: [metrics.registry],
      async collect() {
        this.set(await manager.activeCount());
      },
    });
  }
}

/** MSC4140 delegated leave: jobs kept alive while LiveKit sees the participant. */
@Module({
  exports: [CsApiResolver, DELAYED_LEAVE],
  providers: [
    DelayedLeaveMetrics,
    DelayedLeaveRunner,
    {
      provide: CsApiResolver,
      inject: [RTC_CONFIG, CLOCK],
      useFactory: (config: RtcConfig, clock: Clock) =>
        new CsApiResolver(
          config.csApiOverrides,
          new SsrfGuard({ allowedServerNames: config.allowPrivateHomeservers }),
          clock,
          undefined,
          config.insecureSkipVerifyTls,
        ),
    },
    {
      provide: DELAYED_LEAVE,
      inject: [RTC_CONFIG, LiveKitRooms, REDIS, CLOCK],
      useFactory: (config: RtcConfig, rooms: LiveKitRooms, redis: Redis | null, clock: Clock) =>
        createDelayedLeaveManager({
          redis: redis === null ? undefined : { client: redis, prefix: `${config.redisPrefix}:dl` },
          lookup: { getParticipant: (room, identity) => rooms.participant(room, identity) },
          events: new DelayedEventsHttpClient({ clock, insecureSkipVerifyTls: config.insecureSkipVerifyTls }),
          sanityCheckIntervalMs: config.sanityCheckIntervalSeconds * 1000,
          clock,
        }),
    },
  ],
})
export class DelayedLeaveModule {}
