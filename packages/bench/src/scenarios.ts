/**
 * The scenarios, one per target of the "fast at fleet scale" issue, and the
 * smoke run. Every figure is measured against the stand-ins and the
 * production-built backend started here; every call count is read from the
 * stand-ins' counters (reset before each measurement).
 */
import autocannon from 'autocannon';
import {
  airflowAuth,
  expectedBaselineCalls,
  oldPluginPageLoad,
} from './baseline.ts';
import {
  SIZED_ENTITIES,
  sizedEntity,
  writeBackendConfig,
  writeCatalog,
} from './catalog.ts';
import { ok, request, sleep, timed } from './http.ts';
import { p6Report } from './p6.ts';
import { airflow, core, plugin } from './routes.ts';
import { dagIdOf } from './standin/data.ts';
import { type Row, median } from './stats.ts';
import {
  type BackendHandle,
  type StandinHandle,
  REPO_ROOT,
  WORK_DIR,
  countsOf,
  quiesce,
  startBackend,
  startStandin,
} from './system.ts';

export interface SuiteOptions {
  repeats: number;
  latencyMs: number;
  fleetPerInstance: number;
  entities: number;
  soakMinutes: number;
  only?: Set<string>;
}

export interface SuiteResult {
  header: string;
  rows: Row[];
  notes: string[];
  failures: string[];
  details: Record<string, unknown>;
}

const STANDIN_PORT = Number(process.env.BENCH_STANDIN_PORT ?? 29000);
const BACKEND_PORT = Number(process.env.BENCH_BACKEND_PORT ?? 7200);
/** The ownership refresh route rebuilds only an index older than this. */
const OWNERSHIP_MIN_AGE_MS = 31_000;

interface Env {
  alpha: StandinHandle;
  beta: StandinHandle;
  standins: StandinHandle[];
  backend?: BackendHandle;
  rows: Row[];
  notes: string[];
  failures: string[];
  details: Record<string, unknown>;
}

function fmtRoutes(byRoute: Record<string, number>): string {
  return Object.entries(byRoute)
    .map(([k, n]) => `${k}: ${n}`)
    .join(', ');
}

async function resetAll(env: Env) {
  await Promise.all(env.standins.map(s => s.reset()));
}

/** One entity read through the backend, with the Airflow calls it caused. */
async function entityRead(env: Env, backend: BackendHandle, name: string) {
  await resetAll(env);
  const { ms, value } = await timed(() =>
    request(`${backend.url}${plugin.entityDags(name)}`, {
      token: backend.token,
    }),
  );
  const counts = await countsOf(env.standins);
  if (value.status !== 200)
    throw new Error(
      `entity ${name} answered ${value.status}: ${JSON.stringify(
        value.body,
      ).slice(0, 300)}`,
    );
  return {
    ms,
    calls: counts.total,
    byRoute: counts.byRoute,
    dags: value.body.dags.length as number,
    body: value.body,
  };
}

/** Median of `n` sequential timings of `fn`. */
async function seqMedian(
  n: number,
  fn: () => Promise<unknown>,
): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) times.push((await timed(fn)).ms);
  return median(times);
}

async function startStandins(latencyMs: number, perInstance: number) {
  const alpha = await startStandin({
    name: 'alpha',
    apiVersion: 'v2',
    port: STANDIN_PORT,
    dagCount: perInstance,
    latencyMs,
  });
  const beta = await startStandin({
    name: 'beta',
    apiVersion: 'v1',
    port: STANDIN_PORT + 1,
    dagCount: perInstance,
    latencyMs,
  });
  return { alpha, beta, standins: [alpha, beta] };
}

async function bootBackend(
  env: Env,
  o: {
    name: string;
    port: number;
    ttlSeconds: number;
    entities: number;
    initialRefresh?: boolean;
  },
) {
  const { file, components } = writeCatalog(WORK_DIR, {
    entities: o.entities,
    dagsPerEntity: 20,
  });
  const configFile = writeBackendConfig({
    dir: WORK_DIR,
    name: o.name,
    port: o.port,
    ttlSeconds: o.ttlSeconds,
    catalogFile: file,
    standins: env.standins.map(s => ({ name: s.name, port: s.port })),
  });
  const t0 = Date.now();
  const backend = await startBackend({
    name: o.name,
    port: o.port,
    configFile,
    components,
  });
  env.notes.push(
    `backend "${o.name}" (cache ttl ${
      o.ttlSeconds
    } s): up with ${components} components in the catalog after ${(
      (Date.now() - t0) /
      1000
    ).toFixed(0)} s`,
  );
  // Its first scheduled ownership build starts 10 s after start; let it finish.
  await sleep(Math.max(0, 12_000 - (Date.now() - t0)));
  await quiesce(env.standins, 2000);
  if (o.initialRefresh !== false) {
    // A first build with the whole catalog ingested.
    await refreshOwnership(env, backend);
    await quiesce(env.standins, 1000);
  }
  return backend;
}

/** POST /ownership/refresh once the index is old enough to be rebuilt; measures the rebuild. */
async function refreshOwnership(env: Env, backend: BackendHandle) {
  // The refresh rebuilds only an index older than 30 s: wait until the one
  // the backend holds (its own scheduled build may have run meanwhile; it
  // builds one when there is none) is old enough.
  for (;;) {
    const current = await ok(`${backend.url}${plugin.ownership}`, {
      token: backend.token,
    });
    const builtAt = Date.parse(current.body.index.builtAt);
    const wait = builtAt + OWNERSHIP_MIN_AGE_MS - Date.now();
    if (!(wait > 0)) break;
    await sleep(wait);
  }
  await resetAll(env);
  const before = backend.proc.rssMb();
  let peak = before;
  const sampler = setInterval(() => {
    peak = Math.max(peak, backend.proc.rssMb());
  }, 25);
  const { ms, value } = await timed(() =>
    ok(`${backend.url}${plugin.ownershipRefresh}`, {
      method: 'POST',
      token: backend.token,
    }),
  );
  clearInterval(sampler);
  peak = Math.max(peak, backend.proc.rssMb());
  const counts = await countsOf(env.standins);
  const perStandin = await Promise.all(env.standins.map(s => s.counts()));
  const firsts = perStandin
    .map(c => c.firstAt)
    .filter((x): x is number => x !== null);
  const lasts = perStandin
    .map(c => c.lastAt)
    .filter((x): x is number => x !== null);
  const airflowMs = firsts.length
    ? Math.max(...lasts) - Math.min(...firsts)
    : 0;
  // The refresh answers the index state: DAGs per instance.
  const dags = (value.body.instances ?? []).reduce(
    (n: number, i: { dagCount: number }) => n + i.dagCount,
    0,
  );
  return {
    ms,
    airflowMs,
    calls: counts.total,
    byRoute: counts.byRoute,
    dags,
    extraRssMb: peak - before,
    bytes: value.bytes,
    body: value.body,
  };
}

