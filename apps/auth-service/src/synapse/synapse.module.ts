import { Module } from '@nestjs/common';
import type { AuthConfig } from '../config';
import { AUTH_CONFIG, SYNAPSE } from '../tokens';
import { SynapseMasClient } from './synapse-mas-client';

/** The `/_synapse/mas/*` client, for the features that create or remove things in Synapse. */
@Module({
  providers: [
    {
      provide: SYNAPSE,
      inject: [AUTH_CONFIG],
      useFactory: (config: AuthConfig) =>
        new SynapseMasClient({ baseUrl: config.synapseUrl, secret: config.synapseSecret }),
    },
  ],
  exports: [SYNAPSE],
})
export class SynapseModule {}
