import { request as httpRequest, type IncomingHttpHeaders, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import type { ConnectPolicy } from '@gateway/http';

/**
 * The one outbound GET the federation code uses (`.well-known/matrix/server`, OpenID userinfo).
 *
 * Built on `node:http(s)` rather than global `fetch` because Matrix server discovery needs what fetch
 * cannot express: connecting to one host (an SRV target or IP) while sending another name as `Host` and
 * TLS SNI, skipping certificate checks per request (`LIVEKIT_INSECURE_SKIP_VERIFY_TLS`), and running the
 * SSRF check inside the socket's DNS lookup. No keep-alive: each request opens a fresh connection so a
 * lookup is always re-checked (lk-jwt-service also disables keep-alives).
 */

export interface HttpGetRequest {
  /** Where to connect and what to ask for; `http:` or `https:`. */
  url: URL;
  /** The `Host` header; defaults to the URL's host. */
  hostHeader?: string;
  /** SNI and certificate name; defaults to the URL host. `null` sends no SNI and checks the connect host. */
  tlsServerName?: string | null;
  /** SSRF policy for this request, or null when the target is trusted. */
  policy: ConnectPolicy | null;
  /** Budget for DNS lookup + TCP + TLS handshake. */
  connectTimeoutMs: number;
  /** The overall deadline, shared by every step of the operation. */
  signal: AbortSignal;
  maxBodyBytes: number;
  rejectUnauthorized: boolean;
}

export interface HttpGetResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export type HttpGet = (request: HttpGetRequest) => Promise<HttpGetResponse>;

export type HttpGetFailure = 'connect-timeout' | 'timeout' | 'too-large' | 'refused' | 'network';

/** Why a GET produced no response; logged, never sent to clients. */
export class HttpGetError extends Error {
  override readonly name = 'HttpGetError';
  constructor(
    readonly reason: HttpGetFailure,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Performs one GET with a connect timeout, an overall deadline and a body size cap. */
export const nodeHttpGet: HttpGet = (req) =>
  new Promise<HttpGetResponse>((resolve, reject) => {
    let settled = false;
    const fail = (error: unknown): void => {
      if (settled) return;
      settled = true;
      reject(classify(error, req.signal));
    };
    let options: RequestOptions;
    try {
      options = buildOptions(req);
    } catch (error) {
      fail(error);
      return;
    }
    const secure = req.url.protocol === 'https:';
    const request = (secure ? httpsRequest : httpRequest)(options, (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > req.maxBodyBytes) {
          fail(new HttpGetError('too-large', `response body exceeds ${req.maxBodyBytes} bytes`));
          request.destroy();
          return;
        }
        chunks.push(chunk);
      });
      response.on('error', fail);
      response.on('end', () => {
        if (settled) return;
        settled = true;
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        });
      });
      response.on('close', () => {
        if (!response.complete) fail(new HttpGetError('network', 'response ended early'));
      });
    });
    request.on('socket', (socket) => {
      if (!socket.connecting) return;
      const timer = setTimeout(() => {
        request.destroy(
          new HttpGetError('connect-timeout', `no connection within ${req.connectTimeoutMs} ms`),
        );
      }, req.connectTimeoutMs);
      socket.once(secure ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
      });
      socket.once('close', () => {
        clearTimeout(timer);
      });
    });
    request.on('error', fail);
    request.end();
  });

function buildOptions(
  req: HttpGetRequest,
): RequestOptions & { servername?: string; rejectUnauthorized?: boolean } {
  const { url } = req;
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new HttpGetError('refused', `unsupported scheme ${url.protocol}`);
  }
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  // Sockets skip the lookup hook for IP literals, so those are checked here.
  if (req.policy !== null && isIP(host) !== 0) req.policy.checkLiteral(host);
  const named = req.tlsServerName === undefined ? host : req.tlsServerName;
  const sni = named?.replace(/^\[(.*)\]$/, '$1') ?? null;
  return {
    method: 'GET',
    host,
    port: url.port === '' ? undefined : Number(url.port),
    path: `${url.pathname}${url.search}`,
    headers: { Host: req.hostHeader ?? url.host, Accept: 'application/json' },
    agent: false,
    signal: req.signal,
    ...(req.policy === null ? {} : { lookup: req.policy.lookup }),
    // SNI must be a host name; TLS forbids IP addresses there.
    servername: sni === null || isIP(sni) !== 0 ? '' : sni,
    rejectUnauthorized: req.rejectUnauthorized,
  };
}

function classify(error: unknown, signal: AbortSignal): HttpGetError {
  if (error instanceof HttpGetError) return error;
  if (signal.aborted) return new HttpGetError('timeout', 'deadline exceeded', { cause: error });
  if (error instanceof Error && error.name === 'SsrfRefusedError') {
    return new HttpGetError('refused', error.message, { cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new HttpGetError('network', message, { cause: error });
}