// ------------------------------------------------------------------ phase A

async function p1(env: Env, backend: BackendHandle, o: SuiteOptions) {
  const name = sizedEntity(100);
  for (const size of [1000, 5000, 20000]) {
    await env.alpha.configure({ dagCount: size });
    const calls: number[] = [];
    const times: number[] = [];
    const reps = size === 20000 ? o.repeats : Math.min(3, o.repeats);
    let last;
    for (let r = 0; r < reps; r++) {
      last = await entityRead(env, backend, name);
      calls.push(last.calls);
      times.push(last.ms);
    }
    const target = size === 20000 ? 'P1' : 'growth';
    env.rows.push({
      target,
      metric: `Airflow calls, entity of 100 DAGs, instance of ${size} DAGs, miss`,
      unit: 'calls',
      values: calls,
      goal: '≤ 3',
      met: median(calls) <= 3,
    });
    env.rows.push({
      target,
      metric: `latency of that read at ${o.latencyMs} ms upstream`,
      unit: 'ms',
      values: times,
    });
    if (last && size === 20000)
      env.notes.push(
        `P1 calls by route (instance of 20,000 DAGs): ${fmtRoutes(
          last.byRoute,
        )}`,
      );
  }
  await env.alpha.configure({ dagCount: o.fleetPerInstance });
}

async function entityGrowth(env: Env, backend: BackendHandle, o: SuiteOptions) {
  for (const n of SIZED_ENTITIES) {
    const calls: number[] = [];
    const times: number[] = [];
    for (let r = 0; r < Math.min(3, o.repeats); r++) {
      const read = await entityRead(env, backend, sizedEntity(n));
      if (read.dags !== n)
        env.failures.push(
          `${sizedEntity(n)} listed ${read.dags} DAGs, expected ${n}`,
        );
      calls.push(read.calls);
      times.push(read.ms);
    }
    env.rows.push({
      target: 'growth',
      metric: `entity of ${n} DAGs (instance of ${o.fleetPerInstance}), miss: Airflow calls`,
      unit: 'calls',
      values: calls,
    });
    env.rows.push({
      target: 'growth',
      metric: `entity of ${n} DAGs, miss: latency`,
      unit: 'ms',
      values: times,
    });
  }
}

async function p2(env: Env, backend: BackendHandle, o: SuiteOptions) {
  const name = sizedEntity(20);
  const dagIds = Array.from({ length: 20 }, (_, i) => dagIdOf(i));
  const auth = await airflowAuth({ url: env.alpha.url, apiVersion: 'v2' });
  const base: number[] = [];
  const ours: number[] = [];
  const ratios: number[] = [];
  const baseCalls: number[] = [];
  const ourCalls: number[] = [];
  for (let r = 0; r < o.repeats; r++) {
    const runBaseline = async () => {
      await resetAll(env);
      const { ms, value } = await timed(() =>
        oldPluginPageLoad(
          { url: env.alpha.url, apiVersion: 'v2' },
          auth,
          dagIds,
        ),
      );
      const counted = (await env.alpha.counts()).total;
      const expected = expectedBaselineCalls(o.fleetPerInstance, 20);
      if (counted !== value.calls || counted !== expected)
        env.failures.push(
          `baseline made ${value.calls} calls, stand-in counted ${counted}, expected ${expected}`,
        );
      base.push(ms);
      baseCalls.push(counted);
    };
    const runOurs = async () => {
      const read = await entityRead(env, backend, name);
      ours.push(read.ms);
      ourCalls.push(read.calls);
    };
    // Interleaved, the order alternating between repeats.
    if (r % 2 === 0) {
      await runBaseline();
      await runOurs();
    } else {
      await runOurs();
      await runBaseline();
    }
    ratios.push(base[r] / ours[r]);
  }
  env.rows.push({
    target: 'P2',
    metric: 'old plugin page load (baseline), 20 DAGs',
    unit: 'ms',
    values: base,
  });
  env.rows.push({
    target: 'P2',
    metric: 'old plugin: Airflow calls',
    unit: 'calls',
    values: baseCalls,
  });
  env.rows.push({
    target: 'P2',
    metric: 'ours, entity read, miss',
    unit: 'ms',
    values: ours,
  });
  env.rows.push({
    target: 'P2',
    metric: 'ours: Airflow calls',
    unit: 'calls',
    values: ourCalls,
  });
  env.rows.push({
    target: 'P2',
    metric: 'speed-up baseline / ours',
    unit: '×',
    values: ratios,
    goal: '≥ 5',
    met: median(ratios) >= 5,
  });
}

/** One direct Airflow call returning the same 20 DAGs (dag_id_pattern dag_0000%|dag_0001%). */
async function directCall(env: Env, auth: string) {
  const res = await ok(
    `${env.alpha.url}${airflow.dagsMatching('v2', 'dag_0000%|dag_0001%')}`,
    { headers: { Authorization: auth } },
  );
  if (res.body.dags.length !== 20)
    throw new Error(`direct call returned ${res.body.dags.length} DAGs`);
}

