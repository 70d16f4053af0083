import {
  Agent as HttpAgent,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

// Headers that describe one hop, not the message (RFC 9110 §7.6.1); never forwarded.
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
  'proxy-authenticate',
  'proxy-authorization',
]);

export interface ForwardOutcome {
  status: number;
  /** The upstream could not be reached or broke off; the client got a 502 (or a cut connection). */
  failed: boolean;
}

/**
 * Streams a client request to the upstream homeserver and its answer back, unchanged but for hop-by-hop
 * headers and the X-Forwarded-* set: bodies are piped both ways (media uploads, long-polling /sync), and
 * a client that goes away cancels the upstream request. Connections to the upstream are kept alive.
 */
/** Requests that wait for news by design; cutting them at shutdown costs the client one retry. */
const LONG_POLL = /^\/_matrix\/client\/(?:v3|r0|unstable\/[^/]+)\/(?:sync|events)(?:\?|$)|\/sync(?:\?|$)/;

interface InFlight {
  longPoll: boolean;
  cut: () => void;
  finished: Promise<void>;
}

export class UpstreamForwarder {
  private readonly inFlight = new Set<InFlight>();
  private readonly base: URL;
  private readonly agent: HttpAgent;
  private readonly request: typeof httpRequest;

  constructor(
    baseUrl: string,
    private readonly connectTimeoutMs = 10_000,
  ) {
    this.base = new URL(baseUrl);
    const secure = this.base.protocol === 'https:';
    this.agent = secure
      ? new HttpsAgent({ keepAlive: true, maxSockets: 1024 })
      : new HttpAgent({ keepAlive: true, maxSockets: 1024 });
    this.request = secure ? httpsRequest : httpRequest;
  }

  forward(
    req: IncomingMessage,
    res: ServerResponse,
    clientIp: string,
    done: (outcome: ForwardOutcome) => void,
  ): void {
    const prefix = this.base.pathname.replace(/\/+$/, '');
    const upstream = this.request({
      protocol: this.base.protocol,
      hostname: this.base.hostname,
      port: this.base.port,
      method: req.method,
      path: `${prefix}${req.url ?? '/'}`,
      headers: forwardedHeaders(req.headers, clientIp, this.base.host, 'encrypted' in req.socket),
      agent: this.agent,
    });
    let settled = false;
    let release: () => void = () => undefined;
    const entry: InFlight = {
      longPoll: LONG_POLL.test(req.url ?? ''),
      cut: () => upstream.destroy(),
      finished: new Promise<void>((r) => (release = r)),
    };
    this.inFlight.add(entry);
    const finish = (outcome: ForwardOutcome): void => {
      if (settled) return;
      settled = true;
      this.inFlight.delete(entry);
      release();
      done(outcome);
    };
    res.on('close', () => {
      if (!settled) finish({ status: 499, failed: true });
    });
    const connectTimer = setTimeout(
      () => upstream.destroy(new Error('upstream connect timeout')),
      this.connectTimeoutMs,
    );
    upstream.on('socket', (socket) => {
      if (!socket.connecting) clearTimeout(connectTimer);
      else
        socket.once('connect', () => {
          clearTimeout(connectTimer);
        });
    });
    upstream.on('response', (answer) => {
      clearTimeout(connectTimer);
      const headers: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(answer.headers)) {
        if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
      }
      res.writeHead(answer.statusCode ?? 502, headers);
      answer.pipe(res);
      answer.on('end', () => {
        finish({ status: answer.statusCode ?? 502, failed: false });
      });
      answer.on('error', () => {
        res.destroy();
        finish({ status: answer.statusCode ?? 502, failed: true });
      });
    });
    upstream.on('error', () => {
      clearTimeout(connectTimer);
      if (!res.headersSent) {
        res
          .writeHead(502, { 'Content-Type': 'application/json' })
          .end(JSON.stringify({ errcode: 'M_UNKNOWN', error: 'The homeserver could not be reached' }));
      } else {
        res.destroy();
      }
      finish({ status: 502, failed: true });
    });
    // A client that hangs up (e.g. ends a long-poll) must not keep the upstream request running.
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  }

  /**
   * For shutdown: long-polls are cut at once (their clients simply poll again, elsewhere); other
   * requests get up to `graceMs` to finish before they are cut too.
   */
  async drain(graceMs: number): Promise<void> {
    for (const entry of this.inFlight) if (entry.longPoll) entry.cut();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((r) => (timer = setTimeout(r, graceMs)));
    await Promise.race([Promise.all([...this.inFlight].map((e) => e.finished)), timeout]);
    clearTimeout(timer);
    for (const entry of this.inFlight) entry.cut();
    this.agent.destroy();
  }
}

function forwardedHeaders(
  headers: IncomingHttpHeaders,
  clientIp: string,
  upstreamHost: string,
  secure: boolean,
): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) if (!HOP_BY_HOP.has(name)) out[name] = value;
  const prior = headers['x-forwarded-for'];
  out['x-forwarded-for'] =
    prior === undefined ? clientIp : `${Array.isArray(prior) ? prior.join(', ') : prior}, ${clientIp}`;
  out['x-forwarded-proto'] = headers['x-forwarded-proto'] ?? (secure ? 'https' : 'http');
  if (headers.host !== undefined) out['x-forwarded-host'] = headers['x-forwarded-host'] ?? headers.host;
  out.host = upstreamHost;
  return out;
}
