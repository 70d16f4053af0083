import { UpstreamError, upstreamText, type UpstreamResponse } from '@gateway/http';
import { isJsonObject, ownField, systemClock, type Clock } from '@gateway/util';
import type { DelayedEventResult, DelayedEventsClient } from './types';

/**
 * MSC4140 delayed-event management over HTTP. The delay id is the capability: no access token is sent.
 * Synapse 1.160 (synapse/rest/client/delayed_events.py) serves, unauthenticated and under the unstable
 * prefix only:
 *   POST …/unstable/org.matrix.msc4140/delayed_events/{id}/restart|send|cancel   (current MSC shape)
 *   POST …/unstable/org.matrix.msc4140/delayed_events/{id}  {"action": "…"}      (original shape)
 * Unauthenticated calls are rate limited per client IP (rc_delayed_event_mgmt, default 1/s burst 5),
 * so 429 with Retry-After is expected under load. The path form is tried first (on Synapse workers
 * only …/restart is routed); a homeserver that does not know it (M_UNRECOGNIZED) gets the body form,
 * remembered per homeserver and action.
 */
export interface DelayedEventsHttpClientOptions {
  /** Whole request, body included. Default 10 s. */
  timeoutMs?: number;
  fetch?: typeof fetch;
  /** Reads `Retry-After` dates. */
  clock?: Clock;
  /** LIVEKIT_INSECURE_SKIP_VERIFY_TLS: any certificate accepted, as lk-jwt-service's default transport. */
  insecureSkipVerifyTls?: boolean;
}

type Action = 'restart' | 'send';
type Outcome = DelayedEventResult | { kind: 'unrecognized' };

const PREFIX = '/_matrix/client/unstable/org.matrix.msc4140/delayed_events/';
const MAX_BODY_BYTES = 64 * 1024;
const MAX_REMEMBERED = 10_000;

export class DelayedEventsHttpClient implements DelayedEventsClient {
  private readonly timeoutMs: number;
  private readonly fetch: typeof fetch | undefined;
  private readonly clock: Clock;
  private readonly insecureSkipVerifyTls: boolean;
  /** `${action} ${base}` of homeservers that only know the body form. */
  private readonly bodyFormOnly = new Set<string>();

  constructor(options: DelayedEventsHttpClientOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.fetch = options.fetch;
    this.clock = options.clock ?? systemClock;
    this.insecureSkipVerifyTls = options.insecureSkipVerifyTls ?? false;
  }

  restart(csApiBaseUrl: string, delayId: string): Promise<DelayedEventResult> {
    return this.manage(csApiBaseUrl, delayId, 'restart');
  }

  send(csApiBaseUrl: string, delayId: string): Promise<DelayedEventResult> {
    return this.manage(csApiBaseUrl, delayId, 'send');
  }

  private async manage(csApiBaseUrl: string, delayId: string, action: Action): Promise<DelayedEventResult> {
    const base = csApiBaseUrl.replace(/\/+$/, '');
    const url = `${base}${PREFIX}${encodeURIComponent(delayId)}`;
    const memo = `${action} ${base}`;
    if (!this.bodyFormOnly.has(memo)) {
      const outcome = await this.post(`${url}/${action}`, {});
      if (outcome.kind !== 'unrecognized') return outcome;
      if (this.bodyFormOnly.size >= MAX_REMEMBERED) this.bodyFormOnly.clear();
      this.bodyFormOnly.add(memo);
    }
    const outcome = await this.post(url, { action });
    // Neither shape is served: no delayed event can exist there.
    return outcome.kind === 'unrecognized' ? { kind: 'not_found' } : outcome;
  }

  private async post(url: string, body: object): Promise<Outcome> {
    try {
      const response = await upstreamText(url, {
        method: 'POST',
        headers: { accept: 'application/json' },
        json: body,
        timeoutMs: this.timeoutMs,
        maxBodyBytes: MAX_BODY_BYTES,
        ...(this.fetch === undefined ? {} : { fetch: this.fetch }),
        insecureSkipVerifyTls: this.insecureSkipVerifyTls,
      });
      return classify(response, response.ok ? {} : parseMatrixError(response.body), this.clock());
    } catch (err) {
      // An oversized error body is still an answer with a status, just not a Matrix error.
      if (err instanceof UpstreamError && err.kind === 'body-too-large' && err.status !== undefined) {
        const ok = err.status >= 200 && err.status <= 299;
        return classify({ status: err.status, ok, headers: new Headers() }, {}, this.clock());
      }
      // Network error, timeout, a redirect (never followed): transient as far as we can tell.
      return { kind: 'retry' };
    }
  }
}

interface MatrixErrorBody {
  errcode?: string;
  retryAfterMs?: number;
}

function classify(
  response: Pick<UpstreamResponse<unknown>, 'status' | 'ok' | 'headers'>,
  error: MatrixErrorBody,
  now: number,
): Outcome {
  if (response.ok) return { kind: 'ok' };
  if (error.errcode === 'M_UNRECOGNIZED') return { kind: 'unrecognized' };
  if (response.status === 404) return { kind: 'not_found' };
  // 429, 5xx and anything unexpected: try again, when the homeserver says if it says.
  const retryAfterMs = retryAfterHeaderMs(response.headers.get('retry-after'), now) ?? error.retryAfterMs;
  return retryAfterMs === undefined ? { kind: 'retry' } : { kind: 'retry', retryAfterMs };
}

/** Retry-After is seconds or an HTTP date; the header wins over the deprecated retry_after_ms. */
function retryAfterHeaderMs(value: string | null, now: number): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** The Matrix error in an error answer's body; anything that is not one yields `{}`. */
function parseMatrixError(text: string): MatrixErrorBody {
  try {
    const parsed: unknown = JSON.parse(text);
    if (!isJsonObject(parsed)) return {};
    const errcode = ownField(parsed, 'errcode');
    const retryAfter = ownField(parsed, 'retry_after_ms');
    return {
      errcode: typeof errcode === 'string' ? errcode : undefined,
      retryAfterMs: typeof retryAfter === 'number' && retryAfter >= 0 ? retryAfter : undefined,
    };
  } catch {
    return {};
  }
}
