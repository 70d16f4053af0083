/** One HTTP exchange as the checks see it: status, headers and the body, parsed when it is JSON. */
export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed body, or undefined when it is not JSON. */
  json: unknown;
}

export interface HttpRequest {
  method?: string;
  token?: string | undefined;
  json?: unknown;
  body?: string;
  headers?: Record<string, string>;
  timeoutMs: number;
}

/** A failure whose message is the line the report shows. */
export class CheckFailure extends Error {
  override readonly name = 'CheckFailure';
}

/**
 * Sends one request. Network failures (refused, DNS, TLS, timeout) become a CheckFailure naming the
 * method, the URL and the cause, which is what an operator needs to read.
 */
export async function http(url: string, req: HttpRequest): Promise<HttpAnswer> {
  const method = req.method ?? (req.json === undefined && req.body === undefined ? 'GET' : 'POST');
  const headers: Record<string, string> = { accept: 'application/json', ...req.headers };
  if (req.token !== undefined) headers['authorization'] = `Bearer ${req.token}`;
  let body: string | undefined = req.body;
  if (req.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(req.json);
  }
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers,
      body,
      signal: AbortSignal.timeout(req.timeoutMs),
      redirect: 'follow',
    });
  } catch (err) {
    throw new CheckFailure(`${method} ${url}: ${networkCause(err, req.timeoutMs)}`);
  }
  let text: string;
  try {
    text = await res.text();
  } catch (err) {
    throw new CheckFailure(`${method} ${url}: the answer broke off (${networkCause(err, req.timeoutMs)})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

function networkCause(err: unknown, timeoutMs: number): string {
  if (err instanceof Error) {
    if (err.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
    const cause = (err as { cause?: unknown }).cause;
    if (cause instanceof Error) {
      const code = (cause as { code?: unknown }).code;
      return typeof code === 'string' ? `${code} (${cause.message})` : cause.message;
    }
    return err.message;
  }
  return String(err);
}

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** "404 M_UNRECOGNIZED: Unrecognized request" or "502 <first 120 characters of the body>". */
export function describe(answer: HttpAnswer): string {
  const body = answer.json;
  if (isObject(body) && typeof body['errcode'] === 'string') {
    const error = typeof body['error'] === 'string' ? `: ${body['error']}` : '';
    return `${answer.status} ${body['errcode']}${error}`;
  }
  if (isObject(body) && typeof body['error'] === 'string') {
    const description = typeof body['error_description'] === 'string' ? `: ${body['error_description']}` : '';
    return `${answer.status} ${body['error']}${description}`;
  }
  const snippet = answer.text.replace(/\s+/g, ' ').trim().slice(0, 120);
  return snippet === '' ? `${answer.status} (empty body)` : `${answer.status} ${snippet}`;
}

/** True for the answers a server gives to an endpoint it does not have. */
export function isUnrecognized(answer: HttpAnswer): boolean {
  if (answer.status === 404 || answer.status === 405 || answer.status === 501) return true;
  return isObject(answer.json) && answer.json['errcode'] === 'M_UNRECOGNIZED';
}
