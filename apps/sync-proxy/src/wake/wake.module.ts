import {
  Injectable,
  Module,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { Redis } from 'ioredis';
import { Gauge } from 'prom-client';
import { Metrics } from '@gateway/server';
import { SyncStore } from '@gateway/sync-data';
import { AuthModule } from '../auth/auth.module';
import { Authenticator } from '../auth/authenticator';
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
    WaitersLifecycle,
  ],
  exports: [WaiterIndex],
})
export class WakeModule {}
