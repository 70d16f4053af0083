import { Logger, Module } from '@nestjs/common';
import type { Queue } from 'bullmq';
import type { AuthStore } from '@gateway/auth-data';
import type { JobPayload } from '@gateway/queues';
import type { Clock } from '@gateway/util';
import { AccountsModule } from '../accounts/accounts.module';
import { AuditModule } from '../audit/audit.module';
import type { LoginLimiter } from '../accounts/login-limiter';
import type { AuthConfig } from '../config';
import { SessionsModule } from '../sessions/sessions.module';
import { SynapseModule } from '../synapse/synapse.module';
import type { SynapseMasClient } from '../synapse/synapse-mas-client';
import {
  AUTH_CONFIG,
  AUTH_STORE,
  CLOCK,
  COMPAT_LOGIN,
  DELETE_DEVICE_QUEUE,
  LOGIN_LIMITER,
  SYNAPSE,
} from '../tokens';
import { ClientApiCors } from './client-api-cors';
import { CompatLogin } from './compat-login';
import { CompatController } from './compat.controller';
import { MfaModule } from '../mfa/mfa.module';
import { mfaRequiredFor } from '../mfa/mfa-policy';
import { OidcModule } from '../oidc/oidc.module';
import { UpstreamModule } from '../upstream/upstream.module';

/** The legacy `/_matrix/client/*\/login` layer: compat sessions, their tokens and the SSO redirect. */
@Module({
  imports: [
    AccountsModule,
    AuditModule,
    MfaModule,
    SessionsModule,
    SynapseModule,
    OidcModule,
    UpstreamModule,
  ],
  controllers: [CompatController],
  exports: [COMPAT_LOGIN],
  providers: [
    ClientApiCors,
    {
      provide: COMPAT_LOGIN,
      inject: [AUTH_STORE, SYNAPSE, LOGIN_LIMITER, DELETE_DEVICE_QUEUE, CLOCK, AUTH_CONFIG],
      useFactory: (
        store: AuthStore,
        synapse: SynapseMasClient,
        limiter: LoginLimiter,
        queue: Queue<JobPayload<'auth.delete-device'>>,
        clock: Clock,
        config: AuthConfig,
      ) => {
        const logger = new Logger('compat');
        return new CompatLogin(
          store,
          synapse,
          limiter,
          queue,
          clock,
          {
            homeserver: config.homeserver,
            refreshableTokenTtl: config.accessTokenTtl,
            mfaRequired: (user) => mfaRequiredFor(config.mfaRequired, user),
            passwordsEnabled: config.passwordLoginEnabled,
          },
          (err) => {
            logger.warn({
              msg: 'a device call to Synapse failed',
              reason: err instanceof Error ? err.message : String(err),
            });
          },
        );
      },
    },
  ],
})
export class CompatModule {}
