import { upstreamJson, type SsrfGuard } from '@gateway/http';
import { isJsonObject, LruCache, objectField, stringField, systemClock, type Clock } from '@gateway/util';

const CACHE_TTL_MS = 4 * 60 * 60 * 1000; // lk-jwt-service caches for 4 h
const FAILURE_TTL_MS = 60 * 1000;
const FETCH_TIMEOUT_MS = 5_000;
const MAX_BODY_BYTES = 64 * 1024;

/**
 * Finds a homeserver's client-server API base URL, which delayed-event calls go to:
 * `LIVEKIT_CS_API_URL_OVERRIDES`, then the cache, then `https://<server>/.well-known/matrix/client`.
 * The server name comes from a client and the base URL from whatever that server answers, so both the
 * well-known fetch and the base URL it names pass the SSRF guard (libs/http): an internal address is
 * "not found", unless the server name is allow-listed (RTC_ALLOW_PRIVATE_HOMESERVERS) or overridden.
 */
export class CsApiResolver {
  private readonly cache: LruCache<string, string | null>;

  constructor(
    private readonly overrides: ReadonlyMap<string, string>,
    private readonly ssrf: SsrfGuard,
    private readonly clock: Clock = systemClock,
    private readonly fetchFn?: typeof fetch,
    /** LIVEKIT_INSECURE_SKIP_VERIFY_TLS: any certificate accepted, as lk-jwt-service's default transport. */
    private readonly insecureSkipVerifyTls = false,
  ) {
    this.cache = new LruCache(10_000, { clock });
  }

  /** The base URL without a trailing slash, or null when it cannot be found. */
  async resolve(serverName: string): Promise<string | null> {
    const override = this.overrides.get(serverName.toLowerCase());
    if (override !== undefined) return override;
    const cached = this.cache.get(serverName);
    if (cached !== undefined) return cached;
    const found = await this.discover(serverName);
    this.cache.set(serverName, found, found === null ? FAILURE_TTL_MS : CACHE_TTL_MS);
    return found;
  }

  private async discover(serverName: string): Promise<string | null> {
    const guard = this.ssrf.targetGuard(serverName);
    try {
      // With a guard, redirects are answers, not followed: a redirect could lead anywhere.
      const res = await upstreamJson(`https://${serverName}/.well-known/matrix/client`, {
        timeoutMs: FETCH_TIMEOUT_MS,
        maxBodyBytes: MAX_BODY_BYTES,
        guard,
        ...(guard === null ? { redirect: 'follow' as const } : {}),
        ...(this.fetchFn === undefined ? {} : { fetch: this.fetchFn }),
        insecureSkipVerifyTls: this.insecureSkipVerifyTls,
      });
      if (!res.ok || !isJsonObject(res.body)) return null;
      const homeserver = objectField(res.body, 'm.homeserver');
      const base = homeserver && stringField(homeserver, 'base_url');
      if (base === undefined) return null;
      const url = new URL(base);
      if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
      await guard?.(url);
      return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
    } catch {
      return null;
    }
  }
}
