import { Logger, Module } from '@nestjs/common';
import type { AuthStore } from '@gateway/auth-data';
import type { AuthConfig } from '../config';
import { SynapseModule } from '../synapse/synapse.module';
import type { SynapseMasClient } from '../synapse/synapse-mas-client';
import { AUTH_CONFIG, AUTH_STORE, MEMBERSHIP_CLIENTS, MEMBERSHIP_PROVISIONING, SYNAPSE } from '../tokens';
import { MembershipClients } from './membership-clients';
import { MembershipProvisioning } from './membership-provisioning';

/** AUTH_MEMBERSHIP_CLIENTS: their scopes, and their service user provisioned in Synapse at token time. */
@Module({
  imports: [SynapseModule],
  providers: [
    {
      provide: MEMBERSHIP_CLIENTS,
      inject: [AUTH_CONFIG],
      useFactory: (config: AuthConfig) =>
        new MembershipClients(config.membershipClients, config.membershipUser),
    },
    {
      provide: MEMBERSHIP_PROVISIONING,
      inject: [AUTH_STORE, SYNAPSE, MEMBERSHIP_CLIENTS],
      useFactory: (store: AuthStore, synapse: SynapseMasClient, clients: MembershipClients) => {
        const logger = new Logger('membership-clients');
        return new MembershipProvisioning(store, synapse, clients, (err) => {
          logger.error({
            msg: 'a membership client token was withdrawn',
            reason: err instanceof Error ? err.message : String(err),
          });
        });
      },
    },
  ],
  exports: [MEMBERSHIP_CLIENTS, MEMBERSHIP_PROVISIONING],
})
export class MembershipClientsModule {}
