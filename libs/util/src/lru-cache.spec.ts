import { describe, expect, it } from 'vitest';
import { LruCache } from './lru-cache';

function fakeClock(start = 1_000): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return {
    now: () => t,
    advance: (ms) => {
      t += ms;
    },
  };
}

describe(LruCache.name, () => {
  it('returns what was stored until it expires', () => {
    const clock = fakeClock();
    const cache = new LruCache<string, number>(10, { defaultTtlMs: 100, clock: clock.now });
    cache.set('a', 1);
    clock.advance(99);
    expect(cache.get('a')).toBe(1);
    clock.advance(1);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('honours a per-entry TTL, and a non-positive one removes the key', () => {
    const clock = fakeClock();
    const cache = new LruCache<string, number>(10, { defaultTtlMs: 100, clock: clock.now });
    cache.set('a', 1, 1_000);
    clock.advance(500);
    expect(cache.get('a')).toBe(1);
    cache.set('a', 2, 0);
    expect(cache.get('a')).toBeUndefined();
  });

  it('drops the least recently used entry when full', () => {
    const cache = new LruCache<string, number>(2, { defaultTtlMs: 1_000, clock: fakeClock().now });
    cache.set('a', 1);
    cache.set('b', 2);
    expect(cache.get('a')).toBe(1); // 'b' is now the least recently used
    cache.set('c', 3);
    expect(cache.size).toBe(2);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(1);
    expect(cache.get('c')).toBe(3);
  });

  it('replacing a key does not grow the cache', () => {
    const cache = new LruCache<string, number>(2, { defaultTtlMs: 1_000, clock: fakeClock().now });
    cache.set('a', 1);
    cache.set('a', 2);
    cache.set('b', 3);
    expect(cache.size).toBe(2);
    expect(cache.get('a')).toBe(2);
  });

  it('deletes and clears', () => {
    const cache = new LruCache<string, number>(2, { defaultTtlMs: 1_000, clock: fakeClock().now });
    cache.set('a', 1);
    cache.set('b', 2);
    expect(cache.delete('a')).toBe(true);
    expect(cache.delete('a')).toBe(false);
    cache.clear();
    expect(cache.size).toBe(0);
  });

  it('rejects a bound or default TTL that makes no sense', () => {
    expect(() => new LruCache(0)).toThrow(RangeError);
    expect(() => new LruCache(1.5)).toThrow(RangeError);
    expect(() => new LruCache(1, { defaultTtlMs: 0 })).toThrow(RangeError);
    expect(() => {
      new LruCache(1).set('a', 1);
    }).toThrow(RangeError);
  });
});
