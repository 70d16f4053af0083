import { Module } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { Database } from '@gateway/db';
import { Metrics } from '@gateway/server';
import { SyncStore } from '@gateway/sync-data';
import { AuthModule } from '../auth/auth.module';
import { Authenticator } from '../auth/authenticator';
import { PollerModule } from '../poller/poller.module';
import { PollerPool } from '../poller/poller-pool';
import { WakeModule } from '../wake/wake.module';
import { DeliveryTimings } from '../wake/delivery-timings';
import { WaiterIndex } from '../wake/waiter-index';
import { RoomIndexCache } from './room-index/room-index-cache';
import { OlderEvents } from './rooms/older-events';
import { PrevBatchResolver } from './rooms/prev-batch-resolver';
import { ThreadSubscriptionsSource } from './extensions/thread-subscriptions';
import { SlidingSyncEngine } from './sliding-sync-engine';
import { SyncService } from './sync-service';
import { ThreadSubscriptionWake } from './thread-subscription-wake';

export interface SlidingSyncOptions {
  /** The homeserver asked for pagination tokens (`/context`). */
  upstream: string;
  /** How long a request for a never-polled device waits for its first upstream sync (default 20 s). */
  firstSyncWaitMs?: number;
}
export const SLIDING_SYNC_OPTIONS = Symbol('SLIDING_SYNC_OPTIONS');

/** The read path: one sliding-sync answer from Postgres, long-polling when there is nothing new. */
@Module({
  imports: [AuthModule, WakeModule, PollerModule],
  providers: [
    {
      // Users' room lists kept between requests, dropped when a wake message touches them.
      provide: RoomIndexCache,
      inject: [WaiterIndex, Metrics],
      useFactory: (waiters: WaiterIndex, metrics: Metrics) => {
        const cache = new RoomIndexCache();
        waiters.observe(cache);
        new Gauge({
          name: 'sync_proxy_cached_room_lists',
          help: 'Users whose room list this replica holds in memory',
          registers: [metrics.registry],
          collect() {
            this.set(cache.size);
          },
        });
        return cache;
      },
    },
    {
      provide: SlidingSyncEngine,
      inject: [SLIDING_SYNC_OPTIONS, SyncStore, RoomIndexCache],
      useFactory: (o: SlidingSyncOptions, store: SyncStore, indexCache: RoomIndexCache) => {
        const prevBatch = new PrevBatchResolver(o.upstream);
        const older = new OlderEvents(o.upstream);
        const threads = new ThreadSubscriptionsSource(o.upstream);
        return new SlidingSyncEngine({
          store,
          indexCache,
          prevBatch: (token, roomId, eventId) => prevBatch.resolve(token, roomId, eventId),
          olderEvents: (token, roomId, from, limit) => older.fetch(token, roomId, from, limit),
          threadSubscriptions: (token, after, limit) => threads.read(token, after, limit),
        });
      },
    },
    {
      provide: SyncService,
      inject: [
        SLIDING_SYNC_OPTIONS,
        SyncStore,
        Database,
        Authenticator,
        SlidingSyncEngine,
        PollerPool,
        WaiterIndex,
        DeliveryTimings,
      ],
      useFactory: (
        o: SlidingSyncOptions,
        store: SyncStore,
        database: Database,
        auth: Authenticator,
        engine: SlidingSyncEngine,
        pollers: PollerPool,
        waiters: WaiterIndex,
        timings: DeliveryTimings,
      ) =>
        new SyncService({
          auth,
          engine,
          pollers,
          waiters,
          store,
          timings,
          ready: () => database.isConnected,
          ...(o.firstSyncWaitMs === undefined ? {} : { firstSyncWaitMs: o.firstSyncWaitMs }),
        }),
    },
    {
      provide: ThreadSubscriptionWake,
      inject: [Authenticator, SyncStore, WaiterIndex],
      useFactory: (auth: Authenticator, store: SyncStore, waiters: WaiterIndex) =>
        new ThreadSubscriptionWake(auth, store, waiters),
    },
  ],
  exports: [SyncService, ThreadSubscriptionWake],
})
export class SlidingSyncModule {}
