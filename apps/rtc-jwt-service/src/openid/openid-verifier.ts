import { Logger } from '@nestjs/common';
import { MatrixError, parseUserId, serverNameOf, type UserId } from '@gateway/matrix';
import type { OpenIdCredentials } from '../request/request-body';
import { HttpGetError, nodeHttpGet, type HttpGet } from './federation-http';
import type { FederationTarget } from './server-discovery';
import { SingleFlight, untilAborted } from '@gateway/util';
import type { SsrfGuard } from '@gateway/http';
import { userInfoCacheKey, type UserInfoCache } from './userinfo-cache';

/**
 * Proves who is asking for a token: the client's OpenID token is exchanged at its homeserver's
 * `/_matrix/federation/v1/openid/userinfo`, and the answer must name a user on exactly the server the
 * client claimed (a malicious server can then only vouch for its own users, which is what the
 * full-access decision relies on). Every failure is the same 401, never a 500: the client cannot tell a
 * dead homeserver from a forged token, and we do not leak which one it was.
 */

export const UNAUTHORISED_MESSAGE = 'The request could not be authorised.';

/** Finds where a server's federation API lives (ServerDiscovery, or a fake in tests). */
export interface FederationResolver {
  resolve(serverName: string, signal: AbortSignal): Promise<FederationTarget[]>;
}

export interface OpenIdVerifierOptions {
  resolver: FederationResolver;
  guard: SsrfGuard;
  http?: HttpGet;
  /** Null disables caching (and leaves only single-flight de-duplication). */
  cache?: UserInfoCache | null;
  /** Where failures are logged; the service's JSON log by default. */
  logger?: Pick<Logger, 'warn' | 'debug'>;
  insecureSkipVerifyTls?: boolean;
  /** Per connection attempt: DNS + TCP + TLS. Default 5 s. */
  connectTimeoutMs?: number;
  /** The whole verification, discovery included. Default 10 s. */
  totalTimeoutMs?: number;
  maxBodyBytes?: number;
  /** Cache lifetime when the client sent no `expires_in`. Default 5 min. */
  defaultCacheTtlMs?: number;
  /** Upper bound whatever `expires_in` says, since the client chose it. Default 5 min. */
  maxCacheTtlMs?: number;
}

/** Why a lookup failed; for logs only. */
class LookupFailure extends Error {
  override readonly name = 'LookupFailure';
}

const USERINFO_PATH = '/_matrix/federation/v1/openid/userinfo';

export class OpenIdVerifier {
  private readonly flights = new SingleFlight<string, UserId>();
  private readonly http: HttpGet;
  private readonly logger: Pick<Logger, 'warn' | 'debug'>;

  constructor(private readonly options: OpenIdVerifierOptions) {
    this.http = options.http ?? nodeHttpGet;
    this.logger = options.logger ?? new Logger('openid');
  }

  /**
   * Returns the verified user id, which is also checked against `claimedUserId` when given.
   * @throws MatrixError 401 M_UNAUTHORIZED "The request could not be authorised." on any failure.
   */
  async verify(token: OpenIdCredentials, claimedUserId?: string): Promise<UserId> {
    const serverName = token.matrixServerName;
    const key = userInfoCacheKey(serverName, token.accessToken);
    const totalMs = this.options.totalTimeoutMs ?? 10_000;
    let userId: UserId;
    try {
      // The cache answers most requests; a plain timer bounds its read (a Redis that is away would
      // otherwise queue the command forever) without the cost of an AbortSignal per request.
      const hit =
        this.options.cache?.peek !== undefined
          ? this.peeked(key, serverName)
          : await withinMs(this.cached(key, serverName), Math.min(totalMs, 1_000));
      userId =
        hit ??
        (await untilAborted(
          this.flights.run(key, () => this.lookup(token, key)),
          AbortSignal.timeout(totalMs),
        ));
    } catch (error) {
      this.logger.warn({ msg: 'OpenID userinfo lookup failed', serverName, reason: reasonOf(error) });
      throw unauthorised(error);
    }
    if (claimedUserId !== undefined && claimedUserId !== userId) {
      this.logger.warn({
        msg: 'claimed user does not match the OpenID token',
        serverName,
        userId,
        claimedUserId,
      });
      throw unauthorised();
    }
    return userId;
  }

