import type {
  CacheService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import type { JsonValue } from '@backstage/types';
import { randomUUID } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { freezeShared } from '../lib/freezeShared';
import { SingleFlight } from '../lib/singleFlight';

/**
 * Prefix of every key the plugin stores in Backstage's cache service (v2:
 * values are stored with their expiry, see {@link ReadCache}).
 */
const KEY_PREFIX = 'airflow:v2';

/**
 * The key of the invalidation epoch: a random token that every invalidation
 * replaces, shared by the replicas through the store.
 */
const EPOCH_KEY = `${KEY_PREFIX}:epoch`;
/** How long the store keeps the epoch after the latest invalidation, in milliseconds. */
const EPOCH_TTL_MS = 7 * 24 * 3600 * 1000;

/** How many decoded values one replica keeps in memory at most. */
export const READ_MEMO_ENTRIES = 10_000;

/** A value as the store holds it: with the time it expires (epoch ms). */
interface Stored {
  v: unknown;
  exp: number;
}

function isStored(value: unknown): value is Stored {
  return (
    typeof value === 'object' &&
    value !== null &&
    'v' in value &&
    typeof (value as { exp?: unknown }).exp === 'number'
  );
}

/** One cache store operation taking longer than this counts as a failure (a Redis client queues commands while it reconnects). */
export const CACHE_STORE_TIMEOUT_MS = 1000;
/** While the store fails, one operation per interval tries it again; the others skip it. */
export const CACHE_STORE_RETRY_MS = 5000;

class CacheStoreTimeout extends Error {
  constructor() {
    super(`no answer within ${CACHE_STORE_TIMEOUT_MS} ms`);
  }
}

/**
 * The plugin's one read cache over Backstage's cache service (memory, Redis,
 * memcache… as the app configures; shared by replicas when the store is).
 * Concurrent misses of one key share one load (per replica). A TTL of 0
 * disables caching but keeps the sharing of concurrent loads.
 *
 * The cache is never required: when the store fails or does not answer
 * within {@link CACHE_STORE_TIMEOUT_MS}, reads are misses (answered from
 * Airflow), writes are skipped, one error is logged, and the store is tried
 * again once per {@link CACHE_STORE_RETRY_MS} until it answers (logged once
 * too). Deletes that failed meanwhile are repeated then, so an invalidation
 * is not lost to the outage.
 *
 * Decoded values are also kept in this process (at most
 * {@link READ_MEMO_ENTRIES}), so that a hit costs no decoding of the stored
 * text. A kept value is used only until the time it expires in the store,
 * and only while the shared invalidation epoch is the one it was read under:
 * every {@link ReadCache.delete} replaces the epoch in the store after
 * deleting, so an invalidation on one replica is seen by every replica's
 * next read, as without the memo. Each read therefore still asks the store
 * once (for the epoch), not once per key. While the store fails, nothing is
 * used from the memo.
 */
export class ReadCache {
  readonly #cache: CacheService;
  readonly #ttlMs: number;
  readonly #logger?: LoggerService;
  readonly #loads = new SingleFlight<unknown>();
  /** Since when the store fails (undefined while it works). */
  #failingSince?: number;
  #nextTry = 0;
  readonly #missedDeletes = new Set<string>();
  readonly #memo = new LRUCache<
    string,
    { value: unknown; exp: number; epoch: unknown }
  >({ max: READ_MEMO_ENTRIES });
  /** Counts this replica's writes (sets and deletes): a read that overlaps one keeps nothing. */
  #writes = 0;

  constructor(options: {
    cache: CacheService;
    ttlMs: number;
    logger?: LoggerService;
  }) {
    this.#cache = options.cache;
    this.#ttlMs = options.ttlMs;
    this.#logger = options.logger;
  }

  /** The full cache key of `parts`, e.g. `airflow:v1:dags:prod`. */
  static key(...parts: string[]): string {
    return [KEY_PREFIX, ...parts].join(':');
  }

  /** The cached value of `key`, or `load()` stored for `ttlMs` (default: the configured TTL). */
  async getOrLoad<T>(
    key: string,
    load: () => Promise<T>,
    ttlMs: number = this.#ttlMs,
  ): Promise<T> {
    if (ttlMs > 0) {
      const [hit] = await this.#read([key]);
      if (hit !== undefined) return hit as T;
    }
    return (await this.#loads.run(key, async () => {
      const value = await load();
      if (ttlMs > 0) await this.#set(key, value, ttlMs);
      return value;
    })) as T;
  }

  /**
   * The cached values of `keys` (undefined for misses). With caching disabled
   * every key is a miss.
   */
  async getMany<T>(keys: string[]): Promise<(T | undefined)[]> {
    if (this.#ttlMs <= 0) return keys.map(() => undefined);
    return (await this.#read(keys)) as (T | undefined)[];
  }

  /** Stores `value` for `ttlMs` (default: the configured TTL; nothing when caching is disabled). */
  async set<T>(key: string, value: T, ttlMs: number = this.#ttlMs) {
    if (ttlMs > 0) await this.#set(key, value, ttlMs);
  }

  /** Shares one run of `fn` among concurrent callers with the same key, without caching its result. */
  shared<T>(key: string, fn: () => Promise<T>): Promise<T> {
    return this.#loads.run(key, fn) as Promise<T>;
  }

  /**
   * Forgets `key` (again once the store answers, if it fails now), then
   * replaces the invalidation epoch, so that no replica uses a value it
   * kept from before.
   */
  async delete(key: string): Promise<void> {
    this.#writes++;
    this.#memo.delete(key);
    const done = await this.#store(async () => {
      await this.#cache.delete(key);
      await this.#cache.set(EPOCH_KEY, randomUUID(), { ttl: EPOCH_TTL_MS });
      return true;
    }, false);
    if (!done) this.#missedDeletes.add(key);
  }

  /** The values of `keys`: kept ones while the epoch is unchanged, the others from the store. */
  async #read(keys: string[]): Promise<unknown[]> {
    const writes = this.#writes;
    // Each read asks for the epoch itself: sharing an epoch read already in
    // flight could hand a read that starts after an invalidation the epoch
    // from before it. No epoch (the store failed, or the key is gone: a new
    // store, an eviction, a restart) means nothing from the memo; a missing
    // one is written afresh, so that no value kept under an epoch seen
    // before can match again.
    const epoch = await this.#store<unknown>(
      () => this.#cache.get(EPOCH_KEY),
      undefined,
    );
    const usable = typeof epoch === 'string';
    if (epoch === undefined && this.#failingSince === undefined) {
      await this.#store(
        () => this.#cache.set(EPOCH_KEY, randomUUID(), { ttl: EPOCH_TTL_MS }),
        undefined,
      );
    }
    const now = Date.now();
    return Promise.all(
      keys.map(async key => {
        if (usable) {
          const kept = this.#memo.get(key);
          if (kept && kept.epoch === epoch && kept.exp > now) return kept.value;
        }
        const stored = await this.#store<unknown>(
          () => this.#cache.get(key),
          undefined,
        );
        // A value of another format (or none) is a miss; so is an expired one.
        if (!isStored(stored) || stored.exp <= now) return undefined;
        // Kept only when no write of this replica overlapped the read (it
        // may have replaced what the store answered).
        if (usable && this.#writes === writes) {
          const value = freezeShared(stored.v);
          this.#memo.set(key, { value, exp: stored.exp, epoch });
          return value;
        }
        return stored.v;
      }),
    );
  }

  async #set(key: string, value: unknown, ttlMs: number): Promise<void> {
    // The next read takes the new value from the store (and keeps it).
    this.#writes++;
    this.#memo.delete(key);
    const stored: Stored = { v: value, exp: Date.now() + ttlMs };
    await this.#store(
      () =>
        this.#cache.set(key, stored as unknown as JsonValue, {
          ttl: ttlMs,
        }),
      undefined,
    );
  }

  /** Runs one store operation; `fallback` when the store fails, times out or is skipped while failing. */
  async #store<T>(operation: () => Promise<T>, fallback: T): Promise<T> {
    if (this.#failingSince !== undefined) {
      if (Date.now() < this.#nextTry) return fallback;
      this.#nextTry = Date.now() + CACHE_STORE_RETRY_MS;
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const value = await Promise.race([
        operation(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new CacheStoreTimeout()),
            CACHE_STORE_TIMEOUT_MS,
          );
        }),
      ]);
      if (this.#failingSince !== undefined) this.#recovered();
      return value;
    } catch (error) {
      if (this.#failingSince === undefined) {
        this.#failingSince = Date.now();
        this.#nextTry = this.#failingSince + CACHE_STORE_RETRY_MS;
        this.#logger?.error(
          `Airflow plugin: the cache store failed (${
            (error as Error).message
          }); answering from Airflow without the cache, trying the store again every ${
            CACHE_STORE_RETRY_MS / 1000
          } s`,
        );
      }
      return fallback;
    } finally {
      clearTimeout(timer);
    }
  }

  #recovered() {
    const seconds = Math.round((Date.now() - this.#failingSince!) / 1000);
    this.#failingSince = undefined;
    const keys = [...this.#missedDeletes];
    this.#missedDeletes.clear();
    this.#logger?.info(
      `Airflow plugin: the cache store answers again after ${seconds} s; repeating ${keys.length} invalidation(s) missed meanwhile`,
    );
    for (const key of keys) void this.delete(key);
  }
}
