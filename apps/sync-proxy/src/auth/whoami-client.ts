import { describeError, upstreamJson } from '@gateway/http';
import { isErrcode, type Errcode } from '@gateway/matrix';
import { isJsonObject } from '@gateway/util';

/** What the homeserver said about a token. */
export type WhoamiResult =
  | { ok: true; userId: string; deviceId: string }
  | {
      ok: false;
      /** 401: the token is not (or no longer) valid. 403: the homeserver refused it for another reason. */
      kind: 'unknown-token' | 'forbidden';
      softLogout: boolean;
      /** Upstream's errcode where the gateway knows it, else M_UNKNOWN_TOKEN. */
      errcode: Errcode;
      error: string;
    }
  /** A valid token without a device (e.g. an appservice's): there is nothing for a poller to sync. */
  | { ok: false; kind: 'no-device'; userId: string }
  /** No usable answer: network error, timeout, 5xx, or a body that is not what Matrix sends. */
  | { ok: false; kind: 'unreachable'; reason: string };

const MAX_BODY_BYTES = 64 * 1024;
/** Visible ASCII only: what fits in an Authorization header and what homeservers issue. */
const HEADER_SAFE = /^[\x21-\x7e]+$/;

/** Asks the upstream homeserver whose a token is (GET /_matrix/client/v3/account/whoami). */
export class WhoamiClient {
  private readonly url: string;

  constructor(
    upstreamBaseUrl: string,
    private readonly timeoutMs = 10_000,
  ) {
    this.url = `${upstreamBaseUrl.replace(/\/+$/, '')}/_matrix/client/v3/account/whoami`;
  }

  /** Never throws: every failure is one of the result kinds. */
  async whoami(token: string): Promise<WhoamiResult> {
    // A token that cannot be a header value is no homeserver's; sending it would make fetch throw an
    // error that quotes the header, token included.
    if (!HEADER_SAFE.test(token)) {
      return {
        ok: false,
        kind: 'unknown-token',
        softLogout: false,
        errcode: 'M_UNKNOWN_TOKEN',
        error: 'Malformed access token',
      };
    }
    let status: number;
    let body: unknown;
    try {
      // No redirects (libs/http's default): one could carry the token to another host.
      ({ status, body } = await upstreamJson(this.url, {
        headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
        timeoutMs: this.timeoutMs,
        maxBodyBytes: MAX_BODY_BYTES,
      }));
    } catch (err) {
      return { ok: false, kind: 'unreachable', reason: describeError(err, token) };
    }
    return classify(status, body);
  }
}

function classify(status: number, body: unknown): WhoamiResult {
  if (!isJsonObject(body)) return unreachable(`${status} without a JSON object`);
  if (status === 200) {
    const { user_id: userId, device_id: deviceId } = body;
    if (typeof userId !== 'string' || userId === '') return unreachable('200 without user_id');
    if (typeof deviceId !== 'string' || deviceId === '') return { ok: false, kind: 'no-device', userId };
    return { ok: true, userId, deviceId };
  }
  if (status === 401 || status === 403) {
    // Only a Matrix error body is believed: a bare 401/403 could come from something in front of the
    // homeserver (a misconfigured reverse proxy) and must not get every token marked invalid.
    if (typeof body['errcode'] !== 'string') return unreachable(`${status} without an errcode`);
    const upstream = body['errcode'];
    return {
      ok: false,
      kind: status === 401 ? 'unknown-token' : 'forbidden',
      softLogout: body['soft_logout'] === true,
      // Codes the gateway has no table entry for (M_USER_DEACTIVATED, …) mean the same to a client:
      // this token will not work again.
      errcode: isErrcode(upstream) ? upstream : 'M_UNKNOWN_TOKEN',
      error: typeof body['error'] === 'string' ? body['error'].slice(0, 500) : '',
    };
  }
  return unreachable(`status ${status}`);
}

function unreachable(reason: string): WhoamiResult {
  return { ok: false, kind: 'unreachable', reason };
}
