/**
 * Intervals of the delegation state machine. Defaults are lk-jwt-service's (github.com/element-hq/lk-jwt-service):
 * exponential backoff 1 s ×1.5 with jitter 0.5 capped at 60 s, restarts at 80 % of the delay timeout,
 * the initial-connect wait capped at 1 h. Tests shrink them; production keeps the defaults.
 */
export interface DelayedLeaveTiming {
  /** First wait between participant lookups while waiting for the initial connect. */
  lookupInitialMs: number;
  /** First wait between failed restart/send attempts. */
  retryInitialMs: number;
  backoffMultiplier: number;
  /** Each wait is scaled by a random factor in [1 - jitter, 1 + jitter]. */
  jitter: number;
  maxIntervalMs: number;
  /** The initial-connect wait is min(this, delay timeout). */
  maxWaitForConnectMs: number;
  /** Restart period as a fraction of the delay timeout. */
  restartFraction: number;
  /** Sending a leave is retried for clamp(deadline - now, min, max). */
  minSendWindowMs: number;
  maxSendWindowMs: number;
  /** Periodic participant check while connected; 0 = off (LIVEKIT_SANITY_CHECK_INTERVAL_SECONDS). */
  sanityCheckIntervalMs: number;
}

export const DEFAULT_TIMING: DelayedLeaveTiming = {
  lookupInitialMs: 1_000,
  retryInitialMs: 1_000,
  backoffMultiplier: 1.5,
  jitter: 0.5,
  maxIntervalMs: 60_000,
  maxWaitForConnectMs: 3_600_000,
  restartFraction: 0.8,
  minSendWindowMs: 1_000,
  maxSendWindowMs: 3_600_000,
  sanityCheckIntervalMs: 0,
};

/** Uniform in [0, 1); injected so tests can pin the jitter. */
export type Random = () => number;

/**
 * One backoff step: the jittered wait for `currentMs` (0 = first wait, use `initialMs`) and the
 * un-jittered interval to use next time.
 */
export function backoffStep(
  currentMs: number,
  initialMs: number,
  timing: DelayedLeaveTiming,
  random: Random,
): { waitMs: number; nextMs: number } {
  const interval = currentMs > 0 ? currentMs : initialMs;
  const factor = 1 + timing.jitter * (2 * random() - 1);
  return {
    waitMs: Math.max(0, Math.round(interval * factor)),
    nextMs: Math.min(interval * timing.backoffMultiplier, timing.maxIntervalMs),
  };
}

export function clamp(value: number, min: number, max: number): number {
  return Math.min(Math.max(value, min), max);
}
