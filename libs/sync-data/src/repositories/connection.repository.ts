import type { EntityManager } from 'typeorm';
import type { BatchedQuery } from './batched-query';
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
  pendingPos: number | null;
  /**
   * The state stored under the position the request named (pending or committed), null if neither:
   * only that one is read, as a state can be megabytes (a connection that listed 10,000 rooms).
   */
  state: unknown;
}

/**
 * A connection opened for one answer, with what the answer needs from the same statement: the stream
 * position its snapshot sees (`sync_stream.max_seq`) and a fresh connection position for its `pos`.
 * Reading them apart cost two more round trips on every answer. A position is taken even when the
 * answer ends up saying nothing new; positions only have to be unique, so the gap is harmless.
 */
export interface OpenedConnection {
  row: ConnectionRow;
  maxSeq: number;
  position: number;
}

/** `max_seq` in the transaction's snapshot (taken at its first statement, whichever reads it). */
const MAX_SEQ = '(SELECT max_seq FROM sync_stream WHERE id = 1)';

export class ConnectionRepository {
  constructor(
    private readonly em: EntityManager,
    /** The answer's reads: the lock goes to Postgres with any read started beside it. */
    private readonly reads: BatchedQuery,
  ) {}

  /** Replaces any connection with this conn_id (a request without `pos` starts over). */
  async create(userId: string, deviceId: string, connId: string): Promise<OpenedConnection> {
    await this.em.query(
      'DELETE FROM sync_connections WHERE user_id = $1 AND device_id = $2 AND conn_id = $3',
      [userId, deviceId, connId],
    );
    const [row] = await rowsOf(
      this.em.query(
        `INSERT INTO sync_connections (user_id, device_id, conn_id) VALUES ($1, $2, $3)
         RETURNING conn_key, ${MAX_SEQ} AS max_seq, nextval('sync_position_seq') AS pos`,
        [userId, deviceId, connId],
      ),
    );
    return {
      row: {
        connKey: num(row?.['conn_key']),
        committedPos: null,
        pendingPos: null,
        state: null,
      },
      maxSeq: num(row?.['max_seq']),
      position: num(row?.['pos']),
    };
  }

  /**
   * Loads and locks the connection for a request continuing from `position` (one request per connection
   * computes at a time), with the state stored under that position.
   */
  async lock(
    userId: string,
    deviceId: string,
    connId: string,
    position: number,
  ): Promise<OpenedConnection | null> {
    const [row] = await rowsOf(
      this.reads.rows(
        `SELECT conn_key, committed_pos, pending_pos,
                CASE WHEN pending_pos = $4 THEN pending WHEN committed_pos = $4 THEN committed END AS state,
                ${MAX_SEQ} AS max_seq, nextval('sync_position_seq') AS pos
         FROM sync_connections
         WHERE user_id = $1 AND device_id = $2 AND conn_id = $3 FOR UPDATE`,
        [userId, deviceId, connId, position],
      ),
    );
    if (row === undefined) return null;
    return {
      row: {
        connKey: num(row['conn_key']),
        committedPos: numOrNull(row['committed_pos']),
        pendingPos: numOrNull(row['pending_pos']),
        state: row['state'],
      },
      maxSeq: num(row['max_seq']),
      position: num(row['pos']),
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

  /**
   * Saves the answer's state as pending; with `promote`, the pending state the request acknowledged
   * becomes the committed one in the same statement (the right-hand sides read the row as it was).
   */
  async savePending(connKey: number, pos: number, state: unknown, promote = false): Promise<void> {
    await this.em.query(
      `UPDATE sync_connections SET ${promote ? 'committed_pos = pending_pos, committed = pending, ' : ''}pending_pos = $2,
         pending = $3::jsonb, last_used_at = now() WHERE conn_key = $1`,
      [connKey, pos, JSON.stringify(state)],
    );
  }
}
