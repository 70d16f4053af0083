import type { DataSource, EntityManager } from 'typeorm';

/** The tables an import from Synapse walks, in the order it walks them. */
export const SYNAPSE_IMPORT_KINDS = [
  'users',
  'emails',
  'upstream_links',
  'devices',
  'access_tokens',
  'refresh_tokens',
] as const;
export type SynapseImportKind = (typeof SYNAPSE_IMPORT_KINDS)[number];

/** Where the import of one table stands: the last key written, and whether the table is done. */
export interface SynapseImportCheckpoint {
  lastKey: string | null;
  finishedAt: Date | null;
}

export interface ImportedUser {
  localpart: string;
  /** Synapse's bcrypt hash, verified at sign-in and replaced by argon2id then. */
  passwordHash: string | null;
  admin: boolean;
  displayName: string | null;
  createdAt: Date;
  deactivatedAt: Date | null;
  lockedAt: Date | null;
}

export interface ImportedEmail {
  localpart: string;
  email: string;
  createdAt: Date;
  confirmedAt: Date | null;
}

export interface ImportedUpstreamLink {
  localpart: string;
  providerId: string;
  subject: string;
}

export interface ImportedDevice {
  localpart: string;
  deviceId: string;
  createdAt: Date;
}

/** A token by its SHA-256; the value itself never reaches this database. */
export interface ImportedAccessToken {
  localpart: string;
  deviceId: string;
  tokenHash: string;
  createdAt: Date;
  expiresAt: Date | null;
}

export interface ImportedRefreshToken {
  localpart: string;
  deviceId: string;
  tokenHash: string;
  /** The access token issued with it (withdrawn when it is used). */
  accessTokenHash: string;
  createdAt: Date;
}

// An imported device's compat session has an id derived from the user and device, so a second run
// (or a resumed one) finds the session it made before instead of making another.
const SESSION_ID = `md5('synapse-import:' || r.localpart || ':' || r.device_id)::uuid`;

/**
 * Writes what `import-synapse` read from Synapse, a batch at a time. Each batch is one statement per
 * table over `unnest`ed arrays (a row-by-row insert is what would make 500,000 rows slow) and commits
 * together with its checkpoint, so a killed import resumes after the last whole batch. Every insert
 * skips rows that are already there, which makes a second run change nothing; the counts returned are
 * the rows actually written. Tokens go only into sessions still open, so a run after the cut-over does
 * not bring back what a logout or a refresh here has ended.
 */
export class SynapseImportRepository {
  constructor(private readonly dataSource: DataSource) {}

  async checkpoints(): Promise<Map<SynapseImportKind, SynapseImportCheckpoint>> {
    const rows = await this.dataSource.query<
      { kind: SynapseImportKind; last_key: string | null; finished_at: Date | null }[]
    >('SELECT kind, last_key, finished_at FROM synapse_import_checkpoints');
    return new Map(rows.map((r) => [r.kind, { lastKey: r.last_key, finishedAt: r.finished_at }]));
  }

  /** Forgets every checkpoint: the next import walks Synapse from the start. */
  async resetCheckpoints(): Promise<void> {
    await this.dataSource.query('DELETE FROM synapse_import_checkpoints');
  }

  async markFinished(kind: SynapseImportKind, now: Date): Promise<void> {
    await this.saveCheckpoint(this.dataSource.manager, kind, null, now, true);
  }

  /** Whether the target already has users (an import into a used deployment needs the operator's word). */
  async hasUsers(): Promise<boolean> {
    const rows = await this.dataSource.query<{ any: boolean }[]>(
      'SELECT EXISTS (SELECT 1 FROM users) AS any',
    );
    return rows[0]?.any === true;
  }

  importUsers(rows: ImportedUser[], lastKey: string, now: Date): Promise<number> {
    return this.batch('users', lastKey, now, rows.length, (m) =>
      m.query(
        `INSERT INTO users (localpart, password_hash, admin, display_name, created_at, deactivated_at, locked_at)
         SELECT * FROM unnest($1::text[], $2::text[], $3::boolean[], $4::text[], $5::timestamptz[],
                              $6::timestamptz[], $7::timestamptz[])
         ON CONFLICT (localpart) DO NOTHING
         RETURNING 1`,
        [
          rows.map((r) => r.localpart),
          rows.map((r) => r.passwordHash),
          rows.map((r) => r.admin),
          rows.map((r) => r.displayName),
          rows.map((r) => r.createdAt),
          rows.map((r) => r.deactivatedAt),
          rows.map((r) => r.lockedAt),
        ],
      ),
    );
  }

  importEmails(rows: ImportedEmail[], lastKey: string, now: Date): Promise<number> {
    return this.batch('emails', lastKey, now, rows.length, (m) =>
      m.query(
        `INSERT INTO user_emails (user_id, email, created_at, confirmed_at)
         SELECT u.id, r.email, r.created_at, r.confirmed_at
         FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[])
              AS r(localpart, email, created_at, confirmed_at)
         JOIN users u ON u.localpart = r.localpart
         ON CONFLICT (user_id, email) DO NOTHING
         RETURNING 1`,
        [
          rows.map((r) => r.localpart),
          rows.map((r) => r.email),
          rows.map((r) => r.createdAt),
          rows.map((r) => r.confirmedAt),
        ],
      ),
    );
  }

