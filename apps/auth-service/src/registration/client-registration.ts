import {
  SUPPORTED_AUTH_METHODS,
  SUPPORTED_GRANT_TYPES,
  SUPPORTED_SIGNING_ALGS,
  type ApplicationType,
  type ClientGrantType,
  type ClientResponseType,
  type RegisteredClientMetadata,
} from './client-metadata';
import {
  checkClientPageUri,
  checkNativeRedirectUri,
  checkPageUri,
  checkWebRedirectUri,
  type UriPolicy,
} from './client-uri-rules';
import { hasUnstorableText } from '@gateway/util';
import { OAuthError } from '../oauth-error';
import { isKnownPublicSuffix } from './public-suffix';
import * as read from './registration-fields';
import { readLocalizedFields } from './registration-localized';

/**
 * Validation of RFC 7591 dynamic client registration with the Matrix rules of MSC2966, as MAS's
 * default policy applies them
 * (https://github.com/element-hq/matrix-authentication-service/blob/main/policies/client_registration/client_registration.rego). Registration is open, so this is
 * the only gate.
 */

/** MAS's policy relaxations and deployment switches; all default to the strict setting. */
export interface ClientRegistrationOptions {
  allowInsecureUris?: boolean;
  allowHostMismatch?: boolean;
  allowMissingClientUri?: boolean;
  /** When false, a requested device_code grant is silently dropped (MAS behaviour). Default true. */
  deviceCodeGrantEnabled?: boolean;
  /** A full Public Suffix List lookup; defaults to a small built-in list. */
  isPublicSuffix?: (host: string) => boolean;
}

const DEVICE_CODE = 'urn:ietf:params:oauth:grant-type:device_code';

function invalid(description: string): OAuthError {
  return new OAuthError('invalid_client_metadata', description);
}

/**
 * Validates a registration request body (parsed JSON) and returns the metadata to store.
 *
 * @throws OAuthError `invalid_redirect_uri` for a bad redirect URI, `invalid_client_metadata` for
 * anything else; the description names the field.
 */
export function validateClientRegistration(
  body: unknown,
  options: ClientRegistrationOptions = {},
): RegisteredClientMetadata {
  if (!read.isJsonObject(body)) throw invalid('the registration request must be a JSON object');
  // oidc-provider reads this body itself (not Fastify's parser, which refuses NUL): the stored metadata
  // is jsonb, which cannot hold U+0000 or an unpaired surrogate, so it failed as a 500 (found by the security tier).
  if (hasUnstorableText(body))
    throw invalid('the metadata must not contain NUL characters or unpaired surrogates');
  const policy: UriPolicy = {
    allowInsecureUris: options.allowInsecureUris ?? false,
    allowHostMismatch: options.allowHostMismatch ?? false,
    isPublicSuffix: options.isPublicSuffix ?? isKnownPublicSuffix,
  };
  const applicationType: ApplicationType =
    read.optionalEnum(body, 'application_type', ['web', 'native'] as const) ?? 'web';
  const grantTypes = readGrantTypes(body, options.deviceCodeGrantEnabled ?? true);
  const responseTypes = readResponseTypes(body, grantTypes);
  const authMethod =
    read.optionalEnum(body, 'token_endpoint_auth_method', SUPPORTED_AUTH_METHODS) ?? 'client_secret_basic';
  if (grantTypes.includes('client_credentials') && authMethod === 'none') {
    throw invalid('the client_credentials grant requires client authentication');
  }

  const clientUri = read.optionalString(body, 'client_uri');
  if (clientUri === undefined && options.allowMissingClientUri !== true)
    throw invalid('client_uri is required');
  const clientHost = clientUri === undefined ? null : checkPageUri(clientUri, 'client_uri', policy).hostname;

  const redirectUris = read.unique(read.optionalStringArray(body, 'redirect_uris') ?? []);
  const redirects = grantTypes.includes('authorization_code') || grantTypes.includes('implicit');
  if (redirects && redirectUris.length === 0) {
    throw new OAuthError(
      'invalid_redirect_uri',
      'redirect_uris is required for the authorization_code grant',
    );
  }
  const checkRedirect = applicationType === 'native' ? checkNativeRedirectUri : checkWebRedirectUri;
  redirectUris.forEach((uri, i) => {
    checkRedirect(uri, `redirect_uris[${i}]`, clientHost, policy);
  });

  const metadata: RegisteredClientMetadata = {
    application_type: applicationType,
    redirect_uris: redirectUris,
    response_types: responseTypes,
    grant_types: grantTypes,
    token_endpoint_auth_method: authMethod,
    id_token_signed_response_alg: readAlg(body, 'id_token_signed_response_alg') ?? 'RS256',
    localized: {},
  };
  if (clientUri !== undefined) metadata.client_uri = clientUri;
  for (const field of ['logo_uri', 'policy_uri', 'tos_uri', 'initiate_login_uri'] as const) {
    const uri = read.optionalString(body, field);
    if (uri === undefined) continue;
    checkClientPageUri(uri, field, clientHost, policy);
    metadata[field] = uri;
  }
  const clientName = read.optionalString(body, 'client_name');
  if (clientName !== undefined) metadata.client_name = clientName;
  const contacts = read.optionalStringArray(body, 'contacts');
  if (contacts !== undefined) metadata.contacts = contacts;
  const userinfoAlg = readAlg(body, 'userinfo_signed_response_alg');
  if (userinfoAlg !== undefined) metadata.userinfo_signed_response_alg = userinfoAlg;
  readClientKeys(body, metadata, policy);
  metadata.localized = readLocalizedFields(body, clientHost, policy);
  return metadata;
}

