import type { AuthStore, User } from '@gateway/auth-data';
import { LruCache, type Clock } from '@gateway/util';

const TTL_MS = 10_000;
const MAX_ENTRIES = 10_000;

/**
 * Users by id for introspection, kept for a few seconds: every Synapse request that misses Synapse's own
 * cache introspects, and the user row rarely changes. Synapse caches introspection answers for up to two
 * minutes anyway, so ten seconds more of a deactivated user is well inside what deactivation already takes.
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
