import type { DataSource, EntityManager } from 'typeorm';
import type { V2Batch } from '../model/v2-batch';
import { upsertAccountData, writeRoom, type MembershipOfRoom } from './room-writer';
import { num, recordset, rowsOf } from './sql-util';

export interface ApplyInput {
  userId: string;
  deviceId: string;
  /** This replica's id: the write only lands while it still holds the device's lease. */
  owner: string;
  /** The `since` this response answered; the device row must still hold it (compare-and-set). */
  since: string | null;
  batch: V2Batch;
  memberships: ReadonlyMap<string, MembershipOfRoom>;
  /** Which timeline event types move a room up the list (the app's policy; Synapse's for MSC4186). */
  bumps: (eventType: string) => boolean;
  now: number;
}

/** What a committed batch changed, for waking long-polls. */
export interface AppliedBatch {
  seq: number;
  rooms: string[];
  /** Users whose own data changed (to-device, account data, keys, memberships, counts). */
  users: string[];
  /** Of the user's changes: the rooms whose row for the user changed (membership, heroes, counts). */
  userRooms: string[];
  /** Of the user's changes: whether any of their account data (global or of a room) changed. */
  accountData: boolean;
}

export class LeaseLostError extends Error {
  constructor() {
    super('the device lease was lost or its since moved on; the batch was not stored');
    this.name = 'LeaseLostError';
  }
}

/**
 * Stores one upstream /sync response in one transaction, ending with a compare-and-set of the device's
 * `since`: either everything lands and the next poll starts after it, or nothing does and the same
 * `since` is polled again (the homeserver then resends the same to-device batch). That is what makes
 * to-device delivery exactly-once without ordering tricks.
 */
export class BatchWriter {
  constructor(private readonly dataSource: DataSource) {}

  async apply(input: ApplyInput): Promise<AppliedBatch> {
    return this.dataSource.transaction((em) => applyIn(em, input));
  }
}

/** The steps of one batch, in order; each returns whether the polled user's own data changed. */
async function applyIn(em: EntityManager, input: ApplyInput): Promise<AppliedBatch> {
  const { batch, userId } = input;
  const eventCount = batch.rooms.reduce((n, r) => n + r.timeline.events.length, 0);
  const batchSeq = await allocateSeqs(em, eventCount + 1);
  let nextSeq = batchSeq - eventCount;
  const touchedRooms = new Set<string>();
  const userRooms: string[] = [];
  let userChanged = false;
  let accountData = false;

  const ctx = {
    userId,
    deviceId: input.deviceId,
    firstSync: input.since === null,
    memberships: input.memberships,
    bumps: input.bumps,
    now: input.now,
    batchSeq,
    allocate: () => nextSeq++,
    next: () => nextSeq,
  };
  for (const room of batch.rooms) {
    const changed = await writeRoom(em, ctx, room);
    if (changed.room) touchedRooms.add(room.roomId);
    if (changed.user) userChanged = true;
    if (changed.userRow) userRooms.push(room.roomId);
    if (changed.accountData) accountData = true;
  }
  if (
    batch.accountData.length > 0 &&
    (await upsertAccountData(em, userId, '', batch.accountData, batchSeq))
  ) {
    userChanged = true;
    accountData = true;
  }
  userChanged = (await writeDeviceDataAndAdvance(em, input, batchSeq)) || userChanged;
  return {
    seq: batchSeq,
    rooms: [...touchedRooms],
    users: userChanged ? [userId] : [],
    userRooms,
    accountData,
  };
}

/**
 * Takes `count` positions from the one-row stream and returns the highest; the row stays locked until
 * commit, so writers are serialised and readers never see a gap fill in later.
 */
async function allocateSeqs(em: EntityManager, count: number): Promise<number> {
  const [stream] = await rowsOf(
    em.query('UPDATE sync_stream SET max_seq = max_seq + $1 WHERE id = 1 RETURNING max_seq', [count]),
  );
  return num(stream?.['max_seq']);
}

