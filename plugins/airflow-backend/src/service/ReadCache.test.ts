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

describe('ReadCache memo of decoded values', () => {
  afterEach(() => jest.useRealTimers());

  /** One store shared by two replicas, counting the reads of each key. */
  function sharedStore() {
    const { cache, inner, state } = flakyCache('reject');
    const reads = new Map<string, number>();
    const get = cache.get.bind(cache);
    (cache as any).get = (key: string) => {
      reads.set(key, (reads.get(key) ?? 0) + 1);
      return get(key);
    };
    const replica = () => new ReadCache({ cache, ttlMs: 60_000 });
    return { replica, inner, state, reads };
  }

  it('reads a key from the store once, then only the shared epoch', async () => {
    const { replica, reads, inner } = sharedStore();
    const a = replica();
    await inner.set('airflow:v2:epoch', 'e1');
    await a.set(ReadCache.key('dag', 'prod', 'x'), { dagId: 'x' });
    for (let i = 0; i < 5; i++) {
      expect(await a.getMany([ReadCache.key('dag', 'prod', 'x')])).toEqual([
        { dagId: 'x' },
      ]);
    }
    expect(reads.get(ReadCache.key('dag', 'prod', 'x'))).toBe(1);
    expect(reads.get('airflow:v2:epoch')).toBe(5);
  });

  it("sees another replica's invalidation on its next read", async () => {
    const { replica } = sharedStore();
    const [a, b] = [replica(), replica()];
    const key = ReadCache.key('runs', 'prod', 'x');
    await b.set(key, ['old run']);
    expect(await a.getMany([key])).toEqual([['old run']]);
    await b.delete(key);
    expect(await a.getMany([key])).toEqual([undefined]);
    expect(await a.getOrLoad(key, async () => ['new run'])).toEqual([
      'new run',
    ]);
    expect(await b.getMany([key])).toEqual([['new run']]);
  });

  it("sees its own overwrite at once, and another replica's once the kept value expires", async () => {
    jest.useFakeTimers({
      now: 1_000_000,
      doNotFake: ['nextTick', 'setImmediate'],
    });
    const { replica } = sharedStore();
    const [a, b] = [replica(), replica()];
    const key = ReadCache.key('dag', 'prod', 'x');
    await a.set(key, 1, 1000);
    expect(await a.getMany([key])).toEqual([1]);
    await a.set(key, 2, 1000);
    expect(await a.getMany([key])).toEqual([2]);
    await b.set(key, 3, 1000);
    // Another replica's overwrite (a reload, not an invalidation) shows when the kept value expires.
    expect(await a.getMany([key])).toEqual([2]);
    // The memo never outlives the value's expiry in the store (the test store keeps it forever).
    jest.setSystemTime(1_000_000 + 1001);
    expect(await a.getMany([key])).toEqual([undefined]);
  });

  /** A store whose reads answer what it held when they were asked, but only once released (while `hold` is set). */
  function heldStore() {
    const inner = memoryCache();
    const held: Array<() => void> = [];
    const control = { hold: false, held };
    const cache = {
      get: (key: string) => {
        const value = inner.get(key);
        if (!control.hold) return value;
        return new Promise(resolve => held.push(() => resolve(value)));
      },
      set: inner.set.bind(inner),
      delete: inner.delete.bind(inner),
      withOptions: () => cache,
    } as unknown as CacheService;
    const replica = () => new ReadCache({ cache, ttlMs: 60_000 });
    return { replica, control, inner };
  }
  const tick = () => new Promise(resolve => setImmediate(resolve));

  it('does not let a read that starts after an invalidation use an epoch asked for before it', async () => {
    const { replica, control } = heldStore();
    const [a, b] = [replica(), replica()];
    const key = ReadCache.key('dag', 'prod', 'x');
    await b.set(key, 'before');
    await a.getMany([key]); // writes the first epoch
    expect(await a.getMany([key])).toEqual(['before']); // kept

    control.hold = true;
    const early = a.getMany([key]); // asks for the epoch now
    control.hold = false;
    await b.delete(key); // another replica invalidates, and that is done
    const late = await a.getMany([key]); // starts after the invalidation
    expect(late).toEqual([undefined]);
    control.held.forEach(release => release());
    // The read that began before the invalidation may answer what was there then.
    expect(await early).toEqual(['before']);
    expect(await a.getMany([key])).toEqual([undefined]);
  });

  it('uses nothing it kept once the epoch is gone from the store, and writes a new one', async () => {
    const { replica, inner, reads } = sharedStore();
    const [a, b] = [replica(), replica()];
    const key = ReadCache.key('runs', 'prod', 'x');
    await b.set(key, ['old run']);
    await a.getMany([key]); // no epoch yet: one is written
    expect(typeof inner.store.get('airflow:v2:epoch')).toBe('string');
    expect(await a.getMany([key])).toEqual([['old run']]); // kept under that epoch
    const keyReads = reads.get(key);
    await b.delete(key);
    await b.set(key, ['new run']);
    // The epoch is evicted: nothing kept may be used, even what was kept under no epoch.
    inner.store.delete('airflow:v2:epoch');
    expect(await a.getMany([key])).toEqual([['new run']]);
    expect(reads.get(key)).toBe(keyReads! + 1);
    expect(typeof inner.store.get('airflow:v2:epoch')).toBe('string');
  });

  it('keeps nothing from a read that overlapped a write of its own replica', async () => {
    const { replica, control, inner } = heldStore();
    await inner.set('airflow:v2:epoch', 'e1');
    const a = replica();
    const key = ReadCache.key('dag', 'prod', 'x');
    await a.set(key, 'v0');
    control.hold = true;
    const reading = a.getMany([key]);
    control.held.shift()!(); // the epoch
    await tick();
    expect(control.held).toHaveLength(1); // the key, asked while the store held v0
    await a.set(key, 'v1');
    control.hold = false;
    control.held.shift()!();
    expect(await reading).toEqual(['v0']);
    expect(await a.getMany([key])).toEqual(['v1']);
    expect(await a.getMany([key])).toEqual(['v1']);
  });

  it('uses nothing it kept while the store fails', async () => {
    const { replica, state } = sharedStore();
    const a = replica();
    const key = ReadCache.key('dag', 'prod', 'x');
    await a.set(key, 'kept');
    expect(await a.getMany([key])).toEqual(['kept']);
    state.down = true;
    expect(await a.getMany([key])).toEqual([undefined]);
    expect(await a.getOrLoad(key, async () => 'from Airflow')).toBe(
      'from Airflow',
    );
  });

  it('treats a value of another format in the store as a miss', async () => {
    const { replica, inner } = sharedStore();
    const key = ReadCache.key('dag', 'prod', 'x');
    await inner.set(key, { dagId: 'x' } as any);
    expect(await replica().getMany([key])).toEqual([undefined]);
  });

  it('shares frozen values outside production, so that a caller changing one fails', async () => {
    const { replica } = sharedStore();
    const a = replica();
    const key = ReadCache.key('runs', 'prod', 'x');
    await a.set(key, [{ runId: 'r1', conf: { a: 1 } }]);
    const [first] = await a.getMany<any[]>([key]);
    const [second] = await a.getMany<any[]>([key]);
    expect(second).toBe(first);
    expect(() => first!.push({ runId: 'r2' })).toThrow(TypeError);
    expect(() => {
      first![0].conf.a = 2;
    }).toThrow(TypeError);
  });
});