/**
 * The same data as the entity page's answer, fetched from Airflow directly
 * as a client would at best: the 20 DAGs and their 5 latest runs each
 * (`POST /dags/~/dagRuns/list`, 100 runs), both calls at once.
 */
async function directSameData(env: Env, auth: string) {
  const [, runs] = await Promise.all([
    directCall(env, auth),
    ok(`${env.alpha.url}/api/v2/dags/~/dagRuns/list`, {
      method: 'POST',
      headers: { Authorization: auth },
      body: {
        dag_ids: Array.from({ length: 20 }, (_, i) => dagIdOf(i)),
        order_by: '-run_after',
        page_limit: 100,
      },
    }),
  ]);
  if (!Array.isArray(runs.body.dag_runs) || runs.body.dag_runs.length === 0)
    throw new Error('direct runs call returned no runs');
}

async function p3(
  env: Env,
  backend: BackendHandle,
  o: SuiteOptions,
  kind: 'miss' | 'hit',
) {
  const auth = await airflowAuth({ url: env.alpha.url, apiVersion: 'v2' });
  const name = sizedEntity(20);
  const read = () =>
    ok(`${backend.url}${plugin.entityDags(name)}`, { token: backend.token });
  // Node's fetch asks for gzip, as browsers do, and Backstage's root router
  // compresses the answer; the stand-in never compresses. For scale, the same
  // read asking for no compression.
  const readIdentity = () =>
    ok(`${backend.url}${plugin.entityDags(name)}`, {
      token: backend.token,
      headers: { 'Accept-Encoding': 'identity' },
    });
  const oursIdentity: number[] = [];
  if (kind === 'hit') await read();
  const direct: number[] = [];
  const directSame: number[] = [];
  const ours: number[] = [];
  const ratios: number[] = [];
  const sameRatios: number[] = [];
  const oursCalls: number[] = [];
  // For scale (hits): the example backend's reference route, answering as many bytes as a read.
  const referenceMs: number[] = [];
  const readBytes = kind === 'hit' ? (await read()).bytes : 0;
  const reference = () =>
    ok(
      `${backend.url}${core.referenceDecision(
        `component:default/${name}`,
        readBytes,
      )}`,
      { token: backend.token },
    );
  for (let r = 0; r < o.repeats; r++) {
    const d = async () => {
      direct.push(await seqMedian(10, () => directCall(env, auth)));
      if (kind === 'hit') referenceMs.push(await seqMedian(20, reference));
      if (kind === 'miss')
        directSame.push(await seqMedian(10, () => directSameData(env, auth)));
    };
    const us = async () => {
      await resetAll(env);
      ours.push(await seqMedian(kind === 'hit' ? 20 : 5, read));
      oursCalls.push(
        (await countsOf(env.standins)).total / (kind === 'hit' ? 20 : 5),
      );
      oursIdentity.push(await seqMedian(kind === 'hit' ? 20 : 5, readIdentity));
    };
    if (r % 2 === 0) {
      await d();
      await us();
    } else {
      await us();
      await d();
    }
    ratios.push(kind === 'hit' ? direct[r] / ours[r] : ours[r] / direct[r]);
    if (kind === 'miss') sameRatios.push(ours[r] / directSame[r]);
  }
  env.rows.push({
    target: 'P3',
    metric: `direct Airflow call, same 20 DAGs (median of 10)`,
    unit: 'ms',
    values: direct,
  });
  if (kind === 'hit') {
    env.rows.push({
      target: 'P3',
      metric: 'ours, cache hit (median of 20)',
      unit: 'ms',
      values: ours,
    });
    env.rows.push({
      target: 'P3',
      metric:
        'ours, cache hit, answer not compressed (Accept-Encoding: identity; median of 20)',
      unit: 'ms',
      values: oursIdentity,
    });
    env.rows.push({
      target: 'P3',
      metric: 'direct / hit',
      unit: '×',
      values: ratios,
      goal: '≥ 2',
      met: median(ratios) >= 2,
    });
    env.rows.push({
      target: 'P3',
      metric: 'ours, cache hit: Airflow calls per read',
      unit: 'calls',
      values: oursCalls,
    });
    env.rows.push({
      target: 'P3',
      metric: `for scale: a Backstage route that only authenticates, asks one decision and answers ${(
        readBytes / 1000
      ).toFixed(0)} KB (median of 20)`,
      unit: 'ms',
      values: referenceMs,
    });
  } else {
    env.rows.push({
      target: 'P3',
      metric: 'ours, cache miss (median of 5)',
      unit: 'ms',
      values: ours,
    });
    env.rows.push({
      target: 'P3',
      metric:
        'ours, cache miss, answer not compressed (Accept-Encoding: identity; median of 5)',
      unit: 'ms',
      values: oursIdentity,
    });
    env.rows.push({
      target: 'P3',
      metric: 'miss / direct call of the DAGs alone',
      unit: '×',
      values: ratios,
    });
    env.rows.push({
      target: 'P3',
      metric:
        'direct calls of the same data: the DAGs and their latest runs, at once (median of 10)',
      unit: 'ms',
      values: directSame,
    });
    env.rows.push({
      target: 'P3',
      metric: 'miss / direct calls of the same data',
      unit: '×',
      values: sameRatios,
      goal: '≤ 1.3',
      met: median(sameRatios) <= 1.3,
    });
    env.rows.push({
      target: 'P3',
      metric: 'ours, cache miss: Airflow calls per read',
      unit: 'calls',
      values: oursCalls,
    });
  }
}

/** The ownership views P4 loads: the first page, a search sorted by last run, a status filter, owned by me, a deep page. */
const P4_VIEWS: Record<string, string | number | boolean>[] = [
  {},
  { q: 'dag_001', sort: 'lastRun', order: 'desc' },
  { failing: true, sort: 'owners' },
  { mine: true, instance: 'beta' },
  { owned: true, offset: 5000, limit: 50 },
];

