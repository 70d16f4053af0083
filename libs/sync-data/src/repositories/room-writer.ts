// Over 300 lines: one room's writes, in the order they must happen; the SQL statements are most of it.
import type { EntityManager } from 'typeorm';
import type { Membership } from '../model/events';
import type { RoomDelta } from '../model/v2-batch';
import { num, recordset, rowsOf } from './sql-util';

export interface MembershipOfRoom {
  membership: Membership;
  /** False when someone else changed it (a kick or ban): such rooms stay in the list. */
  bySelf: boolean;
}

/** What storing one room of a batch needs to know about the batch around it. */
export interface RoomWriteContext {
  userId: string;
  deviceId: string;
  /** The batch answers a first sync: its state blocks are full state. */
  firstSync: boolean;
  memberships: ReadonlyMap<string, MembershipOfRoom>;
  /** Which event types move a room up the list: the app's policy, not storage's. */
  bumps: (eventType: string) => boolean;
  now: number;
  /** The batch's own position (state, receipts, typing, the user's row). */
  batchSeq: number;
  /** Hands out the timeline events' positions, in order. */
  allocate: () => number;
  /** The position `allocate` hands out next (not taken). */
  next: () => number;
}

/** What a room's rows changed: the room (anyone in it may care) and/or the polled user's own view. */
export interface RoomChanges {
  room: boolean;
  user: boolean;
  /** Of `user`: the user's row of the room (membership, heroes, counts) changed. */
  userRow: boolean;
  /** Of `user`: the user's account data for the room changed. */
  accountData: boolean;
}

/** Stores one room of an upstream /sync response; the steps run in this order inside the batch's transaction. */
export async function writeRoom(
  em: EntityManager,
  ctx: RoomWriteContext,
  room: RoomDelta,
): Promise<RoomChanges> {
  const isMember = room.section === 'join' || room.section === 'leave';
  // The state block is the state before the chunk's first event, so it takes that event's position,
  // not the batch's (which is after all of it): read as of a leave in this chunk, it is included.
  let roomChanged =
    isMember && room.state.length > 0 ? await writeStateBlock(em, ctx, room, ctx.next()) : false;
  const timeline = await writeTimeline(em, ctx, room, isMember ? room.timeline.events : []);
  roomChanged = timeline.changed || roomChanged;

  // The room's row (metadata, bump) rides on the user's row's statement: a round trip less per message.
  const userRow = await upsertUserRoom(em, ctx, room, timeline, roomChanged);
  // Room account data (m.tag among it) is the user's own: list filters and caches depend on it.
  const accountData =
    room.accountData.length > 0 &&
    (await upsertAccountData(em, ctx.userId, room.roomId, room.accountData, ctx.batchSeq));
  if (room.typing !== undefined && (await writeTyping(em, room.roomId, room.typing, ctx.batchSeq))) {
    roomChanged = true;
  }
  if (room.receipts.length > 0) {
    await writeReceipts(em, room, ctx.batchSeq);
    roomChanged = true;
  }
  if (room.txnIds.length > 0) await writeTxnIds(em, ctx, room);
  return { room: roomChanged, user: userRow || accountData, userRow, accountData };
}

/**
 * The state block is the state at the start of the timeline: authoritative for a first sync (full state)
 * and after a gap; otherwise it only fills keys we have not seen.
 */
async function writeStateBlock(
  em: EntityManager,
  ctx: RoomWriteContext,
  room: RoomDelta,
  seq: number,
): Promise<boolean> {
  const authoritative = ctx.firstSync || room.timeline.limited;
  const rows = await rowsOf(
    em.query(
      `INSERT INTO sync_room_state (room_id, type, state_key, event_id, seq, event)
       SELECT $1, r.type, r.state_key, r.event_id, $2, r.event
       FROM jsonb_to_recordset($3::jsonb) AS r(type text, state_key text, event_id text, event jsonb)
       ON CONFLICT (room_id, type, state_key) DO UPDATE
         SET event_id = excluded.event_id, seq = excluded.seq, event = excluded.event
         WHERE $4 AND sync_room_state.event_id <> excluded.event_id
       RETURNING 1`,
      [
        room.roomId,
        seq,
        recordset(
          room.state.map((e) => ({ type: e.type, state_key: e.state_key, event_id: e.event_id, event: e })),
        ),
        authoritative,
      ],
    ),
  );
  return rows.length > 0;
}

type TimelineEvent = RoomDelta['timeline']['events'][number];

