import type {
  CacheService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { memoryCache } from '../__testUtils__/fakes';
import { CACHE_STORE_RETRY_MS, ReadCache } from './ReadCache';

/** A memory cache that fails (rejects, or never answers) while `down` is set. */
function flakyCache(mode: 'reject' | 'hang') {
  const inner = memoryCache();
  const state = { down: false, calls: 0 };
  const guard =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    (...args: A): Promise<R> => {
      state.calls++;
      if (!state.down) return fn(...args);
      return mode === 'reject'
        ? Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:6379'))
        : new Promise<R>(() => {});
    };
  const cache = {
    get: guard(inner.get.bind(inner)),
    set: guard(inner.set.bind(inner)),
    delete: guard(inner.delete.bind(inner)),
    withOptions: () => cache,
  } as unknown as CacheService;
  return { cache, inner, state };
}

function recordingLogger() {
  const lines: Array<{ level: string; message: string }> = [];
  const logger = {
    error: (message: string) => lines.push({ level: 'error', message }),
    warn: (message: string) => lines.push({ level: 'warn', message }),
    info: (message: string) => lines.push({ level: 'info', message }),
    debug: () => {},
    child: () => logger,
  } as unknown as LoggerService;
  return { logger, lines };
}

describe('ReadCache when the cache store fails', () => {
  afterEach(() => jest.useRealTimers());

  it('answers from the loader, logs one error for many requests, skips the store meanwhile and logs its return once', async () => {
    jest.useFakeTimers({
      now: 1_000_000,
      doNotFake: ['nextTick', 'setImmediate'],
    });
    const { cache, inner, state } = flakyCache('reject');
    const { logger, lines } = recordingLogger();
    const readCache = new ReadCache({ cache, ttlMs: 60_000, logger });
    let loads = 0;
    const load = async () => ++loads;

    state.down = true;
    for (let i = 0; i < 20; i++) {
      expect(await readCache.getOrLoad('k', load)).toBe(i + 1);
    }
    await readCache.delete('stale');
    expect(lines.filter(l => l.level === 'error')).toHaveLength(1);
    expect(lines[0].message).toContain('ECONNREFUSED');
    // The first failure, then nothing reaches the store until the retry interval has passed.
    expect(state.calls).toBe(1);

    await inner.set('stale', 'old');
    state.down = false;
    jest.setSystemTime(1_000_000 + CACHE_STORE_RETRY_MS + 1);
    expect(await readCache.getOrLoad('k', load)).toBe(21);
    expect(await readCache.getOrLoad('k', load)).toBe(21);
    expect(lines.filter(l => l.level === 'info')).toHaveLength(1);
    expect(lines[1].message).toContain('answers again');
    // The invalidation missed during the outage is repeated.
    await new Promise(resolve => setImmediate(resolve));
    expect(inner.store.has('stale')).toBe(false);
  });

  it('does not wait for a store that never answers', async () => {
    const { cache, state } = flakyCache('hang');
    const { logger, lines } = recordingLogger();
    const readCache = new ReadCache({ cache, ttlMs: 60_000, logger });
    state.down = true;
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        readCache.getOrLoad(`k${i}`, async () => i),
      ),
    );
    expect(answers).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(lines.filter(l => l.level === 'error')).toHaveLength(1);
    expect(lines[0].message).toContain('no answer within');
  });
});
