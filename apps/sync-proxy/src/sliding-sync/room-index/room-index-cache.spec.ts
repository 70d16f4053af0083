import { describe, expect, it } from 'vitest';
import type { UserRoomRow } from '@gateway/sync-data';
import { RoomIndexCache, withFreshRows, type CachedRoomIndex } from './room-index-cache';

function index(...roomIds: string[]): CachedRoomIndex {
  return {
    rows: roomIds.map((roomId) => ({ roomId }) as UserRoomRow),
    accountData: [],
    roomIds: new Set(roomIds),
  };
}

describe('RoomIndexCache', () => {
  it('marks the rooms a message touched as stale, and drops a list when its user changed otherwise', () => {
    const cache = new RoomIndexCache();
    cache.offer('@a:hs', index('!1:hs', '!2:hs'), 10, cache.mark());
    cache.offer('@b:hs', index('!3:hs'), 10, cache.mark());
    expect(cache.get('@a:hs')?.index.roomIds.has('!1:hs')).toBe(true);
    expect(cache.get('@a:hs')?.stale.size).toBe(0);
    cache.message({ seq: 11, rooms: ['!9:hs'], users: ['@c:hs'] });
    expect(cache.get('@a:hs')?.stale.size).toBe(0);
    cache.message({ seq: 12, rooms: ['!2:hs'], users: [] });
    expect([...(cache.get('@a:hs')?.stale ?? [])]).toEqual(['!2:hs']);
    expect(cache.get('@b:hs')?.stale.size).toBe(0);
    // The user's own rows of rooms changed (unread counts, a new invite), and nothing else of theirs.
    cache.message({ seq: 13, rooms: [], users: ['@b:hs'], userRooms: ['!3:hs', '!4:hs'] });
    expect([...(cache.get('@b:hs')?.stale ?? [])]).toEqual(['!3:hs', '!4:hs']);
    // Something else of theirs a list may read (account data), or a message that does not say.
    cache.message({ seq: 14, rooms: [], users: ['@b:hs'] });
    expect(cache.get('@b:hs')).toBeUndefined();
    expect(cache.get('@a:hs')).toBeDefined();
  });

  it('keeps a stale room stale when a refresh read from a snapshot before a newer message', () => {
    const cache = new RoomIndexCache();
    cache.offer('@a:hs', index('!1:hs', '!2:hs'), 10, cache.mark());
    cache.message({ seq: 11, rooms: ['!1:hs'], users: [] });
    const mark = cache.mark();
    const view = cache.get('@a:hs');
    if (view === undefined) throw new Error('expected the list');
    // While the refresh reads !1 at seq 11, a message for !2 arrives with an older position (another
    // replica's batch, announced late) and one for !1 at 12.
    cache.message({ seq: 10, rooms: ['!2:hs'], users: [] });
    cache.message({ seq: 12, rooms: ['!1:hs'], users: [] });
    cache.refreshed('@a:hs', view, index('!1:hs', '!2:hs'), 11, mark);
    expect([...(cache.get('@a:hs')?.stale ?? [])].sort()).toEqual(['!1:hs', '!2:hs']);
  });

  it('stores a list read before a change it has already heard of with that change’s rooms stale', () => {
    const cache = new RoomIndexCache();
    const mark = cache.mark();
    // The list was read at seq 10; a change to one of its rooms at seq 11 was announced meanwhile.
    cache.message({ seq: 11, rooms: ['!1:hs'], users: [] });
    cache.offer('@a:hs', index('!1:hs'), 10, mark);
    expect([...(cache.get('@a:hs')?.stale ?? [])]).toEqual(['!1:hs']);
    // Read at 11, it is current.
    cache.offer('@a:hs', index('!1:hs'), 11, cache.mark());
    expect(cache.get('@a:hs')?.stale.size).toBe(0);
    // A change to the user's account data at 12, heard before a list read at 11 is offered: not stored.
    cache.message({ seq: 12, rooms: [], users: ['@b:hs'] });
    cache.offer('@b:hs', index('!1:hs'), 11, cache.mark());
    expect(cache.get('@b:hs')).toBeUndefined();
  });

  it('replaces, adds and drops only the stale rooms’ rows, keeping the rest and their shared id set', () => {
    const base = index('!1:hs', '!2:hs', '!3:hs');
    const row = (roomId: string, notificationCount: number) => ({ roomId, notificationCount }) as UserRoomRow;
    const same = withFreshRows(base, new Set(['!2:hs']), [row('!2:hs', 5)]);
    expect(same.rows.map((r) => [r.roomId, r.notificationCount])).toEqual([
      ['!1:hs', undefined],
      ['!2:hs', 5],
      ['!3:hs', undefined],
    ]);
    expect(same.rows[0]).toBe(base.rows[0]);
    expect(same.roomIds).toBe(base.roomIds);
    // !3 is gone (no row any more), !4 is new.
    const moved = withFreshRows(base, new Set(['!3:hs', '!4:hs']), [row('!4:hs', 1)]);
    expect(moved.rows.map((r) => r.roomId)).toEqual(['!1:hs', '!2:hs', '!4:hs']);
    expect([...moved.roomIds]).toEqual(['!1:hs', '!2:hs', '!4:hs']);
    expect(base.rows).toHaveLength(3);
  });

  it('forgets everything on a gap, and refuses lists read before it', () => {
    const cache = new RoomIndexCache();
    cache.offer('@a:hs', index('!1:hs'), 10, cache.mark());
    const mark = cache.mark();
    cache.gap();
    expect(cache.get('@a:hs')).toBeUndefined();
    cache.offer('@a:hs', index('!1:hs'), 10, mark);
    expect(cache.size).toBe(0);
  });

  it('ignores token invalidations, expires entries, and stays within its bound of rooms', () => {
    let now = 0;
    const cache = new RoomIndexCache(3, 1_000, () => now);
    cache.offer('@a:hs', index('!1:hs'), 1, cache.mark());
    cache.message({ seq: 0, rooms: [], users: ['@a:hs'], invalidTokens: ['ab'] });
    expect(cache.get('@a:hs')).toBeDefined();
    cache.offer('@b:hs', index('!2:hs'), 1, cache.mark());
    cache.offer('@c:hs', index('!3:hs', '!4:hs'), 1, cache.mark());
    expect(cache.size).toBe(2);
    expect(cache.get('@a:hs')).toBeUndefined(); // least recently used went first
    cache.offer('@d:hs', index('!5:hs', '!6:hs', '!7:hs', '!8:hs'), 1, cache.mark());
    expect(cache.get('@d:hs')).toBeUndefined(); // larger than the whole budget: never held
    now = 2_000;
    expect(cache.get('@c:hs')).toBeUndefined();
  });
});
