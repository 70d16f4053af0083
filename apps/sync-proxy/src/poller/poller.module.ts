import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import {
  Injectable,
  Logger,
  Module,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { Gauge, Histogram } from 'prom-client';
import { Metrics } from '@gateway/server';
import { SyncStore } from '@gateway/sync-data';
import { AuthModule } from '../auth/auth.module';
import { Authenticator } from '../auth/authenticator';
import { TokenCipher } from '../auth/token-cipher';
import { WakeModule } from '../wake/wake.module';
import { DeliveryTimings } from '../wake/delivery-timings';
import { WaiterIndex } from '../wake/waiter-index';
import { PollerPool } from './poller-pool';
import { PruneTimer } from './prune-timer';

export interface PollerOptions {
  /** The homeserver polled with `/sync` v2. */
  upstream: string;
  /** Shorter in tests; production uses the pool's defaults. */
  leaseMs?: number;
  renewEveryMs?: number;
  pollTimeoutMs?: number;
  /** A device nobody synced for this long stops being polled (default 24 h). */
  idleAfterMs?: number;
}
export const POLLER_OPTIONS = Symbol('POLLER_OPTIONS');

/**
 * Starts this replica's pollers once the app is up; stops them (releasing their leases) before the HTTP
 * server closes, so a rolling restart hands devices over at once.
 */
@Injectable()
class PollersLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    private readonly pollers: PollerPool,
    metrics: Metrics,
  ) {
    new Gauge({
      name: 'sync_proxy_pollers',
      help: 'Upstream /sync loops this replica runs',
      registers: [metrics.registry],
      collect() {
        this.set(pollers.size);
      },
    });
  }

  onApplicationBootstrap(): void {
    this.pollers.start();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.pollers.stop();
  }
}

/** The write path: one upstream `/sync` v2 loop per device, each response stored as one batch. */
@Module({
  imports: [AuthModule, WakeModule],
  providers: [
    {
      provide: PollerPool,
      inject: [POLLER_OPTIONS, SyncStore, TokenCipher, Authenticator, WaiterIndex, DeliveryTimings, Metrics],
      useFactory: (
        o: PollerOptions,
        store: SyncStore,
        cipher: TokenCipher,
        auth: Authenticator,
        waiters: WaiterIndex,
        timings: DeliveryTimings,
        metrics: Metrics,
      ) => {
        const log = new Logger('sync');
        const lag = new Histogram({
          name: 'sync_proxy_poll_lag_seconds',
          help: 'How far behind the homeserver the pollers are: per live upstream /sync response with timeline events, the time it was in hand minus its newest event’s origin_server_ts (stamped by the clock of the homeserver that created the event, so across hosts it includes the clocks’ skew, and for events from other servers their federation delay; negative values count as 0)',
          // 2.5 ms steps where a live poll on one host lands (tens of ms), so a median interpolated
          // in them tells a few ms apart; then coarser up to a minute, for a poller back from downtime.
          buckets: [
            0.001, 0.002, 0.003, 0.004, 0.005, 0.0075, 0.01, 0.0125, 0.015, 0.0175, 0.02, 0.0225, 0.025,
            0.0275, 0.03, 0.035, 0.04, 0.045, 0.05, 0.06, 0.075, 0.1, 0.15, 0.2, 0.25, 0.5, 1, 2.5, 5, 10, 30,
            60,
          ],
          registers: [metrics.registry],
        });
        return new PollerPool({
          store,
          cipher,
          upstream: o.upstream,
          owner: `${hostname()}-${String(process.pid)}-${randomBytes(4).toString('hex')}`,
          onBatch: (applied, receivedAt) => {
            timings.stored(applied.seq, receivedAt);
            const { seq, rooms, users, userRooms, accountData } = applied;
            // Account data (m.direct, tags) is read by room lists: caches drop the user's list then.
            const message = accountData ? { seq, rooms, users } : { seq, rooms, users, userRooms };
            waiters.publish(message).catch((err: unknown) => {
              // The gap detector wakes waiters within about a second anyway.
              log.warn({ msg: 'wake publish failed', err });
            });
          },
          observeLag: (seconds) => {
            lag.observe(seconds);
          },
          onTokenInvalid: (hash, userId) => {
            auth.forget(hash);
            // Other replicas may hold the token in their caches, and its long-polls may wait anywhere.
            waiters
              .publish({ seq: 0, rooms: [], users: [userId], invalidTokens: [hash.toString('hex')] })
              .catch((err: unknown) => {
                log.warn({
                  msg: 'token invalidation publish failed; other replicas revalidate within 5 min',
                  err,
                });
              });
          },
          ...(o.leaseMs === undefined ? {} : { leaseMs: o.leaseMs }),
          ...(o.renewEveryMs === undefined ? {} : { renewEveryMs: o.renewEveryMs }),
          ...(o.pollTimeoutMs === undefined ? {} : { pollTimeoutMs: o.pollTimeoutMs }),
          ...(o.idleAfterMs === undefined ? {} : { idleAfterMs: o.idleAfterMs }),
        });
      },
    },
    PollersLifecycle,
    PruneTimer,
  ],
  exports: [PollerPool],
})
export class PollerModule {}
