import {
  API_SCOPES,
  deviceScopeOf,
  MAS_ADMIN_SCOPE,
  MAS_GRAPHQL_SCOPE,
  SYNAPSE_ADMIN_SCOPE,
  type MatrixScopeGrant,
} from './matrix-scopes';
import { OAuthError } from '../oauth-error';

/**
 * MAS's default policy on who may be granted which scope
 * (https://github.com/element-hq/matrix-authentication-service/blob/main/policies/authorization_grant/authorization_grant.rego), checked when a grant is requested. Refresh does not re-check: a session's scope never changes.
 */

/** The grants that request scopes. */
export type ScopeRequestingGrant =
  'authorization_code' | 'urn:ietf:params:oauth:grant-type:device_code' | 'client_credentials';

/** Who is asking. */
export interface ScopePolicyContext {
  grantType: ScopeRequestingGrant;
  /**
   * The user approving an interactive grant: `canRequestAdmin` is the user's flag or membership of
   * the configured admin users. Null for `client_credentials`, which has no user.
   */
  user: { canRequestAdmin: boolean } | null;
  /** The client is one of the configured admin clients (only matters for `client_credentials`). */
  clientIsAdmin: boolean;
}

/** Grants where a person is present: only these may reach the Matrix API or act as an admin user. */
function isInteractive(grantType: ScopeRequestingGrant): boolean {
  switch (grantType) {
    case 'authorization_code':
    case 'urn:ietf:params:oauth:grant-type:device_code':
      return true;
    case 'client_credentials':
      return false;
  }
}

/** Whether one scope token may be granted in `context`. */
export function isScopeAllowed(token: string, context: ScopePolicyContext): boolean {
  const interactive = isInteractive(context.grantType) && context.user !== null;
  const admin = interactive && context.user?.canRequestAdmin === true;
  switch (token) {
    case 'openid':
    case 'email':
    case MAS_GRAPHQL_SCOPE:
      return true;
    case API_SCOPES.stable:
    case API_SCOPES.unstable:
      // The Matrix API acts as a user, so a machine-only client_credentials session cannot have it.
      return interactive;
    case SYNAPSE_ADMIN_SCOPE:
      return admin;
    case MAS_ADMIN_SCOPE:
      return admin || (context.grantType === 'client_credentials' && context.clientIsAdmin);
    default:
      return interactive && deviceScopeOf(token) !== null;
  }
}

/**
 * Checks every token of `grant` against the policy; unknown scopes are refused, as MAS's default
 * policy does.
 *
 * @throws OAuthError `invalid_scope` naming the first scope not allowed.
 */
export function checkScopePolicy(grant: MatrixScopeGrant, context: ScopePolicyContext): void {
  const refused = grant.scopes.find((token) => !isScopeAllowed(token, context));
  if (refused !== undefined) throw new OAuthError('invalid_scope', `scope '${refused}' not allowed`);
}
