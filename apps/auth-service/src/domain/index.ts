/**
 * Framework-free rules of the auth service: token format, Matrix scopes, client registration,
 * introspection, usernames and passwords. No I/O beyond `node:crypto`; everything here is unit-tested
 * next to its file.
 */
export {
  checkClientPageUri,
  checkNativeRedirectUri,
  checkWebRedirectUri,
  isSameHostOrSubdomain,
  type UriPolicy,
} from './client-uri-rules';
export {
  isPublicClient,
  metadataDigest,
  SUPPORTED_AUTH_METHODS,
  SUPPORTED_GRANT_TYPES,
  SUPPORTED_RESPONSE_TYPES,
  SUPPORTED_SIGNING_ALGS,
  type ApplicationType,
  type ClientGrantType,
  type ClientResponseType,
  type RegisteredClientMetadata,
  type SigningAlg,
  type TokenEndpointAuthMethod,
} from './client-metadata';
export { validateClientRegistration, type ClientRegistrationOptions } from './client-registration';
export {
  INACTIVE,
  introspectionResponse,
  type ActiveIntrospection,
  type IntrospectedToken,
  type IntrospectionContext,
  type IntrospectionResponse,
  type SessionFamily,
} from './introspection';
export {
  parseIntrospectionRequest,
  type FormBody,
  type IntrospectionCaller,
  type IntrospectionRequest,
  type RequestHeaders,
  type TokenTypeHint,
} from './introspection-request';
export { isLegacySynapseToken, isSynapseMacaroon, legacySynapseTokenKind } from './legacy-synapse-token';
export {
  checkLocalpart,
  LOCALPART_PROBLEM_MESSAGES,
  localpartFromLoginIdentifier,
  maxLocalpartLength,
  type BannedUsernames,
  type LocalpartProblem,
} from './localpart';
export {
  API_SCOPES,
  compatSessionGrant,
  DEVICE_SCOPE_PREFIXES,
  deviceScope,
  deviceScopeOf,
  hasApiScope,
  isAdminScope,
  MAS_ADMIN_SCOPE,
  MAS_GRAPHQL_SCOPE,
  parseScope,
  scopeForIntrospection,
  SYNAPSE_ADMIN_SCOPE,
  type DeviceScope,
  type MatrixScopeGrant,
  type ScopeForm,
} from './matrix-scopes';
export { OAUTH_ERROR_STATUS, OAuthError, type OAuthErrorBody, type OAuthErrorCode } from './oauth-error';
export {
  checkPassword,
  PASSWORD_PROBLEM_MESSAGES,
  type PasswordPolicy,
  type PasswordProblem,
} from './password-policy';
export { isKnownPublicSuffix } from './public-suffix';
export { ALPHANUMERIC, randomAlphanumeric, randomString, UPPERCASE_ALPHANUMERIC } from './random-string';
export {
  checkScopePolicy,
  isScopeAllowed,
  type ScopePolicyContext,
  type ScopeRequestingGrant,
} from './scope-policy';
export {
  checkToken,
  generateToken,
  hashToken,
  parseToken,
  TOKEN_PREFIXES,
  type ParsedToken,
  type TokenCheck,
  type TokenFormatError,
  type TokenKind,
} from './token-format';
