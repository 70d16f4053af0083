import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { AuthStore } from '@gateway/auth-data';
import { Database } from '@gateway/db';
import type { Clock } from '@gateway/util';
import type { AuthConfig } from '../config';
import { AUTH_CONFIG, AUTH_STORE, CLOCK } from '../tokens';

/**
 * Makes the providers table what AUTH_UPSTREAM_OAUTH2_FILE says once the database is up (MAS syncs at
 * start too): configured providers upserted, others disabled, Synapse-imported links re-keyed. The
 * secret never reaches the table. `synced` settles when that is done; link writes wait for it.
 */
@Injectable()
export class ProviderSync implements OnApplicationBootstrap {
  private readonly logger = new Logger('upstream');
  private done: Promise<void> | undefined;

  constructor(
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
    @Inject(AUTH_STORE) private readonly store: AuthStore,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly database: Database,
  ) {}

  onApplicationBootstrap(): void {
    for (const warning of this.config.upstream.warnings) this.logger.warn({ msg: warning });
    this.done = this.sync();
    // Reported here; a failure leaves the table as it was, and sign-ins through a provider it lacks fail.
    this.done.catch((err: unknown) => {
      this.logger.error({
        msg: 'syncing upstream providers failed',
        reason: err instanceof Error ? err.message : String(err),
      });
    });
  }

  /** Settles once the sync is done (or failed). */
  async synced(): Promise<void> {
    await this.done?.catch(() => undefined);
  }

  private async sync(): Promise<void> {
    await this.database.connected;
    const upstream = this.config.upstream;
    const result = await this.store.upstream.syncProviders(
      upstream.providers.map((p) => ({
        id: p.id,
        issuer: p.issuer,
        humanName: p.humanName,
        brandName: p.brandName,
        clientId: p.clientId,
        scope: p.scope,
        synapseIdpId: p.synapseIdpId,
        uiOrder: p.uiOrder,
      })),
      new Date(this.clock()),
    );
    this.logger.log({
      msg: 'upstream providers synced',
      configured: result.configured,
      disabled_in_file: upstream.disabledCount,
      disabled: result.disabled,
      rekeyed_links: result.rekeyedLinks,
    });
  }
}
