// Over 300 lines: every read one sliding-sync answer makes, side by side so each query's indexes are seen together.
import type {
  AccountDataEvent,
  ClientEvent,
  Membership,
  StateEvent,
  StrippedStateEvent,
} from '../model/events';
import type { BatchedQuery } from './batched-query';
import { deviceKey } from './room-writer';
import { num, numOrNull, recordset, rowsOf } from './sql-util';

/** One of the user's rooms with the metadata lists need (one row per room, no state). */
export interface UserRoomRow {
  roomId: string;
  membership: Membership;
  membershipBySelf: boolean;
  membershipTs: number;
  /** The user's own row changed at this seq (membership, counts, heroes). */
  userChangedSeq: number;
  visibleFromSeq: number;
  visibleToSeq: number | null;
  heroes: string[] | null;
  joinedCount: number | null;
  invitedCount: number | null;
  inviteState: StrippedStateEvent[] | null;
  notificationCount: number;
  highlightCount: number;
  /** null when the proxy holds no room data (an invite). */
  room: {
    roomType: string | null;
    isEncrypted: boolean;
    name: string | null;
    canonicalAlias: string | null;
    avatarUrl: string | null;
    tombstoneSuccessor: string | null;
    changedSeq: number;
    bumpTs: number;
    bumpSeq: number;
  } | null;
}

export interface StateRow {
  roomId: string;
  seq: number;
  event: StateEvent;
}

export interface TimelineRow {
  roomId: string;
  seq: number;
  prevBatch: string | null;
  gapBefore: boolean;
  event: ClientEvent;
}

export interface TimelineWindow {
  roomId: string;
  /** Rows with fromSeq < seq ≤ toSeq, newest `limit` of them. */
  fromSeq: number;
  toSeq: number;
  limit: number;
}

export interface ReceiptOut {
  roomId: string;
  userId: string;
  receiptType: string;
  threadId: string;
  eventId: string;
  ts: number;
}

/**
 * The state of each room of the recordset $1 `(room_id, to_seq)` as it was at `to_seq`: for each key, the
 * newest of the current row (if it is not newer) and the history rows that were current then.
 */
const STATE_AS_OF = `
  SELECT DISTINCT ON (room_id, type, state_key) room_id, type, state_key, seq, event FROM (
    SELECT s.room_id, s.type, s.state_key, s.seq, s.event
    FROM jsonb_to_recordset($1::jsonb) AS b(room_id text, to_seq bigint)
    JOIN sync_room_state s ON s.room_id = b.room_id AND s.seq <= b.to_seq
    UNION ALL
    SELECT h.room_id, h.type, h.state_key, h.seq, h.event
    FROM jsonb_to_recordset($1::jsonb) AS b(room_id text, to_seq bigint)
    JOIN sync_room_state_history h ON h.room_id = b.room_id AND h.replaced_seq > b.to_seq AND h.seq <= b.to_seq
  ) v ORDER BY room_id, type, state_key, seq DESC`;

/**
 * Reads for one sliding-sync answer. Every method runs in the caller's REPEATABLE READ transaction, so
 * one answer sees one snapshot: rows up to `maxSeq()` and nothing half-written.
 */
export class SyncReader {
  constructor(private readonly reads: BatchedQuery) {}

  /** The rows of one SELECT; reads started together share a round trip (see BatchedQuery). */
  private query(sql: string, values: readonly unknown[] = []): Promise<Record<string, unknown>[]> {
    return this.reads.rows(sql, values);
  }

  async maxSeq(): Promise<number> {
    const [row] = await rowsOf(this.query('SELECT max_seq FROM sync_stream WHERE id = 1'));
    return num(row?.['max_seq']);
  }

