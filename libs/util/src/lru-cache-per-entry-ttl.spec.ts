import { describe, expect, it } from 'vitest';
import { LruCache } from './lru-cache';

function fakeClock(start = 1_000): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}

describe(`${LruCache.name} with a TTL per entry`, () => {
  it('returns values until they expire', () => {
    const clock = fakeClock();
    const cache = new LruCache<string, number>(10, { clock: clock.now });
    cache.set('a', 1, 100);
    clock.advance(99);
    expect(cache.get('a')).toBe(1);
    clock.advance(1);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('stores nothing for a non-positive or NaN TTL, and forgets a previous value', () => {
    const cache = new LruCache<string, number>(10);
    cache.set('a', 1, 1000);
    cache.set('a', 2, 0);
    expect(cache.get('a')).toBeUndefined();
    cache.set('b', 1, Number.NaN);
    expect(cache.size).toBe(0);
  });

  it('evicts the least recently used entry when full', () => {
    const cache = new LruCache<string, number>(2);
    cache.set('a', 1, 1000);
    cache.set('b', 2, 1000);
    expect(cache.get('a')).toBe(1); // a is now the most recent
    cache.set('c', 3, 1000);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(1);
    expect(cache.get('c')).toBe(3);
    expect(cache.size).toBe(2);
  });

  it('deletes on request', () => {
    const cache = new LruCache<string, number>(2);
    cache.set('a', 1, 1000);
    cache.delete('a');
    expect(cache.get('a')).toBeUndefined();
  });

  it('refuses a nonsensical bound', () => {
    expect(() => new LruCache(0)).toThrow(RangeError);
  });
});
