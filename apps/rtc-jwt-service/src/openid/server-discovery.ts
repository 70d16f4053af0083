import { Resolver } from 'node:dns/promises';
import { LruCache } from '@gateway/util';
import { systemClock, type Clock } from '@gateway/util';
import { nodeHttpGet, type HttpGet } from './federation-http';
import { overrideFor } from './federation-url-overrides';
import { authority, splitServerName } from './server-name';
import { SingleFlight, untilAborted } from '@gateway/util';
import type { SsrfGuard } from '@gateway/http';
import {
  DEFAULT_WELL_KNOWN_SETTINGS,
  fetchWellKnownServer,
  type WellKnownResult,
  type WellKnownSettings,
} from './well-known-server';

/**
 * Matrix server discovery ("Resolving server names" in the server-server spec): turns a server name
 * into the ordered places its federation API may be reached, each with the Host header and TLS name
 * the spec requires. Operator overrides win; then IP literals and explicit ports are used directly;
 * then `.well-known/matrix/server` delegation (cached per its Cache-Control, bounded); then SRV
 * `_matrix-fed._tcp` and the deprecated `_matrix._tcp`; then port 8448.
 */

export type TargetSource = 'override' | 'ip-literal' | 'explicit-port' | 'well-known' | 'srv' | 'default';

export interface FederationTarget {
  /** Where to connect, e.g. `https://matrix.example.com:8448` (overrides may add a path prefix). */
  baseUrl: string;
  hostHeader: string;
  /** SNI and certificate name; null for IP literals (certificate checked against the IP). */
  tlsServerName: string | null;
  source: TargetSource;
}

export interface SrvRecord {
  name: string;
  port: number;
  priority: number;
  weight: number;
}

export type ResolveSrv = (name: string) => Promise<SrvRecord[]>;

export interface ServerDiscoveryOptions {
  guard: SsrfGuard;
  overrides?: ReadonlyMap<string, string>;
  http?: HttpGet;
  resolveSrv?: ResolveSrv;
  insecureSkipVerifyTls?: boolean;
  wellKnown?: Partial<WellKnownSettings>;
  /** How long SRV answers (including "none") are reused. */
  srvCacheTtlMs?: number;
  maxCacheEntries?: number;
  clock?: Clock;
}

/** The server name is not a valid Matrix server name; no request is attempted. */
export class InvalidServerNameError extends Error {
  override readonly name = 'InvalidServerNameError';
}

const DEFAULT_PORT = 8448;
const MAX_SRV_TARGETS = 5;

/** SRV lookups with a short timeout of their own, so a slow DNS server cannot eat the request budget. */
export function systemResolveSrv(timeoutMs = 2_000): ResolveSrv {
  const resolver = new Resolver({ timeout: timeoutMs, tries: 2 });
  return (name) => resolver.resolveSrv(name);
}

export class ServerDiscovery {
  private readonly http: HttpGet;
  private readonly resolveSrv: ResolveSrv;
  private readonly settings: WellKnownSettings;
  private readonly wellKnownCache: LruCache<string, WellKnownResult>;
  private readonly srvCache: LruCache<string, SrvRecord[]>;
  private readonly wellKnownFlights = new SingleFlight<string, WellKnownResult>();

  constructor(private readonly options: ServerDiscoveryOptions) {
    this.http = options.http ?? nodeHttpGet;
    this.resolveSrv = options.resolveSrv ?? systemResolveSrv();
    this.settings = { ...DEFAULT_WELL_KNOWN_SETTINGS, ...options.wellKnown };
    const clock = options.clock ?? systemClock;
    const max = options.maxCacheEntries ?? 10_000;
    this.wellKnownCache = new LruCache(max, { clock });
    this.srvCache = new LruCache(max, { clock });
  }

