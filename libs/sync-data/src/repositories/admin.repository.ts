import type { DataSource } from 'typeorm';
import { num, numOrNull, rowsOf } from './sql-util';

/**
 * What a device's poller is doing, as far as the database can tell (every replica writes its pollers'
 * progress there): `running` (lease held, last poll stored), `initial-sync` (lease held, no response
 * stored yet), `backing-off` (lease held, the last polls failed), `unleased` (meant to be polled but no
 * replica holds the lease: a replica died, or the next one has not claimed it yet), `token-rejected`
 * (the homeserver refused the token; waits for the client to return) and `idle` (nobody synced for the
 * idle period, or its stored token no longer decrypts; waits for the client to return).
 */
export type PollerState = 'running' | 'initial-sync' | 'backing-off' | 'unleased' | 'token-rejected' | 'idle';

export interface PollerStatus {
  /** Opaque and stable: the page cursor and the admin API's resource id. */
  id: string;
  userId: string;
  deviceId: string;
  state: PollerState;
  /** The replica holding the lease (even an expired one), and when the lease runs out. */
  leaseOwner: string | null;
  leaseExpiresAt: Date | null;
  /** The device's last sliding-sync request (to the minute: busy devices are touched once a minute). */
  lastRequestAt: Date;
  /** When the poller last stored an upstream response; null before the first. */
  lastPollAt: Date | null;
  /**
   * Seconds since then, by the database's clock. A healthy quiet poller stays under its long-poll
   * timeout (30 s) plus the homeserver's answer time, since an empty answer is stored too.
   */
  lagSeconds: number | null;
  /** Failed polls since the last stored response, and the last failure's reason and time (kept after recovery). */
  consecutiveErrors: number;
  lastError: string | null;
  lastErrorAt: Date | null;
}

export interface ConnectionStatus {
  /** The connection's key: the page cursor and the admin API's resource id. */
  id: string;
  userId: string;
  deviceId: string;
  connId: string;
  createdAt: Date;
  lastUsedAt: Date;
  /** The position last sent to the client, and the last one the client acknowledged by using it. */
  pos: number | null;
  acknowledgedPos: number | null;
  /** The sync API that opened it (null in states stored before protocols were recorded). */
  protocol: string | null;
  /** Rooms the connection has been sent, and its sticky room subscriptions. */
  rooms: number;
  roomSubscriptions: number;
}

/** MAS's cursor pagination: forward with `first`/`after`, backward with `last`/`before`. */
export interface AdminListQuery {
  /** Only this user's rows. */
  userId?: string | undefined;
  /** Page size reading forward (default 10). */
  first?: number | undefined;
  /** Page size reading backward, from the end or from `before`. */
  last?: number | undefined;
  /** Rows after this row id, and before this one. */
  after?: string | undefined;
  before?: string | undefined;
}

export interface AdminPage<T> {
  /** In list order, whichever way the page was read. */
  items: T[];
  hasNext: boolean;
  hasPrevious: boolean;
  /** Rows matching the filter, all pages. */
  count: number;
}

interface Window {
  size: number;
  backward: boolean;
}

function windowOf(q: AdminListQuery): Window {
  const backward = q.last !== undefined || (q.before !== undefined && q.first === undefined);
  return { size: q.first ?? q.last ?? 10, backward };
}

/** The page from rows read one past its size, in the reading direction. */
function pageOf<T>(
  rows: Record<string, unknown>[],
  w: Window,
  q: AdminListQuery,
  map: (r: Record<string, unknown>) => T,
  count: number,
): AdminPage<T> {
  const more = rows.length > w.size;
  const items = rows.slice(0, w.size).map(map);
  if (w.backward) items.reverse();
  return {
    items,
    hasNext: w.backward ? q.before !== undefined : more,
    hasPrevious: w.backward ? more : q.after !== undefined,
    count,
  };
}

/** A poller's id: user and device, encoded so that neither's characters matter. */
export function pollerId(userId: string, deviceId: string): string {
  return Buffer.from(JSON.stringify([userId, deviceId])).toString('base64url');
}

/** The user and device of a poller id; null when it is not one. */
export function parsePollerId(id: string): { userId: string; deviceId: string } | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(id, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'string'))
      return { userId: value[0] as string, deviceId: value[1] as string };
  } catch {
    // not JSON: not an id
  }
  return null;
}

/** Whether `id` is a connection id (a positive integer). */
export function isConnectionId(id: string): boolean {
  return /^[1-9][0-9]{0,15}$/.test(id);
}

/**
 * Read-only views of the pollers and connections for the admin API; they read only the rows, never the
 * cached state of a replica, so any replica answers for all of them.
 */
export class AdminRepository {
  constructor(private readonly dataSource: DataSource) {}

