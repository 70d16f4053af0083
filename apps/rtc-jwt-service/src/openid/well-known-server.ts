import type { IncomingHttpHeaders } from 'node:http';
import type { HttpGet } from './federation-http';
import { authority, splitServerName } from './server-name';
import type { ConnectPolicy } from '@gateway/http';

/**
 * Step 3 of Matrix server discovery: `GET https://<hostname>/.well-known/matrix/server` and read its
 * `m.server` delegation. Any failure (network, non-200, bad JSON, invalid `m.server`) means "no
 * delegation" and discovery carries on with SRV, as the spec requires.
 */

export interface WellKnownSettings {
  timeoutMs: number;
  connectTimeoutMs: number;
  maxBodyBytes: number;
  /** Bounds applied to the response's `Cache-Control: max-age`. */
  minTtlMs: number;
  maxTtlMs: number;
  /** Lifetime when the response says nothing about caching (the spec suggests 24 h). */
  defaultTtlMs: number;
  /** How long a failure is remembered, so a dead server is not re-fetched on every request. */
  failureTtlMs: number;
  maxRedirects: number;
}

export const DEFAULT_WELL_KNOWN_SETTINGS: WellKnownSettings = {
  timeoutMs: 5_000,
  connectTimeoutMs: 3_000,
  maxBodyBytes: 50 * 1024,
  minTtlMs: 60 * 60 * 1000,
  maxTtlMs: 24 * 60 * 60 * 1000,
  defaultTtlMs: 24 * 60 * 60 * 1000,
  failureTtlMs: 2 * 60 * 1000,
  maxRedirects: 5,
};

export interface WellKnownResult {
  /** The delegated server name, or null when there is no usable delegation. */
  delegatedTo: string | null;
  ttlMs: number;
}

export interface WellKnownContext {
  http: HttpGet;
  policy: ConnectPolicy | null;
  rejectUnauthorized: boolean;
  settings: WellKnownSettings;
}

/** Fetches and interprets the delegation for `hostname` (never throws). */
export async function fetchWellKnownServer(
  hostname: string,
  context: WellKnownContext,
): Promise<WellKnownResult> {
  const { settings } = context;
  const failure: WellKnownResult = { delegatedTo: null, ttlMs: settings.failureTtlMs };
  const signal = AbortSignal.timeout(settings.timeoutMs);
  let url = new URL(`https://${authority(hostname, null)}/.well-known/matrix/server`);
  try {
    for (let hop = 0; hop <= settings.maxRedirects; hop++) {
      const response = await context.http({
        url,
        policy: context.policy,
        connectTimeoutMs: settings.connectTimeoutMs,
        signal,
        maxBodyBytes: settings.maxBodyBytes,
        rejectUnauthorized: context.rejectUnauthorized,
      });
      const location = response.headers.location;
      if (isRedirect(response.status) && location !== undefined) {
        url = new URL(location, url);
        // Never downgrade: the delegation decides where tokens are sent.
        if (url.protocol !== 'https:') return failure;
        continue;
      }
      if (response.status !== 200) return failure;
      const delegatedTo = readDelegation(response.body);
      return delegatedTo === null
        ? failure
        : { delegatedTo, ttlMs: cacheLifetimeMs(response.headers, settings) };
    }
  } catch {
    // Network errors, timeouts and SSRF refusals all mean "no delegation"; the caller logs nothing
    // secret-bearing here, and the userinfo step reports the overall failure.
  }
  return failure;
}

function isRedirect(status: number): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}

function readDelegation(body: string): string | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null) return null;
  const server = (parsed as Record<string, unknown>)['m.server'];
  return typeof server === 'string' && splitServerName(server) !== null ? server : null;
}

/**
 * The lifetime the response asks for via `Cache-Control: max-age`, clamped to the configured bounds.
 * `no-store` / `no-cache` get the minimum: some caching is what keeps discovery off the hot path.
 */
export function cacheLifetimeMs(
  headers: IncomingHttpHeaders,
  bounds: Pick<WellKnownSettings, 'minTtlMs' | 'maxTtlMs' | 'defaultTtlMs'>,
): number {
  const directives = (headers['cache-control'] ?? '').toLowerCase();
  const clamp = (ms: number) => Math.min(bounds.maxTtlMs, Math.max(bounds.minTtlMs, ms));
  if (/(?:^|[\s,])(?:no-store|no-cache)(?:$|[\s,=])/.test(directives)) return bounds.minTtlMs;
  const maxAge = /(?:^|[\s,])max-age\s*=\s*"?(\d+)"?/.exec(directives);
  if (maxAge?.[1] !== undefined) return clamp(Number(maxAge[1]) * 1000);
  return clamp(bounds.defaultTtlMs);
}
