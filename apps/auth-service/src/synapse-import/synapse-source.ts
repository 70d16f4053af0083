/**
 * What the import reads from Synapse's database, whichever engine holds it. Rows are read a page at a
 * time in key order (keyset pagination), so memory stays bounded whatever the size of the server and
 * a resumed import starts right after the last key it wrote.
 */

/** The owner of a row as Synapse has it, so rows of users that are not imported are skipped alike. */
export interface SynapseOwner {
  /** Null when the row's user is not in Synapse's `users` table. */
  ownerIsGuest: boolean | null;
  ownerAppserviceId: string | null;
}

export interface SynapseUserRow {
  name: string;
  passwordHash: string | null;
  /** Seconds, as Synapse stores it. */
  creationTs: number | null;
  admin: boolean;
  isGuest: boolean;
  appserviceId: string | null;
  deactivated: boolean;
  locked: boolean;
  displayName: string | null;
}

export interface SynapseThreepidRow extends SynapseOwner {
  userId: string;
  medium: string;
  address: string;
  validatedAt: number | null;
  addedAt: number | null;
}

export interface SynapseExternalIdRow extends SynapseOwner {
  authProvider: string;
  externalId: string;
  userId: string;
}

export interface SynapseDeviceRow extends SynapseOwner {
  userId: string;
  deviceId: string;
  hidden: boolean;
  lastSeen: number | null;
}

export interface SynapseAccessTokenRow extends SynapseOwner {
  id: number;
  userId: string;
  deviceId: string | null;
  token: string;
  validUntilMs: number | null;
  puppetsUserId: string | null;
  /** Whether `devices` has the token's device (not hidden). */
  deviceExists: boolean;
}

export interface SynapseRefreshTokenRow extends SynapseOwner {
  id: number;
  userId: string;
  deviceId: string;
  token: string;
  nextTokenId: number | null;
  expiryTs: number | null;
  ultimateSessionExpiryTs: number | null;
  /** The access token issued with it, if Synapse still has it. */
  accessToken: string | null;
  deviceExists: boolean;
}

export interface SynapseRows {
  users: SynapseUserRow;
  threepids: SynapseThreepidRow;
  external_ids: SynapseExternalIdRow;
  devices: SynapseDeviceRow;
  access_tokens: SynapseAccessTokenRow;
  refresh_tokens: SynapseRefreshTokenRow;
}
export type SynapseTable = keyof SynapseRows;

/** A page of rows and the key to continue after (the last row's), JSON-encoded for checkpoints. */
export interface SynapsePage<R> {
  rows: R[];
  lastKey: string | null;
}

/** One Synapse database, opened read-only. */
export interface SynapseSource {
  readonly engine: 'postgres' | 'sqlite';
  count(table: SynapseTable): Promise<number>;
  page<T extends SynapseTable>(
    table: T,
    after: string | null,
    limit: number,
  ): Promise<SynapsePage<SynapseRows[T]>>;
  close(): Promise<void>;
}

/** The key columns of each table, in the order the pages follow. */
export const KEY_COLUMNS: Record<SynapseTable, readonly string[]> = {
  users: ['u.name'],
  threepids: ['t.medium', 't.address'],
  external_ids: ['e.auth_provider', 'e.external_id'],
  devices: ['d.user_id', 'd.device_id'],
  access_tokens: ['a.id'],
  refresh_tokens: ['r.id'],
};

const OWNER = (alias: string, column: string) => `LEFT JOIN users o ON o.name = ${alias}.${column}`;
const OWNER_COLUMNS = 'o.is_guest AS owner_is_guest, o.appservice_id AS owner_appservice_id';

/** The SELECT of each table without its WHERE/ORDER/LIMIT, the same text for both engines. */
const SELECTS: Record<SynapseTable, { from: string; count: string }> = {
  users: {
    from: `SELECT u.name, u.password_hash, u.creation_ts, u.admin, u.is_guest, u.appservice_id,
                  u.deactivated, u.locked, p.displayname
           FROM users u LEFT JOIN profiles p ON p.full_user_id = u.name`,
    count: 'SELECT count(*) AS n FROM users',
  },
  threepids: {
    from: `SELECT t.user_id, t.medium, t.address, t.validated_at, t.added_at, ${OWNER_COLUMNS}
           FROM user_threepids t ${OWNER('t', 'user_id')}`,
    count: 'SELECT count(*) AS n FROM user_threepids',
  },
  external_ids: {
    from: `SELECT e.auth_provider, e.external_id, e.user_id, ${OWNER_COLUMNS}
           FROM user_external_ids e ${OWNER('e', 'user_id')}`,
    count: 'SELECT count(*) AS n FROM user_external_ids',
  },
  devices: {
    from: `SELECT d.user_id, d.device_id, d.hidden, d.last_seen, ${OWNER_COLUMNS}
           FROM devices d ${OWNER('d', 'user_id')}`,
    count: 'SELECT count(*) AS n FROM devices',
  },
  access_tokens: {
    from: `SELECT a.id, a.user_id, a.device_id, a.token, a.valid_until_ms, a.puppets_user_id,
                  (dv.device_id IS NOT NULL) AS device_exists, ${OWNER_COLUMNS}
           FROM access_tokens a ${OWNER('a', 'user_id')}
           LEFT JOIN devices dv ON dv.user_id = a.user_id AND dv.device_id = a.device_id AND NOT COALESCE(dv.hidden, FALSE)`,
    count: 'SELECT count(*) AS n FROM access_tokens',
  },
  refresh_tokens: {
    from: `SELECT r.id, r.user_id, r.device_id, r.token, r.next_token_id, r.expiry_ts,
                  r.ultimate_session_expiry_ts,
                  (SELECT a.token FROM access_tokens a WHERE a.refresh_token_id = r.id LIMIT 1) AS access_token,
                  (dv.device_id IS NOT NULL) AS device_exists, ${OWNER_COLUMNS}
           FROM refresh_tokens r ${OWNER('r', 'user_id')}
           LEFT JOIN devices dv ON dv.user_id = r.user_id AND dv.device_id = r.device_id AND NOT COALESCE(dv.hidden, FALSE)`,
    count: 'SELECT count(*) AS n FROM refresh_tokens',
  },
};

