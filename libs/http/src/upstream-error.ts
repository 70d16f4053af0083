import { redactSecrets, redactUrl } from '@gateway/util';

/**
 * Why an outbound call produced no usable answer:
 *  - `timeout`: the request's own deadline passed (connect, headers or body);
 *  - `aborted`: the caller's signal fired (shutdown, the client went away);
 *  - `network`: no answer (refused, reset, DNS failure, TLS failure);
 *  - `refused`: the SSRF guard refused the target before connecting;
 *  - `status`: an answer the caller does not accept (raised by `expectOk` or the caller);
 *  - `body-too-large`: the body went over the caller's cap (reading stopped there);
 *  - `bad-json`: a success status whose body is not JSON.
 */
export type UpstreamErrorKind =
  'timeout' | 'aborted' | 'network' | 'refused' | 'status' | 'body-too-large' | 'bad-json';

/**
 * The one error type of outbound calls. The URL is kept without credentials or query string and the
 * message is redacted, so it can be logged as is; the original error stays in `cause` for debugging and
 * should not be logged whole.
 */
export class UpstreamError extends Error {
  override readonly name = 'UpstreamError';
  readonly kind: UpstreamErrorKind;
  /** The redacted target. */
  readonly url: string;
  /** The answer's status, for `status` (and `body-too-large`/`bad-json`, which come after one). */
  readonly status: number | undefined;

  constructor(
    kind: UpstreamErrorKind,
    url: string | URL,
    detail: string,
    options: { status?: number; cause?: unknown } = {},
  ) {
    const safeUrl = redactUrl(url);
    super(redactSecrets(`${detail} (${safeUrl})`), { cause: options.cause });
    this.kind = kind;
    this.url = safeUrl;
    this.status = options.status;
  }

  /** True for failures a retry may cure: no answer, or a 5xx / 429 answer. */
  get transient(): boolean {
    if (this.kind === 'timeout' || this.kind === 'network') return true;
    return this.kind === 'status' && this.status !== undefined && (this.status >= 500 || this.status === 429);
  }
}

/**
 * A readable one-line reason for any error, with credentials removed. undici reports "fetch failed" and
 * keeps the useful part (ECONNREFUSED, a TLS error) in `cause`, so that is appended.
 */
export function describeError(err: unknown, ...secrets: readonly string[]): string {
  let text: string;
  if (err instanceof Error) {
    const cause =
      err.cause instanceof Error && !err.message.includes(err.cause.message) ? `: ${err.cause.message}` : '';
    text = `${err.message}${cause}`;
  } else {
    text = String(err);
  }
  for (const secret of secrets) if (secret !== '') text = text.split(secret).join('[redacted]');
  return redactSecrets(text);
}
