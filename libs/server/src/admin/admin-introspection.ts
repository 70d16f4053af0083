import { createHash } from 'node:crypto';
import { LruCache, SingleFlight, systemClock, type Clock } from '@gateway/util';
import { AdminApiError } from './admin-error';

/** The scope the auth service grants only to admins and its admin clients (MAS's). */
export const ADMIN_SCOPE = 'urn:mas:admin';

/** Where and as whom a service asks the auth service whether a token may use its admin endpoints. */
export interface AdminIntrospectionConfig {
  /** The auth service's base URL; `/oauth2/introspect` is under it. */
  authUrl: string;
  /** A client of the auth service's AUTH_ADMIN_CLIENTS, authenticating with client_secret_basic. */
  clientId: string;
  clientSecret: string;
}

export interface AdminIntrospectionOptions {
  clock?: Clock;
  /** How long one introspection call may take before the auth service counts as unreachable. */
  timeoutMs?: number;
  /** How long a positive answer is believed (at most 5 s, so a revoked token stops working soon). */
  cacheTtlMs?: number;
  /** How many positive answers are kept. */
  cacheEntries?: number;
  /** Logs why the auth service could not answer (the client only sees a 503). */
  onUnavailable?: (reason: string) => void;
}

const MAX_CACHE_TTL_MS = 5_000;

/** The RFC 7662 fields read here. */
interface IntrospectionAnswer {
  active?: unknown;
  scope?: unknown;
  exp?: unknown;
}

/**
 * Decides whether a request's Bearer token may use a service's admin endpoints, by RFC 7662
 * introspection at the auth service: the token must be active and carry `urn:mas:admin`. Only the auth
 * service knows its tokens, so every other service asks it instead of reading its database.
 *
 * A positive answer is kept for a few seconds (keyed by the token's SHA-256, never the token), and
 * concurrent requests with one token share one call: a dashboard page fires several requests at once.
 * Refusals are never kept, so a token that has just been made an admin's works at once.
 */
export class AdminIntrospection {
  private readonly clock: Clock;
  private readonly timeoutMs: number;
  private readonly cacheTtlMs: number;
  private readonly allowed: LruCache<string, true>;
  private readonly flights = new SingleFlight<string, AdminApiError | null>();
  private readonly endpoint: string;
  private readonly basic: string;

  constructor(
    config: AdminIntrospectionConfig,
    private readonly options: AdminIntrospectionOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.cacheTtlMs = Math.min(options.cacheTtlMs ?? MAX_CACHE_TTL_MS, MAX_CACHE_TTL_MS);
    this.allowed = new LruCache(options.cacheEntries ?? 1_000, { clock: this.clock });
    this.endpoint = new URL(
      'oauth2/introspect',
      config.authUrl.endsWith('/') ? config.authUrl : `${config.authUrl}/`,
    ).href;
    // RFC 6749 §2.3.1: id and secret are form-encoded before they are joined for client_secret_basic.
    const formEncode = (v: string) => encodeURIComponent(v).replace(/%20/g, '+');
    const id = formEncode(config.clientId);
    const secret = formEncode(config.clientSecret);
    this.basic = `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
  }

  /** Resolves when the `Authorization` header carries an admin token; otherwise throws the answer to give. */
  async check(authorization: string | string[] | undefined): Promise<void> {
    if (authorization === undefined) throw new AdminApiError(401, 'Missing Authorization header');
    const match = typeof authorization === 'string' ? /^Bearer +(\S+) *$/i.exec(authorization) : null;
    const token = match?.[1];
    if (token === undefined) throw new AdminApiError(401, 'Invalid Authorization header');
    const key = createHash('sha256').update(token).digest('base64url');
    if (this.allowed.get(key) === true) return;
    const refusal = await this.flights.run(key, () => this.introspect(token, key));
    if (refusal) throw refusal;
  }

  private async introspect(token: string, key: string): Promise<AdminApiError | null> {
    let parsed: unknown;
    try {
      const res = await fetch(this.endpoint, {
        method: 'POST',
        headers: {
          Authorization: this.basic,
          'Content-Type': 'application/x-www-form-urlencoded',
          Accept: 'application/json',
        },
        body: new URLSearchParams({ token, token_type_hint: 'access_token' }).toString(),
        signal: AbortSignal.timeout(this.timeoutMs),
        redirect: 'error',
      });
      if (res.status !== 200) {
        // 401 here means this service's own client credentials were refused: the operator's mistake,
        // never the caller's, so it is a 503 like an outage, with the reason in the log.
        await res.body?.cancel();
        return this.unavailable(
          res.status === 401
            ? `the auth service refused this service's introspection client (${String(res.status)}); check its client id and secret`
            : `the auth service answered introspection with ${String(res.status)}`,
        );
      }
      parsed = await res.json();
    } catch (err) {
      return this.unavailable(
        `the auth service could not be reached: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    if (typeof parsed !== 'object' || parsed === null)
      return this.unavailable('the introspection answer is not an object');
    const answer = parsed as IntrospectionAnswer;
    if (answer.active !== true) return new AdminApiError(401, 'Unknown access token');
    const scopes = typeof answer.scope === 'string' ? answer.scope.split(' ') : [];
    if (!scopes.includes(ADMIN_SCOPE)) return new AdminApiError(403, `Missing ${ADMIN_SCOPE} scope`);
    // Never believed past the token's own expiry.
    const untilExpiry = typeof answer.exp === 'number' ? answer.exp * 1000 - this.clock() : this.cacheTtlMs;
    this.allowed.set(key, true, Math.min(this.cacheTtlMs, untilExpiry));
    return null;
  }

  private unavailable(reason: string): AdminApiError {
    this.options.onUnavailable?.(reason);
    return new AdminApiError(503, 'The auth service is unavailable; the token could not be checked');
  }
}
