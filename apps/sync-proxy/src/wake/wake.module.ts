import {
  Injectable,
  Module,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { Redis } from 'ioredis';
import { Gauge, Histogram } from 'prom-client';
import { Metrics } from '@gateway/server';
import { SyncStore } from '@gateway/sync-data';
import { AuthModule } from '../auth/auth.module';
import { Authenticator } from '../auth/authenticator';
import { DeliveryTimings } from './delivery-timings';
import { RedisTransport } from './redis-transport';
import { InProcessTransport } from './wake-bus';
import { WaiterIndex } from './waiter-index';

/** The optional Redis client (SYNCV3_REDIS); without it wake messages stay in this process. */
export const REDIS = Symbol('REDIS');

/** Subscribes before the first request can wait, and answers every waiting long-poll on shutdown. */
@Injectable()
class WaitersLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    private readonly waiters: WaiterIndex,
    metrics: Metrics,
  ) {
    new Gauge({
      name: 'sync_proxy_waiters',
      help: 'Long-polls waiting on this replica',
      registers: [metrics.registry],
      collect() {
        this.set(waiters.size);
      },
    });
  }

  onApplicationBootstrap(): Promise<void> {
    return this.waiters.start();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.waiters.stop();
  }
}

/** Wake messages between writers and waiting long-polls, across replicas when Redis is configured. */
@Module({
  imports: [AuthModule],
  providers: [
    {
      provide: WaiterIndex,
      inject: [SyncStore, Authenticator, { token: REDIS, optional: true }],
      useFactory: (store: SyncStore, auth: Authenticator, redis: Redis | undefined) =>
        new WaiterIndex(
          redis === undefined ? new InProcessTransport() : new RedisTransport(redis),
          () => store.maxSeq(),
          1_000,
          // A token refused on another replica is forgotten here too.
          (hashes) => {
            for (const hex of hashes) auth.forget(Buffer.from(hex, 'hex'));
          },
        ),
    },
    {
      provide: DeliveryTimings,
      inject: [Metrics],
      useFactory: (metrics: Metrics) =>
        new DeliveryTimings(
          new Histogram({
            name: 'sync_proxy_delivery_seconds',
            help: 'The proxy’s own part of delivering a message to a waiting long-poll, by stage: store (upstream response in hand to batch committed), wake (commit to long-poll woken), recompute (woken to answer computed), total',
            labelNames: ['stage'],
            buckets: [
              0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03, 0.05, 0.1, 0.25, 1,
            ],
            registers: [metrics.registry],
          }),
        ),
    },
    WaitersLifecycle,
  ],
  exports: [WaiterIndex, DeliveryTimings],
})
export class WakeModule {}
