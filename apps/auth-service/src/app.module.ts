import { Module, type DynamicModule } from '@nestjs/common';
import { AUTH_ENTITIES, AUTH_MIGRATIONS, AuthStore } from '@gateway/auth-data';
import { Database, databaseDependency } from '@gateway/db';
import { redisDependency } from '@gateway/queues';
import { DependenciesModule, dependency, ServerModule } from '@gateway/server';
import { systemClock, type Clock } from '@gateway/util';
import { AccountManagementModule } from './account-management/account-management.module';
import { AdminApiModule } from './admin-api/admin-api.module';
import { AccountsModule } from './accounts/accounts.module';
import { AuditModule } from './audit/audit.module';
import { CompatModule } from './compat/compat.module';
import type { AuthConfig } from './config';
import { EmailModule } from './email/email.module';
import { InteractionModule } from './interaction/interaction.module';
import { IntrospectionModule } from './introspection/introspection.module';
import { MfaModule } from './mfa/mfa.module';
import { OidcModule } from './oidc/oidc.module';
import { PersonalTokensModule } from './personal-tokens/personal-tokens.module';
import { SessionsModule } from './sessions/sessions.module';
import { UpstreamModule } from './upstream/upstream.module';
import { AUTH_CONFIG, AUTH_STORE, CLOCK, REDIS, REDIS_PREFIX } from './tokens';

export interface AppModuleOptions {
  /** Prefix of this instance's Redis keys and queues; tests give each app its own. */
  redisPrefix?: string;
  /** Decides token, payload and cache expiry; tests pass one they can move. */
  clock?: Clock;
}

/**
 * The auth service: the shared pieces every feature module injects (configuration, the store, Redis,
 * the clock) and the feature modules, one per folder. See ARCHITECTURE.md.
 */
@Module({})
export class AppModule {
  static forRoot(config: AuthConfig, options: AppModuleOptions = {}): DynamicModule {
    return {
      module: AppModule,
      // Its providers are what every feature needs; global so feature modules need not import the root.
      global: true,
      imports: [
        ServerModule,
        DependenciesModule.forRoot([
          dependency(
            databaseDependency({
              url: config.databaseUrl,
              entities: AUTH_ENTITIES,
              migrations: AUTH_MIGRATIONS,
              applicationName: 'auth-service',
              migrateOnConnect: true,
            }),
          ),
          dependency(redisDependency(REDIS, config.redisUrl)),
        ]),
        OidcModule,
        SessionsModule,
        AccountsModule,
        MfaModule,
        EmailModule,
        InteractionModule,
        AccountManagementModule,
        IntrospectionModule,
        CompatModule,
        AdminApiModule,
        PersonalTokensModule,
        AuditModule,
        UpstreamModule,
      ],
      providers: [
        { provide: AUTH_CONFIG, useValue: config },
        { provide: REDIS_PREFIX, useValue: options.redisPrefix ?? 'auth' },
        { provide: CLOCK, useValue: options.clock ?? systemClock },
        {
          provide: AUTH_STORE,
          inject: [Database, CLOCK],
          useFactory: (db: Database, clock: Clock) => new AuthStore(db.dataSource, clock),
        },
      ],
      exports: [AUTH_CONFIG, REDIS_PREFIX, CLOCK, AUTH_STORE],
    };
  }
}