/**
 * The page query of `table` with placeholders from `placeholder(i)` ($1 or ?): rows after the key
 * tuple (a row-value comparison, which both engines index), in key order.
 */
export function pageQuery(table: SynapseTable, after: boolean, placeholder: (i: number) => string): string {
  const keys = KEY_COLUMNS[table];
  const where = after
    ? `WHERE (${keys.join(', ')}) > (${keys.map((_, i) => placeholder(i + 1)).join(', ')})`
    : '';
  return `${SELECTS[table].from} ${where} ORDER BY ${keys.join(', ')} LIMIT ${placeholder(after ? keys.length + 1 : 1)}`;
}

export function countQuery(table: SynapseTable): string {
  return SELECTS[table].count;
}

type Raw = Record<string, unknown>;
const str = (v: unknown): string => (typeof v === 'string' ? v : String(v));
const optStr = (v: unknown): string | null => (v === null || v === undefined ? null : str(v));
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
// SQLite stores booleans as 0/1, Postgres's smallint columns too; `t`/`f` never reach here (pg parses).
const bool = (v: unknown): boolean => v === true || v === 1 || v === '1' || v === 't';
const optBool = (v: unknown): boolean | null => (v === null || v === undefined ? null : bool(v));
const owner = (r: Raw): SynapseOwner => ({
  ownerIsGuest: optBool(r['owner_is_guest']),
  ownerAppserviceId: optStr(r['owner_appservice_id']),
});

/** A raw row of either engine as the import reads it. */
export const ROW_READERS: { [T in SynapseTable]: (r: Raw) => SynapseRows[T] } = {
  users: (r) => ({
    name: str(r['name']),
    passwordHash: optStr(r['password_hash']),
    creationTs: num(r['creation_ts']),
    admin: bool(r['admin']),
    isGuest: bool(r['is_guest']),
    appserviceId: optStr(r['appservice_id']),
    deactivated: bool(r['deactivated']),
    locked: bool(r['locked']),
    displayName: optStr(r['displayname']),
  }),
  threepids: (r) => ({
    ...owner(r),
    userId: str(r['user_id']),
    medium: str(r['medium']),
    address: str(r['address']),
    validatedAt: num(r['validated_at']),
    addedAt: num(r['added_at']),
  }),
  external_ids: (r) => ({
    ...owner(r),
    authProvider: str(r['auth_provider']),
    externalId: str(r['external_id']),
    userId: str(r['user_id']),
  }),
  devices: (r) => ({
    ...owner(r),
    userId: str(r['user_id']),
    deviceId: str(r['device_id']),
    hidden: bool(r['hidden']),
    lastSeen: num(r['last_seen']),
  }),
  access_tokens: (r) => ({
    ...owner(r),
    id: Number(r['id']),
    userId: str(r['user_id']),
    deviceId: optStr(r['device_id']),
    token: str(r['token']),
    validUntilMs: num(r['valid_until_ms']),
    puppetsUserId: optStr(r['puppets_user_id']),
    deviceExists: bool(r['device_exists']),
  }),
  refresh_tokens: (r) => ({
    ...owner(r),
    id: Number(r['id']),
    userId: str(r['user_id']),
    deviceId: str(r['device_id']),
    token: str(r['token']),
    nextTokenId: num(r['next_token_id']),
    expiryTs: num(r['expiry_ts']),
    ultimateSessionExpiryTs: num(r['ultimate_session_expiry_ts']),
    accessToken: optStr(r['access_token']),
    deviceExists: bool(r['device_exists']),
  }),
};

/** The key of a raw row, JSON-encoded: what the next page starts after. */
export function rowKey(table: SynapseTable, r: Raw): string {
  return JSON.stringify(KEY_COLUMNS[table].map((c) => r[c.slice(c.indexOf('.') + 1)]));
}

/** A stored key back into the values of the key columns. */
export function keyValues(key: string): unknown[] {
  return JSON.parse(key) as unknown[];
}
