import type { UserRoomRow } from '@gateway/sync-data';
import { compareRecency, sortByRecency } from './lists/sort';
import { buildRoomIndex } from './room-index/build-room-index';
import type { RoomIndexEntry } from './room-index/room-index';
import type { CachedRoomIndex } from './room-index/room-index-cache';

/** The rooms a connection's lists choose from, most recent first, with their rows. */
export interface ListableIndex {
  entries: readonly RoomIndexEntry[];
  rows: ReadonlyMap<string, UserRoomRow>;
  /** Entries by room id, self-left rooms included whether listed or not. */
  byId: ReadonlyMap<string, RoomIndexEntry>;
}

interface Built extends ListableIndex {
  userId: string;
  /** Rooms the user left themselves: listed only when the leave is news to the connection. */
  selfLeft: ReadonlySet<string>;
  /** Rooms some room's tombstone points to: a change there may show or hide that room. */
  successors: ReadonlySet<string>;
}

/**
 * Entries built from one version of a user's cached list, shared by every request that gets that
 * version (a new connection, a growing list, each of 10,000 long-polls after a restart): at 10,000
 * rooms building and sorting them was most of a request's CPU. A version is never changed after it is
 * made (the cache makes a new one), so keying by the object is safe.
 */
const built = new WeakMap<CachedRoomIndex, Built>();

/**
 * The user's listable rooms as of `index`, most recent first (lists sorted by recency then sort an
 * already sorted array, which is linear). `leftAfterSeq` is buildRoomIndex's: rooms the user left
 * themselves are listed only if the leave came after it.
 */
export function listableIndex(
  userId: string,
  index: CachedRoomIndex,
  leftAfterSeq: number | null,
): ListableIndex {
  let all = built.get(index);
  if (all?.userId !== userId) {
    // Every self-left room included (any seq is above -Infinity); each request drops those it must.
    const { entries, rows } = buildRoomIndex(userId, index.rows, index.accountData, -Infinity);
    const sorted = sortByRecency(entries);
    all = {
      userId,
      entries: sorted,
      rows,
      byId: new Map(sorted.map((e) => [e.roomId, e])),
      selfLeft: new Set(
        index.rows.filter((r) => r.membership === 'leave' && r.membershipBySelf).map((r) => r.roomId),
      ),
      successors: successorsOf(index.rows),
    };
    built.set(index, all);
  }
  if (all.selfLeft.size === 0) return all;
  const { rows, selfLeft } = all;
  const listed = (id: string): boolean =>
    !selfLeft.has(id) || (leftAfterSeq !== null && (rows.get(id)?.userChangedSeq ?? 0) > leftAfterSeq);
  // byId keeps them all: the engine looks up only rooms a list chose, or subscribed rooms, which it
  // would otherwise build an entry for alike.
  return { entries: all.entries.filter((e) => listed(e.roomId)), rows, byId: all.byId };
}

function successorsOf(rows: readonly UserRoomRow[]): Set<string> {
  const out = new Set<string>();
  for (const r of rows) if (r.room?.tombstoneSuccessor != null) out.add(r.room.tombstoneSuccessor);
  return out;
}

/**
 * Derives `to`'s entries from `from`'s when `to` is `from` with the rows of `changed` re-read (the cache
 * refreshing rooms a message touched): the changed rooms' entries are rebuilt and put back in order,
 * instead of building and sorting the whole list again, which at 10,000 rooms was most of a woken
 * long-poll's CPU. Only when nothing else can have moved: the same rooms, memberships and account data,
 * and no tombstone involved; otherwise `to` is built whole when first read. Returns whether it derived.
 */
export function carryListable(
  userId: string,
  from: CachedRoomIndex,
  to: CachedRoomIndex,
  changed: ReadonlySet<string>,
): boolean {
  const prev = built.get(from);
  if (prev?.userId !== userId || built.has(to)) return false;
  if (to.accountData !== from.accountData || to.roomIds !== from.roomIds) return false;
  const fresh: UserRoomRow[] = [];
  for (const r of to.rows) if (changed.has(r.roomId)) fresh.push(r);
  for (const r of fresh) {
    const old = prev.rows.get(r.roomId);
    if (
      old === undefined ||
      old.membership !== r.membership ||
      old.membershipBySelf !== r.membershipBySelf ||
      old.room?.tombstoneSuccessor != null ||
      r.room?.tombstoneSuccessor != null ||
      prev.successors.has(r.roomId)
    )
      return false;
  }
  const rebuilt = buildRoomIndex(userId, fresh, to.accountData, -Infinity).entries;
  const entries = prev.entries.filter((e) => !changed.has(e.roomId));
  for (const entry of rebuilt) entries.splice(insertionPoint(entries, entry), 0, entry);
  const rows = new Map(prev.rows);
  for (const r of fresh) rows.set(r.roomId, r);
  const byId = new Map(prev.byId);
  for (const e of rebuilt) byId.set(e.roomId, e);
  built.set(to, { ...prev, entries, rows, byId });
  return true;
}

/** Where `entry` goes in `sorted` (most recent first), by binary search. */
function insertionPoint(sorted: readonly RoomIndexEntry[], entry: RoomIndexEntry): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareRecency(sorted[mid] as RoomIndexEntry, entry) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
