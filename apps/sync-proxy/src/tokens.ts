/** Injection tokens for the sync proxy's providers. */
export const UPSTREAM_FORWARDER = Symbol('UPSTREAM_FORWARDER');
export const REDIS = Symbol('REDIS');
export const SYNC_SERVICE = Symbol('SYNC_SERVICE');
export const UPSTREAM_BASE = Symbol('UPSTREAM_BASE');
export const WELL_KNOWN_DISCOVERY = Symbol('WELL_KNOWN_DISCOVERY');