  /** The user's rooms (`roomIds`: only those of them, for refreshing a cached list). */
  async userRooms(userId: string, roomIds?: readonly string[]): Promise<UserRoomRow[]> {
    const rows = await rowsOf(
      this.query(
        `SELECT u.*, r.room_id AS r_room_id, r.room_type, r.is_encrypted, r.name, r.canonical_alias, r.avatar_url,
                r.tombstone_successor, r.changed_seq AS room_changed_seq, r.bump_ts, r.bump_seq
         FROM sync_user_rooms u LEFT JOIN sync_rooms r ON r.room_id = u.room_id
         WHERE u.user_id = $1${roomIds === undefined ? '' : ' AND u.room_id = ANY($2)'}`,
        roomIds === undefined ? [userId] : [userId, roomIds],
      ),
    );
    return rows.map((r) => ({
      roomId: String(r['room_id']),
      membership: String(r['membership']) as Membership,
      membershipBySelf: r['membership_by_self'] === true,
      membershipTs: num(r['membership_ts']),
      userChangedSeq: num(r['changed_seq']),
      visibleFromSeq: num(r['visible_from_seq']),
      visibleToSeq: numOrNull(r['visible_to_seq']),
      heroes: (r['heroes'] as string[] | null) ?? null,
      joinedCount: numOrNull(r['joined_count']),
      invitedCount: numOrNull(r['invited_count']),
      inviteState: (r['invite_state'] as StrippedStateEvent[] | null) ?? null,
      notificationCount: num(r['notification_count']),
      highlightCount: num(r['highlight_count']),
      room:
        r['r_room_id'] === null
          ? null
          : {
              roomType: (r['room_type'] as string | null) ?? null,
              isEncrypted: r['is_encrypted'] === true,
              name: (r['name'] as string | null) ?? null,
              canonicalAlias: (r['canonical_alias'] as string | null) ?? null,
              avatarUrl: (r['avatar_url'] as string | null) ?? null,
              tombstoneSuccessor: (r['tombstone_successor'] as string | null) ?? null,
              changedSeq: num(r['room_changed_seq']),
              bumpTs: num(r['bump_ts']),
              bumpSeq: num(r['bump_seq']),
            },
    }));
  }

  /** Account data of the given types, global (`roomId` '') and per room. */
  async accountDataOfTypes(
    userId: string,
    types: readonly string[],
  ): Promise<(AccountDataEvent & { roomId: string })[]> {
    const rows = await rowsOf(
      this.query(
        'SELECT room_id, type, content FROM sync_account_data WHERE user_id = $1 AND type = ANY($2)',
        [userId, types],
      ),
    );
    return rows.map((r) => ({
      roomId: String(r['room_id']),
      type: String(r['type']),
      content: r['content'] as Record<string, unknown>,
    }));
  }

  /** All current room account data of these rooms, up to `toSeq`. */
  async roomAccountData(
    userId: string,
    roomIds: readonly string[],
    toSeq: number,
  ): Promise<(AccountDataEvent & { roomId: string })[]> {
    if (roomIds.length === 0) return [];
    const rows = await rowsOf(
      this.query(
        `SELECT room_id, type, content FROM sync_account_data
         WHERE user_id = $1 AND room_id = ANY($2) AND seq <= $3 ORDER BY seq, type`,
        [userId, roomIds, toSeq],
      ),
    );
    return rows.map((r) => ({
      roomId: String(r['room_id']),
      type: String(r['type']),
      content: r['content'] as Record<string, unknown>,
    }));
  }

  /** Account data changed after `afterSeq` (all of it when afterSeq is -1). */
  async accountDataSince(
    userId: string,
    afterSeq: number,
    toSeq: number,
  ): Promise<(AccountDataEvent & { roomId: string })[]> {
    const rows = await rowsOf(
      this.query(
        `SELECT room_id, type, content FROM sync_account_data
         WHERE user_id = $1 AND seq > $2 AND seq <= $3 ORDER BY seq, type`,
        [userId, afterSeq, toSeq],
      ),
    );
    return rows.map((r) => ({
      roomId: String(r['room_id']),
      type: String(r['type']),
      content: r['content'] as Record<string, unknown>,
    }));
  }

