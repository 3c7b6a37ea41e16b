/**
 * The stand-in behaves like Airflow where the suite's figures depend on it:
 * paging and its clamp, filters, auth of both API generations, the batch runs
 * endpoint, and counters that count every call and reset.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Standin, likeMatcher } from './server.ts';
import { dagIdOf } from './data.ts';

async function call(base: string, path: string, init: RequestInit = {}) {
  const res = await fetch(`${base}${path}`, init);
  return { status: res.status, body: (await res.json()) as any };
}

describe('Airflow 3 stand-in (/api/v2, JWT)', () => {
  const standin = new Standin({
    apiVersion: 'v2',
    dagCount: 250,
    latencyMs: 0,
  });
  let base = '';
  let auth: Record<string, string> = {};
  before(async () => {
    base = `http://127.0.0.1:${await standin.listen(0)}`;
    const login = await call(base, '/auth/token', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: 'admin' }),
    });
    assert.equal(login.status, 201);
    auth = { Authorization: `Bearer ${login.body.access_token}` };
  });
  after(() => standin.close());

  it('refuses calls without a token (401) and with a forged one (403), but serves /version and health', async () => {
    assert.equal((await call(base, '/api/v2/dags')).status, 401);
    const forged = await call(base, '/api/v2/dags', {
      headers: { Authorization: 'Bearer a.b.c' },
    });
    assert.equal(forged.status, 403);
    assert.equal(forged.body.detail, 'Invalid JWT token');
    assert.equal((await call(base, '/api/v2/version')).body.version, '3.3.2');
    assert.equal(
      (await call(base, '/api/v2/monitor/health')).body.scheduler.status,
      'healthy',
    );
    assert.equal((await call(base, '/api/v1/version')).status, 404);
    assert.equal((await call(base, '/health')).status, 404);
  });

  it('pages /dags with a default of 50 and a clamp of 100, reporting total_entries', async () => {
    const first = await call(base, '/api/v2/dags', { headers: auth });
    assert.equal(first.body.dags.length, 50);
    assert.equal(first.body.total_entries, 250);
    const big = await call(base, '/api/v2/dags?limit=500&offset=200', {
      headers: auth,
    });
    assert.equal(big.body.dags.length, 50);
    assert.equal(big.body.dags[0].dag_id, dagIdOf(200));
    const clamped = await call(base, '/api/v2/dags?limit=1000', {
      headers: auth,
    });
    assert.equal(clamped.body.dags.length, 100);
    const desc = await call(base, '/api/v2/dags?limit=1&order_by=-dag_id', {
      headers: auth,
    });
    assert.equal(desc.body.dags[0].dag_id, dagIdOf(249));
  });

  it('filters by dag_id_pattern (LIKE, | = or) and by tags (any, or all)', async () => {
    const byPattern = await call(
      base,
      `/api/v2/dags?limit=100&dag_id_pattern=${encodeURIComponent(
        'dag_0000%|dag_0001%',
      )}`,
      { headers: auth },
    );
    assert.equal(byPattern.body.total_entries, 20);
    const byTag = await call(base, '/api/v2/dags?limit=100&tags=team_3', {
      headers: auth,
    });
    assert.ok(
      byTag.body.dags.every((d: any) =>
        d.tags.some((t: any) => t.name === 'team_3'),
      ),
    );
    assert.equal(byTag.body.total_entries, 13); // 3, 23, …, 243
    const both = await call(
      base,
      '/api/v2/dags?limit=100&tags=team_0&tags=critical&tags_match_mode=all',
      { headers: auth },
    );
    assert.deepEqual(
      both.body.dags.map((d: any) => d.dag_id),
      [0, 100, 200].map(dagIdOf),
    );
    assert.equal(likeMatcher('ag_1', 'v1')('DAG_1x'), true);
  });

  it('serves details, runs newest first, a run and its task instances', async () => {
    const details = await call(base, `/api/v2/dags/${dagIdOf(7)}/details`, {
      headers: auth,
    });
    assert.equal(details.body.dag_id, dagIdOf(7));
    assert.ok(details.body.params.batch_size);
    const runs = await call(
      base,
      `/api/v2/dags/${dagIdOf(7)}/dagRuns?limit=2&order_by=-run_after`,
      { headers: auth },
    );
    assert.equal(runs.body.dag_runs.length, 2);
    assert.ok(
      runs.body.dag_runs[0].run_after > runs.body.dag_runs[1].run_after,
    );
    const runId = runs.body.dag_runs[0].dag_run_id;
    const tis = await call(
      base,
      `/api/v2/dags/${dagIdOf(7)}/dagRuns/${encodeURIComponent(
        runId,
      )}/taskInstances`,
      { headers: auth },
    );
    assert.equal(tis.body.total_entries, 3);
    assert.equal(
      (await call(base, `/api/v2/dags/nope/details`, { headers: auth })).status,
      404,
    );
  });

  it('answers the batch runs endpoint across DAGs, unclamped, and refuses unknown keys with 422', async () => {
    const post = (body: unknown) =>
      call(base, '/api/v2/dags/~/dagRuns/list', {
        method: 'POST',
        headers: { ...auth, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
    const res = await post({
      dag_ids: [dagIdOf(1), dagIdOf(2)],
      order_by: '-run_after',
      page_limit: 1000,
    });
    const dags = new Set(res.body.dag_runs.map((r: any) => r.dag_id));
    assert.deepEqual([...dags].sort(), [dagIdOf(1), dagIdOf(2)]);
    assert.equal(res.body.dag_runs.length, res.body.total_entries);
    const upTo = res.body.dag_runs[2].run_after;
    const older = await post({
      dag_ids: [dagIdOf(1), dagIdOf(2)],
      order_by: '-run_after',
      run_after_lte: upTo,
    });
    assert.ok(older.body.dag_runs.every((r: any) => r.run_after <= upTo));
    assert.equal((await post({ dag_ids: [], bogus: 1 })).status, 422);
  });

  it('counts every call by route, and resets', async () => {
    standin.resetCounts();
    await call(base, '/api/v2/dags?limit=1', { headers: auth });
    await call(base, `/api/v2/dags/${dagIdOf(3)}/details`, { headers: auth });
    await call(base, `/api/v2/dags/${dagIdOf(4)}/details`, { headers: auth });
    await call(base, '/_bench/counts');
    const counts = standin.counts();
    assert.equal(counts.total, 3);
    assert.deepEqual(counts.byRoute, {
      'GET /api/v2/dags': 1,
      'GET /api/v2/dags/{dag_id}/details': 2,
    });
    await call(base, '/_bench/reset', { method: 'POST' });
    assert.equal(standin.counts().total, 0);
  });

  it('adds the configured latency to each counted call, and resizes the fleet', async () => {
    await call(base, '/_bench/config', {
      method: 'POST',
      body: JSON.stringify({ latencyMs: 60, dagCount: 20000 }),
    });
    const t0 = performance.now();
    const res = await call(base, '/api/v2/dags?limit=1', { headers: auth });
    assert.ok(performance.now() - t0 >= 55);
    assert.equal(res.body.total_entries, 20000);
    standin.configure({ latencyMs: 0, dagCount: 250 });
  });
});

describe('Airflow 2 stand-in (/api/v1, basic auth)', () => {
  const standin = new Standin({ apiVersion: 'v1', dagCount: 150 });
  let base = '';
  const auth = {
    Authorization: `Basic ${Buffer.from('admin:admin').toString('base64')}`,
  };
  before(async () => {
    base = `http://127.0.0.1:${await standin.listen(0)}`;
  });
  after(() => standin.close());

  it('wants basic auth, also for /version, and has no /api/v2 nor /auth/token', async () => {
    assert.equal((await call(base, '/api/v1/dags')).status, 401);
    assert.equal((await call(base, '/api/v1/version')).status, 401);
    assert.equal(
      (await call(base, '/api/v1/version', { headers: auth })).body.version,
      '2.10.5',
    );
    assert.equal((await call(base, '/api/v1/health')).status, 200);
    assert.equal((await call(base, '/api/v2/version')).status, 404);
    assert.equal(
      (await call(base, '/auth/token', { method: 'POST' })).status,
      404,
    );
  });

  it('serves Airflow 2 shapes with a default page of 100', async () => {
    const res = await call(base, '/api/v1/dags', { headers: auth });
    assert.equal(res.body.dags.length, 100);
    assert.equal(res.body.total_entries, 150);
    assert.equal(res.body.dags[0].is_active, true);
    assert.ok('schedule_interval' in res.body.dags[0]);
    const runs = await call(
      base,
      `/api/v1/dags/${dagIdOf(2)}/dagRuns?order_by=-execution_date`,
      { headers: auth },
    );
    assert.match(runs.body.dag_runs[0].execution_date, /\+00:00$/);
  });
});
