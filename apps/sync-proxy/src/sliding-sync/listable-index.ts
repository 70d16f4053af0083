import type { UserRoomRow } from '@gateway/sync-data';
import { sortByRecency } from './lists/sort';
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
