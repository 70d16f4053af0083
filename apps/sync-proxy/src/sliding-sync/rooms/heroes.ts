import type { Hero, StateEvent } from '@gateway/sync-data';

/** A hero as MSC4186 puts it on the wire (`rooms.*.heroes`). */
export interface WireHero {
  user_id: string;
  displayname?: string;
  avatar_url?: string;
}

/**
 * Heroes in the homeserver summary's order, with the profile their `m.room.member` event carries. Content
 * comes from other users, so only non-empty strings are taken; an empty display name is no name (the room
 * name falls back to the user id), and an empty avatar URL is no avatar.
 */
export function heroesFromState(
  heroIds: readonly string[],
  memberEvents: ReadonlyMap<string, StateEvent>,
): Hero[] {
  return heroIds.map((userId) => {
    const content = memberEvents.get(userId)?.content;
    const hero: Hero = { userId };
    const displayName = content?.['displayname'];
    const avatarUrl = content?.['avatar_url'];
    if (typeof displayName === 'string' && displayName !== '') hero.displayName = displayName;
    if (typeof avatarUrl === 'string' && avatarUrl !== '') hero.avatarUrl = avatarUrl;
    return hero;
  });
}

/** Unknown profile fields are left out, not sent as null: clients treat a missing field as "not known". */
export function heroesToWire(heroes: readonly Hero[]): WireHero[] {
  return heroes.map((hero) => {
    const wire: WireHero = { user_id: hero.userId };
    if (hero.displayName !== undefined) wire.displayname = hero.displayName;
    if (hero.avatarUrl !== undefined) wire.avatar_url = hero.avatarUrl;
    return wire;
  });
}
