import { Controller, Get, Inject, UseFilters, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { AdminApiErrorFilter } from '@gateway/server';
import type { AuthConfig } from '../config';
import { AUTH_CONFIG } from '../tokens';
import { AdminAuthGuard } from './admin-bearer.strategy';
import { defineOperation, Operation } from './operation';
import { errorSchema } from './resources';
import { GATEWAY_VERSION } from './version';

const error = (description: string) => ({ description, schema: errorSchema });
const authErrors = {
  401: error('Missing, unknown or expired token.'),
  403: error('The token lacks urn:mas:admin.'),
};
const none = z.object({});

const siteConfig = z.object({
  server_name: z.string(),
  password_login_enabled: z.boolean(),
  password_registration_enabled: z.boolean(),
  password_registration_email_required: z.boolean(),
  registration_token_required: z.boolean(),
  email_change_allowed: z.boolean(),
  displayname_change_allowed: z.boolean(),
  password_change_allowed: z.boolean(),
  account_recovery_allowed: z.boolean(),
  account_deactivation_allowed: z.boolean(),
  captcha_enabled: z.boolean(),
  minimum_password_complexity: z.number().int().min(0).max(4),
});

export const getSiteConfig = defineOperation({
  operationId: 'siteConfig',
  method: 'get',
  path: '/site-config',
  tag: 'server',
  summary: 'What this server lets its users do',
  params: none,
  query: none,
  body: undefined,
  responses: { 200: { description: 'The site configuration.', schema: siteConfig }, ...authErrors },
});

export const getVersion = defineOperation({
  operationId: 'version',
  method: 'get',
  path: '/version',
  tag: 'server',
  summary: 'The running version',
  params: none,
  query: none,
  body: undefined,
  responses: {
    200: { description: 'The version.', schema: z.object({ version: z.string() }) },
    ...authErrors,
  },
});

/** `/api/admin/v1/site-config` and `/version`, as MAS answers them (plain objects, no envelope). */
@Controller('api/admin/v1')
@UseGuards(AdminAuthGuard)
@UseFilters(AdminApiErrorFilter)
export class ServerController {
  constructor(@Inject(AUTH_CONFIG) private readonly config: AuthConfig) {}

  @Get('site-config')
  @Operation(getSiteConfig)
  siteConfig(): z.output<typeof siteConfig> {
    return {
      server_name: this.config.homeserver,
      password_login_enabled: true,
      password_registration_enabled: this.config.registrationEnabled,
      password_registration_email_required: false,
      registration_token_required: this.config.registrationTokenRequired,
      email_change_allowed: this.config.emailChangeAllowed,
      displayname_change_allowed: false,
      password_change_allowed: false,
      account_recovery_allowed: this.config.passwordRecoveryEnabled,
      account_deactivation_allowed: false,
      captcha_enabled: false,
      // AUTH_PASSWORD_MINIMUM_COMPLEXITY, on zxcvbn's 0–4 scale (accounts/password-policy.ts).
      minimum_password_complexity: this.config.passwordMinimumComplexity,
    };
  }

  @Get('version')
  @Operation(getVersion)
  version(): { version: string } {
    return { version: GATEWAY_VERSION };
  }
}
