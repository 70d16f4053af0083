import { upstreamJson } from '@gateway/http';
import { isJsonObject, systemClock, type Clock } from '@gateway/util';

export const WELL_KNOWN_CLIENT_PATH = '/.well-known/matrix/client';
/** MSC4143's discovery key for MatrixRTC foci (Element Call reads it when `rtc/transports` is absent). */
export const RTC_FOCI_KEY = 'org.matrix.msc4143.rtc_foci';

export interface DiscoveryOptions {
  /** The proxy's public base URL; when unset the upstream's `m.homeserver` is kept. */
  publicUrl: string | undefined;
  /** A LiveKit JWT service URL to advertise as the one MatrixRTC focus. */
  livekitServiceUrl: string | undefined;
}

type Json = Record<string, unknown>;

/**
 * The client well-known document the proxy serves: the upstream's document (or nothing), with
 * `m.homeserver.base_url` pointing at the proxy, since clients must reach sliding sync there, and the
 * configured RTC focus. Every other key, e.g. Synapse's `org.matrix.msc2965.authentication`, is kept.
 * Returns undefined when there is nothing to announce (no upstream document and no public URL).
 */
export function clientWellKnown(upstream: Json | undefined, options: DiscoveryOptions): Json | undefined {
  const doc: Json = { ...upstream };
  if (options.publicUrl !== undefined) {
    const homeserver = doc['m.homeserver'];
    doc['m.homeserver'] = { ...(isJsonObject(homeserver) ? homeserver : {}), base_url: options.publicUrl };
  }
  if (options.livekitServiceUrl !== undefined) {
    doc[RTC_FOCI_KEY] = [{ type: 'livekit', livekit_service_url: options.livekitServiceUrl }];
  }
  return isJsonObject(doc['m.homeserver']) ? doc : undefined;
}

const FETCH_TIMEOUT_MS = 3_000;
/** A well-known document is a few hundred bytes; anything far larger is not one. */
const MAX_BODY_BYTES = 64 * 1024;
/** Long enough to spare the homeserver a fetch per client start, short enough for config changes. */
const CACHE_MS = 60_000;

/**
 * The upstream homeserver's own client well-known document, fetched with a short timeout and cached
 * briefly (failures too, so a dead upstream is not asked on every request). Anything but a 200 JSON
 * object counts as "no document": a broken upstream must never make the proxy's answer fail.
 */
export class UpstreamWellKnown {
  private cached: { doc: Json | undefined; until: number } | undefined;
  private inFlight: Promise<Json | undefined> | undefined;

  constructor(
    private readonly upstream: string,
    private readonly clock: Clock = systemClock,
  ) {}

  async get(): Promise<Json | undefined> {
    const now = this.clock();
    if (this.cached !== undefined && this.cached.until > now) return this.cached.doc;
    this.inFlight ??= this.fetchDocument().then((doc) => {
      this.cached = { doc, until: this.clock() + CACHE_MS };
      this.inFlight = undefined;
      return doc;
    });
    return this.inFlight;
  }

  private async fetchDocument(): Promise<Json | undefined> {
    try {
      // Public and credential-free, so redirects may be followed.
      const res = await upstreamJson(`${this.upstream}${WELL_KNOWN_CLIENT_PATH}`, {
        timeoutMs: FETCH_TIMEOUT_MS,
        maxBodyBytes: MAX_BODY_BYTES,
        redirect: 'follow',
      });
      return res.status === 200 && isJsonObject(res.body) ? res.body : undefined;
    } catch {
      return undefined;
    }
  }
}
