import { systemClock, type Clock } from './clock';

interface Entry<V> {
  value: V;
  expiresAt: number;
}

/**
 * An in-process map with a size bound and per-entry expiry, evicting the least recently used entry when
 * full. Every cache in this service is keyed by attacker-influenced input (server names, tokens, IPs),
 * so an unbounded map would be a memory-exhaustion vector.
 */
export class BoundedTtlCache<K, V> {
  // A Map iterates in insertion order; re-inserting on access keeps the least recently used first.
  private readonly entries = new Map<K, Entry<V>>();

  constructor(
    private readonly maxEntries: number,
    private readonly clock: Clock = systemClock,
  ) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1)
      throw new RangeError('maxEntries must be a positive integer');
  }

  /** The live value for `key`, or undefined when absent or expired. */
  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    this.entries.delete(key);
    if (entry.expiresAt <= this.clock()) return undefined;
    this.entries.set(key, entry);
    return entry.value;
  }

  /** Stores `value` for `ttlMs`; a non-positive TTL stores nothing. */
  set(key: K, value: V, ttlMs: number): void {
    this.entries.delete(key);
    if (!(ttlMs > 0)) return;
    this.entries.set(key, { value, expiresAt: this.clock() + ttlMs });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done === true) break;
      this.entries.delete(oldest.value);
    }
  }

  delete(key: K): void {
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}