  async pollers(q: AdminListQuery): Promise<AdminPage<PollerStatus>> {
    const after = q.after === undefined ? null : parsePollerId(q.after);
    const before = q.before === undefined ? null : parsePollerId(q.before);
    if ((q.after !== undefined && after === null) || (q.before !== undefined && before === null))
      throw new RangeError('not a poller id');
    const w = windowOf(q);
    const order = w.backward ? 'DESC' : 'ASC';
    const rows = await rowsOf(
      this.dataSource.query(
        `SELECT user_id, device_id, poll_state, since IS NULL AS never_polled, owner, lease_until,
           (lease_until IS NOT NULL AND lease_until > now()) AS lease_live, last_request_at, last_poll_at,
           extract(epoch FROM now() - last_poll_at)::float8 AS lag_seconds,
           poll_errors, last_error, last_error_at
         FROM sync_devices
         WHERE ($1::text IS NULL OR user_id = $1)
           AND ($2::text IS NULL OR (user_id, device_id) > ($2::text, $3::text))
           AND ($4::text IS NULL OR (user_id, device_id) < ($4::text, $5::text))
         ORDER BY user_id ${order}, device_id ${order}
         LIMIT $6`,
        [
          q.userId ?? null,
          after?.userId ?? null,
          after?.deviceId ?? null,
          before?.userId ?? null,
          before?.deviceId ?? null,
          w.size + 1,
        ],
      ),
    );
    return pageOf(rows, w, q, toPoller, await this.count('sync_devices', q.userId));
  }

  /**
   * Reads the counts from the engine's stored state (format v1: `rooms` and `subs` entry arrays,
   * `proto`); the state in flight when there is one, since that is what the client was last sent.
   */
  async connections(q: AdminListQuery): Promise<AdminPage<ConnectionStatus>> {
    for (const cursor of [q.after, q.before])
      if (cursor !== undefined && !isConnectionId(cursor)) throw new RangeError('not a connection id');
    const w = windowOf(q);
    const rows = await rowsOf(
      this.dataSource.query(
        `SELECT c.conn_key, c.user_id, c.device_id, c.conn_id, c.created_at, c.last_used_at,
           coalesce(c.pending_pos, c.committed_pos) AS pos, c.committed_pos, st.s ->> 'proto' AS protocol,
           CASE WHEN jsonb_typeof(st.s -> 'rooms') = 'array' THEN jsonb_array_length(st.s -> 'rooms') ELSE 0 END AS rooms,
           CASE WHEN jsonb_typeof(st.s -> 'subs') = 'array' THEN jsonb_array_length(st.s -> 'subs') ELSE 0 END AS subs
         FROM sync_connections c
         CROSS JOIN LATERAL (SELECT CASE WHEN c.pending_pos IS NOT NULL THEN c.pending ELSE c.committed END AS s) st
         WHERE ($1::text IS NULL OR c.user_id = $1)
           AND ($2::bigint IS NULL OR c.conn_key > $2::bigint)
           AND ($3::bigint IS NULL OR c.conn_key < $3::bigint)
         ORDER BY c.conn_key ${w.backward ? 'DESC' : 'ASC'}
         LIMIT $4`,
        [q.userId ?? null, q.after ?? null, q.before ?? null, w.size + 1],
      ),
    );
    return pageOf(rows, w, q, toConnection, await this.count('sync_connections', q.userId));
  }

  private async count(
    table: 'sync_devices' | 'sync_connections',
    userId: string | undefined,
  ): Promise<number> {
    const [row] = await rowsOf(
      this.dataSource.query(`SELECT count(*) AS n FROM ${table} WHERE ($1::text IS NULL OR user_id = $1)`, [
        userId ?? null,
      ]),
    );
    return num(row?.['n']);
  }
}

function pollerState(r: Record<string, unknown>): PollerState {
  const stored = String(r['poll_state']);
  switch (stored) {
    case 'invalid':
      return 'token-rejected';
    case 'idle':
      return 'idle';
    case 'active':
      if (r['lease_live'] !== true) return 'unleased';
      if (num(r['poll_errors']) > 0) return 'backing-off';
      return r['never_polled'] === true ? 'initial-sync' : 'running';
    default:
      throw new Error(`unknown poll_state ${stored}`);
  }
}

/** node-postgres gives timestamptz columns as Dates. */
function date(value: unknown): Date | null {
  return value instanceof Date ? value : null;
}

function toPoller(r: Record<string, unknown>): PollerStatus {
  const userId = String(r['user_id']);
  const deviceId = String(r['device_id']);
  const lag = numOrNull(r['lag_seconds']);
  return {
    id: pollerId(userId, deviceId),
    userId,
    deviceId,
    state: pollerState(r),
    leaseOwner: (r['owner'] as string | null) ?? null,
    leaseExpiresAt: date(r['lease_until']),
    lastRequestAt: date(r['last_request_at']) ?? new Date(0),
    lastPollAt: date(r['last_poll_at']),
    lagSeconds: lag === null ? null : Math.max(0, Math.round(lag * 10) / 10),
    consecutiveErrors: num(r['poll_errors']),
    lastError: (r['last_error'] as string | null) ?? null,
    lastErrorAt: date(r['last_error_at']),
  };
}

function toConnection(r: Record<string, unknown>): ConnectionStatus {
  return {
    id: String(r['conn_key']),
    userId: String(r['user_id']),
    deviceId: String(r['device_id']),
    connId: String(r['conn_id']),
    createdAt: date(r['created_at']) ?? new Date(0),
    lastUsedAt: date(r['last_used_at']) ?? new Date(0),
    pos: numOrNull(r['pos']),
    acknowledgedPos: numOrNull(r['committed_pos']),
    protocol: (r['protocol'] as string | null) ?? null,
    rooms: num(r['rooms']),
    roomSubscriptions: num(r['subs']),
  };
}
