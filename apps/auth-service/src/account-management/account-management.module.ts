import { Module } from '@nestjs/common';
import { OidcModule } from '../oidc/oidc.module';
import { SessionsModule } from '../sessions/sessions.module';
import { AccountController } from './account.controller';

/** The `account_management_uri` pages (MSC4191): a user's sessions, and ending one. */
@Module({
  imports: [OidcModule, SessionsModule],
  controllers: [AccountController],
})
export class AccountManagementModule {}