  /**
   * The targets to try, in order, for `serverName`.
   * @throws InvalidServerNameError for names that are not valid server names.
   */
  async resolve(serverName: string, signal: AbortSignal): Promise<FederationTarget[]> {
    const override = overrideFor(this.options.overrides ?? new Map<string, string>(), serverName);
    const parts = splitServerName(serverName);
    if (override !== undefined) {
      const url = new URL(override);
      return [{ baseUrl: override, hostHeader: url.host, tlsServerName: url.hostname, source: 'override' }];
    }
    if (parts === null) throw new InvalidServerNameError(`invalid server name ${JSON.stringify(serverName)}`);
    if (parts.ipLiteral)
      return [direct(parts.host, parts.port ?? DEFAULT_PORT, serverName, null, 'ip-literal')];
    if (parts.port !== null) return [direct(parts.host, parts.port, serverName, parts.host, 'explicit-port')];

    const wellKnown = await untilAborted(this.wellKnown(serverName), signal);
    if (wellKnown.delegatedTo !== null) return this.resolveDelegated(wellKnown.delegatedTo, signal);
    return this.resolveHostname(parts.host, signal, 'default');
  }

  private async resolveDelegated(delegated: string, signal: AbortSignal): Promise<FederationTarget[]> {
    const parts = splitServerName(delegated);
    if (parts === null) return [];
    // The delegated name is used as-is (no second .well-known), per spec steps 3.1 to 3.5.
    if (parts.ipLiteral)
      return [direct(parts.host, parts.port ?? DEFAULT_PORT, delegated, null, 'well-known')];
    if (parts.port !== null) return [direct(parts.host, parts.port, delegated, parts.host, 'well-known')];
    return this.resolveHostname(parts.host, signal, 'well-known');
  }

  private async resolveHostname(
    host: string,
    signal: AbortSignal,
    fallback: TargetSource,
  ): Promise<FederationTarget[]> {
    for (const service of ['_matrix-fed._tcp', '_matrix._tcp']) {
      const records = await untilAborted(this.srv(`${service}.${host}`), signal);
      if (records.length > 0) {
        // SRV: connect to the target, but Host and certificate stay the (delegated) server name.
        return records.map((r) => ({
          baseUrl: `https://${authority(r.name, r.port)}`,
          hostHeader: host,
          tlsServerName: host,
          source: 'srv' as const,
        }));
      }
    }
    return [
      {
        baseUrl: `https://${authority(host, DEFAULT_PORT)}`,
        hostHeader: host,
        tlsServerName: host,
        source: fallback,
      },
    ];
  }

  private wellKnown(serverName: string): Promise<WellKnownResult> {
    const cached = this.wellKnownCache.get(serverName);
    if (cached !== undefined) return Promise.resolve(cached);
    return this.wellKnownFlights.run(serverName, async () => {
      const result = await fetchWellKnownServer(serverName, {
        http: this.http,
        policy: this.options.guard.policyFor(serverName),
        rejectUnauthorized: this.options.insecureSkipVerifyTls !== true,
        settings: this.settings,
      });
      this.wellKnownCache.set(serverName, result, result.ttlMs);
      return result;
    });
  }

  private async srv(name: string): Promise<SrvRecord[]> {
    const cached = this.srvCache.get(name);
    if (cached !== undefined) return cached;
    let records: SrvRecord[];
    try {
      records = orderSrv(await this.resolveSrv(name));
    } catch {
      records = []; // NXDOMAIN, no records and DNS failures all fall through to the next step.
    }
    this.srvCache.set(name, records, this.options.srvCacheTtlMs ?? 5 * 60 * 1000);
    return records;
  }
}

function direct(
  host: string,
  port: number,
  hostHeader: string,
  tls: string | null,
  source: TargetSource,
): FederationTarget {
  return { baseUrl: `https://${authority(host, port)}`, hostHeader, tlsServerName: tls, source };
}

/** Lowest priority first, heavier weight first within a priority; "." means "no service here". */
export function orderSrv(records: readonly SrvRecord[]): SrvRecord[] {
  return records
    .map((r) => ({ ...r, name: r.name.replace(/\.$/, '') }))
    .filter((r) => r.name !== '' && r.port > 0)
    .sort((a, b) => a.priority - b.priority || b.weight - a.weight)
    .slice(0, MAX_SRV_TARGETS);
}
