import type { RoomIndexEntry } from '../room-index/room-index';
import { computeRoomName } from '../rooms/room-name';
import type { ListSort } from '../protocol/sync-request';

/**
 * Most recently active first. bumpSeq breaks equal timestamps (events in the same millisecond, or rooms
 * with no known stamp), and the room id makes the order total, so equal inputs always give equal lists
 * and ranges stay stable between requests. Room ids compare by code unit, not locale, for the same reason.
 */
export function sortByRecency(rooms: readonly RoomIndexEntry[]): RoomIndexEntry[] {
  return [...rooms].sort(compareRecency);
}

/**
 * A legacy list's `sort`, compared like the Go proxy: by_name on the lower-cased computed name without
 * its leading and trailing sigils, by_notification_level highlights first, then notifications (encrypted
 * rooms first among those, as their counts may hide highlights), by the counts highest first. Rooms equal
 * on every requested order fall back to recency, so the order is total.
 */
export function sortRooms(
  rooms: readonly RoomIndexEntry[],
  sort: readonly ListSort[] | undefined,
): RoomIndexEntry[] {
  if (sort === undefined || sort.length === 0 || (sort.length === 1 && sort[0] === 'by_recency'))
    return sortByRecency(rooms);
  const names = new Map(sort.includes('by_name') ? rooms.map((r) => [r.roomId, sortName(r)]) : []);
  const comparators = sort.map((order) => COMPARATORS[order]);
  return [...rooms].sort((a, b) => {
    for (const compare of comparators) {
      const c = compare(a, b, names);
      if (c !== 0) return c;
    }
    return compareRecency(a, b);
  });
}

type Compare = (a: RoomIndexEntry, b: RoomIndexEntry, names: ReadonlyMap<string, string>) => number;

const COMPARATORS: Record<ListSort, Compare> = {
  by_recency: (a, b) => b.bumpStamp - a.bumpStamp,
  by_name: (a, b, names) => {
    const x = names.get(a.roomId) ?? '';
    const y = names.get(b.roomId) ?? '';
    return x === y ? 0 : x < y ? -1 : 1;
  },
  by_notification_level: (a, b) => notificationLevel(b) - notificationLevel(a),
  by_notification_count: (a, b) => b.notificationCount - a.notificationCount,
  by_highlight_count: (a, b) => b.highlightCount - a.highlightCount,
};

function notificationLevel(r: RoomIndexEntry): number {
  if (r.highlightCount > 0) return 3;
  if (r.notificationCount > 0) return r.isEncrypted ? 2 : 1;
  return 0;
}

function sortName(r: RoomIndexEntry): string {
  return computeRoomName(r)
    .toLowerCase()
    .replace(/^[#!():_@]+|[#!():_@]+$/g, '');
}

export function compareRecency(a: RoomIndexEntry, b: RoomIndexEntry): number {
  if (a.bumpStamp !== b.bumpStamp) return b.bumpStamp - a.bumpStamp;
  if (a.bumpSeq !== b.bumpSeq) return b.bumpSeq - a.bumpSeq;
  if (a.roomId === b.roomId) return 0;
  return a.roomId < b.roomId ? -1 : 1;
}
