import { Module } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { AuthStore } from '@gateway/auth-data';
import type { Clock } from '@gateway/util';
import { AccountsModule } from '../accounts/accounts.module';
import type { SelfRegistration } from '../accounts/self-registration';
import { AuditModule } from '../audit/audit.module';
import type { AuthConfig } from '../config';
import { OidcModule } from '../oidc/oidc.module';
import type { SigningKeys } from '../oidc/signing-keys';
import { RateLimitsModule } from '../rate-limits/rate-limits.module';
import { SynapseModule } from '../synapse/synapse.module';
import type { SynapseMasClient } from '../synapse/synapse-mas-client';
import {
  AUDIT_LOG,
  AUTH_CONFIG,
  AUTH_STORE,
  BACKCHANNEL_LOGOUT,
  CLOCK,
  REDIS,
  REDIS_PREFIX,
  SELF_REGISTRATION,
  SESSION_END,
  SIGNING_KEYS,
  SYNAPSE,
  UPSTREAM_CLIENTS,
  UPSTREAM_REGISTRATION,
  UPSTREAM_SESSIONS,
  UPSTREAM_SIGN_IN,
} from '../tokens';
import type { AuditLog } from '../audit/audit-log';
import type { SessionEnd } from '../sessions/session-end';
import { SessionsModule } from '../sessions/sessions.module';
import { BackchannelLogout } from './backchannel-logout';
import { ProviderSync } from './provider-sync';
import { checkAssertionKeys, UpstreamClients } from './upstream-clients';
import { UpstreamController } from './upstream.controller';
import { UpstreamRegistration } from './upstream-registration';
import { UpstreamSessions } from './upstream-sessions';
import { UpstreamSignIn } from './upstream-sign-in';

/**
 * Sign-in through upstream OpenID providers (AUTH_UPSTREAM_OAUTH2_FILE): the providers synced at start,
 * MAS's `/upstream/*` routes, and what the interaction and account pages use (the sign-in of a decided
 * session, the providers to list).
 */
@Module({
  imports: [AccountsModule, AuditModule, OidcModule, RateLimitsModule, SessionsModule, SynapseModule],
  controllers: [UpstreamController],
  providers: [
    ProviderSync,
    {
      provide: UPSTREAM_SESSIONS,
      inject: [REDIS, REDIS_PREFIX],
      useFactory: (redis: Redis, prefix: string) => new UpstreamSessions(redis, prefix),
    },
    {
      provide: UPSTREAM_SIGN_IN,
      inject: [AUTH_CONFIG, AUTH_STORE, UPSTREAM_SESSIONS, ProviderSync, CLOCK, UPSTREAM_CLIENTS],
      useFactory: (
        config: AuthConfig,
        store: AuthStore,
        sessions: UpstreamSessions,
        sync: ProviderSync,
        clock: Clock,
        clients: UpstreamClients,
      ) => new UpstreamSignIn(config, store, clients, sessions, sync, clock),
    },
    {
      provide: UPSTREAM_CLIENTS,
      inject: [AUTH_CONFIG, SIGNING_KEYS],
      useFactory: (config: AuthConfig, keys: SigningKeys) => {
        checkAssertionKeys(config.upstream.providers, keys.jwks.keys);
        return new UpstreamClients(keys.jwks.keys);
      },
    },
    {
      provide: BACKCHANNEL_LOGOUT,
      inject: [AUTH_STORE, UPSTREAM_CLIENTS, SESSION_END, AUDIT_LOG, CLOCK],
      useFactory: (
        store: AuthStore,
        clients: UpstreamClients,
        sessionEnd: SessionEnd,
        audit: AuditLog,
        clock: Clock,
      ) => new BackchannelLogout(store, clients, sessionEnd, audit, clock),
    },
    {
      provide: UPSTREAM_REGISTRATION,
      inject: [AUTH_STORE, SELF_REGISTRATION, SYNAPSE, ProviderSync, CLOCK],
      useFactory: (
        store: AuthStore,
        registration: SelfRegistration,
        synapse: SynapseMasClient,
        sync: ProviderSync,
        clock: Clock,
      ) => new UpstreamRegistration(store, registration, synapse, sync, clock),
    },
  ],
  exports: [UPSTREAM_SIGN_IN, ProviderSync],
})
export class UpstreamModule {}
