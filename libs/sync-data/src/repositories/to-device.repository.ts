import type { DataSource } from 'typeorm';
import { num, rowsOf } from './sql-util';

/**
 * A device's to-device inbox. Messages stay until the client acknowledges them by sending the
 * extension's `since` back; only then are they deleted, so a lost answer or a restart loses nothing.
 */
export class ToDeviceRepository {
  constructor(private readonly dataSource: DataSource) {}

  async ackAndRead(
    userId: string,
    deviceId: string,
    since: number,
    limit: number,
  ): Promise<{ events: Record<string, unknown>[]; lastPosition: number | null }> {
    if (since > 0) {
      await this.dataSource.query(
        'DELETE FROM sync_to_device WHERE user_id = $1 AND device_id = $2 AND position <= $3',
        [userId, deviceId, since],
      );
    }
    const rows = await rowsOf(
      this.dataSource.query(
        `SELECT position, event FROM sync_to_device WHERE user_id = $1 AND device_id = $2 AND position > $3
         ORDER BY position LIMIT $4`,
        [userId, deviceId, since, limit],
      ),
    );
    const last = rows[rows.length - 1];
    return {
      events: rows.map((r) => r['event'] as Record<string, unknown>),
      lastPosition: last === undefined ? null : num(last['position']),
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
