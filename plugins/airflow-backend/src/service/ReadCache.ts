import type { CacheService } from '@backstage/backend-plugin-api';
import type { JsonValue } from '@backstage/types';
import { SingleFlight } from '../lib/singleFlight';

/** Prefix of every key the plugin stores in Backstage's cache service. */
const KEY_PREFIX = 'airflow:v1';

/**
 * The plugin's one read cache over Backstage's cache service (memory, Redis,
 * memcache… as the app configures; shared by replicas when the store is).
 * Concurrent misses of one key share one load (per replica). A TTL of 0
 * disables caching but keeps the sharing of concurrent loads.
 */
export class ReadCache {
  readonly #cache: CacheService;
  readonly #ttlMs: number;
  readonly #loads = new SingleFlight<unknown>();

  constructor(options: { cache: CacheService; ttlMs: number }) {
    this.#cache = options.cache;
    this.#ttlMs = options.ttlMs;
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
      const hit = await this.#cache.get(key);
      if (hit !== undefined) return hit as T;
    }
    return (await this.#loads.run(key, async () => {
      const value = await load();
      if (ttlMs > 0) {
        await this.#cache.set(key, value as unknown as JsonValue, {
          ttl: ttlMs,
        });
      }
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
      keys.map(async key => (await this.#cache.get(key)) as T | undefined),
    );
  }

  /** Stores `value` for `ttlMs` (default: the configured TTL; nothing when caching is disabled). */
  async set<T>(key: string, value: T, ttlMs: number = this.#ttlMs) {
    if (ttlMs > 0) {
      await this.#cache.set(key, value as unknown as JsonValue, { ttl: ttlMs });
    }
  }

  /** The cached value of `key`, whatever the configured TTL (for long-lived entries written with an explicit TTL). */
  async peek<T>(key: string): Promise<T | undefined> {
    return (await this.#cache.get(key)) as T | undefined;
  }

  /** Shares one run of `fn` among concurrent callers with the same key, without caching its result. */
  shared<T>(key: string, fn: () => Promise<T>): Promise<T> {
    return this.#loads.run(key, fn) as Promise<T>;
  }

  /** Forgets `key`. */
  async delete(key: string): Promise<void> {
    await this.#cache.delete(key);
  }
}
