import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { freezeShared } from '../../lib/freezeShared';

/**
 * How many DAG rows (and small answers, counted as one row each) the memo
 * of ownership reads holds at most, per replica: about 1 KB each, so ≈ 20 MB.
 */
export const OWNERSHIP_MEMO_ROWS = 20_000;

/**
 * Answers of reads of one completed index generation, kept in this process.
 *
 * A generation never changes once it is complete (a rebuild writes a new
 * one and switches to it), so an answer keyed by its generation and by
 * everything the query depends on (the resolved filters, which include the
 * entities the caller may not read, the order and the page) is exact for
 * as long as it is kept: no TTL, only a size bound. Concurrent identical
 * reads share one query; a failed read is not kept.
 *
 * Nothing here is a permission decision: the caller's permission is asked
 * before every read, and what the caller may read is part of the key (kept
 * as a hash). Answers are shared by the requests that ask the same, so they
 * are frozen outside production.
 */
export class ReadMemo {
  readonly #answers = new LRUCache<string, { value: Promise<unknown> }>({
    maxSize: OWNERSHIP_MEMO_ROWS,
  });

  /**
   * The kept answer of `key` within `generation`, or `read()`'s, kept with
   * the size `sizeOf` gives it (in rows; at least 1).
   */
  get<T>(
    generation: number,
    key: unknown,
    read: () => Promise<T>,
    sizeOf: (value: T) => number = () => 1,
  ): Promise<T> {
    // Hashed: the key holds the caller's hidden entities and free text, of any length.
    const k = `${generation}:${createHash('sha256')
      .update(JSON.stringify(key))
      .digest('base64')}`;
    const kept = this.#answers.get(k);
    if (kept) return kept.value as Promise<T>;
    const value = read().then(freezeShared);
    const entry = { value: value as Promise<unknown> };
    this.#answers.set(k, entry, { size: 1 });
    value.then(
      v => {
        // Kept again with its real size (a new entry: the cache sizes entries when they are set),
        // unless it was evicted or replaced meanwhile.
        if (this.#answers.peek(k)?.value === value) {
          this.#answers.set(
            k,
            { value: value as Promise<unknown> },
            { size: Math.max(1, Math.ceil(sizeOf(v))) },
          );
        }
      },
      () => {
        if (this.#answers.peek(k)?.value === value) this.#answers.delete(k);
      },
    );
    return value;
  }

  /** How many answers are kept (for tests). */
  get size(): number {
    return this.#answers.size;
  }
}
