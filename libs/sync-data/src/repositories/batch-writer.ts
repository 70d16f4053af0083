import type { DataSource, EntityManager } from 'typeorm';
import type { Membership } from '../model/events';
import type { RoomDelta, V2Batch } from '../model/v2-batch';
import { num, recordset, rowsOf } from './sql-util';

/** Event types that move a room up the list (Synapse's fixed set for MSC4186). */
const BUMP_TYPES = new Set([
  'm.room.create',
  'm.room.message',
  'm.room.encrypted',
  'm.sticker',
  'm.call.invite',
  'm.poll.start',
  'm.beacon_info',
]);

export interface MembershipOfRoom {
  membership: Membership;
  /** False when someone else changed it (a kick or ban): such rooms stay in the list. */
  bySelf: boolean;
}

export interface ApplyInput {
  userId: string;
  deviceId: string;
  /** This replica's id: the write only lands while it still holds the device's lease. */
  owner: string;
  /** The `since` this response answered; the device row must still hold it (compare-and-set). */
  since: string | null;
  batch: V2Batch;
  memberships: ReadonlyMap<string, MembershipOfRoom>;
  now: number;
}

/** What a committed batch changed, for waking long-polls. */
export interface AppliedBatch {
  seq: number;
  rooms: string[];
  /** Users whose own data changed (to-device, account data, keys, memberships, counts). */
  users: string[];
}

export class LeaseLostError extends Error {
  constructor() {
    super('the device lease was lost or its since moved on; the batch was not stored');
    this.name = 'LeaseLostError';
  }
}

/**
 * Stores one upstream /sync response in one transaction, ending with a compare-and-set of the device's
 * `since`: either everything lands and the next poll starts after it, or nothing does and the same
 * `since` is polled again (the homeserver then resends the same to-device batch). That is what makes
 * to-device delivery exactly-once without ordering tricks.
 */
export class BatchWriter {
  constructor(private readonly dataSource: DataSource) {}

  async apply(input: ApplyInput): Promise<AppliedBatch> {
    return this.dataSource.transaction((em) => this.applyIn(em, input));
  }

