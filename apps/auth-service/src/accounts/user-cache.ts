import type { AuthStore, User } from '@gateway/auth-data';

const TTL_MS = 10_000;
const MAX_ENTRIES = 10_000;

/**
 * Users by id for introspection, kept for a few seconds: every Synapse request that misses Synapse's own
 * cache introspects, and the user row rarely changes. Synapse caches introspection answers for up to two
 * minutes anyway, so ten seconds more of a deactivated user is well inside what deactivation already takes.
 */
export class UserCache {
  private readonly entries = new Map<string, { user: User | null; until: number }>();

  constructor(private readonly store: AuthStore) {}

  async byId(id: string): Promise<User | null> {
    const now = Date.now();
    const hit = this.entries.get(id);
    if (hit !== undefined && hit.until > now) return hit.user;
    const user = await this.store.users.findById(id);
    this.entries.delete(id);
    this.entries.set(id, { user, until: now + TTL_MS });
    if (this.entries.size > MAX_ENTRIES) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
    return user;
  }
}
