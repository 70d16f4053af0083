import type { AppOptions } from '@gateway/server';
import { ADMIN_PREFIX } from '../admin/rooms-admin.controller';
import type { RtcConfig } from '../config';
import { configureRtcFastify } from './fastify-setup';

/** How the app is served; shared by main.ts and the tests, so tests run what production runs. */
export function rtcAppOptions(config: RtcConfig): AppOptions & { bind: RtcConfig['bind'] } {
  return {
    name: 'rtc-jwt-service',
    logLevel: config.logLevel,
    bind: config.bind,
    warnings: config.warnings,
    // Token requests are a few hundred bytes; lk-jwt-service has no limit, which is a memory hazard.
    bodyLimit: 64 * 1024,
    trustedProxies: config.trustedProxies,
    metricsBind: config.metricsBind,
    // The admin API never faces the internet: only the internal listener serves it.
    internalPrefixes: config.admin ? [ADMIN_PREFIX] : [],
    configureFastify: configureRtcFastify,
  };
}
