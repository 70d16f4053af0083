/** Milliseconds since the epoch; injected so tests move time instead of sleeping. */
export type Clock = () => number;

export const systemClock: Clock = () => Date.now();

interface Slot<V> {
  value: V;
  expiresAt: number;
}

/**
 * A size-bounded map whose entries also expire, dropping the least recently used entry when full.
 * The proxy keys its caches by what clients send (access tokens), so every cache must have a bound.
 */
export class LruCache<K, V> {
  // A Map iterates in insertion order; moving an entry to the end on each use keeps the least recently
  // used one first, which is the one to drop.
  private readonly slots = new Map<K, Slot<V>>();

  constructor(
    private readonly maxEntries: number,
    private readonly defaultTtlMs: number,
    private readonly clock: Clock = systemClock,
  ) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) {
      throw new RangeError('maxEntries must be a positive integer');
    }
    if (!(defaultTtlMs > 0)) throw new RangeError('defaultTtlMs must be positive');
  }

  /** The value for `key` if present and not expired; counts as a use. */
  get(key: K): V | undefined {
    const slot = this.slots.get(key);
    if (slot === undefined) return undefined;
    this.slots.delete(key);
    if (slot.expiresAt <= this.clock()) return undefined;
    this.slots.set(key, slot);
    return slot.value;
  }

  /** Stores `value`, replacing any older one; a non-positive TTL just removes the key. */
  set(key: K, value: V, ttlMs: number = this.defaultTtlMs): void {
    this.slots.delete(key);
    if (!(ttlMs > 0)) return;
    this.slots.set(key, { value, expiresAt: this.clock() + ttlMs });
    for (const oldest of this.slots.keys()) {
      if (this.slots.size <= this.maxEntries) break;
      this.slots.delete(oldest);
    }
  }

  delete(key: K): boolean {
    return this.slots.delete(key);
  }

  clear(): void {
    this.slots.clear();
  }

  /** Entries held, expired ones included until they are next touched or pushed out. */
  get size(): number {
    return this.slots.size;
  }
}
