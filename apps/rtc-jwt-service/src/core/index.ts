// The framework-free core of rtc-jwt-service: request parsing, identity and room derivation, OpenID
// verification over federation (discovery, SSRF guard, caching), token minting, access policy and
// rate limiting. Controllers and Nest providers wire these together; nothing here imports a framework.
export { silentLogger, type CoreLogger } from './logger';
export {
  parseDelegateDelayedLeaveBody,
  parseGetTokenBody,
  parseSfuGetBody,
  REQUEST_ERRORS,
  validateDelegateDelayedLeaveBody,
  validateGetTokenBody,
  validateSfuGetBody,
  type BodyParseOptions,
  type DelayedLeaveParams,
  type DelegateDelayedLeaveRequest,
  type GetTokenRequest,
  type LegacySfuGetRequest,
  type OpenIdCredentials,
  type RtcMemberClaim,
} from './request-body';
export { legacyLiveKitIdentity, liveKitIdentity } from './identity';
export { LEGACY_SLOT_ID, legacyLiveKitRoomAlias, liveKitRoomAlias } from './room-alias';
export {
  DELEGATION_REFUSED,
  FullAccessPolicy,
  parseFullAccessHomeservers,
  planGrant,
  type GrantPlan,
  type GrantPlanOptions,
  type RtcEndpoint,
} from './full-access';
export {
  mintLiveKitToken,
  TOKEN_TTL_SECONDS,
  type LiveKitCredentials,
  type LiveKitGrantRequest,
} from './token-minter';
export {
  FEDERATION_URL_OVERRIDES_VAR,
  overrideFor,
  parseFederationUrlOverrides,
} from './federation-url-overrides';
export { isForbiddenAddress } from './forbidden-addresses';
export {
  SsrfGuard,
  SsrfRefusedError,
  systemResolveAddresses,
  type ConnectPolicy,
  type ResolveAddresses,
  type SsrfGuardOptions,
} from './ssrf-guard';
export {
  HttpGetError,
  nodeHttpGet,
  type HttpGet,
  type HttpGetRequest,
  type HttpGetResponse,
} from './federation-http';
export { DEFAULT_WELL_KNOWN_SETTINGS, type WellKnownSettings } from './well-known-server';
export {
  InvalidServerNameError,
  ServerDiscovery,
  systemResolveSrv,
  type FederationTarget,
  type ResolveSrv,
  type ServerDiscoveryOptions,
  type SrvRecord,
  type TargetSource,
} from './server-discovery';
export {
  OpenIdVerifier,
  UNAUTHORISED_MESSAGE,
  type FederationResolver,
  type OpenIdTokenClaim,
  type OpenIdVerifierOptions,
} from './openid-verifier';
export { MemoryUserInfoCache, userInfoCacheKey, type UserInfoCache } from './userinfo-cache';
export { RedisUserInfoCache, type RedisStringStore } from './userinfo-cache-redis';
export {
  enforceRateLimits,
  MemoryRateLimiter,
  type RateLimitCheck,
  type RateLimitDecision,
  type RateLimiter,
  type RateLimitRule,
} from './rate-limiter';
export { RedisRateLimiter, type RedisScriptRunner } from './rate-limiter-redis';
