import { systemClock, type Clock } from './clock';

interface Slot<V> {
  value: V;
  expiresAt: number;
}

/**
 * A size-bounded map whose entries also expire, dropping the least recently used entry when full.
 * The services key their caches by what clients or other servers send (tokens, server names, IPs), so
 * every cache must have a bound: an unbounded map would be a memory-exhaustion vector.
 */
export class LruCache<K, V> {
  // A Map iterates in insertion order; moving an entry to the end on each use keeps the least recently
  // used one first, which is the one to drop.
  private readonly slots = new Map<K, Slot<V>>();

  private readonly defaultTtlMs: number | undefined;
  private readonly clock: Clock;

  /** Without `defaultTtlMs`, every `set` must give its own TTL. */
  constructor(
    private readonly maxEntries: number,
    options: { defaultTtlMs?: number; clock?: Clock } = {},
  ) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) {
      throw new RangeError('maxEntries must be a positive integer');
    }
    if (options.defaultTtlMs !== undefined && !(options.defaultTtlMs > 0))
      throw new RangeError('defaultTtlMs must be positive');
    this.defaultTtlMs = options.defaultTtlMs;
    this.clock = options.clock ?? systemClock;
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
  set(key: K, value: V, ttlMs: number | undefined = this.defaultTtlMs): void {
    if (ttlMs === undefined) throw new RangeError('no TTL given and no default');
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
