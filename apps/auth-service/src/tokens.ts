/** Injection tokens for the auth service's providers. */
export const AUTH_CONFIG = Symbol('AUTH_CONFIG');
export const AUTH_STORE = Symbol('AUTH_STORE');
export const OIDC_PROVIDER = Symbol('OIDC_PROVIDER');
export const ACCOUNTS = Symbol('ACCOUNTS');
export const LOGIN_LIMITER = Symbol('LOGIN_LIMITER');
export const SYNAPSE = Symbol('SYNAPSE');
export const REDIS = Symbol('REDIS');
export const CSRF_KEY = Symbol('CSRF_KEY');
export const SIGNING_KEYS = Symbol('SIGNING_KEYS');
export const SESSION_END = Symbol('SESSION_END');
