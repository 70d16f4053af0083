import type { SyncReader, ToDeviceRepository } from '@gateway/sync-data';
import type { SyncExtensionsRequest } from '../protocol/sync-request';
import { isEnabled, roomsInScope } from './scope';
import { gapToken, threadSubscriptionsBody, type ThreadSubscriptionPage } from './thread-subscriptions';
import { THREAD_SUBSCRIPTIONS_EXTENSION } from '../protocol/parse-sync-body';

export interface ExtensionContext {
  reader: SyncReader;
  toDevice: ToDeviceRepository;
  userId: string;
  deviceId: string;
  toSeq: number;
  /** null on a new connection: everything current is sent. */
  streams: StreamPositions | null;
  roomsByList: ReadonlyMap<string, ReadonlySet<string>>;
  subscribed: ReadonlySet<string>;
  /** Rooms this answer sends for the first time on the connection (their room account data is sent whole). */
  newRooms: ReadonlySet<string>;
  /**
   * Rooms whose timelines this answer carries, with their event ids (receipts for those events); a
   * promise, as the rooms are built while the extensions read.
   */
  timelineEvents: Promise<ReadonlyMap<string, readonly string[]>>;
  /**
   * The user's thread subscription changes after a homeserver stream position, from the homeserver
   * (extensions/thread-subscriptions.ts); undefined when it has nothing to say or failed.
   */
  threadSubscriptions?: (after: number, limit: number) => Promise<ThreadSubscriptionPage | undefined>;
}

export interface BuiltExtensions {
  body: Record<string, unknown>;
  /** Anything a long-poll should answer for (OTK counts alone are not news). */
  hasData: boolean;
  /** The homeserver's thread subscriptions stream position this answer leaves the client at. */
  threadSubscriptions: number | undefined;
}

/** Per-connection positions of the extension streams (global seqs). */
export interface StreamPositions {
  accountData: number;
  receipts: number;
  typing: number;
  deviceLists: number;
  /**
   * Not a proxy seq: the homeserver's thread subscriptions stream position (MSC4308) the connection was
   * last told up to; absent until the extension first ran on the connection.
   */
  threadSubscriptions?: number;
}

const TO_DEVICE_MAX = 100;

/** One extension's part of the answer; `hasData` when a long-poll should answer for it. */
interface Part {
  key: string;
  value: unknown;
  hasData: boolean;
}

/**
 * The MSC4186 extensions: to_device, e2ee, account_data, receipts, typing, and MSC4308's thread
 * subscriptions. Unknown ones are ignored. The extensions are read at once: their reads in the
 * snapshot go to Postgres as one statement (SyncReader), to-device's on its own connection meanwhile.
 */
export async function buildExtensions(
  req: SyncExtensionsRequest,
  ctx: ExtensionContext,
): Promise<BuiltExtensions> {
  const after = (pos: number | undefined): number => (ctx.streams === null ? -1 : (pos ?? -1));
  const parts: Promise<Part | undefined>[] = [];

  if (isEnabled(req.toDevice)) parts.push(toDevicePart(req.toDevice, ctx));
  if (isEnabled(req.e2ee)) parts.push(e2eePart(ctx));
  if (req.accountData !== undefined && isEnabled(req.accountData))
    parts.push(accountDataPart(req.accountData, ctx, after(ctx.streams?.accountData)));

  if (req.receipts !== undefined && isEnabled(req.receipts))
    parts.push(receiptsPart(req.receipts, ctx, after(ctx.streams?.receipts)));
  if (req.typing !== undefined && isEnabled(req.typing))
    parts.push(typingPart(req.typing, ctx, after(ctx.streams?.typing)));

  let threadSubscriptions = ctx.streams?.threadSubscriptions;
  const threads = req.threadSubscriptions;
  // Synapse reads no changes for a limit of 0, and leaves the extension out when there are none.
  const fetchThreads = ctx.threadSubscriptions;
  if (isEnabled(threads) && threads !== undefined && threads.limit > 0 && fetchThreads !== undefined) {
    const from = threadSubscriptions ?? 0;
    parts.push(
      fetchThreads(from, threads.limit).then((page) => {
        if (page === undefined || page.changes.length === 0) return undefined;
        threadSubscriptions = Math.max(from, ...page.changes.map((c) => c.bumpStamp));
        const end = page.end === undefined ? undefined : gapToken(page.end, from);
        return {
          key: THREAD_SUBSCRIPTIONS_EXTENSION,
          value: threadSubscriptionsBody({ ...page, end }),
          hasData: true,
        };
      }),
    );
  }

  const body: Record<string, unknown> = {};
  let hasData = false;
  for (const part of await Promise.all(parts)) {
    if (part === undefined) continue;
    body[part.key] = part.value;
    if (part.hasData) hasData = true;
  }
  return { body, hasData, threadSubscriptions };
}

async function toDevicePart(req: SyncExtensionsRequest['toDevice'], ctx: ExtensionContext): Promise<Part> {
  const since = req?.since ?? 0;
  const limit = Math.min(req?.limit ?? TO_DEVICE_MAX, TO_DEVICE_MAX);
  // `from` is 0 when `since` is beyond anything handed out (the database was reset).
  const { events, lastPosition, from } = await ctx.toDevice.ackAndRead(
    ctx.userId,
    ctx.deviceId,
    since,
    limit,
  );
  return {
    key: 'to_device',
    value: { next_batch: String(lastPosition ?? from), events },
    hasData: events.length > 0,
  };
}

