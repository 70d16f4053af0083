import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { AdminApiModule } from '../admin-api/admin-api.module';
import { AuditModule } from '../audit/audit.module';
import { CompatModule } from '../compat/compat.module';
import { OidcModule } from '../oidc/oidc.module';
import { SessionsModule } from '../sessions/sessions.module';
import { SynapseModule } from '../synapse/synapse.module';
import { EmailModule } from '../email/email.module';
import { AccountMfaController } from './account-mfa.controller';
import { MfaModule } from '../mfa/mfa.module';
import { AccountEmailsController } from './account-emails.controller';
import { AccountTokensController } from './account-tokens.controller';
import { PersonalTokensModule } from '../personal-tokens/personal-tokens.module';
import { AccountController } from './account.controller';
import { AccountLinksController } from './account-links.controller';

/**
 * The `account_management_uri` pages (MSC4191): profile, email addresses, password, sessions of every
 * kind and ending them, two-factor authentication, cross-signing reset approval, deactivation.
 */
@Module({
  controllers: [
    AccountController,
    AccountEmailsController,
    AccountLinksController,
    AccountTokensController,
    AccountMfaController,
  ],
  imports: [
    AccountsModule,
    AdminApiModule,
    AuditModule,
    CompatModule,
    EmailModule,
    MfaModule,
    OidcModule,
    PersonalTokensModule,
    SessionsModule,
    SynapseModule,
  ],
})
export class AccountManagementModule {}
