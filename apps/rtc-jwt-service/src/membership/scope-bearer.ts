import type { OAuthClientConfig } from '../config';
import type { AccessTokenSource } from './oauth-token-source';

/**
 * How the service holds MSC4502's `is_joined` scope (README "Granting the scope"): the application
 * service's token, or `client_credentials` tokens from the auth service. In the running service one
 * token source serves both the membership checks and `/ready`; `cli.js doctor` makes a fresh one.
 */
export type ScopeBearer =
  | { kind: 'appservice'; asToken: string }
  | { kind: 'oauth'; client: OAuthClientConfig; source: AccessTokenSource };