async function e2eePart(ctx: ExtensionContext): Promise<Part> {
  // Device-list changes only on a continuing connection: a new one makes the client re-query keys.
  const [keys, lists] = await Promise.all([
    ctx.reader.deviceKeys(ctx.userId, ctx.deviceId),
    ctx.streams === null
      ? undefined
      : ctx.reader.deviceListChanges(ctx.userId, ctx.deviceId, ctx.streams.deviceLists, ctx.toSeq),
  ]);
  const e2ee: Record<string, unknown> = {
    device_one_time_keys_count: keys?.otkCounts ?? {},
    device_unused_fallback_key_types: keys?.fallbackTypes ?? [],
  };
  let hasData = false;
  if (lists !== undefined && (lists.changed.length > 0 || lists.left.length > 0)) {
    e2ee['device_lists'] = lists;
    hasData = true;
  }
  return { key: 'e2ee', value: e2ee, hasData };
}

async function accountDataPart(
  req: NonNullable<SyncExtensionsRequest['accountData']>,
  ctx: ExtensionContext,
  afterSeq: number,
): Promise<Part> {
  const scope = roomsInScope(req, ctx.roomsByList, ctx.subscribed);
  // A room entering the window on a continuing connection comes with all its room account data, not
  // only what changed since the last answer: the client has never been told any of it.
  const entering = ctx.streams === null ? [] : [...ctx.newRooms].filter((id) => scope.has(id));
  const [changed, whole] = await Promise.all([
    ctx.reader.accountDataSince(ctx.userId, afterSeq, ctx.toSeq),
    ctx.reader.roomAccountData(ctx.userId, entering, ctx.toSeq),
  ]);
  const fresh = new Set(entering);
  const rows = entering.length === 0 ? changed : [...changed.filter((r) => !fresh.has(r.roomId)), ...whole];
  const global = rows.filter((r) => r.roomId === '').map((r) => ({ type: r.type, content: r.content }));
  const rooms = new Map<string, { type: string; content: Record<string, unknown> }[]>();
  for (const r of rows) {
    if (r.roomId === '' || !scope.has(r.roomId)) continue;
    const list = rooms.get(r.roomId) ?? [];
    list.push({ type: r.type, content: r.content });
    rooms.set(r.roomId, list);
  }
  const out: Record<string, unknown> = {};
  if (global.length > 0) out['global'] = global;
  if (rooms.size > 0) out['rooms'] = Object.fromEntries(rooms);
  return { key: 'account_data', value: out, hasData: global.length > 0 || rooms.size > 0 };
}

async function receiptsPart(
  req: NonNullable<SyncExtensionsRequest['receipts']>,
  ctx: ExtensionContext,
  afterSeq: number,
): Promise<Part> {
  const scope = [...roomsInScope(req, ctx.roomsByList, ctx.subscribed)];
  const initial = ctx.streams === null;
  const rows = await ctx.reader.receipts(scope, afterSeq, ctx.toSeq);
  // On a new connection only receipts for the events it is shown, and the user's own (as Synapse).
  const shown = initial ? await ctx.timelineEvents : undefined;
  const kept =
    shown === undefined
      ? rows
      : rows.filter((r) => r.userId === ctx.userId || (shown.get(r.roomId) ?? []).includes(r.eventId));
  type Receipts = Record<string, Record<string, Record<string, Record<string, unknown>>>>;
  const rooms = new Map<string, Receipts>();
  for (const r of kept) {
    // Private receipts are for their owner only.
    if (r.receiptType === 'm.read.private' && r.userId !== ctx.userId) continue;
    // Keys come from other servers: objects without a prototype, so no key can reach one.
    const content = rooms.get(r.roomId) ?? (Object.create(null) as Receipts);
    const byType = (content[r.eventId] ??= Object.create(null) as Receipts[string]);
    const byUser = (byType[r.receiptType] ??= Object.create(null) as Receipts[string][string]);
    byUser[r.userId] = r.threadId === '' ? { ts: r.ts } : { ts: r.ts, thread_id: r.threadId };
    rooms.set(r.roomId, content);
  }
  return {
    key: 'receipts',
    value: {
      rooms: Object.fromEntries([...rooms].map(([id, content]) => [id, { type: 'm.receipt', content }])),
    },
    hasData: rooms.size > 0,
  };
}

async function typingPart(
  req: NonNullable<SyncExtensionsRequest['typing']>,
  ctx: ExtensionContext,
  afterSeq: number,
): Promise<Part> {
  const scope = [...roomsInScope(req, ctx.roomsByList, ctx.subscribed)];
  const rows = await ctx.reader.typing(scope, afterSeq, ctx.toSeq);
  const rooms = [...rows].filter(([, users]) => ctx.streams !== null || users.length > 0);
  return {
    key: 'typing',
    value: {
      rooms: Object.fromEntries(
        rooms.map(([id, users]) => [id, { type: 'm.typing', content: { user_ids: users } }]),
      ),
    },
    hasData: rooms.length > 0,
  };
}
