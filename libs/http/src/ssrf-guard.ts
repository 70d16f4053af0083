import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP, type LookupFunction } from 'node:net';
import { isForbiddenAddress } from './forbidden-addresses';
import type { TargetGuard } from './upstream-fetch';

/**
 * Keeps requests whose target comes from outside (a client-supplied `matrix_server_name`, a homeserver
 * found by discovery) away from internal networks, so nobody can make a service probe `127.0.0.1:6379`
 * or a cloud metadata endpoint. Two ways to apply it:
 *  - `policyFor(name).lookup` runs the check inside the socket's own DNS lookup, on the very addresses the
 *    connection then uses, so a name that resolves differently on a second query (DNS rebinding) cannot
 *    slip past it (node:http requests);
 *  - `targetGuard(name)` is the `guard` hook of `upstreamFetch`: it resolves and vets the target before
 *    fetch connects. fetch resolves again itself, so this form narrows rather than closes the rebinding
 *    window; use the lookup form where the name is attacker-chosen and rebinding matters.
 */

export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Resolves a host name to all its addresses; injectable so tests never touch real DNS. */
export type ResolveAddresses = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolveAddresses: ResolveAddresses = (hostname) =>
  dnsLookup(hostname, { all: true, verbatim: true });

/** Raised (and surfaced as a connection error) when a target is on a forbidden network. */
export class SsrfRefusedError extends Error {
  override readonly name = 'SsrfRefusedError';
  readonly code = 'ESSRF';
}

/** What a connection to a non-exempt homeserver must obey. */
export interface ConnectPolicy {
  /** A `net.connect`-compatible lookup that fails when any resolved address is forbidden. */
  lookup: LookupFunction;
  /** Throws SsrfRefusedError for a forbidden IP literal (sockets skip `lookup` for literals). */
  checkLiteral(address: string): void;
}

export interface SsrfGuardOptions {
  /** Server names trusted to live on internal networks (e.g. the local homeserver in the cluster). */
  allowedServerNames?: Iterable<string>;
  resolve?: ResolveAddresses;
  /** Off only for tests and fully trusted deployments. Default on. */
  enabled?: boolean;
}

export class SsrfGuard {
  private readonly allowed: ReadonlySet<string>;
  private readonly resolve: ResolveAddresses;
  private readonly enabled: boolean;

  constructor(options: SsrfGuardOptions = {}) {
    this.allowed = new Set(options.allowedServerNames ?? []);
    this.resolve = options.resolve ?? systemResolveAddresses;
    this.enabled = options.enabled ?? true;
  }

  /**
   * The policy for requests made on behalf of `serverName` (the client's `matrix_server_name`), or
   * null when that server is allow-listed. Explicit federation URL overrides bypass the guard at the
   * call site: the operator chose those URLs.
   */
  policyFor(serverName: string): ConnectPolicy | null {
    if (!this.enabled || this.allowed.has(serverName)) return null;
    return { lookup: this.guardedLookup, checkLiteral: assertAllowedLiteral };
  }

  /** The same check as a `guard` hook for `upstreamFetch`; null when `serverName` is trusted. */
  targetGuard(serverName: string): TargetGuard | null {
    if (!this.enabled || this.allowed.has(serverName)) return null;
    return async (target) => {
      const host = target.hostname.replace(/^\[(.*)\]$/, '$1');
      if (isIP(host) !== 0) {
        assertAllowedLiteral(host);
        return;
      }
      const forbidden = (await this.resolve(host)).find((a) => isForbiddenAddress(a.address));
      if (forbidden !== undefined) {
        throw new SsrfRefusedError(`${host} resolves to the forbidden address ${forbidden.address}`);
      }
    };
  }

  private readonly guardedLookup: LookupFunction = (hostname, options, callback) => {
    // Node's callback is overloaded (single address vs `all`); one loosely typed alias serves both.
    const done = callback as (error: NodeJS.ErrnoException | null, address: unknown, family?: number) => void;
    this.resolve(hostname)
      .then((resolved) => {
        const family = options.family === 4 || options.family === 6 ? options.family : 0;
        const addresses = resolved.filter((a) => family === 0 || a.family === family);
        const first = addresses[0];
        if (first === undefined) {
          done(Object.assign(new Error(`no addresses for ${hostname}`), { code: 'ENOTFOUND' }), '', 0);
          return;
        }
        // Refuse the name outright if any address is internal, rather than quietly using the others.
        const forbidden = addresses.find((a) => isForbiddenAddress(a.address));
        if (forbidden !== undefined) {
          done(
            new SsrfRefusedError(`${hostname} resolves to the forbidden address ${forbidden.address}`),
            '',
            0,
          );
          return;
        }
        if (options.all === true) done(null, addresses);
        else done(null, first.address, first.family);
      })
      .catch((error: unknown) => {
        done(error instanceof Error ? error : new Error(String(error)), '', 0);
      });
  };
}

function assertAllowedLiteral(address: string): void {
  if (isIP(address) !== 0 && isForbiddenAddress(address)) {
    throw new SsrfRefusedError(`${address} is a forbidden address`);
  }
}
