import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A scripted upstream homeserver for the proxy's poller: `/versions`, `whoami`, `/sync` and
 * `/rooms/{id}/context/{event}`, nothing else. Each access token has a queue of canned `/sync` replies;
 * a `/sync` with nothing queued is held until a reply is queued or its `timeout` elapses, then answered
 * `{next_batch: <the same since>}` as a homeserver with nothing new does. Every request is recorded, so
 * tests can assert exactly what the proxy asked for.
 */

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
}

/** A truncated body: a reply a proxy cannot parse. */
export const MALFORMED_JSON = '{"next_batch":"never","to_device":{"events":[{"type":"m.';

export class FakeHomeserver {
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

  private readonly server: Server;
  private baseUrl = '';

  private constructor(options: FakeHomeserverOptions) {
    this.minHoldMs = options.minHoldMs ?? 1_000;
    this.server = createServer((req, res) => {
      this.route(req, res);
    });
  }

  static async start(options: FakeHomeserverOptions = {}): Promise<FakeHomeserver> {
    const fake = new FakeHomeserver(options);
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    fake.baseUrl = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
    return fake;
  }

  /** `http://127.0.0.1:<port>`, the proxy's SYNCV3_SERVER. */
  get url(): string {
    return this.baseUrl;
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
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

  private route(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://fake');
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

// --- v2 response builders -------------------------------------------------------------------------

/** Unique per test run, so ids never collide across tests sharing a database. */
const RUN = randomBytes(3).toString('hex');
let counter = 0;

export interface V2Event {
  type: string;
  event_id: string;
  sender: string;
  origin_server_ts: number;
  content: Record<string, unknown>;
  state_key?: string;
  unsigned?: Record<string, unknown>;
}

export interface V2JoinedRoom {
  state: { events: V2Event[] };
  timeline: { events: V2Event[]; limited: boolean; prev_batch?: string };
  summary?: Record<string, unknown>;
  unread_notifications?: Record<string, number>;
  ephemeral?: { events: Record<string, unknown>[] };
  account_data?: { events: Record<string, unknown>[] };
}

export interface V2SyncResponse {
  next_batch: string;
  rooms?: {
    join?: Record<string, V2JoinedRoom>;
    invite?: Record<string, unknown>;
    leave?: Record<string, unknown>;
  };
  to_device?: { events: Record<string, unknown>[] };
  account_data?: { events: Record<string, unknown>[] };
  [key: string]: unknown;
}

export function uniqueId(prefix: string): string {
  return `${prefix}${String(++counter)}_${RUN}`;
}

/** `!<name>_<n>_<run>:fake.test` */
export function newRoomId(name = 'room'): string {
  return `!${uniqueId(`${name}_`)}:fake.test`;
}

export function newUser(name: string): { userId: string; deviceId: string; token: string } {
  const local = uniqueId(`${name}_`);
  return { userId: `@${local}:fake.test`, deviceId: `DEV_${local}`, token: `tok_${local}` };
}

export function message(sender: string, body: string, extra: Partial<V2Event> = {}): V2Event {
  return {
    type: 'm.room.message',
    event_id: `$${uniqueId('ev')}`,
    sender,
    origin_server_ts: Date.now(),
    content: { msgtype: 'm.text', body },
    ...extra,
  };
}

export function stateEvent(
  sender: string,
  type: string,
  stateKey: string,
  content: Record<string, unknown>,
): V2Event {
  return {
    type,
    state_key: stateKey,
    event_id: `$${uniqueId('st')}`,
    sender,
    origin_server_ts: Date.now(),
    content,
  };
}

/** A room as `creator` made it: create, own join, power levels, join rules, and a name if given. */
export function createRoomState(creator: string, name?: string): V2Event[] {
  return [
    stateEvent(creator, 'm.room.create', '', { creator, room_version: '10' }),
    stateEvent(creator, 'm.room.member', creator, { membership: 'join' }),
    stateEvent(creator, 'm.room.power_levels', '', { users: { [creator]: 100 } }),
    stateEvent(creator, 'm.room.join_rules', '', { join_rule: 'invite' }),
    ...(name === undefined ? [] : [stateEvent(creator, 'm.room.name', '', { name })]),
  ];
}

/** A `rooms.join` entry. A joined room with state but no timeline is no homeserver's answer. */
export function joinedRoom(opts: {
  state?: V2Event[];
  timeline: V2Event[];
  limited?: boolean;
  prevBatch?: string;
  extra?: Partial<V2JoinedRoom>;
}): V2JoinedRoom {
  if ((opts.state?.length ?? 0) > 0 && opts.timeline.length === 0) {
    throw new Error('a joined room with state needs a timeline');
  }
  return {
    state: { events: opts.state ?? [] },
    timeline: {
      events: opts.timeline,
      limited: opts.limited ?? false,
      ...(opts.prevBatch === undefined ? {} : { prev_batch: opts.prevBatch }),
    },
    ...opts.extra,
  };
}

export function toDeviceMessage(
  sender: string,
  content: Record<string, unknown>,
  type = 'm.room_key_request',
): Record<string, unknown> {
  return { type, sender, content: { ...content, request_id: uniqueId('req') } };
}

export function syncResponse(
  nextBatch: string,
  opts: {
    join?: Record<string, V2JoinedRoom>;
    toDevice?: Record<string, unknown>[];
    extra?: Record<string, unknown>;
  } = {},
): V2SyncResponse {
  return {
    next_batch: nextBatch,
    ...(opts.join === undefined ? {} : { rooms: { join: opts.join } }),
    ...(opts.toDevice === undefined ? {} : { to_device: { events: opts.toDevice } }),
    ...opts.extra,
  };
}