/** GETs `url` streaming, with the bytes, the CSV rows and the time to the last byte. */
async function download(url: string, token: string) {
  const t0 = performance.now();
  const res = await fetch(url, {
    headers: { Authorization: `Bearer ${token}` },
  });
  if (!res.ok || !res.body)
    throw new Error(`GET ${url} answered ${res.status}`);
  let bytes = 0;
  let lines = 0;
  let firstByteMs = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (bytes === 0) firstByteMs = performance.now() - t0;
    bytes += value.length;
    for (const b of value) if (b === 10) lines++;
  }
  return {
    ms: performance.now() - t0,
    firstByteMs,
    bytes,
    rows: lines - 1,
    type: res.headers.get('content-type') ?? '',
  };
}

async function p4(env: Env, backend: BackendHandle, o: SuiteOptions) {
  const p95: number[] = [];
  const rps: number[] = [];
  const rows: number[] = [];
  const bytes: number[] = [];
  const errors: number[] = [];
  const rebuildMs: number[] = [];
  const airflowMs: number[] = [];
  const per100: number[] = [];
  const rss: number[] = [];
  const exportMs: number[] = [];
  const exportFirstMs: number[] = [];
  const exportRss: number[] = [];
  const exportFilteredMs: number[] = [];
  let exportRows = 0;
  let exportBytes = 0;
  let filteredRows = 0;
  let lastRoutes: Record<string, number> = {};
  const page = await ok(`${backend.url}${plugin.ownership}`, {
    token: backend.token,
  });
  const total = page.body.summary?.total ?? NaN;
  const paths = P4_VIEWS.map(q => plugin.ownershipView(q));
  for (let r = 0; r < o.repeats; r++) {
    const res = await autocannon({
      url: backend.url,
      connections: 10,
      amount: 200,
      timeout: 120,
      headers: { authorization: `Bearer ${backend.token}` },
      requests: paths.map(path => ({ method: 'GET', path })),
    });
    p95.push(interpolateP95(res.latency));
    rps.push(res.requests.average);
    errors.push(res.errors + res.timeouts + res.non2xx);
    if (res.errors + res.timeouts + res.non2xx > 0) {
      env.notes.push(
        `P4 repeat ${r + 1}: status codes ${JSON.stringify(
          res.statusCodeStats,
        )}, errors ${res.errors}, timeouts ${res.timeouts}`,
      );
    }
    const one = await ok(`${backend.url}${plugin.ownership}`, {
      token: backend.token,
    });
    rows.push(one.body.dags.length);
    bytes.push(one.bytes / 1e3);

    // The CSV export of every DAG, then of a filtered set, streamed.
    const before = backend.proc.rssMb();
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, backend.proc.rssMb());
    }, 25);
    const all = await download(
      `${backend.url}${plugin.ownershipExport()}`,
      backend.token,
    );
    clearInterval(sampler);
    exportMs.push(all.ms);
    exportFirstMs.push(all.firstByteMs);
    exportRss.push(Math.max(peak, backend.proc.rssMb()) - before);
    exportRows = all.rows;
    exportBytes = all.bytes;
    if (all.rows !== total) {
      env.failures.push(
        `P4: the CSV export has ${all.rows} rows, the index ${total} DAGs`,
      );
    }
    const filtered = await download(
      `${backend.url}${plugin.ownershipExport({
        failing: true,
        instance: 'alpha',
        sort: 'lastRun',
      })}`,
      backend.token,
    );
    exportFilteredMs.push(filtered.ms);
    filteredRows = filtered.rows;

    const rebuild = await refreshOwnership(env, backend);
    rebuildMs.push(rebuild.ms);
    airflowMs.push(rebuild.airflowMs);
    per100.push((rebuild.calls / Math.max(1, rebuild.dags)) * 100);
    rss.push(rebuild.extraRssMb);
    lastRoutes = rebuild.byRoute;
  }
  // The last rebuild's generation has not been read yet: each view once, in a row, with nothing
  // kept (the first read also asks the catalog what the user may read; the others reuse that).
  const cold: number[] = [];
  for (const path of paths) {
    cold.push(
      (await timed(() => ok(`${backend.url}${path}`, { token: backend.token })))
        .ms,
    );
  }
  const dagsTotal = 2 * o.fleetPerInstance;
  env.rows.push({
    target: 'P4',
    metric: `GET ownership page, 10 concurrent users, ${P4_VIEWS.length} views: p95 (${dagsTotal} DAGs)`,
    unit: 'ms',
    values: p95,
    goal: '≤ 100',
    met: median(p95) <= 100,
  });
  env.rows.push({
    target: 'P4',
    metric:
      'GET ownership page, one user, first read of a new index generation (catalog asked, nothing kept)',
    unit: 'ms',
    values: cold.slice(0, 1),
  });
  env.rows.push({
    target: 'P4',
    metric: `GET ownership page, one user, first read of each other view (nothing kept), ${
      cold.length - 1
    } views`,
    unit: 'ms',
    values: cold.slice(1),
  });
  env.rows.push({
    target: 'P4',
    metric: 'GET ownership page, 10 concurrent users: throughput',
    unit: 'req/s',
    values: rps,
  });
  env.rows.push({
    target: 'P4',
    metric: 'GET ownership page: errors (non-2xx, timeouts)',
    unit: 'count',
    values: errors,
    goal: '0',
    met: Math.max(...errors) === 0,
  });
  env.rows.push({
    target: 'P4',
    metric: `DAG rows the browser receives per view (summary.total ${total})`,
    unit: 'rows',
    values: rows,
    goal: 'one page',
    met: median(rows) < total,
  });
  env.rows.push({
    target: 'P4',
    metric: 'ownership page answer size',
    unit: 'KB',
    values: bytes,
  });
  env.rows.push({
    target: 'P4',
    metric: `CSV export of every DAG (${exportRows} rows, ${(
      exportBytes / 1e6
    ).toFixed(1)} MB, streamed): time`,
    unit: 'ms',
    values: exportMs,
  });
  env.rows.push({
    target: 'P4',
    metric: 'CSV export of every DAG: time to first byte',
    unit: 'ms',
    values: exportFirstMs,
  });
  env.rows.push({
    target: 'P4',
    metric: 'CSV export of every DAG: extra RSS (peak − before)',
    unit: 'MB',
    values: exportRss,
  });
  env.rows.push({
    target: 'P4',
    metric: `CSV export of a filtered set (failing on alpha, by last run: ${filteredRows} rows): time`,
    unit: 'ms',
    values: exportFilteredMs,
  });
  env.rows.push({
    target: 'P4',
    metric: 'index rebuild (POST ownership/refresh)',
    unit: 'ms',
    values: rebuildMs,
    goal: '≤ 5000',
    met: median(rebuildMs) <= 5000,
  });
  env.rows.push({
    target: 'P4',
    metric: 'index rebuild: first to last Airflow call',
    unit: 'ms',
    values: airflowMs,
  });
  env.rows.push({
    target: 'P4',
    metric: 'index rebuild: Airflow calls per 100 DAGs',
    unit: 'calls',
    values: per100,
    goal: '≤ 3',
    met: median(per100) <= 3,
  });
  env.rows.push({
    target: 'P4',
    metric: 'index rebuild: extra RSS (peak − before)',
    unit: 'MB',
    values: rss,
    goal: '≤ 200',
    met: median(rss) <= 200,
  });
  env.notes.push(`P4 rebuild calls by route: ${fmtRoutes(lastRoutes)}`);
  env.notes.push(
    `P4 views (autocannon cycles through them): ${paths.join(' | ')}`,
  );
}

