import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { AuthStore } from '@gateway/auth-data';
import { Database } from '@gateway/db';
import { AUTH_STORE } from '../tokens';

const PRUNE_INTERVAL_MS = 10 * 60 * 1000;

/**
 * Deletes expired oidc-provider rows (codes, tokens, interactions, sessions) every ten minutes, so the
 * table stays bounded. Reads already ignore expired rows; this only reclaims space.
 */
@Injectable()
export class ExpiredPayloadPruner implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private readonly logger = new Logger('oidc');

  constructor(
    @Inject(AUTH_STORE) private readonly store: AuthStore,
    private readonly database: Database,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.prune();
    }, PRUNE_INTERVAL_MS).unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  private prune(): void {
    if (!this.database.isConnected) return;
    this.store.payloads.pruneExpired().catch((err: unknown) => {
      this.logger.warn({
        msg: 'pruning expired OIDC rows failed',
        reason: err instanceof Error ? err.message : String(err),
      });
    });
  }
}
