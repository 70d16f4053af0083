import { Logger, Module } from '@nestjs/common';
import type { Queue } from 'bullmq';
import type { AuthStore } from '@gateway/auth-data';
import type { JobPayload } from '@gateway/queues';
import type { Clock } from '@gateway/util';
import { SessionsModule } from '../sessions/sessions.module';
import { SynapseModule } from '../synapse/synapse.module';
import type { SynapseMasClient } from '../synapse/synapse-mas-client';
import { AUTH_STORE, CLOCK, DELETE_DEVICE_QUEUE, PERSONAL_TOKENS, SYNAPSE } from '../tokens';
import { PersonalTokens } from './personal-tokens';

/** Personal access tokens (`mpt_`): used by the account page and the admin API. */
@Module({
  imports: [SessionsModule, SynapseModule],
  exports: [PERSONAL_TOKENS],
  providers: [
    {
      provide: PERSONAL_TOKENS,
      inject: [AUTH_STORE, SYNAPSE, DELETE_DEVICE_QUEUE, CLOCK],
      useFactory: (
        store: AuthStore,
        synapse: SynapseMasClient,
        queue: Queue<JobPayload<'auth.delete-device'>>,
        clock: Clock,
      ) => {
        const logger = new Logger('personal-tokens');
        return new PersonalTokens(store, synapse, queue, clock, (err) => {
          logger.warn({
            msg: 'a device call to Synapse failed',
            reason: err instanceof Error ? err.message : String(err),
          });
        });
      },
    },
  ],
})
export class PersonalTokensModule {}