/** p95 from autocannon's histogram fields (it reports p90 and p97.5): linear between them. */
function interpolateP95(l: { p90: number; p97_5: number }): number {
  return l.p90 + ((95 - 90) / (97.5 - 90)) * (l.p97_5 - l.p90);
}

async function fleetGrowth(env: Env, backend: BackendHandle, o: SuiteOptions) {
  for (const total of [1000, 5000, 20000]) {
    await Promise.all(
      env.standins.map(s => s.configure({ dagCount: total / 2 })),
    );
    const r = await refreshOwnership(env, backend);
    env.rows.push({
      target: 'growth',
      metric: `index rebuild, fleet of ${total} DAGs: time`,
      unit: 'ms',
      values: [r.ms],
    });
    env.rows.push({
      target: 'growth',
      metric: `index rebuild, fleet of ${total} DAGs: Airflow calls`,
      unit: 'calls',
      values: [r.calls],
    });
    env.rows.push({
      target: 'growth',
      metric: `index rebuild, fleet of ${total} DAGs: extra RSS`,
      unit: 'MB',
      values: [r.extraRssMb],
    });
    const first = await ok(`${backend.url}${plugin.ownership}`, {
      token: backend.token,
    });
    env.rows.push({
      target: 'growth',
      metric: `ownership page answer, fleet of ${total} DAGs`,
      unit: 'KB',
      values: [first.bytes / 1e3],
    });
  }
  await Promise.all(
    env.standins.map(s => s.configure({ dagCount: o.fleetPerInstance })),
  );
}

// ------------------------------------------------------------------ phase B

function readMix(names: string[]) {
  return names.map(n => ({ method: 'GET', path: plugin.entityDags(n) }));
}

