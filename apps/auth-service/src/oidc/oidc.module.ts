import { createHmac } from 'node:crypto';
import { Logger, Module } from '@nestjs/common';
import type Provider from 'oidc-provider';
import type { AuthStore } from '@gateway/auth-data';
import { AuditModule } from '../audit/audit.module';
import type { AuditLog } from '../audit/audit-log';
import type { AuthConfig } from '../config';
import type { MembershipClients } from '../membership-clients/membership-clients';
import { MembershipClientsModule } from '../membership-clients/membership-clients.module';
import type { MembershipProvisioning } from '../membership-clients/membership-provisioning';
import type { DeviceProvisioning } from '../sessions/device-provisioning';
import type { SessionEnd } from '../sessions/session-end';
import { RateLimitsModule } from '../rate-limits/rate-limits.module';
import { SessionsModule } from '../sessions/sessions.module';
import {
  AUDIT_LOG,
  AUTH_CONFIG,
  AUTH_STORE,
  CSRF_KEY,
  DEVICE_PROVISIONING,
  MEMBERSHIP_CLIENTS,
  MEMBERSHIP_PROVISIONING,
  OIDC_PROVIDER,
  SESSION_END,
  SIGNING_KEYS,
} from '../tokens';
import { ClientSecretSealing } from './client-secret-sealing';
import { ExpiredPayloadPruner } from './expired-payload-pruner';
import { OidcMount } from './oidc-mount';
import { expiredLinkForm } from './oidc-pages';
import { createProvider, OIDC_ROUTES } from './provider.factory';
import { providerPageCsp } from './provider-page-csp';
import { retireAccessTokensOnRefresh } from './retire-access-tokens';
import { noteBrowserLogout, noteGrantRevoked } from './revocation-audit';
import { bindUpstreamSignIns } from './upstream-sign-in-binding';
import { loadOrCreateSigningKeys, type SigningKeys } from './signing-keys';

/**
 * oidc-provider, mounted on its paths, with the session hooks (device provisioning after a token
 * response, session end on revocation) and the pruning of its expired rows.
 */
@Module({
  imports: [SessionsModule, RateLimitsModule, MembershipClientsModule, AuditModule],
  providers: [
    {
      provide: SIGNING_KEYS,
      inject: [AUTH_CONFIG],
      useFactory: (config: AuthConfig) => loadOrCreateSigningKeys(config.signingKeyFile),
    },
    {
      // The HTML forms' CSRF key, derived from the signing keys so there is no second secret to manage.
      provide: CSRF_KEY,
      inject: [SIGNING_KEYS],
      useFactory: (keys: SigningKeys) =>
        createHmac('sha256', keys.cookieKeys[0] ?? '')
          .update('csrf')
          .digest('base64url'),
    },
    {
      provide: OIDC_PROVIDER,
      inject: [
        AUTH_CONFIG,
        AUTH_STORE,
        SIGNING_KEYS,
        DEVICE_PROVISIONING,
        SESSION_END,
        MEMBERSHIP_CLIENTS,
        MEMBERSHIP_PROVISIONING,
        AUDIT_LOG,
      ],
      useFactory: async (
        config: AuthConfig,
        store: AuthStore,
        keys: SigningKeys,
        provisioning: DeviceProvisioning,
        sessionEnd: SessionEnd,
        membershipClients: MembershipClients,
        membershipProvisioning: MembershipProvisioning,
        audit: AuditLog,
      ): Promise<Provider> => {
        const logger = new Logger('oidc');
        const report = (msg: string) => (err: unknown) => {
          logger.warn({ msg, reason: err instanceof Error ? err.message : String(err) });
        };
        const provider = await createProvider({ config, store, keys, membershipClients });
        provider.use(providerPageCsp());
        provider.use(expiredLinkForm(OIDC_ROUTES.code_verification));
        provider.use(provisioning.middleware());
        provider.use(membershipProvisioning.middleware());
        provider.use(retireAccessTokensOnRefresh(store));
        if (config.upstream.providers.length > 0) provider.use(bindUpstreamSignIns(store));
        provider.on('grant.revoked', (ctx: unknown, grantId: string) => {
          sessionEnd
            .grantRevoked(grantId)
            .then((session) => noteGrantRevoked(audit, ctx, grantId, session))
            .catch(report('ending the session failed'));
        });
        provider.on('end_session.success', (ctx: unknown) => {
          noteBrowserLogout(audit, ctx).catch(report('recording a sign-out failed'));
        });
        provider.on('server_error', (_ctx: unknown, err: unknown) => {
          report('oidc-provider server error')(err);
        });
        return provider;
      },
    },
    OidcMount,
    ExpiredPayloadPruner,
    ClientSecretSealing,
  ],
  exports: [OIDC_PROVIDER, CSRF_KEY, SIGNING_KEYS],
})
export class OidcModule {}
