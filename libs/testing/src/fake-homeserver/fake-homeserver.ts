// Over 300 lines: the scripted routes plus the built-in homeserver routes, which share one server and one request log.
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';

/**
 * The one fake homeserver, for tests that need what a real Synapse will not do (tests that only need a
 * homeserver use the real one, `startSynapse`). A real HTTP(S) server on 127.0.0.1, so the code under
 * test does its real socket work:
 * - scripted routes (`script`): any method and path answered with a status, a JSON or raw (malformed)
 *   body, headers, after a delay, or by hanging up; they take precedence over the built-in routes;
 * - built-in `/versions`, `whoami`, `/sync` and `/rooms/{id}/context/{event}` for accounts added with
 *   `addAccount`: each access token has a queue of canned `/sync` replies; a `/sync` with nothing queued
 *   is held until a reply is queued or its `timeout` elapses, then answered `{next_batch: <the same
 *   since>}` as a homeserver with nothing new does;
 * - every request is recorded (`requests`, and `syncs`/`whoamis`/`contexts` for the built-in routes), so
 *   tests can assert exactly what was asked.
 */

/** Any request as the fake received it. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
  /** The TLS SNI the client sent (https only). */
  servername: string | undefined;
}

/** How a scripted route answers. Defaults: status 200, no body. */
export interface ScriptedReply {
  status?: number;
  /** Sent as JSON. */
  json?: unknown;
  /** Sent as is with a JSON content type (e.g. MALFORMED_JSON), instead of `json`. */
  text?: string;
  headers?: Record<string, string>;
  /** Wait this long before answering (a slow homeserver, a timeout). */
  delayMs?: number;
  /** Destroy the connection instead of answering (after `delayMs`). */
  hangUp?: boolean;
}

export type ScriptHandler = (req: RecordedRequest) => ScriptedReply | Promise<ScriptedReply>;

interface Script {
  method: string;
  path: string | RegExp;
  reply: ScriptedReply | ScriptHandler;
  /** Answers left; Infinity until removed. */
  times: number;
}

/** One `/sync` request as the fake received it. */
export interface SyncRecord {
  token: string;
  url: string;
  since: string | undefined;
  /** The `timeout` query parameter, in ms (undefined when absent). */
  timeout: number | undefined;
  /** The `filter` query parameter, parsed when it is JSON. */
  filter: unknown;
  setPresence: string | undefined;
  at: number;
  /**
   * pending: held or being answered. queued: got the next queued reply. replayed: its `since` had been
   * answered before, so it got that answer again (as a homeserver does until `since` moves on).
   * empty: nothing was queued before its timeout. error/malformed: a queued failure.
   * unauthorized: the token is unknown or invalidated. aborted: the proxy hung up first.
   */
  outcome: 'pending' | 'queued' | 'replayed' | 'empty' | 'error' | 'malformed' | 'unauthorized' | 'aborted';
  status: number | undefined;
}

export interface ContextRecord {
  token: string;
  roomId: string;
  eventId: string;
}

export type SyncReply =
  { kind: 'json'; body: unknown } | { kind: 'status'; status: number } | { kind: 'text'; text: string };

interface Account {
  userId: string;
  deviceId: string;
  valid: boolean;
  softLogout: boolean;
}

interface Held {
  record: SyncRecord;
  answer: (reply: SyncReply | undefined) => void;
}

export interface FakeHomeserverOptions {
  /**
   * A `/sync` with nothing queued is held at least this long, even with `timeout=0` (a first sync):
   * a test can then queue the reply a little after the proxy asked. Default 1000 ms.
   */
  minHoldMs?: number;
  /** Serve HTTPS with this key and certificate instead of HTTP. */
  tls?: { key: string; cert: string };
}

/** A truncated body: a reply a proxy cannot parse. */
export const MALFORMED_JSON = '{"next_batch":"never","to_device":{"events":[{"type":"m.';

