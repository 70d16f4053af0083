import { describe, expect, it } from 'vitest';
import type { RoomIndexEntry } from '../room-index/room-index';
import { sortByRecency, sortRooms } from './sort';

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
    notificationCount: 0,
    highlightCount: 0,
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

describe(sortRooms.name, () => {
  // name, stamp, highlights, notifications, encrypted
  const rooms = (
    [
      ['!1', 'Alpha', 600, 1, 5, false],
      ['!2', '#bravo', 900, 0, 0, false],
      ['!3', 'charlie', 800, 2, 1, false],
      ['!4', '(Delta)', 700, 0, 3, true],
      ['!5', 'echo', 500, 0, 2, false],
    ] as const
  ).map(([id, name, stamp, highlightCount, notificationCount, isEncrypted]) => ({
    ...room(id, stamp, 0),
    name,
    highlightCount,
    notificationCount,
    isEncrypted,
  }));

  it('sorts by each of the legacy orders as the Go proxy does', () => {
    expect(ids(sortRooms(rooms, ['by_name']))).toEqual(['!1', '!2', '!3', '!4', '!5']);
    expect(ids(sortRooms(rooms, ['by_recency']))).toEqual(['!2', '!3', '!4', '!1', '!5']);
    expect(ids(sortRooms(rooms, ['by_highlight_count']))).toEqual(['!3', '!1', '!2', '!4', '!5']);
    expect(ids(sortRooms(rooms, ['by_notification_count']))).toEqual(['!1', '!4', '!5', '!3', '!2']);
    // Highlights, then notifications (encrypted first), then the rest; recency within each.
    expect(ids(sortRooms(rooms, ['by_notification_level', 'by_recency']))).toEqual([
      '!3',
      '!1',
      '!4',
      '!5',
      '!2',
    ]);
  });

  it('falls back to recency when no order is given or all compare equal', () => {
    expect(ids(sortRooms(rooms, undefined))).toEqual(ids(sortByRecency(rooms)));
    expect(ids(sortRooms(rooms, []))).toEqual(ids(sortByRecency(rooms)));
    const same = rooms.map((r) => ({ ...r, name: 'same' }));
    expect(ids(sortRooms(same, ['by_name']))).toEqual(ids(sortByRecency(same)));
  });
});
