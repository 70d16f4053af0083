import { Module } from '@nestjs/common';
import { APP_INTERCEPTOR, DiscoveryModule } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import type { AuthStore } from '@gateway/auth-data';
import { appLog } from '@gateway/server';
import type { Clock } from '@gateway/util';
import { passwordRules } from '../accounts/password-rules';
import type { AuthConfig } from '../config';
import { AuditModule } from '../audit/audit.module';
import { CompatModule } from '../compat/compat.module';
import { EmailModule } from '../email/email.module';
import { PersonalTokensModule } from '../personal-tokens/personal-tokens.module';
import { SessionsModule } from '../sessions/sessions.module';
import type { SessionEnd } from '../sessions/session-end';
import { SynapseModule } from '../synapse/synapse.module';
import type { SynapseMasClient } from '../synapse/synapse-mas-client';
import {
  ADMIN_SPEC,
  ADMIN_TOKENS,
  ADMIN_USERS,
  AUTH_CONFIG,
  AUTH_STORE,
  CLOCK,
  SESSION_END,
  SYNAPSE,
} from '../tokens';
import { AdminAuditInterceptor } from './admin-audit.interceptor';
import { AdminBearerStrategy } from './admin-bearer.strategy';
import { AdminSpec } from './admin-spec';
import { AdminTokens } from './admin-token';
import { AdminUsers } from './admin-users';
import { AuditEventsController } from './audit-events.controller';
import { CompatSessionsController } from './compat-sessions.controller';
import { OAuth2ClientsController } from './oauth2-clients.controller';
import { OAuth2SessionsController } from './oauth2-sessions.controller';
import { PersonalSessionsController } from './personal-sessions.controller';
import { RegistrationTokensController } from './registration-tokens.controller';
import { ServerController } from './server.controller';
import { SpecController } from './spec.controller';
import { UpstreamOAuthLinksController } from './upstream-oauth-links.controller';
import { UpstreamOAuthProvidersController } from './upstream-oauth-providers.controller';
import { UserEmailsController } from './user-emails.controller';
import { UserSessionsController } from './user-sessions.controller';
import { UsersController } from './users.controller';

/**
 * The admin API (`/api/admin/v1`, MAS's names and shapes), its OpenAPI document (`/api/spec.json`) and
 * page (`/api/doc/`). Callers authenticate through the passport Bearer strategy with `urn:mas:admin`.
 */
@Module({
  imports: [
    PassportModule,
    DiscoveryModule,
    SynapseModule,
    SessionsModule,
    AuditModule,
    EmailModule,
    CompatModule,
    PersonalTokensModule,
  ],
  controllers: [
    UsersController,
    UserEmailsController,
    UserSessionsController,
    OAuth2SessionsController,
    CompatSessionsController,
    PersonalSessionsController,
    OAuth2ClientsController,
    RegistrationTokensController,
    UpstreamOAuthProvidersController,
    UpstreamOAuthLinksController,
    AuditEventsController,
    ServerController,
    SpecController,
  ],
  // The account page's self-deactivation is the admin API's deactivation, one code path for both.
  exports: [ADMIN_USERS],
  providers: [
    {
      provide: ADMIN_TOKENS,
      inject: [AUTH_STORE, AUTH_CONFIG, CLOCK],
      useFactory: (store: AuthStore, config: AuthConfig, clock: Clock) =>
        new AdminTokens(store, new Set(config.adminClients.map((c) => c.id)), clock),
    },
    {
      provide: ADMIN_USERS,
      inject: [AUTH_STORE, SYNAPSE, SESSION_END, AUTH_CONFIG, CLOCK],
      useFactory: (
        store: AuthStore,
        synapse: SynapseMasClient,
        end: SessionEnd,
        config: AuthConfig,
        clock: Clock,
      ) =>
        new AdminUsers(
          store,
          synapse,
          end,
          config.homeserver,
          passwordRules(store, synapse, config),
          clock,
          appLog('admin-api'),
        ),
    },
    AdminBearerStrategy,
    // Every changing admin call, whatever its controller, is audited fail-closed (admin-audit.interceptor.ts).
    { provide: APP_INTERCEPTOR, useClass: AdminAuditInterceptor },
    { provide: ADMIN_SPEC, useClass: AdminSpec },
  ],
})
export class AdminApiModule {}
