import type { EntityManager } from 'typeorm';
import { num, numOrNull, rowsOf } from './sql-util';

/**
 * One sliding-sync connection (user, device, conn_id). It keeps the state the last *acknowledged*
 * answer left (`committed`) and the state of the answer in flight (`pending`, tagged with the position
 * it was sent with): a request carrying the pending position proves the client got that answer, a
 * request carrying the committed one is a retry of a lost answer and recomputes from committed.
 * The state itself is opaque JSON the engine owns.
 */
export interface ConnectionRow {
  connKey: number;
  committedPos: number | null;
  committed: unknown;
  pendingPos: number | null;
  pending: unknown;
}

export class ConnectionRepository {
  constructor(private readonly em: EntityManager) {}

  /** Replaces any connection with this conn_id (a request without `pos` starts over). */
  async create(userId: string, deviceId: string, connId: string): Promise<ConnectionRow> {
    await this.em.query(
      'DELETE FROM sync_connections WHERE user_id = $1 AND device_id = $2 AND conn_id = $3',
      [userId, deviceId, connId],
    );
    const [row] = await rowsOf(
      this.em.query(
        `INSERT INTO sync_connections (user_id, device_id, conn_id) VALUES ($1, $2, $3) RETURNING conn_key`,
        [userId, deviceId, connId],
      ),
    );
    return {
      connKey: num(row?.['conn_key']),
      committedPos: null,
      committed: null,
      pendingPos: null,
      pending: null,
    };
  }

  /** Loads and locks the connection for this request (one request per connection computes at a time). */
  async lock(userId: string, deviceId: string, connId: string): Promise<ConnectionRow | null> {
    const [row] = await rowsOf(
      this.em.query(
        `SELECT conn_key, committed_pos, committed, pending_pos, pending FROM sync_connections
         WHERE user_id = $1 AND device_id = $2 AND conn_id = $3 FOR UPDATE`,
        [userId, deviceId, connId],
      ),
    );
    if (row === undefined) return null;
    return {
      connKey: num(row['conn_key']),
      committedPos: numOrNull(row['committed_pos']),
      committed: row['committed'],
      pendingPos: numOrNull(row['pending_pos']),
      pending: row['pending'],
    };
  }

  /** The client saw the pending answer: it becomes the committed state. */
  async promote(connKey: number): Promise<void> {
    await this.em.query(
      `UPDATE sync_connections SET committed_pos = pending_pos, committed = pending, pending_pos = NULL, pending = NULL,
         last_used_at = now() WHERE conn_key = $1`,
      [connKey],
    );
  }

  async nextPosition(): Promise<number> {
    const [row] = await rowsOf(this.em.query(`SELECT nextval('sync_position_seq') AS pos`));
    return num(row?.['pos']);
  }

  async savePending(connKey: number, pos: number, state: unknown): Promise<void> {
    await this.em.query(
      `UPDATE sync_connections SET pending_pos = $2, pending = $3::jsonb, last_used_at = now() WHERE conn_key = $1`,
      [connKey, pos, JSON.stringify(state)],
    );
  }
}
