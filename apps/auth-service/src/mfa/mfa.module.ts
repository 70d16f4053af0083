import { Module } from '@nestjs/common';
import type { AuthStore } from '@gateway/auth-data';
import type { Clock } from '@gateway/util';
import { AccountsModule } from '../accounts/accounts.module';
import type { LoginLimiter } from '../accounts/login-limiter';
import type { AuthConfig } from '../config';
import type { Redis } from 'ioredis';
import { AUTH_CONFIG, AUTH_STORE, CLOCK, LOGIN_LIMITER, REDIS, REDIS_PREFIX, SECOND_FACTOR } from '../tokens';
import { redisPasskeyChallenges } from './passkey-challenges';
import { PasskeyScriptController } from './passkey-script.controller';
import { Passkeys, relyingPartyOf } from './passkeys';
import { Mfa } from './mfa';
import { SecondFactor } from './second-factor';

/**
 * Two-factor authentication (TOTP, passkeys and recovery codes) and passwordless sign-in with a
 * passkey. `SECOND_FACTOR` is null without AUTH_MFA_ENCRYPTION_KEY: then nothing offers or asks for a
 * second factor (recovery codes are kept under that key). The WebAuthn relying party is the issuer's
 * origin and host name.
 */
@Module({
  controllers: [PasskeyScriptController],
  imports: [AccountsModule],
  exports: [SECOND_FACTOR],
  providers: [
    {
      provide: SECOND_FACTOR,
      inject: [AUTH_STORE, CLOCK, AUTH_CONFIG, LOGIN_LIMITER, REDIS, REDIS_PREFIX],
      useFactory: (
        store: AuthStore,
        clock: Clock,
        config: AuthConfig,
        limiter: LoginLimiter,
        redis: Redis,
        prefix: string,
      ) =>
        config.mfaEncryptionKey === null
          ? null
          : new SecondFactor(
              new Mfa(store, clock, config.mfaEncryptionKey, config.homeserver),
              new Passkeys(
                store.passkeys,
                redisPasskeyChallenges(redis, prefix),
                relyingPartyOf(config.issuer, config.homeserver),
                clock,
              ),
              limiter,
              config.mfaRequired,
            ),
    },
  ],
})
export class MfaModule {}
