import type { DataSource } from 'typeorm';
import { rowsOf } from './sql-util';

/** A device whose poller this replica holds the lease for. */
export interface LeasedDevice {
  userId: string;
  deviceId: string;
  tokenHash: Buffer;
  since: string | null;
}

export interface DeviceState {
  since: string | null;
  pollState: string;
  owner: string | null;
  leaseLive: boolean;
}

/**
 * The devices the proxy polls for, and which replica polls each one. The lease lives in Postgres, in the
 * same row as `since`, so the compare-and-set that stores a batch is also the fencing check.
 */
export class DeviceRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Records that the device is in use with this token (a newer token replaces the poller's). */
  async touch(userId: string, deviceId: string, tokenHash: Buffer): Promise<DeviceState> {
    const [row] = await rowsOf(
      this.dataSource.query(
        `INSERT INTO sync_devices AS d (user_id, device_id, token_hash) VALUES ($1, $2, $3)
         ON CONFLICT (user_id, device_id) DO UPDATE SET
           token_hash = excluded.token_hash,
           last_request_at = now(),
           poll_state = 'active'
         RETURNING since, poll_state, owner, (lease_until IS NOT NULL AND lease_until > now()) AS lease_live`,
        [userId, deviceId, tokenHash],
      ),
    );
    return {
      since: (row?.['since'] as string | null | undefined) ?? null,
      pollState: String(row?.['poll_state']),
      owner: (row?.['owner'] as string | null | undefined) ?? null,
      leaseLive: row?.['lease_live'] === true,
    };
  }

  async since(userId: string, deviceId: string): Promise<string | null> {
    const [row] = await rowsOf(
      this.dataSource.query('SELECT since FROM sync_devices WHERE user_id = $1 AND device_id = $2', [
        userId,
        deviceId,
      ]),
    );
    return (row?.['since'] as string | null | undefined) ?? null;
  }

  /** Whether another device of the user is being polled (its rooms are stored and kept current). */
  async userHasLivePoller(userId: string, exceptDeviceId: string): Promise<boolean> {
    const [row] = await rowsOf(
      this.dataSource.query(
        `SELECT 1 FROM sync_devices WHERE user_id = $1 AND device_id <> $2 AND since IS NOT NULL
           AND poll_state = 'active' AND lease_until > now() LIMIT 1`,
        [userId, exceptDeviceId],
      ),
    );
    return row !== undefined;
  }

  /** Whether the device is still meant to be polled (not stopped for a rejected token or idleness). */
  async isPolled(userId: string, deviceId: string): Promise<boolean> {
    const [row] = await rowsOf(
      this.dataSource.query(
        `SELECT 1 FROM sync_devices WHERE user_id = $1 AND device_id = $2 AND poll_state = 'active'`,
        [userId, deviceId],
      ),
    );
    return row !== undefined;
  }

  /** Takes the lease on one device if nobody holds a live one. */
  async claim(
    userId: string,
    deviceId: string,
    owner: string,
    leaseMs: number,
  ): Promise<LeasedDevice | null> {
    const rows = await rowsOf(
      this.dataSource.query(
        `UPDATE sync_devices SET owner = $3, lease_until = now() + make_interval(secs => $4::float8 / 1000)
         WHERE user_id = $1 AND device_id = $2 AND poll_state = 'active'
           AND (owner IS NULL OR owner = $3 OR lease_until IS NULL OR lease_until < now())
         RETURNING user_id, device_id, token_hash, since`,
        [userId, deviceId, owner, leaseMs],
      ),
    );
    return rows.map(toLeased)[0] ?? null;
  }

  /**
   * Claims devices whose owner stopped renewing (a replica died), at most `limit` per call so a replica
   * that starts next to a big idle database takes work gradually.
   */
  async claimOrphans(
    owner: string,
    leaseMs: number,
    limit: number,
    activeWithinMs: number,
  ): Promise<LeasedDevice[]> {
    const rows = await rowsOf(
      this.dataSource.query(
        `UPDATE sync_devices d SET owner = $1, lease_until = now() + make_interval(secs => $2::float8 / 1000)
         FROM (
           SELECT user_id, device_id FROM sync_devices
           WHERE poll_state = 'active' AND (owner IS NULL OR lease_until IS NULL OR lease_until < now())
             AND last_request_at > now() - make_interval(secs => $4::float8 / 1000)
           ORDER BY lease_until LIMIT $3 FOR UPDATE SKIP LOCKED
         ) o
         WHERE d.user_id = o.user_id AND d.device_id = o.device_id
         RETURNING d.user_id, d.device_id, d.token_hash, d.since`,
        [owner, leaseMs, limit, activeWithinMs],
      ),
    );
    return rows.map(toLeased);
  }

  /** Extends this replica's leases; returns the devices it still holds. */
  async renew(
    owner: string,
    leaseMs: number,
  ): Promise<{ userId: string; deviceId: string; tokenHash: Buffer }[]> {
    const rows = await rowsOf(
      this.dataSource.query(
        `UPDATE sync_devices SET lease_until = now() + make_interval(secs => $2::float8 / 1000)
         WHERE owner = $1 AND poll_state = 'active'
         RETURNING user_id, device_id, token_hash`,
        [owner, leaseMs],
      ),
    );
    return rows.map((r) => ({
      userId: String(r['user_id']),
      deviceId: String(r['device_id']),
      tokenHash: r['token_hash'] as Buffer,
    }));
  }

  async release(userId: string, deviceId: string, owner: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE sync_devices SET owner = NULL, lease_until = NULL WHERE user_id = $1 AND device_id = $2 AND owner = $3`,
      [userId, deviceId, owner],
    );
  }

  async releaseAll(owner: string): Promise<void> {
    await this.dataSource.query(`UPDATE sync_devices SET owner = NULL, lease_until = NULL WHERE owner = $1`, [
      owner,
    ]);
  }

  /**
   * One more consecutive failure of the device's poller, with its reason (cut to 500 characters); a stored
   * response resets the count (BatchWriter). Only the lease holder records, so a stale loop cannot.
   */
  async recordPollError(userId: string, deviceId: string, owner: string, reason: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE sync_devices SET poll_errors = poll_errors + 1, last_error = $4, last_error_at = now()
       WHERE user_id = $1 AND device_id = $2 AND owner = $3`,
      [userId, deviceId, owner, reason.slice(0, 500)],
    );
  }

  /** The homeserver rejected the device's token: stop polling until the client comes back with a valid one. */
  async markInvalid(userId: string, deviceId: string, tokenHash: Buffer): Promise<void> {
    await this.dataSource.query(
      `UPDATE sync_devices SET poll_state = 'invalid', owner = NULL, lease_until = NULL
       WHERE user_id = $1 AND device_id = $2 AND token_hash = $3`,
      [userId, deviceId, tokenHash],
    );
  }

  /** Stops polling for devices nobody has synced for a while; `since` is kept for the next start. */
  async markIdle(olderThanMs: number): Promise<number> {
    const rows = await rowsOf(
      this.dataSource.query(
        `UPDATE sync_devices SET poll_state = 'idle', owner = NULL, lease_until = NULL
         WHERE poll_state = 'active' AND last_request_at < now() - make_interval(secs => $1::float8 / 1000)
         RETURNING 1`,
        [olderThanMs],
      ),
    );
    return rows.length;
  }

  /** Stops polling a device until its client returns (e.g. its stored token no longer decrypts). */
  async park(userId: string, deviceId: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE sync_devices SET poll_state = 'idle', owner = NULL, lease_until = NULL WHERE user_id = $1 AND device_id = $2`,
      [userId, deviceId],
    );
  }

  async owners(userId: string, deviceId: string): Promise<string | null> {
    const [row] = await rowsOf(
      this.dataSource.query(
        'SELECT owner FROM sync_devices WHERE user_id = $1 AND device_id = $2 AND lease_until > now()',
        [userId, deviceId],
      ),
    );
    return (row?.['owner'] as string | null | undefined) ?? null;
  }
}

function toLeased(r: Record<string, unknown>): LeasedDevice {
  return {
    userId: String(r['user_id']),
    deviceId: String(r['device_id']),
    tokenHash: r['token_hash'] as Buffer,
    since: (r['since'] as string | null) ?? null,
  };
}
