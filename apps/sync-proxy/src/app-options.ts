import type { AppOptions } from '@gateway/server';
import type { SyncConfig } from './config';

/** Receiving one request, headers and body: 50 MiB at about 0.7 Mbit/s. */
export const SYNC_REQUEST_TIMEOUT_MS = 10 * 60_000;

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
    // Every request that is not the proxy's own is streamed to the homeserver (forwarding/), media uploads
    // among them: tens of MiB (Synapse's max_upload_size is 50M by default) from a phone on a slow uplink,
    // which libs/server's 30 s would cut. Node's bound is one per server, so the proxy's own endpoints
    // share it; the headers still have libs/server's 20 s.
    requestTimeoutMs: SYNC_REQUEST_TIMEOUT_MS,
  };
}
