/**
 * Lets concurrent callers asking for the same key share one run of an operation: the first caller
 * starts it, later ones get the same promise until it settles. Settled results are not kept, so a
 * failure is never handed to a caller that arrives afterwards.
 */
export class SingleFlight<K, V> {
  private readonly running = new Map<K, Promise<V>>();

  run(key: K, operation: () => Promise<V>): Promise<V> {
    const shared = this.running.get(key);
    if (shared !== undefined) return shared;
    // Deferred by one microtask so an operation that throws synchronously still settles through the
    // promise, and the map entry is in place before the operation can look for it.
    const promise = Promise.resolve()
      .then(operation)
      .finally(() => {
        this.running.delete(key);
      });
    this.running.set(key, promise);
    return promise;
  }

  /** How many keys have an operation in flight. */
  get size(): number {
    return this.running.size;
  }
}