  importUpstreamLinks(rows: ImportedUpstreamLink[], lastKey: string, now: Date): Promise<number> {
    return this.batch('upstream_links', lastKey, now, rows.length, (m) =>
      m.query(
        `INSERT INTO upstream_oauth_links (provider_id, subject, user_id)
         SELECT r.provider_id, r.subject, u.id
         FROM unnest($1::text[], $2::text[], $3::text[]) AS r(localpart, provider_id, subject)
         JOIN users u ON u.localpart = r.localpart
         ON CONFLICT (provider_id, subject) DO NOTHING
         RETURNING 1`,
        [rows.map((r) => r.localpart), rows.map((r) => r.providerId), rows.map((r) => r.subject)],
      ),
    );
  }

  /**
   * One compat session per device: what keeps the device when its tokens are imported. A device that
   * already has a session here (made by a login after the cut-over, or an earlier run) keeps that one.
   */
  importDevices(rows: ImportedDevice[], lastKey: string, now: Date): Promise<number> {
    return this.batch('devices', lastKey, now, rows.length, (m) =>
      m.query(
        `INSERT INTO compat_sessions (id, user_id, device_id, created_at)
         SELECT ${SESSION_ID}, u.id, r.device_id, r.created_at
         FROM unnest($1::text[], $2::text[], $3::timestamptz[]) AS r(localpart, device_id, created_at)
         JOIN users u ON u.localpart = r.localpart
         WHERE NOT EXISTS (SELECT 1 FROM compat_sessions c WHERE c.user_id = u.id AND c.device_id = r.device_id)
           AND NOT EXISTS (SELECT 1 FROM sessions o
                           WHERE o.user_id = u.id AND o.device_id = r.device_id AND o.finished_at IS NULL)
         ON CONFLICT (id) DO NOTHING
         RETURNING 1`,
        [rows.map((r) => r.localpart), rows.map((r) => r.deviceId), rows.map((r) => r.createdAt)],
      ),
    );
  }

  importAccessTokens(rows: ImportedAccessToken[], lastKey: string, now: Date): Promise<number> {
    return this.batch('access_tokens', lastKey, now, rows.length, (m) =>
      m.query(
        `INSERT INTO compat_access_tokens (token_hash, session_id, created_at, expires_at)
         SELECT r.token_hash, s.id, r.created_at, r.expires_at
         FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::timestamptz[])
              AS r(localpart, device_id, token_hash, created_at, expires_at)
         JOIN compat_sessions s ON s.id = ${SESSION_ID} AND s.finished_at IS NULL
         -- A token rotated away since an earlier run (its refresh token used) stays withdrawn.
         WHERE NOT EXISTS (SELECT 1 FROM compat_refresh_tokens rt
                           WHERE rt.access_token_hash = r.token_hash AND rt.consumed_at IS NOT NULL)
         ON CONFLICT (token_hash) DO NOTHING
         RETURNING 1`,
        [
          rows.map((r) => r.localpart),
          rows.map((r) => r.deviceId),
          rows.map((r) => r.tokenHash),
          rows.map((r) => r.createdAt),
          rows.map((r) => r.expiresAt),
        ],
      ),
    );
  }

  importRefreshTokens(rows: ImportedRefreshToken[], lastKey: string, now: Date): Promise<number> {
    return this.batch('refresh_tokens', lastKey, now, rows.length, (m) =>
      m.query(
        `INSERT INTO compat_refresh_tokens (token_hash, session_id, access_token_hash, created_at)
         SELECT r.token_hash, s.id, r.access_token_hash, r.created_at
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[])
              AS r(localpart, device_id, token_hash, access_token_hash, created_at)
         JOIN compat_sessions s ON s.id = ${SESSION_ID} AND s.finished_at IS NULL
         ON CONFLICT (token_hash) DO NOTHING
         RETURNING 1`,
        [
          rows.map((r) => r.localpart),
          rows.map((r) => r.deviceId),
          rows.map((r) => r.tokenHash),
          rows.map((r) => r.accessTokenHash),
          rows.map((r) => r.createdAt),
        ],
      ),
    );
  }

  private async batch(
    kind: SynapseImportKind,
    lastKey: string,
    now: Date,
    size: number,
    insert: (m: EntityManager) => Promise<unknown>,
  ): Promise<number> {
    return this.dataSource.transaction(async (m) => {
      // A batch and its checkpoint commit together, so losing the last commits to a database crash
      // loses both alike and the import redoes them: no need to wait for each flush to disk.
      await m.query('SET LOCAL synchronous_commit = off');
      const written = size === 0 ? 0 : rowCount(await insert(m));
      await this.saveCheckpoint(m, kind, lastKey, now, false);
      return written;
    });
  }

  private async saveCheckpoint(
    m: EntityManager,
    kind: SynapseImportKind,
    lastKey: string | null,
    now: Date,
    finished: boolean,
  ): Promise<void> {
    await m.query(
      `INSERT INTO synapse_import_checkpoints (kind, last_key, finished_at, updated_at)
       VALUES ($1, $2, $3, $4)
       ON CONFLICT (kind) DO UPDATE SET
         last_key = COALESCE(EXCLUDED.last_key, synapse_import_checkpoints.last_key),
         finished_at = EXCLUDED.finished_at, updated_at = EXCLUDED.updated_at`,
      [kind, lastKey, finished ? now : null, now],
    );
  }
}

function rowCount(result: unknown): number {
  // TypeORM's query() gives an INSERT's rows but not its row count: each insert returns one row per
  // row written (`RETURNING 1`; rows skipped on conflict return nothing).
  return Array.isArray(result) ? result.length : 0;
}
