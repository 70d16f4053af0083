import type { Hero } from '@gateway/sync-data';
import type { RoomIndexEntry } from '../room-index/room-index';

export type RoomNameInput = Pick<
  RoomIndexEntry,
  'name' | 'canonicalAlias' | 'heroes' | 'joinedCount' | 'invitedCount'
>;

/** The spec lets clients cap how many heroes a name lists; homeservers send at most 5. */
const MAX_NAMED_HEROES = 5;

/**
 * The client-server spec's "Calculating the display name for a room": `m.room.name`, else the canonical
 * alias, else a name composed from the heroes (who never include the requesting user). The proxy sends a
 * ready name, as the Go proxy did, so `room_name_like` and clients agree on what a room is called.
 */
export function computeRoomName(room: RoomNameInput): string {
  if (room.name) return room.name;
  if (room.canonicalAlias) return room.canonicalAlias;

  const shown = room.heroes.slice(0, MAX_NAMED_HEROES);
  const names = displayNames(shown);
  const memberCount = room.joinedCount + room.invitedCount;
  // Members other than the user who are not named. Heroes beyond the cap count too: in an empty room
  // they are the former members the "(was …)" suffix describes, and the member count no longer has them.
  const others = Math.max(memberCount - 1, room.heroes.length) - shown.length;

  if (memberCount <= 1) {
    return names.length === 0 ? 'Empty Room' : `Empty Room (was ${joinNames(names, others)})`;
  }
  return joinNames(names, others);
}

/**
 * A hero's display name, or the user id when there is none. Two heroes with the same display name get
 * their user ids appended, the spec's disambiguation (heroes are the only members known here).
 */
function displayNames(heroes: readonly Hero[]): string[] {
  const uses = new Map<string, number>();
  for (const hero of heroes) uses.set(plainName(hero), (uses.get(plainName(hero)) ?? 0) + 1);
  return heroes.map((hero) => {
    const name = plainName(hero);
    return (uses.get(name) ?? 0) > 1 && name !== hero.userId ? `${name} (${hero.userId})` : name;
  });
}

function plainName(hero: Hero): string {
  return hero.displayName ? hero.displayName : hero.userId;
}

/** "Alice", "Alice and Bob", "Alice, Bob and Carol", "Alice, Bob and 3 others", "2 others". */
function joinNames(names: readonly string[], others: number): string {
  const parts = others > 0 ? [...names, others === 1 ? '1 other' : `${others} others`] : [...names];
  const last = parts.pop();
  if (last === undefined) return 'Empty Room';
  return parts.length === 0 ? last : `${parts.join(', ')} and ${last}`;
}
