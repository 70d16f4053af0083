import { createHash } from 'node:crypto';

/**
 * Client metadata as registered through RFC 7591 dynamic client registration, after validation and
 * defaulting (see client-registration.ts). Field names stay in RFC 7591 snake_case so the object can
 * be handed to the OAuth library and echoed in the registration response as is.
 */

/** `web` clients run on a web origin; `native` clients on a device (OIDC Registration §2). */
export type ApplicationType = 'web' | 'native';

/** Grant types a client may register. `implicit` exists only to allow `id_token` response types. */
export const SUPPORTED_GRANT_TYPES = [
  'authorization_code',
  'refresh_token',
  'client_credentials',
  'urn:ietf:params:oauth:grant-type:device_code',
  'implicit',
] as const;
export type ClientGrantType = (typeof SUPPORTED_GRANT_TYPES)[number];

/** Response types MAS supports; any `token` response type is refused. */
export const SUPPORTED_RESPONSE_TYPES = ['code', 'id_token', 'code id_token'] as const;
export type ClientResponseType = (typeof SUPPORTED_RESPONSE_TYPES)[number];

/** Token endpoint authentication methods MAS advertises. */
export const SUPPORTED_AUTH_METHODS = [
  'none',
  'client_secret_basic',
  'client_secret_post',
  'client_secret_jwt',
  'private_key_jwt',
] as const;
export type TokenEndpointAuthMethod = (typeof SUPPORTED_AUTH_METHODS)[number];

/** JWS algorithms MAS advertises; `none` is never accepted. */
export const SUPPORTED_SIGNING_ALGS = [
  'HS256',
  'HS384',
  'HS512',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES256K',
] as const;
export type SigningAlg = (typeof SUPPORTED_SIGNING_ALGS)[number];

/** The fields RFC 7591 lets a client localise with a `#<language tag>` suffix. */
export const LOCALIZABLE_FIELDS = ['client_name', 'client_uri', 'logo_uri', 'policy_uri', 'tos_uri'] as const;
export type LocalizableField = (typeof LOCALIZABLE_FIELDS)[number];

/** Validated, defaulted registration metadata. */
export interface RegisteredClientMetadata {
  application_type: ApplicationType;
  redirect_uris: string[];
  response_types: ClientResponseType[];
  grant_types: ClientGrantType[];
  token_endpoint_auth_method: TokenEndpointAuthMethod;
  id_token_signed_response_alg: SigningAlg;
  userinfo_signed_response_alg?: SigningAlg;
  token_endpoint_auth_signing_alg?: SigningAlg;
  client_name?: string;
  client_uri?: string;
  logo_uri?: string;
  policy_uri?: string;
  tos_uri?: string;
  initiate_login_uri?: string;
  contacts?: string[];
  jwks?: { keys: unknown[] };
  jwks_uri?: string;
  /**
   * Localised variants (`client_name#fr`) by language tag. MAS accepts and then drops them; they are
   * kept apart here so a consent page could use them without affecting the stored metadata.
   */
  localized: Record<string, Partial<Record<LocalizableField, string>>>;
}

/**
 * Public clients authenticate with nothing at the token endpoint, so a stolen authorization code is
 * all an attacker would need: they must use PKCE (RFC 9700 §2.1.1).
 */
export function isPublicClient(
  metadata: Pick<RegisteredClientMetadata, 'token_endpoint_auth_method'>,
): boolean {
  return metadata.token_endpoint_auth_method === 'none';
}

/**
 * SHA-256 (hex) of the metadata serialised with sorted keys at every level: equal metadata gives the
 * same digest, so a public client registering again with identical metadata can get its existing
 * client_id back instead of piling up registrations (MAS's `metadata_digest`).
 */
export function metadataDigest(metadata: RegisteredClientMetadata): string {
  return createHash('sha256').update(canonicalJson(metadata)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  // Only strings, numbers, booleans and null remain; `undefined` fields were filtered out above.
  return value === undefined ? 'null' : JSON.stringify(value);
}
