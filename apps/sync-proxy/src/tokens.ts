/** Injection tokens for the sync proxy's providers. */
export const UPSTREAM_FORWARDER = Symbol('UPSTREAM_FORWARDER');
export const REDIS = Symbol('REDIS');