async function p5(env: Env, backend: BackendHandle, o: SuiteOptions) {
  const names = [
    sizedEntity(20),
    ...Array.from(
      { length: 9 },
      (_, i) => `bench-e-${String(i).padStart(3, '0')}`,
    ),
  ];
  for (const n of names)
    await ok(`${backend.url}${plugin.entityDags(n)}`, { token: backend.token });
  const rps: number[] = [];
  const p99: number[] = [];
  const errs: number[] = [];
  const calls: number[] = [];
  for (let r = 0; r < o.repeats; r++) {
    await resetAll(env);
    const res = await autocannon({
      url: backend.url,
      connections: 10,
      duration: 10,
      timeout: 30,
      headers: { authorization: `Bearer ${backend.token}` },
      requests: readMix(names),
    });
    rps.push(res.requests.average);
    p99.push(res.latency.p99);
    errs.push(res.errors + res.timeouts + res.non2xx);
    calls.push((await countsOf(env.standins)).total);
  }
  env.rows.push({
    target: 'P5',
    metric: 'cached entity reads, 10 connections: throughput',
    unit: 'req/s',
    values: rps,
    goal: '≥ 500',
    met: median(rps) >= 500,
  });
  env.rows.push({
    target: 'P5',
    metric: 'cached entity reads: p99 latency',
    unit: 'ms',
    values: p99,
    goal: '< 100',
    met: median(p99) < 100,
  });
  env.rows.push({
    target: 'P5',
    metric: 'cached entity reads: errors',
    unit: 'count',
    values: errs,
    goal: '0',
    met: Math.max(...errs) === 0,
  });
  env.rows.push({
    target: 'P5',
    metric: 'cached entity reads: Airflow calls during the run',
    unit: 'calls',
    values: calls,
  });

  // For scale: the same load on Backstage's permission endpoint alone (one decision per request,
  // as each cached read asks one; the read adds the client side of it and everything else).
  const permissionRps: number[] = [];
  for (let r = 0; r < o.repeats; r++) {
    const res = await autocannon({
      url: backend.url,
      connections: 10,
      duration: 10,
      timeout: 30,
      requests: [
        {
          method: 'POST',
          path: core.permissionAuthorize,
          headers: {
            authorization: `Bearer ${backend.token}`,
            'content-type': 'application/json',
          },
          body: JSON.stringify({
            items: [
              {
                id: '1',
                permission: {
                  type: 'resource',
                  resourceType: 'catalog-entity',
                  name: 'airflow.dag.read',
                  attributes: { action: 'read' },
                },
                resourceRef: `component:default/${names[0]}`,
              },
            ],
          }),
        },
      ],
    });
    if (res.non2xx + res.errors > 0) {
      env.failures.push(
        `P5: the permission endpoint answered ${res.non2xx} non-2xx and ${res.errors} errors`,
      );
    }
    permissionRps.push(res.requests.average);
  }
  env.rows.push({
    target: 'P5',
    metric:
      "for scale: Backstage's permission endpoint alone, one decision per request, 10 connections",
    unit: 'req/s',
    values: permissionRps,
  });

  // For scale: a reference route of the example backend (packages/backend/src/benchReference)
  // that authenticates the user, asks the same one decision and answers it: the least any
  // Backstage plugin route does that asks one permission decision per request.
  // Then the same with an answer as large as a cached read's.
  const readBytes = (
    await ok(`${backend.url}${plugin.entityDags(names[0])}`, {
      token: backend.token,
    })
  ).bytes;
  const referenceRps: number[] = [];
  const referenceSizedRps: number[] = [];
  for (let r = 0; r < o.repeats; r++) {
    referenceRps.push(await reference(0));
    referenceSizedRps.push(await reference(readBytes));
  }
  env.rows.push({
    target: 'P5',
    metric:
      'for scale: a Backstage route that only authenticates and asks one decision, 10 connections',
    unit: 'req/s',
    values: referenceRps,
  });
  env.rows.push({
    target: 'P5',
    metric: `for scale: the same route answering ${(readBytes / 1000).toFixed(
      0,
    )} KB (a cached read's size), 10 connections`,
    unit: 'req/s',
    values: referenceSizedRps,
  });
  async function reference(bytes: number) {
    const res = await autocannon({
      url: `${backend.url}${core.referenceDecision(
        `component:default/${names[0]}`,
        bytes,
      )}`,
      connections: 10,
      duration: 10,
      timeout: 30,
      headers: { authorization: `Bearer ${backend.token}` },
    });
    if (res.non2xx + res.errors > 0) {
      env.failures.push(
        `P5: the reference route answered ${res.non2xx} non-2xx and ${res.errors} errors`,
      );
    }
    return res.requests.average;
  }

  // GET /instances: health calls per instance for 20 requests within a few seconds.
  const health: number[] = [];
  const times: number[] = [];
  for (let r = 0; r < o.repeats; r++) {
    await resetAll(env);
    times.push(
      await seqMedian(20, () =>
        ok(`${backend.url}${plugin.instances}`, { token: backend.token }),
      ),
    );
    const counts = await Promise.all(env.standins.map(s => s.counts()));
    const perInstance = counts.map(c =>
      Object.entries(c.byRoute)
        .filter(([k]) => /health/.test(k))
        .reduce((a, [, n]) => a + n, 0),
    );
    health.push(Math.max(...perInstance));
  }
  env.rows.push({
    target: 'P5',
    metric: 'GET instances ×20 in a row: health calls per instance',
    unit: 'calls',
    values: health,
    goal: '≤ 1',
    met: median(health) <= 1,
  });
  env.rows.push({
    target: 'P5',
    metric: 'GET instances: latency (median of 20)',
    unit: 'ms',
    values: times,
  });
}

async function soak(env: Env, backend: BackendHandle, o: SuiteOptions) {
  const names = [
    sizedEntity(20),
    ...Array.from(
      { length: 9 },
      (_, i) => `bench-e-${String(i).padStart(3, '0')}`,
    ),
  ];
  const mix = [
    ...readMix(names),
    ...readMix(names),
    { method: 'GET', path: plugin.dag(sizedEntity(20), 'alpha', dagIdOf(3)) },
    {
      method: 'GET',
      path: plugin.dagRuns(sizedEntity(20), 'alpha', dagIdOf(4)),
    },
    { method: 'GET', path: plugin.dagRuns('bench-e-001', 'beta', dagIdOf(1)) },
    { method: 'GET', path: plugin.instances },
    { method: 'GET', path: plugin.ownership },
  ];
  const seconds = Math.round(o.soakMinutes * 60);
  const samples: { t: number; rss: number }[] = [];
  const t0 = Date.now();
  const sampler = setInterval(
    () =>
      samples.push({ t: (Date.now() - t0) / 1000, rss: backend.proc.rssMb() }),
    5000,
  );
  const res = await autocannon({
    url: backend.url,
    // Enough connections for the rate to be reached even when answers are slow.
    connections: 20,
    overallRate: 20,
    duration: seconds,
    timeout: 60,
    headers: { authorization: `Bearer ${backend.token}` },
    requests: mix,
  });
  clearInterval(sampler);
  samples.push({ t: (Date.now() - t0) / 1000, rss: backend.proc.rssMb() });
  const warm = Math.min(60, seconds / 5);
  const afterWarm =
    samples.find(s => s.t >= warm)?.rss ?? samples[0]?.rss ?? NaN;
  const end = samples[samples.length - 1].rss;
  const peak = Math.max(...samples.map(s => s.rss));
  env.rows.push({
    target: 'R4',
    metric: `soak ${o.soakMinutes} min at 20 req/s: requests`,
    unit: 'count',
    values: [res.requests.total],
  });
  env.rows.push({
    target: 'R4',
    metric: 'soak: achieved rate',
    unit: 'req/s',
    values: [res.requests.total / seconds],
    goal: '20',
    met: res.requests.total / seconds >= 19,
  });
  env.rows.push({
    target: 'R4',
    metric: 'soak: errors (non-2xx, timeouts)',
    unit: 'count',
    values: [res.errors + res.timeouts + res.non2xx],
    goal: '0',
    met: res.errors + res.timeouts + res.non2xx === 0,
  });
  env.rows.push({
    target: 'R4',
    metric: 'soak: latency p99',
    unit: 'ms',
    values: [res.latency.p99],
  });
  env.rows.push({
    target: 'R4',
    metric: `soak: RSS after ${warm.toFixed(0)} s warm-up / end / peak`,
    unit: 'MB',
    values: [afterWarm, end, peak],
  });
  env.rows.push({
    target: 'R4',
    metric: 'soak: RSS growth end vs warm-up',
    unit: '%',
    values: [((end - afterWarm) / afterWarm) * 100],
    goal: '≤ 30',
    met: (end - afterWarm) / afterWarm <= 0.3,
  });
  env.details.soakRss = samples;
}

