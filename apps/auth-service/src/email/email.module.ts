import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { AuthStore } from '@gateway/auth-data';
import type { Clock } from '@gateway/util';
import type { Accounts } from '../accounts/accounts';
import { AccountsModule } from '../accounts/accounts.module';
import type { AuthConfig } from '../config';
import type { AuthLimits } from '../rate-limits/auth-limits';
import { RateLimitsModule } from '../rate-limits/rate-limits.module';
import { SynapseModule } from '../synapse/synapse.module';
import type { SynapseMasClient } from '../synapse/synapse-mas-client';
import {
  ACCOUNTS,
  AUTH_CONFIG,
  AUTH_LIMITS,
  AUTH_STORE,
  CLOCK,
  MAILER,
  PASSWORD_RECOVERY,
  SYNAPSE,
  USER_EMAILS,
} from '../tokens';
import { createSmtpMailer, type Mailer } from './mailer';
import { PasswordRecovery } from './password-recovery';
import { RecoveryController } from './recovery.controller';
import { UserEmails } from './user-emails';

/** With AUTH_EMAIL_TRANSPORT=off every email feature is off; nothing reaches this. */
const noMailer: Mailer = {
  send: () => Promise.reject(new Error('AUTH_EMAIL_TRANSPORT is off')),
  close: () => undefined,
};

/** Mail over SMTP, users' addresses (mirrored into Synapse) and password recovery (`/recover`). */
@Module({
  imports: [AccountsModule, RateLimitsModule, SynapseModule],
  controllers: [RecoveryController],
  providers: [
    {
      provide: MAILER,
      inject: [AUTH_CONFIG],
      useFactory: (config: AuthConfig): Mailer =>
        config.email === null ? noMailer : createSmtpMailer(config.email),
    },
    {
      provide: USER_EMAILS,
      inject: [AUTH_STORE, MAILER, AUTH_LIMITS, SYNAPSE, AUTH_CONFIG, CLOCK],
      useFactory: (
        store: AuthStore,
        mailer: Mailer,
        limits: AuthLimits,
        synapse: SynapseMasClient,
        config: AuthConfig,
        clock: Clock,
      ) => new UserEmails(store, mailer, limits.emails, synapse, config, clock),
    },
    {
      provide: PASSWORD_RECOVERY,
      inject: [AUTH_STORE, ACCOUNTS, MAILER, AUTH_LIMITS, AUTH_CONFIG, CLOCK],
      useFactory: (
        store: AuthStore,
        accounts: Accounts,
        mailer: Mailer,
        limits: AuthLimits,
        config: AuthConfig,
        clock: Clock,
      ) => new PasswordRecovery(store, accounts, mailer, limits.emails, config, clock),
    },
  ],
  exports: [USER_EMAILS, PASSWORD_RECOVERY],
})
export class EmailModule implements OnApplicationShutdown {
  constructor(@Inject(MAILER) private readonly mailer: Mailer) {}

  onApplicationShutdown(): void {
    this.mailer.close();
  }
}