interface TimelineWritten {
  changed: boolean;
  /** The stored positions of the chunk's first and last events (null: no events). */
  firstSeq: number | null;
  lastSeq: number | null;
  /** The newest event this chunk stored that moves the room up the list. */
  bump?: { ts: number; seq: number };
}

/** The timeline chunk, the state events in it, the room's bump, and where the chunk sits in the stream. */
async function writeTimeline(
  em: EntityManager,
  ctx: RoomWriteContext,
  room: RoomDelta,
  events: readonly TimelineEvent[],
): Promise<TimelineWritten> {
  if (events.length === 0) return { changed: false, firstSeq: null, lastSeq: null };
  const { roomId } = room;
  const rows = events.map((e, i) => ({
    seq: ctx.allocate(),
    event_id: e.event_id,
    prev_batch: i === 0 ? (room.timeline.prevBatch ?? null) : null,
    gap_before: i === 0 && room.timeline.limited,
    event: e,
  }));
  const inserted = await rowsOf(
    em.query(
      `INSERT INTO sync_timeline (room_id, seq, event_id, prev_batch, gap_before, event)
       SELECT $1, r.seq, r.event_id, r.prev_batch, r.gap_before, r.event
       FROM jsonb_to_recordset($2::jsonb) AS r(seq bigint, event_id text, prev_batch text, gap_before boolean, event jsonb)
       ON CONFLICT (room_id, event_id) DO NOTHING
       RETURNING event_id, seq`,
      [roomId, recordset(rows)],
    ),
  );
  const insertedIds = new Set(inserted.map((r) => String(r['event_id'])));
  const seqOfRow = (eventId: string): number => rows.find((r) => r.event_id === eventId)?.seq ?? ctx.batchSeq;

  // Timeline state events newly seen change current state, in timeline order.
  for (const e of events) {
    if (e.state_key === undefined || !insertedIds.has(e.event_id)) continue;
    await em.query(
      `INSERT INTO sync_room_state (room_id, type, state_key, event_id, seq, event)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb)
       ON CONFLICT (room_id, type, state_key) DO UPDATE
         SET event_id = excluded.event_id, seq = excluded.seq, event = excluded.event`,
      [roomId, e.type, e.state_key, e.event_id, seqOfRow(e.event_id), JSON.stringify(e)],
    );
  }
  const bump = [...events].reverse().find((e) => insertedIds.has(e.event_id) && ctx.bumps(e.type));

  const ends = await chunkEnds(em, roomId, events, inserted);
  return {
    changed: insertedIds.size > 0,
    ...ends,
    ...(bump === undefined
      ? {}
      : {
          // Clamped to receive time so a remote server's clock cannot pin a room on top, and to a whole
          // non-negative number: bump_ts is a bigint, and a timestamp it cannot hold (1.5, -1e20) would
          // fail this batch on every retry of the same since.
          bump: {
            ts: Math.max(0, Math.min(Math.trunc(bump.origin_server_ts), ctx.now)),
            seq: seqOfRow(bump.event_id),
          },
        }),
  };
}

/**
 * Where this user's view of the room starts and ends: the stored seqs of the chunk's ends (they may be
 * older rows another device's poller stored first). `inserted`: the rows this batch stored; when both
 * ends are among them (the usual live message), no read is needed.
 */
async function chunkEnds(
  em: EntityManager,
  roomId: string,
  events: readonly TimelineEvent[],
  inserted: readonly Record<string, unknown>[],
): Promise<{ firstSeq: number | null; lastSeq: number | null }> {
  const first = events[0]?.event_id;
  const last = events[events.length - 1]?.event_id;
  const insertedFirst = inserted.find((r) => r['event_id'] === first);
  const insertedLast = inserted.find((r) => r['event_id'] === last);
  if (insertedFirst !== undefined && insertedLast !== undefined)
    return { firstSeq: num(insertedFirst['seq']), lastSeq: num(insertedLast['seq']) };
  const ends = await rowsOf(
    em.query(`SELECT event_id, seq FROM sync_timeline WHERE room_id = $1 AND event_id = ANY($2)`, [
      roomId,
      [first, last],
    ]),
  );
  const seqOf = (id: string | undefined): number | null => {
    const row = ends.find((r) => r['event_id'] === id);
    return row === undefined ? null : num(row['seq']);
  };
  return { firstSeq: seqOf(first), lastSeq: seqOf(last) };
}

/**
 * Recomputes the columns filters and names use from current state, marks the room changed at `$6` and
 * takes a bump (`$15`, `$16`; null: none) when it is newer than the stored one. Parameters are the
 * user's row's (`$2` the room id, `$6` the batch's seq) plus the bump's: it runs as a CTE of that statement.
 */
