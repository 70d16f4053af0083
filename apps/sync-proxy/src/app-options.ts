import type { AppOptions } from '@gateway/server';
import type { SyncConfig } from './config';

/** How the app is served; shared by main.ts and the tests, so tests run what production runs. */
export function syncAppOptions(config: SyncConfig): AppOptions & { bind: SyncConfig['bind'] } {
  return {
    name: 'sync-proxy',
    logLevel: config.logLevel,
    bind: config.bind,
    warnings: config.warnings,
    metricsBind: config.promBind,
    // The admin API (src/admin) only on the SYNCV3_PROM listener; the public port answers it 404.
    internalPrefixes: config.admin === null ? [] : ['/admin/'],
    trustedProxies: config.trustedProxies,
  };
}