  /**
   * State of these rooms of the given types (all types when `types` is undefined), seq above a bound.
   * A room in `endsAt` (one the user left, was kicked or banned from) is read as of that seq: the rows
   * current then, from `sync_room_state_history` where they have since been replaced.
   */
  async state(
    roomIds: readonly string[],
    opts: {
      types?: readonly string[];
      excludeMembers?: boolean;
      afterSeq?: number;
      toSeq: number;
      endsAt?: ReadonlyMap<string, number>;
    },
  ): Promise<StateRow[]> {
    if (roomIds.length === 0) return [];
    const ended = opts.endsAt ?? new Map<string, number>();
    const current = roomIds.filter((id) => !ended.has(id));
    const types = opts.types ?? null;
    const excludeMembers = opts.excludeMembers === true;
    const rows =
      current.length === 0
        ? []
        : await rowsOf(
            this.query(
              `SELECT room_id, seq, event FROM sync_room_state
               WHERE room_id = ANY($1) AND seq > $2 AND seq <= $3
                 AND ($4::text[] IS NULL OR type = ANY($4)) AND (NOT $5 OR type <> 'm.room.member')
               ORDER BY room_id, type, state_key`,
              [current, opts.afterSeq ?? -1, opts.toSeq, types, excludeMembers],
            ),
          );
    const bounds = roomIds
      .filter((id) => ended.has(id))
      .map((id) => ({ room_id: id, to_seq: Math.min(ended.get(id) ?? opts.toSeq, opts.toSeq) }));
    if (bounds.length > 0) {
      rows.push(
        ...(await rowsOf(
          this.query(
            `SELECT room_id, seq, event FROM (${STATE_AS_OF}) x
             WHERE x.seq > $2 AND ($3::text[] IS NULL OR x.type = ANY($3)) AND (NOT $4 OR x.type <> 'm.room.member')
             ORDER BY room_id, type, state_key`,
            [recordset(bounds), opts.afterSeq ?? -1, types, excludeMembers],
          ),
        )),
      );
    }
    return rows.map(toStateRow);
  }

  /**
   * Member events of chosen users in chosen rooms (`pairs` of room id and user id); a room in `endsAt`
   * as of that seq (see {@link state}).
   */
  async members(
    pairs: readonly { roomId: string; userId: string }[],
    toSeq: number,
    endsAt: ReadonlyMap<string, number> = new Map(),
  ): Promise<StateRow[]> {
    if (pairs.length === 0) return [];
    const current = pairs.filter((p) => !endsAt.has(p.roomId));
    const rows =
      current.length === 0
        ? []
        : await rowsOf(
            this.query(
              `SELECT s.room_id, s.seq, s.event FROM jsonb_to_recordset($1::jsonb) AS p(room_id text, user_id text)
               JOIN sync_room_state s ON s.room_id = p.room_id AND s.type = 'm.room.member' AND s.state_key = p.user_id
               WHERE s.seq <= $2`,
              [recordset(current.map((p) => ({ room_id: p.roomId, user_id: p.userId }))), toSeq],
            ),
          );
    const ended = pairs.filter((p) => endsAt.has(p.roomId));
    if (ended.length > 0) {
      const bounds = [...new Set(ended.map((p) => p.roomId))].map((id) => ({
        room_id: id,
        to_seq: Math.min(endsAt.get(id) ?? toSeq, toSeq),
      }));
      rows.push(
        ...(await rowsOf(
          this.query(
            `SELECT x.room_id, x.seq, x.event FROM (${STATE_AS_OF}) x
             JOIN jsonb_to_recordset($2::jsonb) AS w(room_id text, user_id text)
               ON w.room_id = x.room_id AND x.type = 'm.room.member' AND x.state_key = w.user_id`,
            [recordset(bounds), recordset(ended.map((p) => ({ room_id: p.roomId, user_id: p.userId })))],
          ),
        )),
      );
    }
    return rows.map(toStateRow);
  }

  /**
   * For each room of `rooms`, the position of `userId`'s latest join event up to the room's `toSeq`, when
   * it is among the stored timeline rows.
   */
  async latestJoins(
    userId: string,
    rooms: readonly { roomId: string; toSeq: number }[],
  ): Promise<Map<string, number>> {
    if (rooms.length === 0) return new Map();
    const rows = await rowsOf(
      this.query(
        `SELECT b.room_id, j.seq FROM jsonb_to_recordset($1::jsonb) AS b(room_id text, to_seq bigint)
         CROSS JOIN LATERAL (
           SELECT max(t.seq) AS seq FROM sync_timeline t
           WHERE t.room_id = b.room_id AND t.seq <= b.to_seq AND t.event->>'type' = 'm.room.member'
             AND t.event->>'state_key' = $2 AND t.event->'content'->>'membership' = 'join'
         ) j WHERE j.seq IS NOT NULL`,
        [recordset(rooms.map((r) => ({ room_id: r.roomId, to_seq: r.toSeq }))), userId],
      ),
    );
    return new Map(rows.map((r) => [String(r['room_id']), num(r['seq'])]));
  }