function readGrantTypes(body: read.JsonObject, deviceCodeEnabled: boolean): ClientGrantType[] {
  const requested = read.unique(read.optionalStringArray(body, 'grant_types') ?? ['authorization_code']);
  const unsupported = requested.find(
    (grant) => !(SUPPORTED_GRANT_TYPES as readonly string[]).includes(grant),
  );
  if (unsupported !== undefined)
    throw invalid(`grant_types: only ${SUPPORTED_GRANT_TYPES.join(', ')} are supported`);
  const grants = requested as ClientGrantType[];
  return deviceCodeEnabled ? grants : grants.filter((grant) => grant !== DEVICE_CODE);
}

/**
 * Response types must agree with the grants (RFC 7591 §2.1): `code` needs authorization_code and
 * vice versa; `id_token` needs implicit; `token` (access tokens in the front channel) is refused.
 */
function readResponseTypes(body: read.JsonObject, grants: readonly ClientGrantType[]): ClientResponseType[] {
  const fallback = grants.includes('authorization_code') ? ['code'] : [];
  const requested = read.optionalStringArray(body, 'response_types') ?? fallback;
  const types = read.unique(
    requested.map((type): ClientResponseType => {
      const parts = new Set(type.split(' '));
      const code = parts.delete('code');
      const idToken = parts.delete('id_token');
      if (parts.size > 0 || (!code && !idToken))
        throw invalid("response_types: only code, id_token and 'code id_token' are supported");
      return code && idToken ? 'code id_token' : code ? 'code' : 'id_token';
    }),
  );
  const usesCode = types.some((type) => type.includes('code'));
  if (usesCode !== grants.includes('authorization_code')) {
    throw invalid('response_types and grant_types disagree: code goes with authorization_code');
  }
  if (types.some((type) => type.includes('id_token')) && !grants.includes('implicit')) {
    throw invalid('response_types: id_token requires the implicit grant');
  }
  return types;
}

function readAlg(body: read.JsonObject, field: string): (typeof SUPPORTED_SIGNING_ALGS)[number] | undefined {
  return read.optionalEnum(body, field, SUPPORTED_SIGNING_ALGS);
}

/** Keys for JWT client authentication: `jwks` or `jwks_uri`, never both (RFC 7591 §2). */
function readClientKeys(body: read.JsonObject, metadata: RegisteredClientMetadata, policy: UriPolicy): void {
  const jwks = read.optionalObject(body, 'jwks');
  const jwksUri = read.optionalString(body, 'jwks_uri');
  if (jwks !== undefined && jwksUri !== undefined) throw invalid('jwks and jwks_uri are mutually exclusive');
  if (jwks !== undefined) {
    const keys = jwks.keys;
    if (!Array.isArray(keys)) throw invalid('jwks must be a JWK set with a keys array');
    metadata.jwks = { keys };
  }
  if (jwksUri !== undefined) {
    checkPageUri(jwksUri, 'jwks_uri', policy);
    metadata.jwks_uri = jwksUri;
  }
  const method = metadata.token_endpoint_auth_method;
  if (method === 'private_key_jwt' && jwks === undefined && jwksUri === undefined) {
    throw invalid('private_key_jwt requires jwks or jwks_uri');
  }
  const alg = readAlg(body, 'token_endpoint_auth_signing_alg');
  if (alg === undefined) return;
  const symmetric = alg.startsWith('HS');
  if ((method === 'client_secret_jwt' && !symmetric) || (method === 'private_key_jwt' && symmetric)) {
    throw invalid(`token_endpoint_auth_signing_alg ${alg} does not fit ${method}`);
  }
  metadata.token_endpoint_auth_signing_alg = alg;
}