/**
 * The device's own data (to-device messages, key counts, device-list changes) and the compare-and-set
 * that commits the batch, in one statement (they were four round trips on every batch, most of them for
 * the key counts every response carries): each part is a CTE, which Postgres runs to completion whether
 * or not the final SELECT reads it. Only the CAS is always there: `since` moves only under the lease and
 * only from the since this response answered, else nothing of the batch lands. True when the user's
 * data changed.
 */
async function writeDeviceDataAndAdvance(
  em: EntityManager,
  input: ApplyInput,
  seq: number,
): Promise<boolean> {
  const { toDevice, otkCounts, fallbackKeyTypes, deviceLists } = input.batch;
  const values: unknown[] = [input.userId, input.deviceId];
  const param = (value: unknown): string => `$${String(values.push(value))}`;
  const parts: string[] = [];
  if (toDevice.length > 0) {
    parts.push(`to_device AS (
      INSERT INTO sync_to_device (user_id, device_id, event)
      SELECT $1, $2, e FROM jsonb_array_elements(${param(JSON.stringify(toDevice))}::jsonb) WITH ORDINALITY AS t(e, i)
      ORDER BY i RETURNING 1)`);
  }
  const keys = otkCounts !== undefined || fallbackKeyTypes !== undefined;
  if (keys) {
    // Changed only when the counts or types differ from what is stored.
    parts.push(`device_keys AS (
      INSERT INTO sync_device_keys (user_id, device_id, otk_counts, fallback_types, seq)
      VALUES ($1, $2, ${param(otkCounts === undefined ? null : JSON.stringify(otkCounts))}::jsonb,
        ${param(fallbackKeyTypes === undefined ? null : JSON.stringify(fallbackKeyTypes))}::jsonb, ${param(seq)})
      ON CONFLICT (user_id, device_id) DO UPDATE SET
        otk_counts = coalesce(excluded.otk_counts, sync_device_keys.otk_counts),
        fallback_types = coalesce(excluded.fallback_types, sync_device_keys.fallback_types),
        seq = excluded.seq
      WHERE (coalesce(excluded.otk_counts, sync_device_keys.otk_counts),
             coalesce(excluded.fallback_types, sync_device_keys.fallback_types))
        IS DISTINCT FROM (sync_device_keys.otk_counts, sync_device_keys.fallback_types)
      RETURNING 1)`);
  }
  const listChanges = [
    ...deviceLists.changed.map((target) => ({ target, change: 'changed' })),
    ...deviceLists.left.map((target) => ({ target, change: 'left' })),
  ];
  if (listChanges.length > 0) {
    parts.push(`device_lists AS (
      INSERT INTO sync_device_list_changes (user_id, device_id, target_user_id, change, seq)
      SELECT $1, $2, r.target, r.change, ${param(seq)}
      FROM jsonb_to_recordset(${param(recordset(listChanges))}::jsonb) AS r(target text, change text)
      ON CONFLICT (user_id, device_id, target_user_id)
      DO UPDATE SET change = excluded.change, seq = excluded.seq, created_at = now()
      RETURNING 1)`);
  }
  parts.push(`cas AS (
    UPDATE sync_devices SET since = ${param(input.batch.nextBatch)}, last_poll_at = now(), poll_errors = 0
    WHERE user_id = $1 AND device_id = $2 AND owner = ${param(input.owner)}
      AND since IS NOT DISTINCT FROM ${param(input.since)}::text
    RETURNING 1)`);
  const [row] = await rowsOf(
    em.query(
      `WITH ${parts.join(', ')}
       SELECT EXISTS (SELECT FROM cas) AS advanced, ${keys ? 'EXISTS (SELECT FROM device_keys)' : 'false'} AS keys`,
      values,
    ),
  );
  if (row?.['advanced'] !== true) throw new LeaseLostError();
  return toDevice.length > 0 || listChanges.length > 0 || row['keys'] === true;
}
