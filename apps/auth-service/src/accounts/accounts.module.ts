import { Module } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { AuthStore } from '@gateway/auth-data';
import type { AuthConfig } from '../config';
import { ACCOUNTS, AUTH_CONFIG, AUTH_STORE, LOGIN_LIMITER, REDIS, REDIS_PREFIX, SIGN_IN } from '../tokens';
import { Accounts } from './accounts';
import { LoginLimiter } from './login-limiter';
import { SignIn } from './sign-in';

/** Password accounts: registration, sign-in and its failure limit. */
@Module({
  providers: [
    {
      provide: ACCOUNTS,
      inject: [AUTH_STORE, AUTH_CONFIG],
      useFactory: (store: AuthStore, config: AuthConfig) => new Accounts(store, config.homeserver),
    },
    {
      provide: LOGIN_LIMITER,
      inject: [REDIS, REDIS_PREFIX, AUTH_CONFIG],
      useFactory: (redis: Redis, prefix: string, config: AuthConfig) =>
        new LoginLimiter(redis, prefix, config.loginAttempts),
    },
    {
      provide: SIGN_IN,
      inject: [ACCOUNTS, LOGIN_LIMITER],
      useFactory: (accounts: Accounts, limiter: LoginLimiter) => new SignIn(accounts, limiter),
    },
  ],
  exports: [ACCOUNTS, SIGN_IN, LOGIN_LIMITER],
})
export class AccountsModule {}
