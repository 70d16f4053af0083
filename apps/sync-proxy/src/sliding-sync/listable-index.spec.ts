import { describe, expect, it } from 'vitest';
import type { UserRoomRow } from '@gateway/sync-data';
import { carryListable, listableIndex } from './listable-index';
import { withFreshRows } from './room-index/room-index-cache';
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

  describe(carryListable.name, () => {
    /** A deterministic stream of numbers in [0, 1). */
    function random(seed: number): () => number {
      let x = seed;
      return () => (x = (x * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    }

    it('puts refreshed rooms where a whole rebuild puts them, over many random refreshes', () => {
      const next = random(7);
      let current = indexOf(
        Array.from({ length: 300 }, (_, i) =>
          row(
            `!r${String(i)}`,
            Math.floor(next() * 50),
            i % 7 === 0 ? { membership: 'leave', userChangedSeq: i } : {},
          ),
        ),
      );
      listableIndex(ME, current, null);
      for (let round = 0; round < 50; round++) {
        const stale = new Set(
          Array.from({ length: 1 + Math.floor(next() * 4) }, () => `!r${String(Math.floor(next() * 300))}`),
        );
        const fresh = current.rows
          .filter((r) => stale.has(r.roomId))
          .map((r) => ({
            ...r,
            notificationCount: r.notificationCount + 1,
            room: r.room && { ...r.room, bumpTs: Math.floor(next() * 60) },
          }));
        const refreshed = withFreshRows(current, stale, fresh);
        expect(carryListable(ME, current, refreshed, stale)).toBe(true);
        const whole = { ...refreshed };
        for (const leftAfter of [null, 100]) {
          const carried = listableIndex(ME, refreshed, leftAfter);
          const rebuilt = listableIndex(ME, whole, leftAfter);
          expect(carried.entries).toEqual(rebuilt.entries);
          expect(carried.byId).toEqual(rebuilt.byId);
        }
        current = refreshed;
      }
    });

    it('leaves the list to be built whole when a membership or a tombstone changed', () => {
      const base = [
        row('!a', 1),
        row('!b', 2),
        row('!c', 3, { room: { tombstoneSuccessor: '!b' } as UserRoomRow['room'] }),
      ];
      const from = indexOf(base);
      const before = listableIndex(ME, from, null);
      for (const [id, changedRow] of [
        ['!a', row('!a', 9, { membership: 'leave' })],
        ['!b', row('!b', 9)],
      ] as const) {
        const to = withFreshRows(from, new Set([id]), [changedRow]);
        expect(carryListable(ME, from, to, new Set([id]))).toBe(false);
        expect(ids(listableIndex(ME, to, null).entries)).toEqual(
          ids(sortByRecency(buildRoomIndex(ME, to.rows, [], null).entries)),
        );
        expect(listableIndex(ME, to, null).entries).not.toBe(before.entries);
      }
    });
  });
});
