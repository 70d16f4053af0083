import type { AuthStore, User } from '@gateway/auth-data';
import { LruCache, type Clock } from '@gateway/util';

/**
 * A second: long enough that a burst of introspections for one user (a client's first requests with new
 * tokens, a bench) reads the row once, short enough that a lock or deactivation by another process (the
 * CLI, another replica) reaches introspection within it. MAS reads the user on every introspection.
 */
const TTL_MS = 1_000;
const MAX_ENTRIES = 10_000;

/**
 * Users by id for introspection, kept for a second (TTL_MS): every Synapse request that misses Synapse's
 * own cache introspects, and the user row rarely changes.
 */
export class UserCache {
  // Boxed so that "no such user" (null) is cached too.
  private readonly entries: LruCache<string, { user: User | null }>;

  constructor(
    private readonly store: AuthStore,
    clock: Clock,
  ) {
    this.entries = new LruCache(MAX_ENTRIES, { defaultTtlMs: TTL_MS, clock });
  }

  async byId(id: string): Promise<User | null> {
    const hit = this.entries.get(id);
    if (hit !== undefined) return hit.user;
    const user = await this.store.users.findById(id);
    this.entries.set(id, { user });
    return user;
  }
}
