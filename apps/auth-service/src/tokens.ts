/** Injection tokens for the auth service's providers; the module providing each is named after it. */
// AppModule (app.module.ts): available to every feature module.
export const AUTH_CONFIG = Symbol('AUTH_CONFIG');
export const AUTH_STORE = Symbol('AUTH_STORE');
export const CLOCK = Symbol('CLOCK');
/** Prefix of every Redis key and BullMQ queue of this app instance (tests run several side by side). */
export const REDIS_PREFIX = Symbol('REDIS_PREFIX');
export const REDIS = Symbol('REDIS');
// OidcModule
export const OIDC_PROVIDER = Symbol('OIDC_PROVIDER');
export const SIGNING_KEYS = Symbol('SIGNING_KEYS');
export const CSRF_KEY = Symbol('CSRF_KEY');
// RateLimitsModule
export const AUTH_LIMITS = Symbol('AUTH_LIMITS');
// AccountsModule
export const ACCOUNTS = Symbol('ACCOUNTS');
export const LOGIN_LIMITER = Symbol('LOGIN_LIMITER');
export const SIGN_IN = Symbol('SIGN_IN');
export const SECOND_FACTOR = Symbol('SECOND_FACTOR');
export const SELF_REGISTRATION = Symbol('SELF_REGISTRATION');
// SynapseModule
export const SYNAPSE = Symbol('SYNAPSE');
// SessionsModule
export const SESSION_END = Symbol('SESSION_END');
export const DEVICE_PROVISIONING = Symbol('DEVICE_PROVISIONING');
export const DELETE_DEVICE_QUEUE = Symbol('DELETE_DEVICE_QUEUE');
export const SYNC_DEVICES_QUEUE = Symbol('SYNC_DEVICES_QUEUE');
// InteractionModule
export const CONSENT_POLICY = Symbol('CONSENT_POLICY');
// CompatModule
export const COMPAT_LOGIN = Symbol('COMPAT_LOGIN');
// MembershipClientsModule
export const MEMBERSHIP_CLIENTS = Symbol('MEMBERSHIP_CLIENTS');
export const MEMBERSHIP_PROVISIONING = Symbol('MEMBERSHIP_PROVISIONING');
// IntrospectionModule
export const USER_CACHE = Symbol('USER_CACHE');
// AdminApiModule
export const ADMIN_TOKENS = Symbol('ADMIN_TOKENS');
export const ADMIN_USERS = Symbol('ADMIN_USERS');
export const ADMIN_SPEC = Symbol('ADMIN_SPEC');
// PersonalTokensModule
export const PERSONAL_TOKENS = Symbol('PERSONAL_TOKENS');
// AuditModule
export const AUDIT_LOG = Symbol('AUDIT_LOG');
export const AUDIT_PRUNE_QUEUE = Symbol('AUDIT_PRUNE_QUEUE');
// UpstreamModule
export const UPSTREAM_SESSIONS = Symbol('UPSTREAM_SESSIONS');
export const UPSTREAM_SIGN_IN = Symbol('UPSTREAM_SIGN_IN');
export const UPSTREAM_REGISTRATION = Symbol('UPSTREAM_REGISTRATION');
export const UPSTREAM_CLIENTS = Symbol('UPSTREAM_CLIENTS');
export const BACKCHANNEL_LOGOUT = Symbol('BACKCHANNEL_LOGOUT');
// EmailModule
export const MAILER = Symbol('MAILER');
export const USER_EMAILS = Symbol('USER_EMAILS');
export const PASSWORD_RECOVERY = Symbol('PASSWORD_RECOVERY');
