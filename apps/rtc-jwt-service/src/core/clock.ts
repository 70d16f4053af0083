/**
 * Milliseconds since the epoch. Injected wherever time matters (cache expiry, token buckets) so tests
 * can move time forward instead of sleeping.
 */
export type Clock = () => number;

export const systemClock: Clock = () => Date.now();
