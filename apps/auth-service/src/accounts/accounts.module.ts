import { Module } from '@nestjs/common';
import type { AuthStore } from '@gateway/auth-data';
import type { Clock } from '@gateway/util';
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
  LOGIN_LIMITER,
  SELF_REGISTRATION,
  SIGN_IN,
  SYNAPSE,
} from '../tokens';
import { Accounts } from './accounts';
import { passwordRules } from './password-rules';
import { LoginLimiter } from './login-limiter';
import { SelfRegistration } from './self-registration';
import { SignIn } from './sign-in';

/** Password accounts: registration, sign-in and its failure limit. */
@Module({
  imports: [RateLimitsModule, SynapseModule],
  providers: [
    {
      provide: ACCOUNTS,
      inject: [AUTH_STORE, AUTH_CONFIG, SYNAPSE],
      useFactory: (store: AuthStore, config: AuthConfig, synapse: SynapseMasClient) =>
        new Accounts(store, config.homeserver, passwordRules(store, synapse, config), {
          // The membership clients' tokens act as this user: nobody may register it (membership-clients/).
          literals: config.membershipClients.length > 0 ? [config.membershipUser] : [],
        }),
    },
    {
      provide: LOGIN_LIMITER,
      inject: [AUTH_LIMITS],
      useFactory: (limits: AuthLimits) => new LoginLimiter(limits.signIn),
    },
    {
      provide: SIGN_IN,
      inject: [ACCOUNTS, LOGIN_LIMITER],
      useFactory: (accounts: Accounts, limiter: LoginLimiter) => new SignIn(accounts, limiter),
    },
    {
      provide: SELF_REGISTRATION,
      inject: [AUTH_STORE, ACCOUNTS, SYNAPSE, CLOCK, AUTH_CONFIG],
      useFactory: (
        store: AuthStore,
        accounts: Accounts,
        synapse: SynapseMasClient,
        clock: Clock,
        config: AuthConfig,
      ) =>
        new SelfRegistration(store, accounts, synapse, clock, {
          homeserver: config.homeserver,
          tokenRequired: config.registrationTokenRequired,
        }),
    },
  ],
  exports: [ACCOUNTS, SIGN_IN, LOGIN_LIMITER, SELF_REGISTRATION],
})
export class AccountsModule {}
