import type { AuthStore, User } from '@gateway/auth-data';
import { describe, expect, it } from 'vitest';
import { UserCache } from './user-cache';

describe(UserCache.name, () => {
  it('sees a change another process made to the user row (a lock by the CLI) within a second', async () => {
    let t = 0;
    const row = { id: 'u1', lockedAt: null as Date | null } as User;
    let reads = 0;
    const store = {
      users: {
        findById: (id: string) => {
          reads += 1;
          return Promise.resolve(id === row.id ? { ...row } : null);
        },
      },
    } as unknown as AuthStore;
    const cache = new UserCache(store, () => t);

    expect((await cache.byId('u1'))?.lockedAt).toBeNull();
    row.lockedAt = new Date(0);
    t = 500;
    // A burst of introspections for the same user reads the row once.
    expect((await cache.byId('u1'))?.lockedAt).toBeNull();
    expect(reads).toBe(1);
    t = 1_001;
    expect((await cache.byId('u1'))?.lockedAt).toEqual(new Date(0));
    expect(reads).toBe(2);
    // "No such user" is cached too, for as long.
    expect(await cache.byId('u2')).toBeNull();
    expect(await cache.byId('u2')).toBeNull();
    expect(reads).toBe(3);
  });
});
