import { describe, expect, it } from 'vitest';
import type { UserRoomRow } from '@gateway/sync-data';
import { listableIndex } from './listable-index';
import { sortByRecency } from './lists/sort';
import { buildRoomIndex } from './room-index/build-room-index';
import type { CachedRoomIndex } from './room-index/room-index-cache';

const ME = '@me:example.org';

function row(roomId: string, bumpTs: number, extra: Partial<UserRoomRow> = {}): UserRoomRow {
  return {
    roomId,
    membership: 'join',
    membershipBySelf: true,
    membershipTs: 1,
    userChangedSeq: 10,
    visibleFromSeq: 1,
    visibleToSeq: null,
    heroes: null,
    joinedCount: 2,
    invitedCount: 0,
    inviteState: null,
    notificationCount: 0,
    highlightCount: 0,
    room: {
      roomType: null,
      isEncrypted: false,
      name: null,
      canonicalAlias: null,
      avatarUrl: null,
      tombstoneSuccessor: null,
      changedSeq: 10,
      bumpTs,
      bumpSeq: bumpTs,
      ...extra.room,
    },
    ...extra,
  };
}

function indexOf(rows: UserRoomRow[]): CachedRoomIndex {
  return { rows, accountData: [], roomIds: new Set(rows.map((r) => r.roomId)) };
}

const ids = (entries: readonly { roomId: string }[]) => entries.map((e) => e.roomId);

describe(listableIndex.name, () => {
  const rows = [
    row('!a', 300),
    row('!left-early', 500, { membership: 'leave', userChangedSeq: 20 }),
    row('!b', 100),
    row('!left-late', 400, { membership: 'leave', userChangedSeq: 40 }),
    row('!kicked', 200, { membership: 'leave', membershipBySelf: false, userChangedSeq: 30 }),
    row('!old', 600, { room: { tombstoneSuccessor: '!a' } as UserRoomRow['room'] }),
  ];
  const index = indexOf(rows);

  it('lists what buildRoomIndex lists, most recent first, for every connection age', () => {
    for (const leftAfter of [null, 0, 20, 30, 40, 50]) {
      const expected = sortByRecency(buildRoomIndex(ME, rows, [], leftAfter).entries);
      expect(ids(listableIndex(ME, index, leftAfter).entries), String(leftAfter)).toEqual(ids(expected));
    }
    // A new connection: no rooms left by the user, the upgraded room hidden behind its successor, rooms
    // not joined by when the membership changed.
    expect(ids(listableIndex(ME, index, null).entries)).toEqual(['!a', '!b', '!kicked']);
    expect(ids(listableIndex(ME, index, 30).entries)).toEqual(['!a', '!b', '!left-late', '!kicked']);
  });

  it('builds a version of the list once, however many requests read it', () => {
    const plain = indexOf([row('!x', 1), row('!y', 2)]);
    const first = listableIndex(ME, plain, null);
    expect(listableIndex(ME, plain, 5).entries).toBe(first.entries);
    // A new version (the cache refreshed a room) is built anew.
    const next = indexOf([row('!x', 3), row('!y', 2)]);
    expect(ids(listableIndex(ME, next, null).entries)).toEqual(['!x', '!y']);
    expect(ids(listableIndex(ME, plain, null).entries)).toEqual(['!y', '!x']);
  });

  it('finds every room by id, listed or not', () => {
    const byId = listableIndex(ME, index, null).byId;
    expect([...byId.keys()].sort()).toEqual(['!a', '!b', '!kicked', '!left-early', '!left-late']);
  });
});
