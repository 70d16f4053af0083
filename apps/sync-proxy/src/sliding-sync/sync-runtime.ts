import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { BeforeApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Gauge } from 'prom-client';
import type { Redis } from 'ioredis';
import type { Database } from '@gateway/db';
import type { Metrics } from '@gateway/server';
import { SyncStore } from '@gateway/sync-data';
import { Authenticator } from '../auth/authenticator';
import { TokenCipher } from '../auth/token-cipher';
import { WhoamiClient } from '../auth/whoami-client';
import type { SyncConfig } from '../config';
import { nestLog } from '../core/log';
import { SlidingSyncEngine } from '../engine/sliding-sync-engine';
import { RoomIndexCache } from '../lists/room-index-cache';
import { PollerPool } from '../poller/poller-pool';
import { PrevBatchResolver } from '../upstream/prev-batch-resolver';
import { RedisTransport } from '../wake/redis-transport';
import { InProcessTransport } from '../wake/wake-bus';
import { WaiterIndex } from '../wake/waiter-index';
import { SyncService } from './sync-service';

const PRUNE_EVERY_MS = 10 * 60_000;

/** Timings tests shorten; production uses the defaults. */
export interface SyncTimings {
  leaseMs?: number;
  renewEveryMs?: number;
  firstSyncWaitMs?: number;
  pollTimeoutMs?: number;
  /** A device nobody synced for this long stops being polled (default 24 h). */
  idleAfterMs?: number;
}

/**
 * Everything sliding sync runs on, built once: the store, the authenticator, this replica's pollers and
 * waiters. Pollers stop (and release their leases) before the HTTP server closes, and waiting
 * long-polls are answered, so a rolling restart hands devices over at once.
 */
export class SyncRuntime implements OnModuleInit, BeforeApplicationShutdown {
  readonly service: SyncService;
  private readonly pollers: PollerPool;
  private readonly waiters: WaiterIndex;
  private readonly store: SyncStore;
  private readonly log = nestLog('sync');
  private readonly dbReady: () => boolean;
  private pruner: NodeJS.Timeout | undefined;
  readonly owner = `${hostname()}-${String(process.pid)}-${randomBytes(4).toString('hex')}`;

  constructor(
    config: SyncConfig,
    database: Database,
    redis: Redis | undefined,
    metrics: Metrics,
    timings: SyncTimings,
  ) {
    const store = new SyncStore(database.dataSource);
    this.store = store;
    this.dbReady = () => database.isConnected;
    const cipher = TokenCipher.fromSecret(config.secret);
    const auth = new Authenticator({
      store: store.tokens,
      whoami: new WhoamiClient(config.upstream),
      cipher,
    });
    const transport = redis === undefined ? new InProcessTransport() : new RedisTransport(redis);
    this.waiters = new WaiterIndex(
      transport,
      () => store.maxSeq(),
      1_000,
      (hashes) => {
        for (const hex of hashes) auth.forget(Buffer.from(hex, 'hex'));
      },
    );
    const log = this.log;
    this.pollers = new PollerPool({
      store,
      cipher,
      upstream: config.upstream,
      owner: this.owner,
      log,
      onBatch: (applied) => {
        this.waiters.publish(applied).catch((err: unknown) => {
          // The gap detector wakes waiters within about a second anyway.
          log.warn({ err }, 'wake publish failed');
        });
      },
      onTokenInvalid: (hash, userId) => {
        auth.forget(hash);
        // Other replicas may hold the token in their caches, and its long-polls may wait anywhere.
        this.waiters
          .publish({ seq: 0, rooms: [], users: [userId], invalidTokens: [hash.toString('hex')] })
          .catch((err: unknown) => {
            log.warn({ err }, 'token invalidation publish failed; other replicas revalidate within 5 min');
          });
      },
      ...(timings.leaseMs === undefined ? {} : { leaseMs: timings.leaseMs }),
      ...(timings.renewEveryMs === undefined ? {} : { renewEveryMs: timings.renewEveryMs }),
      ...(timings.pollTimeoutMs === undefined ? {} : { pollTimeoutMs: timings.pollTimeoutMs }),
      ...(timings.idleAfterMs === undefined ? {} : { idleAfterMs: timings.idleAfterMs }),
    });
    const prevBatch = new PrevBatchResolver(config.upstream);
    const indexCache = new RoomIndexCache();
    this.waiters.observe(indexCache);
    const engine = new SlidingSyncEngine({
      store,
      indexCache,
      prevBatch: (token, roomId, eventId) => prevBatch.resolve(token, roomId, eventId),
    });
    this.service = new SyncService({
      auth,
      engine,
      pollers: this.pollers,
      waiters: this.waiters,
      store,
      ready: this.dbReady,
      ...(timings.firstSyncWaitMs === undefined ? {} : { firstSyncWaitMs: timings.firstSyncWaitMs }),
    });
    const pollers = this.pollers;
    const waiters = this.waiters;
    new Gauge({
      name: 'sync_proxy_pollers',
      help: 'Upstream /sync loops this replica runs',
      registers: [metrics.registry],
      collect() {
        this.set(pollers.size);
      },
    });
    new Gauge({
      name: 'sync_proxy_cached_room_lists',
      help: 'Users whose room list this replica holds in memory',
      registers: [metrics.registry],
      collect() {
        this.set(indexCache.size);
      },
    });
    new Gauge({
      name: 'sync_proxy_waiters',
      help: 'Long-polls waiting on this replica',
      registers: [metrics.registry],
      collect() {
        this.set(waiters.size);
      },
    });
  }

  async onModuleInit(): Promise<void> {
    await this.waiters.start();
    this.pollers.start();
    this.pruner = setInterval(() => {
      if (!this.dbReady()) return;
      this.store.prune.run().catch((err: unknown) => {
        this.log.warn({ err }, 'pruning failed; the next pass retries');
      });
    }, PRUNE_EVERY_MS).unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.pruner);
    await this.pollers.stop();
    await this.waiters.stop();
  }
}