function p6(env: Env) {
  try {
    const r = p6Report(REPO_ROOT);
    env.rows.push({
      target: 'P6',
      metric: "Airflow tab's own JS (tab chunk + plugin code in main), gzip",
      unit: 'KB',
      values: [r.tabOwnGzip / 1024],
      goal: '≤ 60',
      met: r.tabOwnGzip / 1024 <= 60,
    });
    env.rows.push({
      target: 'P6',
      metric: 'the chunks holding the tab, whole, gzip',
      unit: 'KB',
      values: [r.tabChunksGzip / 1024],
    });
    env.rows.push({
      target: 'P6',
      metric: 'all plugin code in the app build, gzip',
      unit: 'KB',
      values: [r.allOwnGzip / 1024],
    });
    env.details.p6 = r.chunks;
    env.notes.push(
      `P6 chunks with plugin code: ${r.chunks
        .map(
          c =>
            `${c.file} (own ${(c.ownGzip / 1024).toFixed(1)} KB gz of ${(
              c.gzip / 1024
            ).toFixed(1)} KB gz${c.hasTab ? ', tab' : ''}${
              c.isEntry ? ', entry' : ''
            })`,
        )
        .join('; ')}`,
    );
  } catch (error) {
    env.failures.push(`P6: ${(error as Error).message}`);
  }
}

// -------------------------------------------------------------------- runs