export class FakeHomeserver {
  readonly requests: RecordedRequest[] = [];
  readonly syncs: SyncRecord[] = [];
  readonly whoamis: { token: string; status: number }[] = [];
  readonly contexts: ContextRecord[] = [];
  private readonly accounts = new Map<string, Account>();
  private readonly queues = new Map<string, SyncReply[]>();
  private readonly held = new Map<string, Held[]>();
  /** Good answers by token and `since`, replayed when the same `since` is asked for again. */
  private readonly answers = new Map<string, unknown>();
  private readonly listeners = new Set<() => void>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly minHoldMs: number;
  private scripts: Script[] = [];

  private readonly server: Server;
  private readonly scheme: 'http' | 'https';
  private baseUrl = '';

  private constructor(options: FakeHomeserverOptions) {
    this.minHoldMs = options.minHoldMs ?? 1_000;
    const handler = (req: IncomingMessage, res: ServerResponse): void => {
      this.receive(req, res);
    };
    this.server = options.tls === undefined ? createServer(handler) : createHttpsServer(options.tls, handler);
    this.scheme = options.tls === undefined ? 'http' : 'https';
  }

  static async start(options: FakeHomeserverOptions = {}): Promise<FakeHomeserver> {
    const fake = new FakeHomeserver(options);
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    fake.baseUrl = `${fake.scheme}://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
    return fake;
  }

  /** `http://127.0.0.1:<port>` (or https), e.g. the sync proxy's SYNCV3_SERVER. */
  get url(): string {
    return this.baseUrl;
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  /**
   * Answers `method` requests to `path` (exact, or a RegExp on the path without the query) with `reply`,
   * `times` times (default: until `unscript`). Later scripts for the same request win.
   */
  script(
    method: string,
    path: string | RegExp,
    reply: ScriptedReply | ScriptHandler,
    times = Infinity,
  ): void {
    this.scripts.unshift({ method: method.toUpperCase(), path, reply, times });
  }

  /** Removes every scripted route: the built-in routes answer again. */
  unscript(): void {
    this.scripts = [];
  }

  /** A token whoami and /sync accept. */
  addAccount(token: string, userId: string, deviceId: string): void {
    this.accounts.set(token, { userId, deviceId, valid: true, softLogout: false });
  }

  /**
   * The token is logged out (or, with `softLogout`, expired): whoami, /sync and /context answer 401
   * M_UNKNOWN_TOKEN from now on, held syncs included.
   */
  invalidate(token: string, options: { softLogout?: boolean } = {}): void {
    const account = this.accounts.get(token);
    if (account !== undefined) {
      account.valid = false;
      account.softLogout = options.softLogout === true;
    }
    for (const h of [...(this.held.get(token) ?? [])]) h.answer({ kind: 'status', status: 401 });
  }

  /** Queues a `/sync` body for `token` (answering a held request at once). */
  queue(token: string, body: unknown): void {
    this.push(token, { kind: 'json', body });
  }

  /** Queues a 200 whose body is `text` as is (e.g. MALFORMED_JSON). */
  queueRaw(token: string, text: string): void {
    this.push(token, { kind: 'text', text });
  }

  /** The next `n` syncs of `token` answer this status (401, 429, 500, …) or an unparseable body. */
  failNext(token: string, n: number, failure: number | 'malformed'): void {
    for (let i = 0; i < n; i++) {
      this.push(
        token,
        failure === 'malformed'
          ? { kind: 'text', text: MALFORMED_JSON }
          : { kind: 'status', status: failure },
      );
    }
  }

  /** Queued replies not yet taken. */
  pending(token: string): number {
    return this.queues.get(token)?.length ?? 0;
  }

  syncsOf(token: string): SyncRecord[] {
    return this.syncs.filter((r) => r.token === token);
  }

  whoamiCount(token: string): number {
    return this.whoamis.filter((w) => w.token === token).length;
  }

  /**
   * The first `/sync` of `token` matching `predicate`, waiting for it if need be. Waiting for the poll
   * with `since` = a reply's `next_batch` means the proxy has stored that reply (it polls again only then).
   */
  waitForSync(
    token: string,
    predicate: (r: SyncRecord) => boolean = () => true,
    timeoutMs = 10_000,
  ): Promise<SyncRecord> {
    const find = (): SyncRecord | undefined => this.syncs.find((r) => r.token === token && predicate(r));
    const found = find();
    if (found !== undefined) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const listener = (): void => {
        const r = find();
        if (r === undefined) return;
        clearTimeout(timer);
        this.listeners.delete(listener);
        resolve(r);
      };
      const timer = setTimeout(() => {
        this.listeners.delete(listener);
        reject(new Error(`no matching /sync for ${token} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.listeners.add(listener);
    });
  }

  /** The poll that follows the reply with this `next_batch`: once it arrives, that reply is stored. */
  waitForSince(token: string, since: string, timeoutMs = 10_000): Promise<SyncRecord> {
    return this.waitForSync(token, (r) => r.since === since, timeoutMs);
  }

  private push(token: string, reply: SyncReply): void {
    const waiting = this.held.get(token)?.[0];
    if (waiting !== undefined) {
      waiting.answer(reply);
      return;
    }
    const queue = this.queues.get(token) ?? [];
    queue.push(reply);
    this.queues.set(token, queue);
  }

  private receive(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const recorded: RecordedRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        servername: (req.socket as Partial<TLSSocket>).servername || undefined,
      };
      this.requests.push(recorded);
      const script = this.scripts.find(
        (s) =>
          s.method === recorded.method &&
          (typeof s.path === 'string' ? s.path === recorded.path : s.path.test(recorded.path)),
      );
      if (script === undefined) {
        this.route(req, res, url);
        return;
      }
      if (--script.times <= 0) this.scripts = this.scripts.filter((s) => s !== script);
      this.answerScripted(script, recorded, req, res).catch((err: unknown) => {
        res.destroy(err instanceof Error ? err : new Error(String(err)));
      });
    });
  }

  private async answerScripted(
    script: Script,
    recorded: RecordedRequest,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> {
    const reply = typeof script.reply === 'function' ? await script.reply(recorded) : script.reply;
    if (reply.delayMs !== undefined) {
      const delayMs = reply.delayMs;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          resolve();
        }, delayMs);
        this.timers.add(timer);
        res.on('close', () => {
          clearTimeout(timer);
          this.timers.delete(timer);
          resolve();
        });
      });
    }
    if (res.writableEnded || res.destroyed) return;
    if (reply.hangUp === true) {
      req.socket.destroy();
      return;
    }
    const status = reply.status ?? 200;
    if (reply.text !== undefined) {
      res.writeHead(status, { 'content-type': 'application/json', ...reply.headers }).end(reply.text);
    } else if (reply.json !== undefined) {
      res
        .writeHead(status, { 'content-type': 'application/json', ...reply.headers })
        .end(JSON.stringify(reply.json));
    } else {
      res.writeHead(status, reply.headers).end();
    }
  }

  private route(req: IncomingMessage, res: ServerResponse, url: URL): void {
    const path = url.pathname;
    if (req.method === 'GET' && path === '/_matrix/client/versions') {
      json(res, 200, { versions: ['v1.1', 'v1.11'], unstable_features: {} });
      return;
    }
    const token = bearer(req, url);
    if (req.method === 'GET' && path === '/_matrix/client/v3/account/whoami') {
      const account = this.accounts.get(token);
      const ok = account?.valid === true;
      this.whoamis.push({ token, status: ok ? 200 : 401 });
      if (ok) json(res, 200, { user_id: account.userId, device_id: account.deviceId });
      else unknownToken(res, account?.softLogout);
      return;
    }
    if (req.method === 'GET' && path === '/_matrix/client/v3/sync') {
      this.sync(token, req, res, url);
      return;
    }
    const context = /^\/_matrix\/client\/v3\/rooms\/([^/]+)\/context\/([^/]+)$/.exec(path);
    if (req.method === 'GET' && context !== null) {
      const roomId = decodeURIComponent(context[1] ?? '');
      const eventId = decodeURIComponent(context[2] ?? '');
      this.contexts.push({ token, roomId, eventId });
      const account = this.accounts.get(token);
      if (account?.valid !== true) {
        unknownToken(res, account?.softLogout);
        return;
      }
      json(res, 200, {
        start: `ctx_${eventId}`,
        end: `ctx_end_${eventId}`,
        events_before: [],
        events_after: [],
        state: [],
      });
      return;
    }
    json(res, 404, { errcode: 'M_UNRECOGNIZED', error: 'Unrecognized request' });
  }

  private sync(token: string, req: IncomingMessage, res: ServerResponse, url: URL): void {
    const q = url.searchParams;
    const timeout = q.get('timeout');
    const record: SyncRecord = {
      token,
      url: req.url ?? '',
      since: q.get('since') ?? undefined,
      timeout: timeout === null ? undefined : Number(timeout),
      filter: parseMaybeJson(q.get('filter')),
      setPresence: q.get('set_presence') ?? undefined,
      at: Date.now(),
      outcome: 'pending',
      status: undefined,
    };
    this.syncs.push(record);

    let done = false;
    const answer = (reply: SyncReply | undefined): void => {
      if (done) return;
      done = true;
      this.unhold(token, held);
      if (reply === undefined) {
        record.outcome = 'empty';
        record.status = 200;
        json(res, 200, { next_batch: record.since ?? `empty_${token}` });
      } else {
        this.send(token, record, res, reply);
      }
      this.notify();
    };
    const held: Held = { record, answer };
    res.on('close', () => {
      if (done) return;
      done = true;
      this.unhold(token, held);
      record.outcome = 'aborted';
      this.notify();
    });

    if (this.accounts.get(token)?.valid !== true) {
      answer({ kind: 'status', status: 401 });
      return;
    }
    const previous = this.answers.get(answerKey(token, record.since));
    if (previous !== undefined) {
      done = true;
      record.outcome = 'replayed';
      record.status = 200;
      json(res, 200, previous);
      this.notify();
      return;
    }
    const next = this.queues.get(token)?.shift();
    if (next !== undefined) {
      answer(next);
      return;
    }
    const list = this.held.get(token) ?? [];
    list.push(held);
    this.held.set(token, list);
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        answer(undefined);
      },
      Math.max(record.timeout ?? 0, this.minHoldMs),
    );
    this.timers.add(timer);
    res.on('close', () => {
      clearTimeout(timer);
      this.timers.delete(timer);
    });
    this.notify();
  }

  private send(token: string, record: SyncRecord, res: ServerResponse, reply: SyncReply): void {
    switch (reply.kind) {
      case 'json': {
        record.outcome = 'queued';
        record.status = 200;
        const nextBatch = (reply.body as { next_batch?: unknown } | null)?.next_batch;
        if (typeof nextBatch === 'string') this.answers.set(answerKey(token, record.since), reply.body);
        json(res, 200, reply.body);
        return;
      }
      case 'text':
        record.outcome = 'malformed';
        record.status = 200;
        res.writeHead(200, { 'content-type': 'application/json' }).end(reply.text);
        return;
      case 'status':
        record.outcome = reply.status === 401 ? 'unauthorized' : 'error';
        record.status = reply.status;
        if (reply.status === 401) unknownToken(res, this.accounts.get(token)?.softLogout);
        else if (reply.status === 429)
          json(res, 429, { errcode: 'M_LIMIT_EXCEEDED', error: 'Too many requests', retry_after_ms: 50 });
        else json(res, reply.status, { errcode: 'M_UNKNOWN', error: 'Internal server error' });
        return;
    }
  }

  private unhold(token: string, held: Held): void {
    const list = this.held.get(token);
    if (list === undefined) return;
    const i = list.indexOf(held);
    if (i >= 0) list.splice(i, 1);
  }

  private notify(): void {
    for (const l of [...this.listeners]) l();
  }
}

function answerKey(token: string, since: string | undefined): string {
  return `${token}\n${since ?? ''}`;
}

function bearer(req: IncomingMessage, url: URL): string {
  const header = req.headers.authorization;
  const match = header === undefined ? null : /^Bearer (\S+)$/i.exec(header);
  return match?.[1] ?? url.searchParams.get('access_token') ?? '';
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function unknownToken(res: ServerResponse, softLogout = false): void {
  json(res, 401, {
    errcode: 'M_UNKNOWN_TOKEN',
    error: 'Invalid access token passed.',
    soft_logout: softLogout,
  });
}

function parseMaybeJson(text: string | null): unknown {
  if (text === null) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
