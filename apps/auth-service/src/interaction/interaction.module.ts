import { Module } from '@nestjs/common';
import type { AuthStore } from '@gateway/auth-data';
import { AccountsModule } from '../accounts/accounts.module';
import { AuditModule } from '../audit/audit.module';
import type { AuthConfig } from '../config';
import { MfaModule } from '../mfa/mfa.module';
import { OidcModule } from '../oidc/oidc.module';
import { RateLimitsModule } from '../rate-limits/rate-limits.module';
import { UpstreamModule } from '../upstream/upstream.module';
import { ACCOUNT_CLIENT_ID } from '../oidc/provider.factory';
import { AUTH_CONFIG, AUTH_STORE, CONSENT_POLICY } from '../tokens';
import { ConsentPolicy } from './consent-policy';
import { InteractionFlow } from './interaction-flow';
import { InteractionController } from './interaction.controller';
import { PasskeySignInController } from './passkey-sign-in.controller';
import { PasswordSignInController } from './password-sign-in.controller';
import { RegistrationController } from './registration.controller';
import { SecondFactorController } from './second-factor.controller';
import { UpstreamFinishController } from './upstream-finish.controller';

/** The browser side of an authorization: sign-in, registration and consent pages. */
@Module({
  imports: [OidcModule, AccountsModule, AuditModule, MfaModule, RateLimitsModule, UpstreamModule],
  controllers: [
    InteractionController,
    PasskeySignInController,
    PasswordSignInController,
    RegistrationController,
    SecondFactorController,
    UpstreamFinishController,
  ],
  providers: [
    InteractionFlow,
    {
      provide: CONSENT_POLICY,
      inject: [AUTH_STORE, AUTH_CONFIG],
      useFactory: (store: AuthStore, config: AuthConfig) =>
        new ConsentPolicy(store.consents, new Set([...config.firstPartyClients, ACCOUNT_CLIENT_ID])),
    },
  ],
})
export class InteractionModule {}