export async function runSuite(o: SuiteOptions): Promise<SuiteResult> {
  const want = (t: string) => !o.only || o.only.has(t);
  const { alpha, beta, standins } = await startStandins(
    o.latencyMs,
    o.fleetPerInstance,
  );
  const env: Env = {
    alpha,
    beta,
    standins,
    rows: [],
    notes: [],
    failures: [],
    details: {},
  };
  const log = (m: string) =>
    console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${m}`);
  const phaseA = ['P1', 'growth', 'P2', 'P3', 'P4'].some(want);
  const phaseB = ['P3', 'P5', 'R4'].some(want);
  if (phaseA) {
    log('phase A: backend with the cache off (every read a miss)');
    const backend = await bootBackend(env, {
      name: 'miss',
      port: BACKEND_PORT,
      ttlSeconds: 0,
      entities: o.entities,
    });
    if (want('P1')) {
      log('P1');
      await p1(env, backend, o);
    }
    if (want('growth')) {
      log('growth: entity size');
      await entityGrowth(env, backend, o);
    }
    if (want('P2')) {
      log('P2');
      await p2(env, backend, o);
    }
    if (want('P3')) {
      log('P3 miss');
      await p3(env, backend, o, 'miss');
    }
    if (want('P4')) {
      log('P4');
      await p4(env, backend, o);
    }
    if (want('growth')) {
      log('growth: fleet size');
      await fleetGrowth(env, backend, o);
    }
    await backend.stop();
  }
  if (phaseB) {
    log('phase B: backend with the cache on (ttl 3600 s)');
    const backend = await bootBackend(env, {
      name: 'hit',
      port: BACKEND_PORT + 1,
      ttlSeconds: 3600,
      entities: o.entities,
    });
    if (want('P3')) {
      log('P3 hit');
      await p3(env, backend, o, 'hit');
    }
    if (want('P5')) {
      log('P5');
      await p5(env, backend, o);
    }
    if (want('R4') && o.soakMinutes > 0) {
      log(`R4 soak ${o.soakMinutes} min`);
      await soak(env, backend, o);
    }
    await backend.stop();
  }
  if (want('P6')) p6(env);
  await Promise.all(standins.map(s => s.proc.stop()));
  return {
    header: [
      `Fleet: 2 stand-in instances (alpha: Airflow 3 shapes, beta: Airflow 2 shapes) × ${o.fleetPerInstance} DAGs, ${o.latencyMs} ms latency per call, page clamp 100; ${o.entities} entities.`,
      `Backend: packages/backend production build (node packages/backend, NODE_ENV=production). Repeats: ${o.repeats}. Node ${process.version}.`,
    ].join('\n'),
    rows: env.rows,
    notes: env.notes,
    failures: env.failures,
    details: env.details,
  };
}

/**
 * The smoke run for CI: a small fleet with no latency, one backend, and
 * checks of counts only (never of time): the stand-in counts exactly the
 * calls the baseline makes, the backend lists exactly the DAGs an entity
 * names, every answer is 2xx. The targets' figures are printed, not asserted.
 */
export async function runSmoke(): Promise<SuiteResult> {
  const perInstance = 1000;
  const { alpha, beta, standins } = await startStandins(0, perInstance);
  const env: Env = {
    alpha,
    beta,
    standins,
    rows: [],
    notes: [],
    failures: [],
    details: {},
  };
  const check = (ok: boolean, what: string) => {
    if (!ok) env.failures.push(what);
  };
  const backend = await bootBackend(env, {
    name: 'smoke',
    port: BACKEND_PORT,
    ttlSeconds: 30,
    entities: 40,
    initialRefresh: false,
  });

  // Counters: reset to zero, count what is called.
  await resetAll(env);
  check((await countsOf(standins)).total === 0, 'counters reset to 0');

  // Baseline: exactly every list page plus two calls per shown DAG.
  const auth = await airflowAuth({ url: alpha.url, apiVersion: 'v2' });
  await resetAll(env);
  const dagIds = Array.from({ length: 20 }, (_, i) => dagIdOf(i));
  const base = await oldPluginPageLoad(
    { url: alpha.url, apiVersion: 'v2' },
    auth,
    dagIds,
  );
  const baseCounted = (await alpha.counts()).total;
  const expected = expectedBaselineCalls(perInstance, 20);
  check(base.dags === 20, `baseline showed ${base.dags} DAGs, expected 20`);
  check(
    baseCounted === expected,
    `stand-in counted ${baseCounted} baseline calls, expected ${expected}`,
  );
  env.rows.push({
    target: 'P2',
    metric: `old plugin page load, 20 DAGs, instance of ${perInstance}: Airflow calls`,
    unit: 'calls',
    values: [baseCounted],
  });

  // Ours: the 20-DAG entity's first read (a miss of everything) and second
  // read (a hit); then the 100-DAG entity's first read, which finds the DAG
  // list (and the runs of its first 20 DAGs) cached.
  for (const n of [20, 100]) {
    const first = await entityRead(env, backend, sizedEntity(n));
    const ids = first.body.dags.map((d: any) => d.dagId);
    check(
      JSON.stringify(ids) ===
        JSON.stringify(Array.from({ length: n }, (_, i) => dagIdOf(i))),
      `${sizedEntity(n)} lists the ${n} DAGs it names`,
    );
    check(
      first.body.dags.every((d: any) => d.recentRuns.length > 0),
      `${sizedEntity(n)}: every DAG has its recent runs`,
    );
    const what = n === 20 ? 'miss' : 'DAG list and 20 DAGs cached';
    env.rows.push({
      target: n === 20 ? 'P2' : 'P1',
      metric: `ours, entity of ${n} DAGs, first read (${what}): Airflow calls`,
      unit: 'calls',
      values: [first.calls],
    });
    env.notes.push(
      `${sizedEntity(n)} first read, calls by route: ${fmtRoutes(
        first.byRoute,
      )}`,
    );
    const hit = await entityRead(env, backend, sizedEntity(n));
    check(hit.dags === n, `${sizedEntity(n)} second read lists ${n} DAGs`);
    env.rows.push({
      target: 'P3',
      metric: `ours, entity of ${n} DAGs, second read (hit): Airflow calls`,
      unit: 'calls',
      values: [hit.calls],
    });
  }

  // The yardsticks of P3 (direct calls of the same data) and P5 (the
  // reference route) answer, so that they cannot rot.
  await directSameData(env, auth);
  const refAnswer = await request(
    `${backend.url}${core.referenceDecision(
      `component:default/${sizedEntity(20)}`,
      100,
    )}`,
    { token: backend.token },
  );
  check(
    refAnswer.status === 200 &&
      refAnswer.body.result === 'ALLOW' &&
      refAnswer.body.pad.length === 100,
    `the reference route answers the decision padded to 100 characters (got ${
      refAnswer.status
    } ${JSON.stringify(refAnswer.body).slice(0, 100)})`,
  );
  const refBad = await request(
    `${backend.url}${core.referenceDecision('component:default/x', -1)}`,
    { token: backend.token },
  );
  check(
    refBad.status === 400,
    `the reference route answers 400 to a bad size (got ${refBad.status})`,
  );

  // GET /instances twice in a row.
  await resetAll(env);
  for (let i = 0; i < 2; i++) {
    const res = await ok(`${backend.url}${plugin.instances}`, {
      token: backend.token,
    });
    check(
      res.body.instances.length === 2 &&
        res.body.instances.every((x: any) => x.status === 'healthy'),
      'both instances healthy',
    );
    check(
      res.body.instances.map((x: any) => x.apiVersion).join(',') === 'v2,v1',
      'alpha detected as v2, beta as v1',
    );
  }
  const inst = await countsOf(standins);
  env.rows.push({
    target: 'P5',
    metric: 'GET instances ×2: Airflow calls (both instances)',
    unit: 'calls',
    values: [inst.total],
  });

  // The ownership index.
  const rebuild = await refreshOwnership(env, backend);
  check(
    rebuild.dags === 2 * perInstance,
    `ownership index holds ${rebuild.dags} DAGs, expected ${2 * perInstance}`,
  );
  check(
    rebuild.calls >= (2 * perInstance) / 100,
    `the rebuild read the fleet (${rebuild.calls} Airflow calls for ${
      2 * perInstance
    } DAGs in pages of 100)`,
  );
  env.rows.push({
    target: 'P4',
    metric: `index rebuild, ${2 * perInstance} DAGs: Airflow calls`,
    unit: 'calls',
    values: [rebuild.calls],
  });
  env.rows.push({
    target: 'P4',
    metric: 'index rebuild: Airflow calls per 100 DAGs',
    unit: 'calls',
    values: [(rebuild.calls / rebuild.dags) * 100],
    goal: '≤ 3',
    met: (rebuild.calls / rebuild.dags) * 100 <= 3,
  });
  const firstPage = await ok(`${backend.url}${plugin.ownership}`, {
    token: backend.token,
  });
  check(
    firstPage.body.total === 2 * perInstance &&
      firstPage.body.summary.total === 2 * perInstance,
    `GET ownership counts ${firstPage.body.total} DAGs, expected ${
      2 * perInstance
    }`,
  );
  env.rows.push({
    target: 'P4',
    metric: 'DAG rows in GET ownership (one page)',
    unit: 'rows',
    values: [firstPage.body.dags.length],
  });
  const exported = await download(
    `${backend.url}${plugin.ownershipExport()}`,
    backend.token,
  );
  check(
    exported.rows === 2 * perInstance && exported.type.startsWith('text/csv'),
    `the CSV export has ${exported.rows} rows (${exported.type}), expected ${
      2 * perInstance
    }`,
  );
  env.rows.push({
    target: 'P4',
    metric: 'rows of the CSV export (every DAG)',
    unit: 'rows',
    values: [exported.rows],
  });
  env.notes.push(`rebuild calls by route: ${fmtRoutes(rebuild.byRoute)}`);

  p6(env);
  await backend.stop();
  await Promise.all(standins.map(s => s.proc.stop()));
  return {
    header: `Smoke: 2 stand-ins × ${perInstance} DAGs, no latency, 40 entities; counts only (the targets are printed, not asserted).`,
    rows: env.rows,
    notes: env.notes,
    failures: env.failures,
    details: env.details,
  };
}
