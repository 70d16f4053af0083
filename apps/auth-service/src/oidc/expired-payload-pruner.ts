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
/** oidc-provider's `Session` lifetime (provider.factory.ts `ttl.Session`). */
export const BROWSER_SESSION_TTL_SECONDS = 14 * 24 * 3600;

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
    const failed = (err: unknown) => {
      this.logger.warn({
        msg: 'pruning expired OIDC rows failed',
        reason: err instanceof Error ? err.message : String(err),
      });
    };
    this.store.payloads.pruneExpired().catch(failed);
    // Upstream sign-ins outlive their browser session by nothing: the longest a session lives.
    this.store.upstream.pruneSignIns(new Date(Date.now() - BROWSER_SESSION_TTL_SECONDS * 1000)).catch(failed);
  }
}
