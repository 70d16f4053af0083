import type { DataSource } from 'typeorm';
import { num, rowsOf } from './sql-util';

/**
 * A device's to-device inbox. Messages stay until the client acknowledges them by sending the
 * extension's `since` back; only then are they deleted, so a lost answer or a restart loses nothing.
 */
export class ToDeviceRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Deletes what the client acknowledged (`since`) and reads what follows, in one statement (three
   * round trips before, on every answer of a connection with the extension on). A `since` beyond
   * anything handed out means the database was reset: it reads from the beginning, and `from` says so.
   * The read cannot see the delete (one statement, one snapshot), and needs not: it starts after `since`.
   */
  async ackAndRead(
    userId: string,
    deviceId: string,
    since: number,
    limit: number,
  ): Promise<{ events: Record<string, unknown>[]; lastPosition: number | null; from: number }> {
    const rows = await rowsOf(
      this.dataSource.query(
        `WITH f AS (
           SELECT CASE WHEN $3::bigint > (SELECT CASE WHEN is_called THEN last_value ELSE 0 END
                                          FROM sync_to_device_position_seq)
                  THEN 0 ELSE $3::bigint END AS since
         ), acked AS (
           DELETE FROM sync_to_device d USING f
           WHERE d.user_id = $1 AND d.device_id = $2 AND d.position <= f.since
         )
         SELECT f.since, t.position, t.event FROM f LEFT JOIN LATERAL (
           SELECT position, event FROM sync_to_device
           WHERE user_id = $1 AND device_id = $2 AND position > f.since ORDER BY position LIMIT $4
         ) t ON true
         ORDER BY t.position`,
        [userId, deviceId, since, limit],
      ),
    );
    const events = rows.filter((r) => r['position'] !== null);
    const last = events[events.length - 1];
    return {
      events: events.map((r) => r['event'] as Record<string, unknown>),
      lastPosition: last === undefined ? null : num(last['position']),
      from: num(rows[0]?.['since']),
    };
  }

  /** The highest position ever given out: a client `since` above it comes from a wiped database. */
  async currentPosition(): Promise<number> {
    const [row] = await rowsOf(
      this.dataSource.query(
        `SELECT CASE WHEN is_called THEN last_value ELSE 0 END AS pos FROM sync_to_device_position_seq`,
      ),
    );
    return num(row?.['pos']);
  }
}
