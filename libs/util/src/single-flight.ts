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

/**
 * Waits for `promise` but gives up when `signal` aborts, so a caller sharing a longer-lived flight is
 * still bound by its own deadline. The shared operation itself keeps running for the others.
 */
export function untilAborted<V>(promise: Promise<V>, signal: AbortSignal): Promise<V> {
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return new Promise<V>((resolve, reject) => {
    const onAbort = (): void => {
      reject(abortReason(signal));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('aborted');
}
