import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { RedisUserInfoCache, type RedisStringStore } from './userinfo-cache-redis';

/** An in-memory stand-in with Redis' PX semantics and a controllable clock. */
function fakeRedis(clock: { now: number }) {
  const data = new Map<string, { value: string; expiresAt: number }>();
  const store: RedisStringStore = {
    get: (key) => {
      const entry = data.get(key);
      return Promise.resolve(entry !== undefined && entry.expiresAt > clock.now ? entry.value : null);
    },
    set: (key, value, _px, ms) => {
      if (!Number.isInteger(ms) || ms < 1) return Promise.reject(new Error('ERR invalid expire time'));
      data.set(key, { value, expiresAt: clock.now + ms });
      return Promise.resolve('OK');
    },
  };
  return { store, data };
}

describe(RedisUserInfoCache.name, () => {
  it('stores under a prefix with a PX expiry', async () => {
    const clock = { now: 0 };
    const { store, data } = fakeRedis(clock);
    const cache = new RedisUserInfoCache(store);
    await cache.set('abc', '@alice:example.com', 1500.7);
    expect([...data.keys()]).toEqual(['rtc-jwt:userinfo:abc']);
    expect(await cache.get('abc')).toBe('@alice:example.com');
    clock.now = 1500;
    expect(await cache.get('abc')).toBeNull();
  });

  it('skips lifetimes Redis would refuse', async () => {
    const { store, data } = fakeRedis({ now: 0 });
    const cache = new RedisUserInfoCache(store, 'p:');
    await cache.set('a', '@a:x', 0);
    await cache.set('b', '@b:x', 0.5);
    await cache.set('c', '@c:x', Number.NaN);
    expect(data.size).toBe(0);
  });

  it('accepts a real ioredis client', () => {
    const client = new Redis({ lazyConnect: true });
    const cache = new RedisUserInfoCache(client);
    expect(cache).toBeInstanceOf(RedisUserInfoCache);
    client.disconnect();
  });
});