  private async applyIn(em: EntityManager, input: ApplyInput): Promise<AppliedBatch> {
    const { batch, userId, deviceId } = input;
    const eventCount = batch.rooms.reduce((n, r) => n + r.timeline.events.length, 0);
    // Allocates this batch's seqs and holds the stream row until commit: writers are serialised.
    const [stream] = await rowsOf(
      em.query('UPDATE sync_stream SET max_seq = max_seq + $1 WHERE id = 1 RETURNING max_seq', [
        eventCount + 1,
      ]),
    );
    const top = num(stream?.['max_seq']);
    const batchSeq = top;
    let nextSeq = top - eventCount;
    const touchedRooms = new Set<string>();
    let userChanged = false;

    for (const room of batch.rooms) {
      const changed = await this.applyRoom(em, input, room, () => nextSeq++, batchSeq);
      if (changed.room) touchedRooms.add(room.roomId);
      if (changed.user) userChanged = true;
    }

    if (batch.accountData.length > 0) {
      userChanged =
        (await this.upsertAccountData(em, userId, '', batch.accountData, batchSeq)) || userChanged;
    }
    if (batch.toDevice.length > 0) {
      await em.query(
        `INSERT INTO sync_to_device (user_id, device_id, event)
         SELECT $1, $2, e FROM jsonb_array_elements($3::jsonb) WITH ORDINALITY AS t(e, i) ORDER BY i`,
        [userId, deviceId, JSON.stringify(batch.toDevice)],
      );
      userChanged = true;
    }
    if (batch.otkCounts !== undefined || batch.fallbackKeyTypes !== undefined) {
      const rows = await rowsOf(
        em.query(
          `INSERT INTO sync_device_keys (user_id, device_id, otk_counts, fallback_types, seq)
           VALUES ($1, $2, $3::jsonb, $4::jsonb, $5)
           ON CONFLICT (user_id, device_id) DO UPDATE SET
             otk_counts = coalesce(excluded.otk_counts, sync_device_keys.otk_counts),
             fallback_types = coalesce(excluded.fallback_types, sync_device_keys.fallback_types),
             seq = excluded.seq
           WHERE (coalesce(excluded.otk_counts, sync_device_keys.otk_counts),
                  coalesce(excluded.fallback_types, sync_device_keys.fallback_types))
             IS DISTINCT FROM (sync_device_keys.otk_counts, sync_device_keys.fallback_types)
           RETURNING 1`,
          [
            userId,
            deviceId,
            batch.otkCounts === undefined ? null : JSON.stringify(batch.otkCounts),
            batch.fallbackKeyTypes === undefined ? null : JSON.stringify(batch.fallbackKeyTypes),
            batchSeq,
          ],
        ),
      );
      userChanged = rows.length > 0 || userChanged;
    }
    const listChanges = [
      ...batch.deviceLists.changed.map((target) => ({ target, change: 'changed' })),
      ...batch.deviceLists.left.map((target) => ({ target, change: 'left' })),
    ];
    if (listChanges.length > 0) {
      await em.query(
        `INSERT INTO sync_device_list_changes (user_id, device_id, target_user_id, change, seq)
         SELECT $1, $2, r.target, r.change, $3 FROM jsonb_to_recordset($4::jsonb) AS r(target text, change text)
         ON CONFLICT (user_id, device_id, target_user_id)
         DO UPDATE SET change = excluded.change, seq = excluded.seq, created_at = now()`,
        [userId, deviceId, batchSeq, recordset(listChanges)],
      );
      userChanged = true;
    }

    const cas = await rowsOf(
      em.query(
        `UPDATE sync_devices SET since = $3
         WHERE user_id = $1 AND device_id = $2 AND owner = $4 AND since IS NOT DISTINCT FROM $5
         RETURNING 1`,
        [userId, deviceId, batch.nextBatch, input.owner, input.since],
      ),
    );
    if (cas.length === 0) throw new LeaseLostError();
    return { seq: batchSeq, rooms: [...touchedRooms], users: userChanged ? [userId] : [] };
  }