  /** The newest `limit` rows of each window, newest first. */
  async timelines(windows: readonly TimelineWindow[]): Promise<TimelineRow[]> {
    if (windows.length === 0) return [];
    const rows = await rowsOf(
      this.query(
        `SELECT p.room_id, t.seq, t.prev_batch, t.gap_before, t.event
         FROM jsonb_to_recordset($1::jsonb) AS p(room_id text, from_seq bigint, to_seq bigint, lim int)
         CROSS JOIN LATERAL (
           SELECT seq, prev_batch, gap_before, event FROM sync_timeline t
           WHERE t.room_id = p.room_id AND t.seq > p.from_seq AND t.seq <= p.to_seq
           ORDER BY t.seq DESC LIMIT p.lim
         ) t`,
        [
          recordset(
            windows.map((w) => ({ room_id: w.roomId, from_seq: w.fromSeq, to_seq: w.toSeq, lim: w.limit })),
          ),
        ],
      ),
    );
    return rows.map((r) => ({
      roomId: String(r['room_id']),
      seq: num(r['seq']),
      prevBatch: (r['prev_batch'] as string | null) ?? null,
      gapBefore: r['gap_before'] === true,
      event: r['event'] as ClientEvent,
    }));
  }

  /** Transaction ids of this device for these events (the sender's device sees its own txn ids). */
  async txnIds(userId: string, deviceId: string, eventIds: readonly string[]): Promise<Map<string, string>> {
    if (eventIds.length === 0) return new Map();
    const rows = await rowsOf(
      this.query('SELECT event_id, txn_id FROM sync_txn_ids WHERE device_key = $1 AND event_id = ANY($2)', [
        deviceKey(userId, deviceId),
        eventIds,
      ]),
    );
    return new Map(rows.map((r) => [String(r['event_id']), String(r['txn_id'])]));
  }

  /** Receipts in these rooms: changed after `afterSeq`, or (afterSeq -1) all current ones. */
  async receipts(roomIds: readonly string[], afterSeq: number, toSeq: number): Promise<ReceiptOut[]> {
    if (roomIds.length === 0) return [];
    const rows = await rowsOf(
      this.query(
        `SELECT room_id, user_id, receipt_type, thread_id, event_id, ts FROM sync_receipts
         WHERE room_id = ANY($1) AND seq > $2 AND seq <= $3`,
        [roomIds, afterSeq, toSeq],
      ),
    );
    return rows.map((r) => ({
      roomId: String(r['room_id']),
      userId: String(r['user_id']),
      receiptType: String(r['receipt_type']),
      threadId: String(r['thread_id']),
      eventId: String(r['event_id']),
      ts: num(r['ts']),
    }));
  }

  async typing(roomIds: readonly string[], afterSeq: number, toSeq: number): Promise<Map<string, string[]>> {
    if (roomIds.length === 0) return new Map();
    const rows = await rowsOf(
      this.query(
        'SELECT room_id, user_ids FROM sync_typing WHERE room_id = ANY($1) AND seq > $2 AND seq <= $3',
        [roomIds, afterSeq, toSeq],
      ),
    );
    return new Map(rows.map((r) => [String(r['room_id']), r['user_ids'] as string[]]));
  }

  async deviceKeys(
    userId: string,
    deviceId: string,
  ): Promise<{ otkCounts: Record<string, number> | null; fallbackTypes: string[] | null } | null> {
    const [row] = await rowsOf(
      this.query(
        'SELECT otk_counts, fallback_types FROM sync_device_keys WHERE user_id = $1 AND device_id = $2',
        [userId, deviceId],
      ),
    );
    if (row === undefined) return null;
    return {
      otkCounts: (row['otk_counts'] as Record<string, number> | null) ?? null,
      fallbackTypes: (row['fallback_types'] as string[] | null) ?? null,
    };
  }

  async deviceListChanges(
    userId: string,
    deviceId: string,
    afterSeq: number,
    toSeq: number,
  ): Promise<{ changed: string[]; left: string[] }> {
    const rows = await rowsOf(
      this.query(
        `SELECT target_user_id, change FROM sync_device_list_changes
         WHERE user_id = $1 AND device_id = $2 AND seq > $3 AND seq <= $4 ORDER BY target_user_id`,
        [userId, deviceId, afterSeq, toSeq],
      ),
    );
    return {
      changed: rows.filter((r) => r['change'] === 'changed').map((r) => String(r['target_user_id'])),
      left: rows.filter((r) => r['change'] === 'left').map((r) => String(r['target_user_id'])),
    };
  }
}

function toStateRow(r: Record<string, unknown>): StateRow {
  return { roomId: String(r['room_id']), seq: num(r['seq']), event: r['event'] as StateEvent };
}
