import type { RoomIndexEntry } from '../room-index/room-index';

/**
 * Most recently active first. bumpSeq breaks equal timestamps (events in the same millisecond, or rooms
 * with no known stamp), and the room id makes the order total, so equal inputs always give equal lists
 * and ranges stay stable between requests. Room ids compare by code unit, not locale, for the same reason.
 */
export function sortByRecency(rooms: readonly RoomIndexEntry[]): RoomIndexEntry[] {
  return [...rooms].sort(compareRecency);
}

function compareRecency(a: RoomIndexEntry, b: RoomIndexEntry): number {
  if (a.bumpStamp !== b.bumpStamp) return b.bumpStamp - a.bumpStamp;
  if (a.bumpSeq !== b.bumpSeq) return b.bumpSeq - a.bumpSeq;
  if (a.roomId === b.roomId) return 0;
  return a.roomId < b.roomId ? -1 : 1;
}
