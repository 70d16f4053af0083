import type { ListFilters } from '../protocol/sync-request';
import { computeRoomName } from '../rooms/room-name';
import type { FilterContext, RoomIndexEntry } from '../room-index/room-index';

/**
 * MSC4186 list filters, ANDed. An absent filter is no constraint; a present but empty inclusion list
 * (`room_types: []`, `tags: []`, `spaces: []`) matches nothing, as Synapse treats `[]` as a real list.
 * Exclusions are checked with the inclusions, so a room both included and excluded is excluded.
 */
export function matchesFilters(room: RoomIndexEntry, filters: ListFilters, ctx: FilterContext): boolean {
  if (filters.isDm !== undefined && room.isDm !== filters.isDm) return false;
  if (filters.isEncrypted !== undefined && room.isEncrypted !== filters.isEncrypted) return false;
  if (filters.isInvite !== undefined && (room.membership === 'invite') !== filters.isInvite) return false;

  // `null` in either list stands for an untyped room, which is exactly how roomType stores it.
  if (filters.roomTypes !== undefined && !filters.roomTypes.includes(room.roomType)) return false;
  if (filters.notRoomTypes?.includes(room.roomType)) return false;

  // A room without `m.tag` account data has no tags: it fails `tags` and passes `notTags`.
  if (filters.tags !== undefined && !filters.tags.some((tag) => room.tags.includes(tag))) return false;
  if (filters.notTags?.some((tag) => room.tags.includes(tag))) return false;

  if (
    filters.spaces !== undefined &&
    !filters.spaces.some((space) => ctx.childrenOf(space).has(room.roomId))
  ) {
    return false;
  }

  // Last: it is the only filter that builds a string.
  if (filters.roomNameLike !== undefined) {
    const name = computeRoomName(room).toLowerCase();
    if (!name.includes(filters.roomNameLike.toLowerCase())) return false;
  }
  return true;
}