const REFRESH_ROOM = `
  INSERT INTO sync_rooms (room_id, room_type, is_encrypted, name, canonical_alias, avatar_url, tombstone_successor,
    changed_seq, bump_ts, bump_seq)
  SELECT $2,
    max(event->'content'->>'type') FILTER (WHERE type = 'm.room.create'),
    coalesce(bool_or(type = 'm.room.encryption'), false),
    nullif(max(event->'content'->>'name') FILTER (WHERE type = 'm.room.name'), ''),
    nullif(max(event->'content'->>'alias') FILTER (WHERE type = 'm.room.canonical_alias'), ''),
    nullif(max(event->'content'->>'url') FILTER (WHERE type = 'm.room.avatar'), ''),
    nullif(max(event->'content'->>'replacement_room') FILTER (WHERE type = 'm.room.tombstone'), ''),
    $6, coalesce($15::bigint, 0), coalesce($16::bigint, 0)
  FROM sync_room_state
  WHERE room_id = $2 AND state_key = '' AND type IN
    ('m.room.create', 'm.room.encryption', 'm.room.name', 'm.room.canonical_alias', 'm.room.avatar', 'm.room.tombstone')
  ON CONFLICT (room_id) DO UPDATE SET
    room_type = excluded.room_type, is_encrypted = coalesce(excluded.is_encrypted, false), name = excluded.name,
    canonical_alias = excluded.canonical_alias, avatar_url = excluded.avatar_url,
    tombstone_successor = excluded.tombstone_successor, changed_seq = excluded.changed_seq,
    bump_ts = CASE WHEN sync_rooms.bump_seq < excluded.bump_seq THEN excluded.bump_ts ELSE sync_rooms.bump_ts END,
    bump_seq = greatest(sync_rooms.bump_seq, excluded.bump_seq)`;

/** The polled user's row for the room; true when it is new or something the list shows changed. */
async function upsertUserRoom(
  em: EntityManager,
  ctx: RoomWriteContext,
  room: RoomDelta,
  { firstSeq, lastSeq, bump }: TimelineWritten,
  roomChanged: boolean,
): Promise<boolean> {
  const seq = ctx.batchSeq;
  const m = ctx.memberships.get(room.roomId) ?? { membership: 'join' as const, bySelf: true };
  const left = m.membership === 'leave' || m.membership === 'ban';
  const rows = await rowsOf(
    em.query(
      `${roomChanged ? `WITH room AS (${REFRESH_ROOM}) ` : ''}INSERT INTO sync_user_rooms AS u (user_id, room_id, membership, membership_by_self, membership_ts, changed_seq,
         visible_from_seq, visible_to_seq, heroes, joined_count, invited_count, invite_state,
         notification_count, highlight_count)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11, $12::jsonb, coalesce($13, 0), coalesce($14, 0))
       ON CONFLICT (user_id, room_id) DO UPDATE SET
         membership = excluded.membership,
         membership_by_self = excluded.membership_by_self,
         membership_ts = CASE WHEN u.membership = excluded.membership THEN u.membership_ts ELSE excluded.membership_ts END,
         visible_from_seq = CASE WHEN u.membership <> 'join' AND excluded.membership = 'join'
           THEN excluded.visible_from_seq ELSE u.visible_from_seq END,
         visible_to_seq = CASE WHEN excluded.membership IN ('leave', 'ban') THEN coalesce(u.visible_to_seq, excluded.visible_to_seq)
           WHEN excluded.membership = 'join' THEN NULL ELSE u.visible_to_seq END,
         heroes = coalesce(excluded.heroes, u.heroes),
         joined_count = coalesce(excluded.joined_count, u.joined_count),
         invited_count = coalesce(excluded.invited_count, u.invited_count),
         invite_state = CASE WHEN excluded.membership IN ('invite', 'knock') THEN coalesce(excluded.invite_state, u.invite_state) ELSE NULL END,
         notification_count = coalesce($13, u.notification_count),
         highlight_count = coalesce($14, u.highlight_count),
         changed_seq = CASE WHEN (u.membership, u.heroes, u.joined_count, u.invited_count, u.notification_count, u.highlight_count)
             IS DISTINCT FROM (excluded.membership, coalesce(excluded.heroes, u.heroes), coalesce(excluded.joined_count, u.joined_count),
               coalesce(excluded.invited_count, u.invited_count), coalesce($13, u.notification_count), coalesce($14, u.highlight_count))
           THEN excluded.changed_seq ELSE u.changed_seq END
       RETURNING (xmax = 0) AS inserted, changed_seq`,
      [
        ctx.userId,
        room.roomId,
        m.membership,
        m.bySelf,
        ctx.now,
        seq,
        firstSeq ?? seq,
        left ? (lastSeq ?? seq) : null,
        room.summary.heroes === undefined ? null : JSON.stringify(room.summary.heroes),
        room.summary.joinedCount ?? null,
        room.summary.invitedCount ?? null,
        room.strippedState === undefined ? null : JSON.stringify(room.strippedState),
        room.unread.notificationCount ?? null,
        room.unread.highlightCount ?? null,
        ...(roomChanged ? [bump?.ts ?? null, bump?.seq ?? null] : []),
      ],
    ),
  );
  const row = rows[0];
  return row !== undefined && (row['inserted'] === true || num(row['changed_seq']) === seq);
}

