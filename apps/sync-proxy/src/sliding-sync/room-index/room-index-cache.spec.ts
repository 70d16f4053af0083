import { describe, expect, it } from 'vitest';
import type { UserRoomRow } from '@gateway/sync-data';
import { RoomIndexCache, type CachedRoomIndex } from './room-index-cache';

function index(...roomIds: string[]): CachedRoomIndex {
  return {
    rows: roomIds.map((roomId) => ({ roomId }) as UserRoomRow),
    accountData: [],
    roomIds: new Set(roomIds),
  };
}

describe('RoomIndexCache', () => {
  it('keeps a list until a message touches its user or one of its rooms', () => {
    const cache = new RoomIndexCache();
    cache.offer('@a:hs', index('!1:hs', '!2:hs'), 10, cache.mark());
    cache.offer('@b:hs', index('!3:hs'), 10, cache.mark());
    expect(cache.get('@a:hs')?.roomIds.has('!1:hs')).toBe(true);
    cache.message({ seq: 11, rooms: ['!9:hs'], users: ['@c:hs'] });
    expect(cache.get('@a:hs')).toBeDefined();
    cache.message({ seq: 12, rooms: ['!2:hs'], users: [] });
    expect(cache.get('@a:hs')).toBeUndefined();
    expect(cache.get('@b:hs')).toBeDefined();
    cache.message({ seq: 13, rooms: [], users: ['@b:hs'] });
    expect(cache.get('@b:hs')).toBeUndefined();
  });

  it('refuses a list read before a change it has already heard of', () => {
    const cache = new RoomIndexCache();
    const mark = cache.mark();
    // The list was read at seq 10; a change to one of its rooms at seq 11 was announced meanwhile.
    cache.message({ seq: 11, rooms: ['!1:hs'], users: [] });
    cache.offer('@a:hs', index('!1:hs'), 10, mark);
    expect(cache.get('@a:hs')).toBeUndefined();
    // Read at 11, it is current.
    cache.offer('@a:hs', index('!1:hs'), 11, cache.mark());
    expect(cache.get('@a:hs')).toBeDefined();
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
