import { createTestRedis, type TestRedis } from '@gateway/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RedisTrackedStore } from '../../src/membership/tracked-store-redis';
import type { TrackedParticipant } from '../../src/membership/tracked-store';

// The removal watch's Redis store on the real Redis, one key prefix per test.
describe('RedisTrackedStore', () => {
  let redis: TestRedis;
  let store: RedisTrackedStore;

  beforeEach(async () => {
    redis = await createTestRedis();
    store = new RedisTrackedStore(redis.redis, redis.prefix);
  });
  afterEach(() => redis.cleanup());

  const participant = (n: number, issuedAt = 1_000): TrackedParticipant => ({
    room: 'lk-room',
    identity: `id-${n}`,
    roomId: '!r:hs',
    userId: `@u${n}:hs`,
    issuedAt,
  });

  it('walks every entry in bounded batches', async () => {
    for (let n = 0; n < 250; n++) await store.put(participant(n), 60_000);
    const sizes: number[] = [];
    const seen = new Set<string>();
    for await (const batch of store.batches()) {
      sizes.push(batch.length);
      for (const p of batch) seen.add(p.identity);
    }
    expect(seen.size).toBe(250);
    expect(sizes.length).toBeGreaterThan(1);
    expect(Math.max(...sizes)).toBeLessThan(250);
  });

  it('expires an entry on its own, and keep() moves the expiry', async () => {
    await store.put(participant(1), 3_660_000);
    const key = `${redis.prefix}:p:${JSON.stringify(['lk-room', 'id-1'])}`;
    expect(await redis.redis.pttl(key)).toBeGreaterThan(3_600_000);
    await store.keep('lk-room', 'id-1', 150);
    expect(await redis.redis.pttl(key)).toBeLessThanOrEqual(150);
    await new Promise((r) => setTimeout(r, 250));
    expect(await store.get('lk-room', 'id-1')).toBeNull();
    expect(await store.count()).toBe(0);
  });

  it("deletes a token's entry only while it is still that token's", async () => {
    await store.put(participant(1, 1_000), 60_000);
    await store.put(participant(1, 2_000), 60_000);
    await store.delete('lk-room', 'id-1', 1_000);
    expect(await store.get('lk-room', 'id-1')).toEqual(participant(1, 2_000));
    await store.delete('lk-room', 'id-1', 2_000);
    expect(await store.get('lk-room', 'id-1')).toBeNull();
  });

  it('treats a value it did not write as absent', async () => {
    await redis.redis.set(`${redis.prefix}:p:${JSON.stringify(['lk-room', 'x'])}`, '{"room":1}');
    expect(await store.get('lk-room', 'x')).toBeNull();
    expect(await store.count()).toBe(0);
  });

  it('grants the pass lease to one holder until it expires; a lost lease cannot be renewed', async () => {
    const other = new RedisTrackedStore(redis.redis, redis.prefix);
    const first = await store.acquirePass(150);
    expect(first).not.toBeNull();
    expect(await other.acquirePass(150)).toBeNull();
    expect(await first!.renew(150)).toBe(true);
    await new Promise((r) => setTimeout(r, 250));
    const second = await other.acquirePass(10_000);
    expect(second).not.toBeNull();
    expect(await first!.renew(150)).toBe(false);
    expect(await store.acquirePass(150)).toBeNull();
  });
});
