import { describe, expect, it } from 'vitest';
import type { ListFilters } from '../protocol/sync-request';
import { matchesFilters } from './filters';
import type { FilterContext, RoomIndexEntry } from '../room-index/room-index';

function room(overrides: Partial<RoomIndexEntry> = {}): RoomIndexEntry {
  return {
    roomId: '!room:hs',
    membership: 'join',
    roomType: null,
    isEncrypted: false,
    name: null,
    canonicalAlias: null,
    avatarUrl: null,
    heroes: [],
    joinedCount: 1,
    invitedCount: 0,
    tags: [],
    isDm: false,
    bumpStamp: 0,
    bumpSeq: 0,
    notificationCount: 0,
    highlightCount: 0,
    ...overrides,
  };
}

const spaces: Record<string, string[]> = {
  '!space-a:hs': ['!room:hs', '!other:hs'],
  '!space-b:hs': ['!third:hs'],
};
const ctx: FilterContext = {
  userId: '@me:hs',
  childrenOf: (spaceId) => new Set(spaces[spaceId] ?? []),
};

const matches = (r: RoomIndexEntry, filters: ListFilters) => matchesFilters(r, filters, ctx);

describe(matchesFilters.name, () => {
  it('lets every room through an empty filter object', () => {
    expect(matches(room(), {})).toBe(true);
    expect(matches(room({ membership: 'invite', isDm: true, roomType: 'm.space', tags: ['u.x'] }), {})).toBe(
      true,
    );
  });

  describe('booleans', () => {
    it('isDm selects DMs (true) or non-DMs (false)', () => {
      expect(matches(room({ isDm: true }), { isDm: true })).toBe(true);
      expect(matches(room({ isDm: false }), { isDm: true })).toBe(false);
      expect(matches(room({ isDm: true }), { isDm: false })).toBe(false);
      expect(matches(room({ isDm: false }), { isDm: false })).toBe(true);
    });

    it('isEncrypted selects by encryption', () => {
      expect(matches(room({ isEncrypted: true }), { isEncrypted: true })).toBe(true);
      expect(matches(room({ isEncrypted: false }), { isEncrypted: true })).toBe(false);
      expect(matches(room({ isEncrypted: true }), { isEncrypted: false })).toBe(false);
      expect(matches(room({ isEncrypted: false }), { isEncrypted: false })).toBe(true);
    });

    it('isInvite selects invites only, or everything but invites', () => {
      expect(matches(room({ membership: 'invite' }), { isInvite: true })).toBe(true);
      expect(matches(room({ membership: 'join' }), { isInvite: true })).toBe(false);
      expect(matches(room({ membership: 'knock' }), { isInvite: true })).toBe(false);
      expect(matches(room({ membership: 'invite' }), { isInvite: false })).toBe(false);
      expect(matches(room({ membership: 'join' }), { isInvite: false })).toBe(true);
      expect(matches(room({ membership: 'leave' }), { isInvite: false })).toBe(true);
    });
  });

  describe('room types', () => {
    const space = room({ roomType: 'm.space' });
    const plain = room({ roomType: null });
    const custom = room({ roomType: 'org.example.board' });

    it('roomTypes keeps rooms of a listed type; null stands for untyped rooms', () => {
      expect(matches(space, { roomTypes: ['m.space'] })).toBe(true);
      expect(matches(plain, { roomTypes: ['m.space'] })).toBe(false);
      expect(matches(plain, { roomTypes: [null] })).toBe(true);
      expect(matches(space, { roomTypes: [null] })).toBe(false);
      expect(matches(custom, { roomTypes: [null, 'org.example.board'] })).toBe(true);
    });

    it('notRoomTypes drops rooms of a listed type, null included', () => {
      expect(matches(space, { notRoomTypes: ['m.space'] })).toBe(false);
      expect(matches(plain, { notRoomTypes: ['m.space'] })).toBe(true);
      expect(matches(plain, { notRoomTypes: [null] })).toBe(false);
      expect(matches(space, { notRoomTypes: [null] })).toBe(true);
    });

    it('notRoomTypes wins over roomTypes', () => {
      expect(matches(space, { roomTypes: ['m.space'], notRoomTypes: ['m.space'] })).toBe(false);
      expect(matches(plain, { roomTypes: [null, 'm.space'], notRoomTypes: [null] })).toBe(false);
      expect(matches(space, { roomTypes: [null, 'm.space'], notRoomTypes: [null] })).toBe(true);
    });

    it('an empty roomTypes list matches nothing; an empty notRoomTypes list excludes nothing', () => {
      expect(matches(plain, { roomTypes: [] })).toBe(false);
      expect(matches(plain, { notRoomTypes: [] })).toBe(true);
    });
  });

  describe('tags', () => {
    const fav = room({ tags: ['m.favourite'] });
    const lowAndWork = room({ tags: ['m.lowpriority', 'u.work'] });
    const untagged = room({ tags: [] });

    it('tags keeps rooms with any listed tag; untagged rooms never match', () => {
      expect(matches(fav, { tags: ['m.favourite'] })).toBe(true);
      expect(matches(lowAndWork, { tags: ['m.favourite', 'u.work'] })).toBe(true);
      expect(matches(lowAndWork, { tags: ['m.favourite'] })).toBe(false);
      expect(matches(untagged, { tags: ['m.favourite'] })).toBe(false);
      expect(matches(untagged, { tags: [] })).toBe(false);
    });

    it('notTags drops rooms with any listed tag; untagged rooms always pass', () => {
      expect(matches(fav, { notTags: ['m.favourite'] })).toBe(false);
      expect(matches(lowAndWork, { notTags: ['m.favourite', 'u.work'] })).toBe(false);
      expect(matches(lowAndWork, { notTags: ['m.favourite'] })).toBe(true);
      expect(matches(untagged, { notTags: ['m.favourite'] })).toBe(true);
      expect(matches(fav, { notTags: [] })).toBe(true);
    });

    it('notTags wins over tags', () => {
      expect(matches(lowAndWork, { tags: ['u.work'], notTags: ['m.lowpriority'] })).toBe(false);
      expect(matches(fav, { tags: ['m.favourite'], notTags: ['m.lowpriority'] })).toBe(true);
    });
  });

  describe('spaces', () => {
    it('keeps children of any listed space', () => {
      expect(matches(room({ roomId: '!room:hs' }), { spaces: ['!space-a:hs'] })).toBe(true);
      expect(matches(room({ roomId: '!third:hs' }), { spaces: ['!space-a:hs'] })).toBe(false);
      expect(matches(room({ roomId: '!third:hs' }), { spaces: ['!space-a:hs', '!space-b:hs'] })).toBe(true);
    });

    it('drops rooms when the space is unknown or the list is empty', () => {
      expect(matches(room(), { spaces: ['!unknown:hs'] })).toBe(false);
      expect(matches(room(), { spaces: [] })).toBe(false);
    });
  });

  describe('roomNameLike', () => {
    it('is a case-insensitive substring of m.room.name', () => {
      const r = room({ name: 'Project Apollo' });
      expect(matches(r, { roomNameLike: 'apollo' })).toBe(true);
      expect(matches(r, { roomNameLike: 'PROJECT A' })).toBe(true);
      expect(matches(r, { roomNameLike: 'gemini' })).toBe(false);
    });

    it('looks at the computed name: alias, heroes, Empty Room', () => {
      expect(matches(room({ canonicalAlias: '#Launch:hs' }), { roomNameLike: 'launch' })).toBe(true);
      const dm = room({ heroes: [{ userId: '@bob:hs', displayName: 'Bobby Tables' }], joinedCount: 2 });
      expect(matches(dm, { roomNameLike: 'tables' })).toBe(true);
      expect(
        matches(room({ heroes: [{ userId: '@carol:hs' }], joinedCount: 2 }), { roomNameLike: 'CAROL:' }),
      ).toBe(true);
      expect(matches(room(), { roomNameLike: 'empty' })).toBe(true);
    });

    it('prefers the real name over what the heroes would give', () => {
      const r = room({ name: 'Ops', heroes: [{ userId: '@bob:hs', displayName: 'Bob' }], joinedCount: 2 });
      expect(matches(r, { roomNameLike: 'bob' })).toBe(false);
    });

    it('an empty pattern matches every room', () => {
      expect(matches(room({ name: 'x' }), { roomNameLike: '' })).toBe(true);
    });
  });

  it('ANDs all filters', () => {
    const r = room({
      roomId: '!room:hs',
      isDm: true,
      isEncrypted: true,
      membership: 'join',
      tags: ['u.work'],
      name: 'Standup',
    });
    const all: ListFilters = {
      isDm: true,
      isEncrypted: true,
      isInvite: false,
      roomTypes: [null],
      notRoomTypes: ['m.space'],
      tags: ['u.work'],
      notTags: ['m.lowpriority'],
      spaces: ['!space-a:hs'],
      roomNameLike: 'stand',
    };
    expect(matches(r, all)).toBe(true);
    expect(matches(r, { ...all, isEncrypted: false })).toBe(false);
    expect(matches(r, { ...all, roomNameLike: 'retro' })).toBe(false);
    expect(matches(r, { ...all, spaces: ['!space-b:hs'] })).toBe(false);
    expect(matches({ ...r, membership: 'invite' }, all)).toBe(false);
  });
});