async function writeTyping(
  em: EntityManager,
  roomId: string,
  typing: readonly string[],
  seq: number,
): Promise<boolean> {
  const rows = await rowsOf(
    em.query(
      `INSERT INTO sync_typing (room_id, user_ids, seq) VALUES ($1, $2, $3)
       ON CONFLICT (room_id) DO UPDATE SET user_ids = excluded.user_ids, seq = excluded.seq
       WHERE sync_typing.user_ids IS DISTINCT FROM excluded.user_ids
       RETURNING 1`,
      [roomId, [...typing].sort(), seq],
    ),
  );
  return rows.length > 0;
}

async function writeReceipts(em: EntityManager, room: RoomDelta, seq: number): Promise<void> {
  await em.query(
    `INSERT INTO sync_receipts (room_id, user_id, receipt_type, thread_id, event_id, ts, seq)
     SELECT $1, r.user_id, r.receipt_type, r.thread_id, r.event_id, r.ts, $2
     FROM jsonb_to_recordset($3::jsonb) AS r(user_id text, receipt_type text, thread_id text, event_id text, ts bigint)
     ON CONFLICT (room_id, user_id, receipt_type, thread_id) DO UPDATE
       SET event_id = excluded.event_id, ts = excluded.ts, seq = excluded.seq
       WHERE sync_receipts.event_id <> excluded.event_id`,
    [
      room.roomId,
      seq,
      recordset(
        room.receipts.map((r) => ({
          user_id: r.userId,
          receipt_type: r.receiptType,
          thread_id: r.threadId ?? '',
          event_id: r.eventId,
          ts: r.ts,
        })),
      ),
    ],
  );
}

async function writeTxnIds(em: EntityManager, ctx: RoomWriteContext, room: RoomDelta): Promise<void> {
  await em.query(
    `INSERT INTO sync_txn_ids (event_id, device_key, txn_id)
     SELECT r.event_id, $1, r.txn_id FROM jsonb_to_recordset($2::jsonb) AS r(event_id text, txn_id text)
     ON CONFLICT DO NOTHING`,
    [
      deviceKey(ctx.userId, ctx.deviceId),
      recordset(room.txnIds.map((t) => ({ event_id: t.eventId, txn_id: t.txnId }))),
    ],
  );
}

/** Account data of the user (`roomId` ''), or of one of their rooms; true when any content changed. */
export async function upsertAccountData(
  em: EntityManager,
  userId: string,
  roomId: string,
  events: readonly { type: string; content: Record<string, unknown> }[],
  seq: number,
): Promise<boolean> {
  const rows = await rowsOf(
    em.query(
      `INSERT INTO sync_account_data (user_id, room_id, type, content, seq)
       SELECT $1, $2, r.type, r.content, $3 FROM jsonb_to_recordset($4::jsonb) AS r(type text, content jsonb)
       ON CONFLICT (user_id, room_id, type) DO UPDATE SET content = excluded.content, seq = excluded.seq
       WHERE sync_account_data.content IS DISTINCT FROM excluded.content
       RETURNING 1`,
      [userId, roomId, seq, recordset(dedupeByType(events))],
    ),
  );
  return rows.length > 0;
}

/** The last event of each type wins, as the homeserver means it (one upsert row per key). */
function dedupeByType<T extends { type: string }>(events: readonly T[]): T[] {
  return [...new Map(events.map((e) => [e.type, e])).values()];
}

/** Transaction ids belong to one device of one user. */
export function deviceKey(userId: string, deviceId: string): string {
  return `${userId}|${deviceId}`;
}
