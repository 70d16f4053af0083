/**
 * Injection tokens shared across feature modules: the parsed configuration, the clock and the optional
 * Redis connection (null when LIVEKIT_REDIS_URL is unset). AppModule provides all three globally.
 */
export const RTC_CONFIG = Symbol('RTC_CONFIG');
export const CLOCK = Symbol('CLOCK');
export const REDIS = Symbol('REDIS');
