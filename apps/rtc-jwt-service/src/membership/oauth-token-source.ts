import { upstreamJson, UpstreamError } from '@gateway/http';
import { isJsonObject, numberField, stringField, type Clock } from '@gateway/util';
import type { OAuthClientConfig } from '../config';
import { IS_JOINED_SCOPE } from './appservice-registration';
import { MembershipUnknownError } from './is-joined-client';

const TIMEOUT_MS = 10_000;
const MAX_BODY_BYTES = 16 * 1024;
/** Refresh this long before expiry (at most a quarter of the lifetime), so no request carries a dying token. */
const REFRESH_MARGIN_MS = 30_000;
/** RFC 6749 §5.1 makes `expires_in` optional; without it a token is reused this long. */
const DEFAULT_LIFETIME_MS = 60_000;

/**
 * What the token carries: the Matrix API scope, without which Synapse 1.160's delegated auth
 * (synapse/api/auth/mas.py) refuses any token, and MSC4502's `is_joined` scope.
 */
export const OAUTH_MEMBERSHIP_SCOPES = ['urn:matrix:client:api:*', IS_JOINED_SCOPE] as const;

/** Why no usable token came from the auth service; a MembershipUnknownError, so a check fails open to 502. */
export class OAuthTokenError extends MembershipUnknownError {
  constructor(
    message: string,
    /** `refused`: the endpoint said no (`oauthError` tells why); `scope`: a token without our scopes. */
    readonly reason: 'refused' | 'scope' | 'unreachable' | 'bad-answer',
    readonly status?: number,
    readonly oauthError?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'OAuthTokenError';
  }
}

/** The bearer of `is_joined` requests when the scope comes from an OAuth client. */
export interface AccessTokenSource {
  token(): Promise<string>;
  /** Drops `token` if it is still the cached one (the homeserver refused it). */
  invalidate(token: string): void;
}

/**
 * `client_credentials` tokens (RFC 6749 §4.4) from the gateway's auth service for LIVEKIT_OAUTH_CLIENT_ID:
 * cached until shortly before they expire, and fetched once for all concurrent callers.
 */
export class OAuthTokenSource implements AccessTokenSource {
  private cached: { token: string; refreshAt: number } | null = null;
  private pending: Promise<string> | null = null;

  constructor(
    private readonly client: OAuthClientConfig,
    private readonly clock: Clock,
    private readonly fetchImpl?: typeof fetch,
    /** LIVEKIT_INSECURE_SKIP_VERIFY_TLS: any certificate accepted, as lk-jwt-service's default transport. */
    private readonly insecureSkipVerifyTls = false,
  ) {}

  token(): Promise<string> {
    if (this.cached !== null && this.clock() < this.cached.refreshAt)
      return Promise.resolve(this.cached.token);
    this.pending ??= this.fetchToken().finally(() => {
      this.pending = null;
    });
    return this.pending;
  }

  invalidate(token: string): void {
    if (this.cached?.token === token) this.cached = null;
  }

  private async fetchToken(): Promise<string> {
    const { tokenUrl, clientId, clientSecret } = this.client;
    // RFC 6749 §2.3.1: both parts form-encoded before Basic encoding.
    const basic = Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString(
      'base64',
    );
    const started = this.clock();
    let res;
    try {
      res = await upstreamJson(tokenUrl, {
        method: 'POST',
        headers: {
          authorization: `Basic ${basic}`,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          scope: OAUTH_MEMBERSHIP_SCOPES.join(' '),
        }).toString(),
        timeoutMs: TIMEOUT_MS,
        maxBodyBytes: MAX_BODY_BYTES,
        secrets: [clientSecret, basic],
        insecureSkipVerifyTls: this.insecureSkipVerifyTls,
        ...(this.fetchImpl === undefined ? {} : { fetch: this.fetchImpl }),
      });
    } catch (err) {
      const kind = err instanceof UpstreamError ? err.kind : 'error';
      throw new OAuthTokenError(
        `the auth service's token endpoint failed (${kind})`,
        'unreachable',
        undefined,
        undefined,
        {
          cause: err,
        },
      );
    }
    const body = isJsonObject(res.body) ? res.body : undefined;
    if (!res.ok) {
      const error = body === undefined ? undefined : stringField(body, 'error');
      throw new OAuthTokenError(
        `the auth service refused the client_credentials grant (${String(res.status)}${error === undefined ? '' : ` ${error}`})`,
        'refused',
        res.status,
        error,
      );
    }
    const token = body === undefined ? undefined : stringField(body, 'access_token');
    if (body === undefined || token === undefined || token === '') {
      throw new OAuthTokenError(
        'the auth service answered without an access_token',
        'bad-answer',
        res.status,
      );
    }
    // oidc-provider leaves `scope` out when it granted none (RFC 6749 §5.1 would have it mean "as
    // requested"), so an absent scope is an empty one here.
    const granted = new Set((stringField(body, 'scope') ?? '').split(' '));
    const missing = OAUTH_MEMBERSHIP_SCOPES.filter((s) => !granted.has(s));
    if (missing.length > 0) {
      throw new OAuthTokenError(
        `the auth service did not grant ${missing.join(' ')} to client ${clientId}`,
        'scope',
        res.status,
      );
    }
    const expiresIn = numberField(body, 'expires_in');
    const lifetimeMs = expiresIn !== undefined && expiresIn > 0 ? expiresIn * 1000 : DEFAULT_LIFETIME_MS;
    this.cached = { token, refreshAt: started + lifetimeMs - Math.min(REFRESH_MARGIN_MS, lifetimeMs / 4) };
    return token;
  }
}
