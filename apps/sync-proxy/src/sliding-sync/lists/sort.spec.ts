import { describe, expect, it } from 'vitest';
import type { RoomIndexEntry } from '../room-index/room-index';
import { sortByRecency } from './sort';

function room(roomId: string, bumpStamp: number, bumpSeq: number): RoomIndexEntry {
  return {
    roomId,
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
    bumpStamp,
    bumpSeq,
  };
}

const ids = (rooms: readonly RoomIndexEntry[]) => rooms.map((r) => r.roomId);

describe(sortByRecency.name, () => {
  it('puts the most recent bumpStamp first', () => {
    const rooms = [room('!a', 100, 1), room('!b', 300, 2), room('!c', 200, 3)];
    expect(ids(sortByRecency(rooms))).toEqual(['!b', '!c', '!a']);
  });

  it('breaks equal stamps by bumpSeq, highest first', () => {
    const rooms = [room('!a', 100, 5), room('!b', 100, 9), room('!c', 100, 7)];
    expect(ids(sortByRecency(rooms))).toEqual(['!b', '!c', '!a']);
  });

  it('breaks full ties by room id in code-unit order', () => {
    const rooms = [room('!b', 0, 0), room('!B', 0, 0), room('!a', 0, 0), room('!ä', 0, 0)];
    expect(ids(sortByRecency(rooms))).toEqual(['!B', '!a', '!b', '!ä']);
  });

  it('gives the same order whatever the input order', () => {
    const rooms = [room('!a', 5, 1), room('!b', 5, 1), room('!c', 9, 0), room('!d', 5, 2), room('!e', 0, 0)];
    const expected = ['!c', '!d', '!a', '!b', '!e'];
    expect(ids(sortByRecency(rooms))).toEqual(expected);
    expect(ids(sortByRecency([...rooms].reverse()))).toEqual(expected);
    expect(ids(sortByRecency([...rooms.slice(2), ...rooms.slice(0, 2)]))).toEqual(expected);
  });

  it('returns a new array and leaves the input alone', () => {
    const rooms = [room('!a', 1, 0), room('!b', 2, 0)];
    const sorted = sortByRecency(rooms);
    expect(sorted).not.toBe(rooms);
    expect(ids(rooms)).toEqual(['!a', '!b']);
    expect(sortByRecency([])).toEqual([]);
  });
});
