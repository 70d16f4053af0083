import type { TokenTypeHint } from './introspection-request';
import { scopeForIntrospection, type MatrixScopeGrant } from '../scopes/matrix-scopes';

// The request side lives in its own file; re-exported so one import serves the controller.
export {
  parseIntrospectionRequest,
  type IntrospectionCaller,
  type IntrospectionRequest,
  type TokenTypeHint,
} from './introspection-request';

/**
 * The RFC 7662 introspection answer in the shape Synapse relies on (synapse/api/auth/mas.py in
 * Synapse's repository): `active`, `scope` with both stable and unstable Matrix forms, `username` = localpart, `device_id` for compat
 * sessions when Synapse supports it, and `expires_in` so its cache never outlives the token.
 */

/** Which family of session a token belongs to; it decides `client_id` and where the device goes. */
export type SessionFamily = 'oauth' | 'compat' | 'personal';

/** Everything about a looked-up token that the answer needs; storage-agnostic. */
export interface IntrospectedToken {
  session: SessionFamily;
  tokenType: TokenTypeHint;
  /** Null for sessions with no user (client_credentials). */
  userLocalpart: string | null;
  /** The user's ULID string. */
  userSub: string | null;
  /** Ignored for compat sessions, which always answer `"legacy"`. */
  clientId: string | null;
  grant: MatrixScopeGrant;
  issuedAt: Date;
  /** Null for tokens that do not expire (refresh tokens, most compat tokens). */
  expiresAt: Date | null;
  /** The token's own id, answered as `jti` for OAuth tokens only (as MAS does). */
  tokenId?: string | null;
}

/** An active token. Optional fields are omitted rather than null. */
export interface ActiveIntrospection {
  active: true;
  scope: string;
  client_id?: string;
  username?: string;
  sub?: string;
  token_type: TokenTypeHint;
  exp?: number;
  expires_in?: number;
  iat: number;
  nbf: number;
  jti?: string;
  device_id?: string;
}

/** The whole answer: HTTP 200 either way. */
export type IntrospectionResponse = ActiveIntrospection | { active: false };

/** The answer for anything unknown, expired, revoked, malformed or otherwise unusable. */
export const INACTIVE: { readonly active: false } = Object.freeze({ active: false });

/** The request-side facts that shape the answer. */
export interface IntrospectionContext {
  now: Date;
  /** Synapse sent `X-MAS-Supports-Device-Id: 1`. */
  supportsDeviceId: boolean;
  tokenTypeHint?: TokenTypeHint | null;
}

const seconds = (date: Date) => Math.floor(date.getTime() / 1000);

/**
 * The answer for `token` (null when the lookup found nothing usable). Inactive when the token has
 * expired or does not match the `token_type_hint` (MAS treats a mismatched hint as inactive).
 *
 * `expires_in` is rounded down, so Synapse's cache (retrieval time + expires_in) never outlives the
 * token.
 */
export function introspectionResponse(
  token: IntrospectedToken | null,
  context: IntrospectionContext,
): IntrospectionResponse {
  if (token === null) return INACTIVE;
  if (context.tokenTypeHint != null && context.tokenTypeHint !== token.tokenType) return INACTIVE;
  const nowMs = context.now.getTime();
  if (token.expiresAt !== null && token.expiresAt.getTime() <= nowMs) return INACTIVE;

  // Compat device IDs may not fit in a scope token; when Synapse can read `device_id`, use it alone.
  const deviceInField = token.session === 'compat' && context.supportsDeviceId && token.grant.device !== null;
  const response: ActiveIntrospection = {
    active: true,
    scope: scopeForIntrospection(token.grant, { includeDevice: !deviceInField }),
    token_type: token.tokenType,
    iat: seconds(token.issuedAt),
    nbf: seconds(token.issuedAt),
  };
  const clientId = token.session === 'compat' ? 'legacy' : token.clientId;
  if (clientId !== null) response.client_id = clientId;
  if (token.userLocalpart !== null) response.username = token.userLocalpart;
  if (token.userSub !== null) response.sub = token.userSub;
  if (token.expiresAt !== null) {
    response.exp = seconds(token.expiresAt);
    response.expires_in = Math.floor((token.expiresAt.getTime() - nowMs) / 1000);
  }
  if (token.session === 'oauth' && token.tokenId != null) response.jti = token.tokenId;
  if (deviceInField && token.grant.device !== null) response.device_id = token.grant.device.id;
  return response;
}
