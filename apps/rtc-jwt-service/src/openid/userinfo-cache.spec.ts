import { describe, expect, it } from 'vitest';
import { MemoryUserInfoCache, userInfoCacheKey } from './userinfo-cache';

describe(userInfoCacheKey.name, () => {
  it('hashes, and never contains the token', () => {
    const key = userInfoCacheKey('example.com', 'secret-token');
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(key).not.toContain('secret-token');
  });

  it('differs per server name and per token', () => {
    const key = userInfoCacheKey('example.com', 't');
    expect(userInfoCacheKey('evil.com', 't')).not.toBe(key);
    expect(userInfoCacheKey('example.com', 'u')).not.toBe(key);
    // No ambiguity from concatenation.
    expect(userInfoCacheKey('a', 'bc')).not.toBe(userInfoCacheKey('ab', 'c'));
  });
});

describe(MemoryUserInfoCache.name, () => {
  it('stores until the TTL passes', async () => {
    const clock = { now: 0 };
    const cache = new MemoryUserInfoCache({ clock: () => clock.now });
    await cache.set('k', '@alice:example.com', 1000);
    expect(await cache.get('k')).toBe('@alice:example.com');
    clock.now = 1000;
    expect(await cache.get('k')).toBeNull();
  });

  it('is bounded', async () => {
    const cache = new MemoryUserInfoCache({ maxEntries: 1 });
    await cache.set('a', '@a:x', 1000);
    await cache.set('b', '@b:x', 1000);
    expect(await cache.get('a')).toBeNull();
    expect(await cache.get('b')).toBe('@b:x');
  });
});
