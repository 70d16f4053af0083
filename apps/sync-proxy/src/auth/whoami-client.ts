import { isErrcode, type Errcode } from '@gateway/matrix';

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
      const response = await fetch(this.url, {
        headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
        // A redirect could carry the token to another host; whoami has no reason to send one.
        redirect: 'manual',
        // Covers reading the body as well as the headers.
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      status = response.status;
      body = await readJson(response);
    } catch (err) {
      return { ok: false, kind: 'unreachable', reason: describe(err) };
    }
    return classify(status, body);
  }
}

function classify(status: number, body: unknown): WhoamiResult {
  if (!isRecord(body)) return unreachable(`${status} without a JSON object`);
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

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The parsed body, or undefined when it is empty or not JSON. Throws past 64 KiB. */
async function readJson(response: Response): Promise<unknown> {
  const text = await readCapped(response);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

async function readCapped(response: Response): Promise<string> {
  if (response.body === null) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    // Typed by hand: without the DOM lib, the stream's chunks come out as `any`.
    const chunk: { done: boolean; value?: unknown } = await reader.read();
    if (chunk.done) break;
    if (!(chunk.value instanceof Uint8Array)) throw new Error('unexpected body chunk');
    total += chunk.value.byteLength;
    if (total > MAX_BODY_BYTES) {
      await reader.cancel();
      throw new Error(`body over ${MAX_BODY_BYTES} bytes`);
    }
    chunks.push(chunk.value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** A reason for logs. Header-safe tokens never appear in fetch's network or timeout errors. */
function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  // undici reports "fetch failed" and keeps the useful part (ECONNREFUSED, …) in `cause`.
  return err.cause instanceof Error ? `${err.message}: ${err.cause.message}` : err.message;
}