  private async applyRoom(
    em: EntityManager,
    input: ApplyInput,
    room: RoomDelta,
    allocate: () => number,
    batchSeq: number,
  ): Promise<{ room: boolean; user: boolean }> {
    const { roomId } = room;
    let roomChanged = false;
    const isMember = room.section === 'join' || room.section === 'leave';

    if (isMember && room.state.length > 0) {
      // The state block is the state at the start of the timeline: authoritative for a first sync
      // (full state) and after a gap; otherwise it only fills keys we have not seen.
      const authoritative = input.since === null || room.timeline.limited;
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
            roomId,
            batchSeq,
            recordset(
              room.state.map((e) => ({
                type: e.type,
                state_key: e.state_key,
                event_id: e.event_id,
                event: e,
              })),
            ),
            authoritative,
          ],
        ),
      );
      roomChanged = rows.length > 0;
    }

    const events = isMember ? room.timeline.events : [];
    let firstSeq: number | null = null;
    let lastSeq: number | null = null;
    if (events.length > 0) {
      const seqs = events.map(() => allocate());
      const rows = events.map((e, i) => ({
        seq: seqs[i],
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
      if (insertedIds.size > 0) roomChanged = true;
      // Timeline state events newly seen change current state, in timeline order.
      const newState = events.filter((e) => e.state_key !== undefined && insertedIds.has(e.event_id));
      for (const e of newState) {
        const seq = rows.find((r) => r.event_id === e.event_id)?.seq ?? batchSeq;
        await em.query(
          `INSERT INTO sync_room_state (room_id, type, state_key, event_id, seq, event)
           VALUES ($1, $2, $3, $4, $5, $6::jsonb)
           ON CONFLICT (room_id, type, state_key) DO UPDATE
             SET event_id = excluded.event_id, seq = excluded.seq, event = excluded.event`,
          [roomId, e.type, e.state_key, e.event_id, seq, JSON.stringify(e)],
        );
      }
      const bump = [...events].reverse().find((e) => insertedIds.has(e.event_id) && BUMP_TYPES.has(e.type));
      if (bump !== undefined) {
        const bumpSeq = rows.find((r) => r.event_id === bump.event_id)?.seq ?? batchSeq;
        // Clamped to receive time so a remote server's clock cannot pin a room on top, and to a whole
        // non-negative number: bump_ts is a bigint, and a timestamp it cannot hold (1.5, -1e20) would fail
        // this batch on every retry of the same since.
        const bumpTs = Math.max(0, Math.min(Math.trunc(bump.origin_server_ts), input.now));
        await this.ensureRoom(em, roomId);
        await em.query(
          `UPDATE sync_rooms SET bump_ts = $2, bump_seq = $3 WHERE room_id = $1 AND bump_seq < $3`,
          [roomId, bumpTs, bumpSeq],
        );
      }
      // Where this user's view of the room starts and ends: the stored seqs of the chunk's ends
      // (they may be older rows another device's poller stored first).
      const ends = await rowsOf(
        em.query(`SELECT event_id, seq FROM sync_timeline WHERE room_id = $1 AND event_id = ANY($2)`, [
          roomId,
          [events[0]?.event_id, events[events.length - 1]?.event_id],
        ]),
      );
      const seqOf = (id: string | undefined): number | null => {
        const row = ends.find((r) => r['event_id'] === id);
        return row === undefined ? null : num(row['seq']);
      };
      firstSeq = seqOf(events[0]?.event_id);
      lastSeq = seqOf(events[events.length - 1]?.event_id);
    }

    if (roomChanged) {
      await this.refreshRoomMetadata(em, roomId, batchSeq);
    }

    let userChanged = await this.upsertUserRoom(em, input, room, batchSeq, firstSeq, lastSeq);
    // Room account data (m.tag among it) is the user's own: list filters and caches depend on it.
    if (room.accountData.length > 0) {
      userChanged =
        (await this.upsertAccountData(em, input.userId, roomId, room.accountData, batchSeq)) || userChanged;
    }
    if (room.typing !== undefined) {
      const rows = await rowsOf(
        em.query(
          `INSERT INTO sync_typing (room_id, user_ids, seq) VALUES ($1, $2, $3)
           ON CONFLICT (room_id) DO UPDATE SET user_ids = excluded.user_ids, seq = excluded.seq
           WHERE sync_typing.user_ids IS DISTINCT FROM excluded.user_ids
           RETURNING 1`,
          [roomId, [...room.typing].sort(), batchSeq],
        ),
      );
      if (rows.length > 0) roomChanged = true;
    }
    if (room.receipts.length > 0) {
      await em.query(
        `INSERT INTO sync_receipts (room_id, user_id, receipt_type, thread_id, event_id, ts, seq)
         SELECT $1, r.user_id, r.receipt_type, r.thread_id, r.event_id, r.ts, $2
         FROM jsonb_to_recordset($3::jsonb) AS r(user_id text, receipt_type text, thread_id text, event_id text, ts bigint)
         ON CONFLICT (room_id, user_id, receipt_type, thread_id) DO UPDATE
           SET event_id = excluded.event_id, ts = excluded.ts, seq = excluded.seq
           WHERE sync_receipts.event_id <> excluded.event_id`,
        [
          roomId,
          batchSeq,
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
      roomChanged = true;
    }
    if (room.txnIds.length > 0) {
      await em.query(
        `INSERT INTO sync_txn_ids (event_id, device_key, txn_id)
         SELECT r.event_id, $1, r.txn_id FROM jsonb_to_recordset($2::jsonb) AS r(event_id text, txn_id text)
         ON CONFLICT DO NOTHING`,
        [
          deviceKey(input.userId, input.deviceId),
          recordset(room.txnIds.map((t) => ({ event_id: t.eventId, txn_id: t.txnId }))),
        ],
      );
    }
    return { room: roomChanged, user: userChanged };
  }

  private async ensureRoom(em: EntityManager, roomId: string): Promise<void> {
    await em.query(`INSERT INTO sync_rooms (room_id) VALUES ($1) ON CONFLICT DO NOTHING`, [roomId]);
  }

  /** Recomputes the columns filters and names use from current state, and marks the room changed. */
  private async refreshRoomMetadata(em: EntityManager, roomId: string, seq: number): Promise<void> {
    await em.query(
      `INSERT INTO sync_rooms (room_id, room_type, is_encrypted, name, canonical_alias, avatar_url, tombstone_successor, changed_seq)
       SELECT $1,
         max(event->'content'->>'type') FILTER (WHERE type = 'm.room.create'),
         coalesce(bool_or(type = 'm.room.encryption'), false),
         nullif(max(event->'content'->>'name') FILTER (WHERE type = 'm.room.name'), ''),
         nullif(max(event->'content'->>'alias') FILTER (WHERE type = 'm.room.canonical_alias'), ''),
         nullif(max(event->'content'->>'url') FILTER (WHERE type = 'm.room.avatar'), ''),
         nullif(max(event->'content'->>'replacement_room') FILTER (WHERE type = 'm.room.tombstone'), ''),
         $2
       FROM sync_room_state
       WHERE room_id = $1 AND state_key = '' AND type IN
         ('m.room.create', 'm.room.encryption', 'm.room.name', 'm.room.canonical_alias', 'm.room.avatar', 'm.room.tombstone')
       ON CONFLICT (room_id) DO UPDATE SET
         room_type = excluded.room_type, is_encrypted = coalesce(excluded.is_encrypted, false), name = excluded.name,
         canonical_alias = excluded.canonical_alias, avatar_url = excluded.avatar_url,
         tombstone_successor = excluded.tombstone_successor, changed_seq = excluded.changed_seq`,
      [roomId, seq],
    );
  }

  private async upsertUserRoom(
    em: EntityManager,
    input: ApplyInput,
    room: RoomDelta,
    seq: number,
    firstSeq: number | null,
    lastSeq: number | null,
  ): Promise<boolean> {
    const m = input.memberships.get(room.roomId) ?? { membership: 'join' as const, bySelf: true };
    const left = m.membership === 'leave' || m.membership === 'ban';
    const rows = await rowsOf(
      em.query(
        `INSERT INTO sync_user_rooms AS u (user_id, room_id, membership, membership_by_self, membership_ts, changed_seq,
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
          input.userId,
          room.roomId,
          m.membership,
          m.bySelf,
          input.now,
          seq,
          firstSeq ?? seq,
          left ? (lastSeq ?? seq) : null,
          room.summary.heroes === undefined ? null : JSON.stringify(room.summary.heroes),
          room.summary.joinedCount ?? null,
          room.summary.invitedCount ?? null,
          room.strippedState === undefined ? null : JSON.stringify(room.strippedState),
          room.unread.notificationCount ?? null,
          room.unread.highlightCount ?? null,
        ],
      ),
    );
    const row = rows[0];
    return row !== undefined && (row['inserted'] === true || num(row['changed_seq']) === seq);
  }

  private async upsertAccountData(
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
}

/** The last event of each type wins, as the homeserver means it (one upsert row per key). */
function dedupeByType<T extends { type: string }>(events: readonly T[]): T[] {
  return [...new Map(events.map((e) => [e.type, e])).values()];
}

/** Transaction ids belong to one device of one user. */
export function deviceKey(userId: string, deviceId: string): string {
  return `${userId}|${deviceId}`;
}
