import type { AuthStore } from '@gateway/auth-data';
import type Provider from 'oidc-provider';
import type { ClientMetadata, Configuration } from 'oidc-provider';
import type { AuthConfig } from '../config';
import type { MembershipClients } from '../membership-clients/membership-clients';
import { isScopeAllowed } from '../scopes/scope-policy';
import { generateToken } from '../token-format/token-format';
import {
  renderDeviceCodeInput,
  renderDeviceConfirm,
  renderDeviceSuccess,
  renderError,
  renderLogout,
  renderLogoutDone,
} from './oidc-pages';
import { validateRegistration } from '../registration/oidc-registration-validator';
import { MATRIX_RESOURCE, matrixScopesOf, requestedScopes } from './matrix-resource';
import { BROWSER_SESSION_TTL_SECONDS } from './expired-payload-pruner';
import { clientSecretBox, OidcAdapter } from './oidc-adapter';
import type { SigningKeys } from './signing-keys';
import { isUsableUser } from '../accounts/usable-user';
import { MAS_ADMIN_SCOPE } from '../scopes/matrix-scopes';

interface TokenIdFactory {
  format?: string;
  generateTokenId: () => string;
}

export interface ProviderDeps {
  config: AuthConfig;
  store: AuthStore;
  keys: SigningKeys;
  membershipClients: MembershipClients;
}

/** The built-in first-party client the account page signs in with. */
export const ACCOUNT_CLIENT_ID = 'account-management';

/**
 * The MSC4191 actions the account page serves (account-management/account-actions.ts maps each), MSC4191's
 * names and the older MSC3824 session ones MAS also lists. Synapse links
 * `org.matrix.cross_signing_reset` when a client replaces its cross-signing keys.
 */
export const ACCOUNT_MANAGEMENT_ACTIONS = [
  'org.matrix.profile',
  'org.matrix.devices_list',
  'org.matrix.device_view',
  'org.matrix.device_delete',
  'org.matrix.account_deactivate',
  'org.matrix.cross_signing_reset',
  'org.matrix.sessions_list',
  'org.matrix.session_view',
  'org.matrix.session_end',
] as const;

/** MAS's paths (drop-in: clients and Synapse hard-code some of them). */
export const OIDC_ROUTES = {
  authorization: '/authorize',
  token: '/oauth2/token',
  introspection: '/oauth2/introspect',
  revocation: '/oauth2/revoke',
  registration: '/oauth2/registration',
  device_authorization: '/oauth2/device',
  jwks: '/oauth2/keys.json',
  userinfo: '/oauth2/userinfo',
  code_verification: '/link',
  end_session: '/logout',
} as const;

/** The admin dashboard (AUTH_DASHBOARD_CLIENT_ID): a public client, code + PKCE and refresh tokens. */
function dashboardClients(config: AuthConfig): ClientMetadata[] {
  if (config.dashboardClient === null) return [];
  return [
    {
      client_id: config.dashboardClient.id,
      client_name: 'Admin dashboard',
      token_endpoint_auth_method: 'none',
      redirect_uris: [config.dashboardClient.redirectUri],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
    },
  ];
}

/**
 * The OpenID Provider. oidc-provider is ESM-only, so it is loaded with a dynamic import (Node ≥ 20.19
 * can require it from the CommonJS bundle).
 */
