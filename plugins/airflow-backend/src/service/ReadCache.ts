import type {
  CacheService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import type { JsonValue } from '@backstage/types';
import { SingleFlight } from '../lib/singleFlight';

/** Prefix of every key the plugin stores in Backstage's cache service. */
const KEY_PREFIX = 'airflow:v1';

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
      const hit = await this.#get(key);
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
    return Promise.all(
      keys.map(async key => (await this.#get(key)) as T | undefined),
    );
  }

  /** Stores `value` for `ttlMs` (default: the configured TTL; nothing when caching is disabled). */
  async set<T>(key: string, value: T, ttlMs: number = this.#ttlMs) {
    if (ttlMs > 0) await this.#set(key, value, ttlMs);
  }

  /** The cached value of `key`, whatever the configured TTL (for long-lived entries written with an explicit TTL). */
  async peek<T>(key: string): Promise<T | undefined> {
    return (await this.#get(key)) as T | undefined;
  }

  /** Shares one run of `fn` among concurrent callers with the same key, without caching its result. */
  shared<T>(key: string, fn: () => Promise<T>): Promise<T> {
    return this.#loads.run(key, fn) as Promise<T>;
  }

  /** Forgets `key` (again once the store answers, if it fails now). */
  async delete(key: string): Promise<void> {
    const done = await this.#store(async () => {
      await this.#cache.delete(key);
      return true;
    }, false);
    if (!done) this.#missedDeletes.add(key);
  }

  #get(key: string): Promise<JsonValue | undefined> {
    return this.#store(() => this.#cache.get(key), undefined);
  }

  async #set(key: string, value: unknown, ttlMs: number): Promise<void> {
    await this.#store(
      () =>
        this.#cache.set(key, value as JsonValue, {
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
