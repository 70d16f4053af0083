import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { AuthStore } from '@gateway/auth-data';
import { Database } from '@gateway/db';
import type { AuthConfig } from '../config';
import { AUTH_CONFIG, AUTH_STORE } from '../tokens';
import { clientSecretBox, sealStoredClientSecrets } from './oidc-adapter';

/**
 * Once the database is migrated, seals the secrets of clients registered while secrets were stored as
 * given (an upgrade), so none stays in the clear at rest. Until it has run, such a client still
 * authenticates: the adapter reads a clear secret as it is.
 */
@Injectable()
export class ClientSecretSealing implements OnApplicationBootstrap {
  private readonly logger = new Logger('oidc');
  /** Settles when the pass has ended, sealed or failed (tests wait on it). */
  done: Promise<void> = Promise.resolve();

  constructor(
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
    @Inject(AUTH_STORE) private readonly store: AuthStore,
    private readonly database: Database,
  ) {}

  onApplicationBootstrap(): void {
    this.done = this.database.connected
      .then(() => sealStoredClientSecrets(this.store.payloads, clientSecretBox(this.config.synapseSecret)))
      .then((sealed) => {
        if (sealed > 0)
          this.logger.log({ msg: 'sealed the secrets of registered clients stored in the clear', sealed });
      })
      .catch((err: unknown) => {
        this.logger.warn({
          msg: "sealing registered clients' secrets failed; they stay readable and are sealed at the next start",
          reason: err instanceof Error ? err.message : String(err),
        });
      });
  }
}
