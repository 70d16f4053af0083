import { Module } from '@nestjs/common';
import type { AuthStore } from '@gateway/auth-data';
import type { Clock } from '@gateway/util';
import { AccountsModule } from '../accounts/accounts.module';
import type { LoginLimiter } from '../accounts/login-limiter';
import type { AuthConfig } from '../config';
import { AUTH_CONFIG, AUTH_STORE, CLOCK, LOGIN_LIMITER, SECOND_FACTOR } from '../tokens';
import { Mfa } from './mfa';
import { SecondFactor } from './second-factor';

/**
 * Two-factor authentication (TOTP and recovery codes). `SECOND_FACTOR` is null without
 * AUTH_MFA_ENCRYPTION_KEY: then nothing offers or asks for a second factor.
 */
@Module({
  imports: [AccountsModule],
  exports: [SECOND_FACTOR],
  providers: [
    {
      provide: SECOND_FACTOR,
      inject: [AUTH_STORE, CLOCK, AUTH_CONFIG, LOGIN_LIMITER],
      useFactory: (store: AuthStore, clock: Clock, config: AuthConfig, limiter: LoginLimiter) =>
        config.mfaEncryptionKey === null
          ? null
          : new SecondFactor(
              new Mfa(store, clock, config.mfaEncryptionKey, config.homeserver),
              limiter,
              config.mfaRequired,
            ),
    },
  ],
})
export class MfaModule {}
