import type { DataSource, EntityManager } from 'typeorm';
import { rowsOf } from './sql-util';

/** How much each pass keeps; tests shrink these. */
export interface PruneLimits {
  /** Rooms with more stored timeline rows than this are cut back to `keepTimeline`. */
  timelineHighWater: number;
  keepTimeline: number;
  connectionIdleDays: number;
  deviceIdleDays: number;
}

export const DEFAULT_PRUNE_LIMITS: PruneLimits = {
  timelineHighWater: 150,
  keepTimeline: 100,
  connectionIdleDays: 7,
  deviceIdleDays: 30,
};

// Any constant works; it only has to be the same on every replica.
export const PRUNE_LOCK = 0x53594e43;

/**
 * Bounds the database: recent timeline per room (older history stays on the homeserver, reachable with
 * the gap's prev_batch), connections and devices nobody uses, short-lived bookkeeping, and rooms no
 * polled user is in any more. One replica at a time (a transaction-scoped advisory lock).
 */
export class PruneRepository {
  constructor(private readonly dataSource: DataSource) {}

  run(limits: PruneLimits = DEFAULT_PRUNE_LIMITS): Promise<Record<string, number> | null> {
    return this.dataSource.transaction(async (em) => {
      const [lock] = await rowsOf(em.query('SELECT pg_try_advisory_xact_lock($1) AS ok', [PRUNE_LOCK]));
      if (lock?.['ok'] !== true) return null;
      return {
        timeline: await this.timeline(em, limits),
        connections: await count(
          em,
          `DELETE FROM sync_connections WHERE last_used_at < now() - make_interval(days => $1) RETURNING 1`,
          [limits.connectionIdleDays],
        ),
        txnIds: await count(
          em,
          `DELETE FROM sync_txn_ids WHERE created_at < now() - interval '1 hour' RETURNING 1`,
        ),
        deviceListChanges: await count(
          em,
          `DELETE FROM sync_device_list_changes WHERE created_at < now() - interval '7 days' RETURNING 1`,
        ),
        invalidTokens: await count(
          em,
          `DELETE FROM sync_tokens WHERE invalid_at < now() - interval '1 day' RETURNING 1`,
        ),
        devices: await this.devices(em, limits),
        rooms: await this.rooms(em),
        stateHistory: await count(
          em,
          // Replaced state only a left user's view can need: keep a row while some user's leave falls in
          // the span it was current, and an hour more (a leaver's poller may store the leave after the
          // members' pollers stored the change).
          `DELETE FROM sync_room_state_history h
           WHERE h.replaced_at < now() - interval '1 hour' AND NOT EXISTS (
             SELECT 1 FROM sync_user_rooms u
             WHERE u.room_id = h.room_id AND u.visible_to_seq >= h.seq AND u.visible_to_seq < h.replaced_seq
           ) RETURNING 1`,
        ),
      };
    });
  }

  /** Keeps the newest rows of busy rooms; the new oldest row becomes a gap (its token is fetched on demand). */
  private async timeline(em: EntityManager, limits: PruneLimits): Promise<number> {
    const deleted = await count(
      em,
      `WITH big AS (
         SELECT room_id FROM sync_timeline GROUP BY room_id HAVING count(*) > $1 LIMIT 1000
       ), cut AS (
         SELECT b.room_id, (SELECT t.seq FROM sync_timeline t WHERE t.room_id = b.room_id
                            ORDER BY t.seq DESC OFFSET $2 - 1 LIMIT 1) AS keep_from
         FROM big b
       ), gone AS (
         DELETE FROM sync_timeline d USING cut WHERE d.room_id = cut.room_id AND d.seq < cut.keep_from
         RETURNING d.room_id
       ), marked AS (
         UPDATE sync_timeline t SET gap_before = true FROM cut
         WHERE t.room_id = cut.room_id AND t.seq = cut.keep_from
       )
       SELECT 1 FROM gone`,
      [limits.timelineHighWater, limits.keepTimeline],
    );
    return deleted;
  }

  private async devices(em: EntityManager, limits: PruneLimits): Promise<number> {
    const gone = await rowsOf(
      em.query(
        `DELETE FROM sync_devices WHERE poll_state <> 'active'
           AND last_request_at < now() - make_interval(days => $1) RETURNING user_id, device_id`,
        [limits.deviceIdleDays],
      ),
    );
    if (gone.length === 0) return 0;
    const pairs = JSON.stringify(gone.map((r) => ({ u: r['user_id'], d: r['device_id'] })));
    for (const table of ['sync_to_device', 'sync_device_keys', 'sync_device_list_changes', 'sync_tokens']) {
      await em.query(
        `DELETE FROM ${table} x USING jsonb_to_recordset($1::jsonb) AS p(u text, d text)
         WHERE x.user_id = p.u AND x.device_id = p.d`,
        [pairs],
      );
    }
    return gone.length;
  }

  /** Rooms no polled device's user is joined to, invited to or knocking on. */
  private async rooms(em: EntityManager): Promise<number> {
    const rooms = await rowsOf(
      em.query(
        `SELECT r.room_id FROM sync_rooms r
         WHERE NOT EXISTS (
           SELECT 1 FROM sync_user_rooms u JOIN sync_devices d ON d.user_id = u.user_id
           WHERE u.room_id = r.room_id AND u.membership IN ('join', 'invite', 'knock')
         ) LIMIT 1000`,
      ),
    );
    const ids = rooms.map((r) => String(r['room_id']));
    if (ids.length === 0) return 0;
    for (const table of [
      'sync_timeline',
      'sync_room_state',
      'sync_room_state_history',
      'sync_receipts',
      'sync_typing',
      'sync_rooms',
    ]) {
      await em.query(`DELETE FROM ${table} WHERE room_id = ANY($1)`, [ids]);
    }
    return ids.length;
  }
}

async function count(em: EntityManager, sql: string, params: unknown[] = []): Promise<number> {
  return (await rowsOf(em.query(sql, params))).length;
}
