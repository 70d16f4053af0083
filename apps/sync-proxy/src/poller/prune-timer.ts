import {
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { Database } from '@gateway/db';
import { SyncStore } from '@gateway/sync-data';

const PRUNE_EVERY_MS = 10 * 60_000;

/**
 * Bounds what the pollers store: every 10 minutes `PruneRepository` cuts busy rooms' timelines back and
 * drops idle connections and devices (one replica at a time, under an advisory lock). The auth service
 * has a prune timer of its own; both are lifecycle providers of the module that owns the data.
 */
@Injectable()
export class PruneTimer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log = new Logger('sync');
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: SyncStore,
    private readonly database: Database,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      if (!this.database.isConnected) return;
      this.store.prune.run().catch((err: unknown) => {
        this.log.warn({ msg: 'pruning failed; the next pass retries', err });
      });
    }, PRUNE_EVERY_MS).unref();
  }

  beforeApplicationShutdown(): void {
    clearInterval(this.timer);
  }
}