  /** The in-process cache's answer, re-validated as `cached` does. */
  private peeked(key: string, serverName: string): UserId | null {
    const hit = this.options.cache?.peek?.(key) ?? null;
    if (hit === null) return null;
    try {
      return checkSub(hit, serverName);
    } catch {
      return null;
    }
  }

  private async cached(key: string, serverName: string): Promise<UserId | null> {
    const { cache } = this.options;
    if (cache == null) return null;
    try {
      const hit = await cache.get(key);
      // Re-validated on the way out: the store (e.g. Redis) is outside this process.
      return hit === null ? null : checkSub(hit, serverName);
    } catch (error) {
      this.logger.warn({
        msg: 'userinfo cache read failed; asking the homeserver',
        serverName,
        reason: reasonOf(error),
      });
      return null;
    }
  }

  private async lookup(token: OpenIdCredentials, key: string): Promise<UserId> {
    const signal = AbortSignal.timeout(this.options.totalTimeoutMs ?? 10_000);
    const targets = await this.options.resolver.resolve(token.matrixServerName, signal);
    const userId = checkSub(await this.fetchSub(token, targets, signal), token.matrixServerName);
    await this.remember(key, userId, token);
    return userId;
  }

  /** Tries each target in order until one answers at all; an HTTP answer (even an error) is final. */
  private async fetchSub(
    token: OpenIdCredentials,
    targets: FederationTarget[],
    signal: AbortSignal,
  ): Promise<unknown> {
    let lastError: unknown = new LookupFailure('no federation targets');
    for (const target of targets) {
      const url = new URL(`${target.baseUrl}${USERINFO_PATH}`);
      url.searchParams.set('access_token', token.accessToken);
      try {
        const response = await this.http({
          url,
          hostHeader: target.hostHeader,
          tlsServerName: target.tlsServerName,
          // Operator-chosen override URLs are trusted; everything discovered is guarded.
          policy: target.source === 'override' ? null : this.options.guard.policyFor(token.matrixServerName),
          connectTimeoutMs: this.options.connectTimeoutMs ?? 5_000,
          signal,
          maxBodyBytes: this.options.maxBodyBytes ?? 64 * 1024,
          rejectUnauthorized: this.options.insecureSkipVerifyTls !== true,
        });
        if (response.status < 200 || response.status > 299) {
          throw new LookupFailure(`homeserver answered HTTP ${response.status}`);
        }
        return parseSub(response.body);
      } catch (error) {
        lastError = error;
        const unreachable =
          error instanceof HttpGetError && error.reason !== 'timeout' && error.reason !== 'too-large';
        if (!unreachable) throw error;
      }
    }
    throw lastError;
  }

  private async remember(key: string, userId: UserId, token: OpenIdCredentials): Promise<void> {
    const { cache } = this.options;
    if (cache == null) return;
    const max = this.options.maxCacheTtlMs ?? 5 * 60_000;
    const wanted =
      token.expiresInSeconds === null
        ? (this.options.defaultCacheTtlMs ?? max)
        : token.expiresInSeconds * 1000;
    try {
      await cache.set(key, userId, Math.min(max, wanted));
    } catch (error) {
      this.logger.warn({ msg: 'userinfo cache write failed', reason: reasonOf(error) });
    }
  }
}

function parseSub(body: string): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new LookupFailure('userinfo response is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null)
    throw new LookupFailure('userinfo response is not an object');
  return (parsed as Record<string, unknown>)['sub'];
}

/** `sub` must be a user id whose server part is exactly the claimed `matrix_server_name`. */
function checkSub(sub: unknown, serverName: string): UserId {
  const userId = typeof sub === 'string' ? parseUserId(sub) : null;
  if (userId === null) throw new LookupFailure('userinfo response has no valid sub');
  if (serverNameOf(userId) !== serverName) {
    throw new LookupFailure(`sub ${userId} is not on ${serverName}`);
  }
  return userId;
}

function unauthorised(cause?: unknown): MatrixError {
  return new MatrixError('M_UNAUTHORIZED', UNAUTHORISED_MESSAGE, cause === undefined ? {} : { cause });
}

function reasonOf(error: unknown): string {
  if (error instanceof HttpGetError) return `${error.reason}: ${error.message}`;
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** Resolves to null when `promise` takes longer than `ms` (a cache miss, in effect). */
function withinMs<T>(promise: Promise<T | null>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<null>((resolve) => {
    timer = setTimeout(() => {
      resolve(null);
    }, ms);
  });
  return Promise.race([promise, late]).finally(() => {
    clearTimeout(timer);
  });
}
