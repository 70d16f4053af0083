import { Agent, fetch as undiciFetch } from 'undici';
import { describeError, UpstreamError } from './upstream-error';

/**
 * The one way the services call another HTTP server (Synapse, a homeserver found by discovery, the
 * upstream sync): `fetch` with a deadline that covers the body too, the caller's abort signal, a capped
 * body reader, no redirects unless asked, an optional guard that vets the target before connecting, and
 * every failure as one `UpstreamError` whose message carries no credentials.
 *
 * Non-2xx answers are returned, not thrown: each caller maps statuses to its own errcodes. `expectOk`
 * turns them into `UpstreamError('status')` where any non-2xx is simply a failure.
 */

/** Vets the target before connecting; throws (e.g. `SsrfRefusedError`) to refuse it. */
export type TargetGuard = (target: URL) => Promise<void>;

export interface UpstreamRequest {
  method?: string;
  headers?: Record<string, string>;
  /** A body sent as is. */
  body?: string;
  /** A body sent as JSON (sets `content-type`); ignored when `body` is given. */
  json?: unknown;
  /** Deadline for the whole exchange, body included. */
  timeoutMs: number;
  /** The caller's cancellation (shutdown, the client went away); reported as kind `aborted`. */
  signal?: AbortSignal;
  /** Largest body read; more fails with kind `body-too-large` without reading the rest. */
  maxBodyBytes: number;
  /**
   * `manual` (default): a 3xx is returned as the answer, so a redirect can never carry credentials to
   * another host. `follow` only for public, credential-free requests; never combined with `guard`.
   */
  redirect?: 'manual' | 'follow';
  guard?: TargetGuard | null;
  /** Strings to remove from error messages besides the usual token shapes (e.g. a shared secret). */
  secrets?: readonly string[];
  /**
   * Accept any certificate (self-signed, expired, another name): only for an operator's explicit,
   * loudly named setting such as lk-jwt-service's LIVEKIT_INSECURE_SKIP_VERIFY_TLS. Per request, so one
   * client's choice never loosens another's.
   */
  insecureSkipVerifyTls?: boolean;
  /** For unit tests that script the answer; real code leaves it unset (the global fetch). */
  fetch?: typeof fetch;
}

/**
 * The connection pool of the requests that skip certificate checks, made on first use, and the fetch
 * that uses it: undici's own pair from the npm package. Node's global fetch is the undici Node bundles,
 * whose dispatcher interface changes between majors (Node 24's refuses an undici 6 Agent), so the two
 * are never mixed.
 */
let insecureDispatcher: Agent | undefined;
function insecureFetch(url: URL, init: RequestInit): Promise<Response> {
  insecureDispatcher ??= new Agent({ connect: { rejectUnauthorized: false } });
  return undiciFetch(url, { ...init, dispatcher: insecureDispatcher });
}

export interface UpstreamResponse<B> {
  status: number;
  ok: boolean;
  headers: Headers;
  body: B;
}

/** Sends the request and reads the body as text (UTF-8). */
export async function upstreamText(
  url: string | URL,
  request: UpstreamRequest,
): Promise<UpstreamResponse<string>> {
  return exchange(url, request, async (response, target) =>
    readCappedText(response, request.maxBodyBytes, target),
  );
}

/**
 * Sends the request and parses the body as JSON: `undefined` when empty (204), and when a non-2xx answer
 * is not JSON (a proxy's HTML error page is still an answer with a status). A 2xx answer that is not
 * JSON fails with kind `bad-json`.
 */
export async function upstreamJson(
  url: string | URL,
  request: UpstreamRequest,
): Promise<UpstreamResponse<unknown>> {
  return exchange(url, request, async (response, target) => {
    const text = (await readCappedText(response, request.maxBodyBytes, target)).trim();
    if (text === '') return undefined;
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      if (!response.ok) return undefined;
      throw new UpstreamError('bad-json', target, 'body is not JSON', {
        status: response.status,
        cause: err,
      });
    }
  });
}

/** Sends the request and discards the body (read up to the cap so the connection can be reused). */
export async function upstreamStatus(
  url: string | URL,
  request: UpstreamRequest,
): Promise<UpstreamResponse<undefined>> {
  return exchange(url, request, async (response, target) => {
    await readCappedText(response, request.maxBodyBytes, target);
    return undefined;
  });
}

/** The answer when its status is 2xx, else `UpstreamError('status')`. */
export function expectOk<B>(response: UpstreamResponse<B>, url: string | URL): UpstreamResponse<B> {
  if (response.ok) return response;
  throw new UpstreamError('status', url, `answered ${response.status}`, { status: response.status });
}

async function exchange<B>(
  url: string | URL,
  request: UpstreamRequest,
  read: (response: Response, target: URL) => Promise<B>,
): Promise<UpstreamResponse<B>> {
  const target = new URL(url);
  const timeout = AbortSignal.timeout(request.timeoutMs);
  const signal = request.signal === undefined ? timeout : AbortSignal.any([timeout, request.signal]);
  const headers: Record<string, string> = { ...request.headers };
  let body = request.body;
  if (body === undefined && request.json !== undefined) {
    body = JSON.stringify(request.json);
    headers['content-type'] ??= 'application/json';
  }
  const redirect = request.guard != null ? 'manual' : (request.redirect ?? 'manual');
  try {
    if (request.guard != null) await request.guard(target);
    signal.throwIfAborted();
    const init: RequestInit = { method: request.method ?? 'GET', headers, body, redirect, signal };
    const send = request.fetch ?? (request.insecureSkipVerifyTls === true ? insecureFetch : globalThis.fetch);
    const response = await send(target, init);
    const parsed = await read(response, target);
    return { status: response.status, ok: response.ok, headers: response.headers, body: parsed };
  } catch (err) {
    throw classify(err, target, request, timeout);
  }
}

function classify(err: unknown, target: URL, request: UpstreamRequest, timeout: AbortSignal): UpstreamError {
  if (err instanceof UpstreamError) return err;
  const detail = describeError(err, ...(request.secrets ?? []));
  if (request.signal?.aborted === true)
    return new UpstreamError('aborted', target, `aborted: ${detail}`, { cause: err });
  if (timeout.aborted) {
    return new UpstreamError('timeout', target, `no complete answer within ${request.timeoutMs} ms`, {
      cause: err,
    });
  }
  if (err instanceof Error && err.name === 'SsrfRefusedError') {
    return new UpstreamError('refused', target, detail, { cause: err });
  }
  return new UpstreamError('network', target, detail, { cause: err });
}

/**
 * Reads at most `maxBytes` of the body; cancels the stream and fails with `body-too-large` beyond that.
 * Exported for callers that obtained a Response some other way.
 */
export async function readCappedText(
  response: Response,
  maxBytes: number,
  url: string | URL,
): Promise<string> {
  if (response.body === null) return '';
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > maxBytes) {
    await response.body.cancel();
    throw tooLarge(url, maxBytes, response.status);
  }
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    // Typed loosely: with no DOM lib, undici types the stream's chunks as `any`.
    const chunk: { done: boolean; value?: unknown } = await reader.read();
    if (chunk.done) break;
    if (!(chunk.value instanceof Uint8Array))
      throw new UpstreamError('network', url, 'unexpected body chunk');
    size += chunk.value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw tooLarge(url, maxBytes, response.status);
    }
    chunks.push(chunk.value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function tooLarge(url: string | URL, maxBytes: number, status: number): UpstreamError {
  return new UpstreamError('body-too-large', url, `body over ${maxBytes} bytes`, { status });
}
