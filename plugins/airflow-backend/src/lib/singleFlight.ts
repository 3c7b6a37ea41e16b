/**
 * Shares one in-flight call among concurrent callers with the same key: the
 * first caller starts `fn`, later callers get the same promise until it
 * settles. Used for cache misses, JWT logins, API version detection and
 * ownership rebuilds, so that a burst of requests causes one upstream call.
 * Nothing is remembered once the call settles.
 */
export class SingleFlight<T> {
  readonly #inFlight = new Map<string, Promise<T>>();

  /** Runs `fn` unless a call with `key` is in flight, and returns that call's promise. */
  run(key: string, fn: () => Promise<T>): Promise<T> {
    const pending = this.#inFlight.get(key);
    if (pending) return pending;
    const promise = (async () => fn())().finally(() => {
      this.#inFlight.delete(key);
    });
    this.#inFlight.set(key, promise);
    return promise;
  }

  /** Whether a call with `key` is in flight. */
  has(key: string): boolean {
    return this.#inFlight.has(key);
  }
}
