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
  /** Rooms whose timelines this answer carries, with their event ids (receipts for those events). */
  timelineEvents: ReadonlyMap<string, readonly string[]>;
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

/**
 * The MSC4186 extensions: to_device, e2ee, account_data, receipts, typing, and MSC4308's thread
 * subscriptions. Unknown ones are ignored.
 */
export async function buildExtensions(
  req: SyncExtensionsRequest,
  ctx: ExtensionContext,
): Promise<BuiltExtensions> {
  const body: Record<string, unknown> = {};
  let hasData = false;
  const after = (pos: number | undefined): number => (ctx.streams === null ? -1 : (pos ?? -1));

  if (isEnabled(req.toDevice)) {
    const since = req.toDevice?.since ?? 0;
    // A since beyond anything handed out means the database was reset: start from the beginning.
    const current = await ctx.toDevice.currentPosition();
    const from = since > current ? 0 : since;
    const limit = Math.min(req.toDevice?.limit ?? TO_DEVICE_MAX, TO_DEVICE_MAX);
    const { events, lastPosition } = await ctx.toDevice.ackAndRead(ctx.userId, ctx.deviceId, from, limit);
    body['to_device'] = { next_batch: String(lastPosition ?? from), events };
    if (events.length > 0) hasData = true;
  }

  if (isEnabled(req.e2ee)) {
    const keys = await ctx.reader.deviceKeys(ctx.userId, ctx.deviceId);
    const e2ee: Record<string, unknown> = {
      device_one_time_keys_count: keys?.otkCounts ?? {},
      device_unused_fallback_key_types: keys?.fallbackTypes ?? [],
    };
    // Device-list changes only on a continuing connection: a new one makes the client re-query keys.
    if (ctx.streams !== null) {
      const lists = await ctx.reader.deviceListChanges(
        ctx.userId,
        ctx.deviceId,
        ctx.streams.deviceLists,
        ctx.toSeq,
      );
      if (lists.changed.length > 0 || lists.left.length > 0) {
        e2ee['device_lists'] = lists;
        hasData = true;
      }
    }
    body['e2ee'] = e2ee;
  }

  if (req.accountData !== undefined && isEnabled(req.accountData)) {
    const scope = roomsInScope(req.accountData, ctx.roomsByList, ctx.subscribed);
    let rows = await ctx.reader.accountDataSince(ctx.userId, after(ctx.streams?.accountData), ctx.toSeq);
    // A room entering the window on a continuing connection comes with all its room account data, not
    // only what changed since the last answer: the client has never been told any of it.
    const entering = ctx.streams === null ? [] : [...ctx.newRooms].filter((id) => scope.has(id));
    if (entering.length > 0) {
      const fresh = new Set(entering);
      rows = [
        ...rows.filter((r) => !fresh.has(r.roomId)),
        ...(await ctx.reader.roomAccountData(ctx.userId, entering, ctx.toSeq)),
      ];
    }
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
    body['account_data'] = out;
    if (global.length > 0 || rooms.size > 0) hasData = true;
  }

  if (req.receipts !== undefined && isEnabled(req.receipts)) {
    const scope = [...roomsInScope(req.receipts, ctx.roomsByList, ctx.subscribed)];
    const initial = ctx.streams === null;
    const rows = await ctx.reader.receipts(scope, after(ctx.streams?.receipts), ctx.toSeq);
    // On a new connection only receipts for the events it is shown, and the user's own (as Synapse).
    const kept = initial
      ? rows.filter(
          (r) => r.userId === ctx.userId || (ctx.timelineEvents.get(r.roomId) ?? []).includes(r.eventId),
        )
      : rows;
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
    body['receipts'] = {
      rooms: Object.fromEntries([...rooms].map(([id, content]) => [id, { type: 'm.receipt', content }])),
    };
    if (rooms.size > 0) hasData = true;
  }

  if (req.typing !== undefined && isEnabled(req.typing)) {
    const scope = [...roomsInScope(req.typing, ctx.roomsByList, ctx.subscribed)];
    const rows = await ctx.reader.typing(scope, after(ctx.streams?.typing), ctx.toSeq);
    const rooms = [...rows].filter(([, users]) => ctx.streams !== null || users.length > 0);
    body['typing'] = {
      rooms: Object.fromEntries(
        rooms.map(([id, users]) => [id, { type: 'm.typing', content: { user_ids: users } }]),
      ),
    };
    if (rooms.length > 0) hasData = true;
  }

  let threadSubscriptions = ctx.streams?.threadSubscriptions;
  const threads = req.threadSubscriptions;
  // Synapse reads no changes for a limit of 0, and leaves the extension out when there are none.
  if (isEnabled(threads) && threads !== undefined && threads.limit > 0 && ctx.threadSubscriptions) {
    const after = threadSubscriptions ?? 0;
    const page = await ctx.threadSubscriptions(after, threads.limit);
    if (page !== undefined && page.changes.length > 0) {
      const end = page.end === undefined ? undefined : gapToken(page.end, after);
      body[THREAD_SUBSCRIPTIONS_EXTENSION] = threadSubscriptionsBody({ ...page, end });
      hasData = true;
      threadSubscriptions = Math.max(threadSubscriptions ?? 0, ...page.changes.map((c) => c.bumpStamp));
    }
  }
  return { body, hasData, threadSubscriptions };
}