export async function createProvider({
  config,
  store,
  keys,
  membershipClients,
}: ProviderDeps): Promise<Provider> {
  const { default: ProviderClass, interactionPolicy, errors } = await import('oidc-provider');
  const policy = interactionPolicy.base();
  if (config.registrationEnabled) {
    // OpenID Connect "prompt=create" (Element X's "Create account"); a prompt oidc-provider lacks.
    // Requestable: oidc-provider shows it whenever prompt=create is asked for and not yet answered.
    policy.add(new interactionPolicy.Prompt({ name: 'create', requestable: true }), 0);
  }

  const adminClients = new Set(config.adminClients.map((c) => c.id));
  const clientSecrets = clientSecretBox(config.synapseSecret);
  const configuration: Configuration = {
    adapter: (name: string) => new OidcAdapter(name, store.payloads, clientSecrets),
    clients: [
      {
        client_id: ACCOUNT_CLIENT_ID,
        client_name: 'Account management',
        token_endpoint_auth_method: 'none',
        redirect_uris: [`${config.baseUrl}/account/callback`],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
      ...dashboardClients(config),
      // The operator's admin API clients (AUTH_ADMIN_CLIENTS): client_credentials for urn:mas:admin only.
      ...config.adminClients.map((c) => ({
        client_id: c.id,
        client_secret: c.secret,
        client_name: `Admin API client ${c.id}`,
        token_endpoint_auth_method: 'client_secret_basic' as const,
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
      })),
      // The membership clients (AUTH_MEMBERSHIP_CLIENTS): client_credentials acting as the service user.
      ...config.membershipClients.map((c) => ({
        client_id: c.id,
        client_secret: c.secret,
        client_name: `Membership client ${c.id}`,
        token_endpoint_auth_method: 'client_secret_basic' as const,
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
      })),
    ],
    findAccount: async (_ctx, id) => {
      const user = await store.users.findById(id);
      if (!isUsableUser(user)) return undefined;
      return { accountId: user.id, claims: () => ({ sub: user.id, username: user.localpart }) };
    },
    jwks: keys.jwks,
    cookies: {
      keys: keys.cookieKeys,
      long: { signed: true, httpOnly: true, sameSite: 'lax' },
      short: { signed: true, httpOnly: true, sameSite: 'lax' },
    },
    routes: OIDC_ROUTES,
    scopes: ['openid', 'email'],
    claims: { openid: ['sub', 'username'], email: ['email', 'email_verified'] },
    responseTypes: ['code'],
    // Public clients (no secret) must use PKCE; MSC2964 asks it of every client, and so do we.
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      deviceFlow: {
        enabled: true,
        charset: 'base-20',
        mask: '****-****',
        userCodeInputSource: renderDeviceCodeInput,
        userCodeConfirmSource: renderDeviceConfirm,
        successSource: renderDeviceSuccess,
      },
      introspection: {
        enabled: true,
        // Clients introspecting with their own credentials (Synapse's call is IntrospectionRoute's). The
        // operator's AUTH_ADMIN_CLIENTS may introspect any token: that is how the other services' admin
        // endpoints check a dashboard token (libs/server AdminGuard). Any other client only its own
        // tokens; oidc-provider's default let every confidential client, dynamically registered ones
        // included, introspect every token. A token whose user can no longer use it (locked,
        // deactivated), or an urn:mas:admin token of a user who is no longer an admin, is inactive, as
        // the auth service's own admin API would refuse it.
        allowedPolicy: async (_ctx, client, token) => {
          if (!adminClients.has(client.clientId) && token.clientId !== client.clientId) return false;
          // client_credentials tokens have no user.
          if (!('accountId' in token)) return true;
          const user = await store.users.findById(token.accountId);
          if (!isUsableUser(user)) return false;
          const scope = 'scope' in token && typeof token.scope === 'string' ? token.scope : '';
          return user.admin || !scope.split(' ').includes(MAS_ADMIN_SCOPE);
        },
      },
      revocation: { enabled: true },
      registration: { enabled: true },
      userinfo: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: renderLogout,
        postLogoutSuccessSource: renderLogoutDone,
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => MATRIX_RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: (ctx, resource, client) => {
          if (resource !== MATRIX_RESOURCE) throw new Error('unknown resource');
          // Interactive grants got their scopes past the consent policy. client_credentials has no user:
          // MAS's policy applies (urn:mas:admin for the operator's admin clients, never the Matrix API),
          // except for the membership clients, whose tokens act as the service user.
          const clientCredentials = ctx.oidc.params?.['grant_type'] === 'client_credentials';
          const requested = requestedScopes(ctx.oidc);
          const scopes = !clientCredentials
            ? matrixScopesOf(requested)
            : membershipClients.has(client.clientId)
              ? membershipClients.scopesFor(requested)
              : matrixScopesOf(requested).filter((s) =>
                  isScopeAllowed(s, {
                    grantType: 'client_credentials',
                    user: null,
                    clientIsAdmin: adminClients.has(client.clientId),
                  }),
                );
          return {
            scope: scopes.join(' '),
            audience: MATRIX_RESOURCE,
            accessTokenFormat: 'opaque',
            accessTokenTTL: config.accessTokenTtl,
          };
        },
      },
    },
    extraClientMetadata: {
      properties: ['client_uri'],
      validator: (ctx, key, _value, metadata) => {
        // Only registrations through the endpoint; the built-in account client is configuration and
        // is validated without a request (ctx is then undefined, whatever the typings say).
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition
        if (key === 'client_uri' && ctx?.oidc?.route === 'registration')
          validateRegistration(metadata, errors);
      },
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}`, policy },
    // Matrix clients do not ask for offline_access; like MAS, every code exchange gets a refresh token.
    issueRefreshToken: (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: true,
    // Revoking any token of a session ends the whole session, as MAS does (oidc-provider's default keeps
    // the grant when an access token is revoked); the grant.revoked event then deletes the device.
    revokeGrantPolicy: () => true,
    // A Matrix session outlives the browser session it was approved in.
    expiresWithSession: () => false,
    ttl: {
      AccessToken: config.accessTokenTtl,
      AuthorizationCode: 600,
      DeviceCode: 1200,
      IdToken: 3600,
      Interaction: 3600,
      Session: BROWSER_SESSION_TTL_SECONDS,
      Grant: 365 * 24 * 3600,
      RefreshToken: 365 * 24 * 3600,
      ClientCredentials: config.accessTokenTtl,
    },
    discovery: {
      account_management_uri: `${config.baseUrl}/account/`,
      account_management_actions_supported: [...ACCOUNT_MANAGEMENT_ACTIONS],
      // OpenID Connect Prompt Create; oidc-provider does not publish prompt values itself.
      prompt_values_supported: [
        'none',
        'login',
        'consent',
        ...(config.registrationEnabled ? ['create'] : []),
      ],
      claims_parameter_supported: false,
      request_parameter_supported: false,
      request_uri_parameter_supported: false,
    },
    // The OAuth endpoints are called from browsers of any origin (Element Web, Element Call).
    clientBasedCORS: () => true,
    renderError,
  };

  const provider = new ProviderClass(config.issuer, configuration);
  // MAS's token format (checksummed, prefixed): the checksum lets garbage be refused before any lookup.
  // oidc-provider's documented extension point for opaque token values, missing from its typings.
  // Access tokens also record their format there (opaque: their value is the id).
  (provider.AccessToken.prototype as unknown as TokenIdFactory).generateTokenId = function (
    this: TokenIdFactory,
  ) {
    this.format = 'opaque';
    return generateToken('access_token');
  };
  (provider.RefreshToken.prototype as unknown as TokenIdFactory).generateTokenId = () =>
    generateToken('refresh_token');
  // Behind a TLS-terminating proxy the public scheme comes from X-Forwarded-Proto.
  provider.proxy = config.issuer.startsWith('https:');
  return provider;
}
