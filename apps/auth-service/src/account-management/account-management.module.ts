import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { AdminApiModule } from '../admin-api/admin-api.module';
import { AuditModule } from '../audit/audit.module';
import { CompatModule } from '../compat/compat.module';
import { OidcModule } from '../oidc/oidc.module';
import { SessionsModule } from '../sessions/sessions.module';
import { SynapseModule } from '../synapse/synapse.module';
import { AccountController } from './account.controller';

/**
 * The `account_management_uri` pages (MSC4191): profile, password, sessions of every kind and ending
 * them, cross-signing reset approval, deactivation.
 */
@Module({
  controllers: [AccountController],
  imports: [
    AccountsModule,
    AdminApiModule,
    AuditModule,
    CompatModule,
    OidcModule,
    SessionsModule,
    SynapseModule,
  ],
})
export class AccountManagementModule {}
