import { STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * How long a client may take to send a request, on every listener of a service (the public port and the
 * internal one). Node measures both bounds from the first byte of a request until the parser has the
 * whole of it, so they bound receiving a request, never the time to answer it: a long-poll whose
 * request is complete waits as long as it likes. A request still incomplete at its bound is answered
 * 408 (unless it was answered already, see `ClientErrorAnswers`) and its socket closed.
 */
export interface RequestTimeouts {
  /** The whole request, headers and body (Node's `server.requestTimeout`). */
  requestMs: number;
  /** The headers alone (Node's `server.headersTimeout`); at most `requestMs`. */
  headersMs: number;
}

/**
 * Clients here send a few hundred bytes of headers and bodies of at most the apps' `bodyLimit` (64 KiB
 * for the token and auth endpoints): 30 s is slow-mobile-link territory, and Fastify's own advice is a
 * non-zero bound (its `requestTimeout` defaults to 0, no bound at all).
 */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
export const DEFAULT_HEADERS_TIMEOUT_MS = 20_000;
/**
 * Idle keep-alive connections are kept above the idle timeouts of the proxies in front (60 s for nginx's
 * upstream keepalive and most cloud load balancers), so the proxy, not the service, closes an idle
 * connection and never sends a request on one the service is closing. Fastify's default, set on the
 * internal listener too, which Node would give 5 s.
 */
export const KEEP_ALIVE_TIMEOUT_MS = 72_000;
/**
 * How often Node looks for requests past their bound (its default 30 s would let a 30 s bound run to
 * 60 s). The check walks only connections with a request in progress.
 */
const CHECK_INTERVAL_MS = 1_000;

export function requestTimeouts(requestMs?: number, headersMs?: number): RequestTimeouts {
  const request = requestMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  if (!Number.isInteger(request) || request <= 0)
    throw new RangeError(`requestTimeoutMs must be a positive integer, not ${String(requestMs)}`);
  const headers = Math.min(headersMs ?? DEFAULT_HEADERS_TIMEOUT_MS, request);
  if (!Number.isInteger(headers) || headers <= 0)
    throw new RangeError(`headersTimeoutMs must be a positive integer, not ${String(headersMs)}`);
  return { requestMs: request, headersMs: headers };
}

/** `node:http` server options for `createServer` (and Fastify's `http` option). */
export function serverTimeoutOptions(timeouts: RequestTimeouts): {
  requestTimeout: number;
  headersTimeout: number;
  keepAliveTimeout: number;
  connectionsCheckingInterval: number;
} {
  return {
    requestTimeout: timeouts.requestMs,
    headersTimeout: timeouts.headersMs,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    connectionsCheckingInterval: Math.min(CHECK_INTERVAL_MS, timeouts.headersMs),
  };
}

/**
 * Answers a request the server gave up on (past its bound, or unparseable) on both listeners, instead of
 * Fastify's handler, which writes its answer whenever the socket is writable: after a forwarded upload's
 * response had already gone out, the client got a second, unrequested 408 on the connection. Here the
 * status goes out only while the request in progress has no answer; otherwise the connection is just
 * closed. The bodies are Fastify's.
 */
export class ClientErrorAnswers {
  private readonly lastResponse = new WeakMap<Duplex, ServerResponse>();

  /** Follows `server`'s requests; its `clientError` events are then `handle`d. */
  track(server: Server): void {
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      this.lastResponse.set(req.socket, res);
    });
  }

  readonly handle = (err: NodeJS.ErrnoException, socket: Duplex): void => {
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    const last = this.lastResponse.get(socket);
    // No request on this connection yet, or the current one unanswered, or the last exchange over and
    // the next request not yet through its headers.
    const unanswered =
      last === undefined || !last.headersSent || (last.req.complete && last.writableFinished);
    if (unanswered && socket.writable) {
      const [status, message] = answerTo(err.code);
      const body = JSON.stringify({ error: STATUS_CODES[status], message, statusCode: status });
      socket.write(
        `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
          `Content-Type: application/json\r\nConnection: close\r\n\r\n${body}`,
      );
    }
    socket.destroy(err);
  };
}

function answerTo(code: string | undefined): [number, string] {
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return [408, 'Client Timeout'];
  if (code === 'HPE_HEADER_OVERFLOW') return [431, 'Exceeded maximum allowed HTTP header size'];
  return [400, 'Client Error'];
}
