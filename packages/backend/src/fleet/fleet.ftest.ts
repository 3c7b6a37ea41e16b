/**
 * Two production-built backend replicas on one PostgreSQL and one Redis, in
 * front of the real Airflow (on PostgreSQL), behaving as one. Started by
 * scripts/fleet-test.sh, which starts the services and builds the backend;
 * this file starts, kills and restarts the replicas themselves. Each replica
 * reaches Airflow through its own counting proxy, so every assertion is a
 * count of HTTP answers, Airflow calls or log lines.
 */
import { spawnSync } from 'node:child_process';
import {
  AirflowDirect,
  isLogin,
  isRefreshListing,
  Replica,
  report,
  sleep,
} from './fleet';
import { eventually as waitFor } from '../integration/harness';

const AIRFLOW = new URL(process.env.AIRFLOW_BASE_URL ?? 'http://127.0.0.1:0');
const [PORT_A, PORT_B] = (process.env.FLEET_PORTS ?? '7800,7801')
  .split(',')
  .map(Number);
const INTERVAL_MS = Number(process.env.FLEET_REFRESH_MINUTES ?? 0.25) * 60_000;
const JWT_SECONDS = Number(process.env.FLEET_JWT_SECONDS ?? 20);

const a = new Replica('a', PORT_A, AIRFLOW);
const b = new Replica('b', PORT_B, AIRFLOW);
const airflow = new AirflowDirect(AIRFLOW);

const FINANCE = '/entities/component/default/finance-reconciliation/dags';
const ANALYTICS = '/entities/component/default/analytics-reports/dags';
const PAYMENTS = `${FINANCE}/local/payments_reconciliation`;
const MARKETING = `${ANALYTICS}/local/marketing_attribution`;

/** The DAG ids Airflow has, as the complete index must list them. */
async function airflowDagIds(): Promise<string[]> {
  const body = await airflow.get('/dags?limit=100');
  return body.dags.map((d: any) => d.dag_id).sort();
}

/**
 * The first page of the ownership view (the fleet's 8 DAGs fit in it), with
 * its index's build time lifted to `body.builtAt` for the comparisons below.
 */
async function ownershipOf(replica: Replica) {
  const res = await replica.api('/ownership?limit=100');
  return {
    ...res,
    body: { ...res.body, builtAt: res.body?.index?.builtAt ?? null },
  };
}

const dagIdsOf = (ownership: any): string[] =>
  ownership.dags.map((d: any) => d.dagId).sort();

/**
 * Both replicas' ownership answers for the same build, retried across a
 * refresh in between: a replica sees another's new generation within the
 * second it reuses the index state (INDEX_STATE_REUSE_MS), so they must agree
 * within a few of those.
 */
async function sameMomentOwnership(): Promise<[any, any]> {
  for (let i = 0; i < 40; i++) {
    const a1 = await ownershipOf(a);
    const b1 = await ownershipOf(b);
    const a2 = await ownershipOf(a);
    if (
      a1.body.builtAt === a2.body.builtAt &&
      b1.body.builtAt === a1.body.builtAt
    ) {
      return [a1.body, b1.body];
    }
    await new Promise(r => setTimeout(r, 250));
  }
  throw new Error('the replicas did not agree on the index within 10 s');
}

function redis(command: 'stop' | 'start'): void {
  const result = spawnSync('bash', ['scripts/redis.sh', command], {
    cwd: process.env.REPO_ROOT,
    encoding: 'utf8',
  });
  if (result.status !== 0) {
    throw new Error(`redis.sh ${command}: ${result.stderr}`);
  }
}

/**
 * Audit lines of the trigger of `runId` with `status` in a replica's log. Backstage's logger
 * masks config secrets in every line: with scripts/postgres.sh's password `backstage`, the run
 * id `backstage__…` is logged as `***__…`.
 */
const triggerAudits = (replica: Replica, runId: string, status: string) =>
  replica
    .logLines()
    .filter(
      l =>
        l.isAuditEvent &&
        l.eventId === 'dag-trigger' &&
        l.status === status &&
        (l.meta?.runId === runId ||
          l.meta?.runId ===
            runId.replaceAll(process.env.POSTGRES_PASSWORD ?? '\0', '***')),
    ).length;

let observedFrom = 0;
let dagIds: string[] = [];

beforeAll(async () => {
  // Replica A alone first: it creates the plugin databases and runs the migrations.
  await a.start();
  await b.start();
  report(
    `replicas ready: a on ${a.url} (proxy ${a.proxy.url}), b on ${b.url} (proxy ${b.proxy.url})`,
  );
  dagIds = await airflowDagIds();
  await Promise.all([a.token(), b.token()]);
  await waitFor(
    'the first ownership index on both replicas',
    async () => {
      const [x, y] = await Promise.all([ownershipOf(a), ownershipOf(b)]);
      return x.body.builtAt && y.body.builtAt ? true : undefined;
    },
    120_000,
  );
  observedFrom = Date.now();
}, 600_000);

afterAll(async () => {
  report(
    `resident memory at the end: a ${a.rssMiB()} MiB, b ${b.rssMiB()} MiB (0: stopped)`,
  );
  await Promise.all([a.stop(), b.stop()]);
  await Promise.all([a.proxy.stop(), b.proxy.stop()]);
}, 120_000);

describe('two replicas on PostgreSQL and Redis', () => {
  it('serve one complete index, the same on both', async () => {
    const [x, y] = await sameMomentOwnership();
    expect(x.builtAt).toBe(y.builtAt);
    expect(dagIdsOf(x)).toEqual(dagIds);
    expect(y.dags).toEqual(x.dags);
    expect(y.summary).toEqual(x.summary);
    report(
      `one index on both replicas: built at ${x.builtAt}, ${
        x.dags.length
      } DAGs (Airflow has ${dagIds.length}), summary ${JSON.stringify(
        x.summary,
      )}`,
    );
  });

  it('make a trigger, a pause and a clear through A visible through B at once', async () => {
    // B reads first, so that its answers are in the shared cache.
    const before = await b.api(FINANCE);
    expect(before.status).toBe(200);
    const trigger = await a.api(`${PAYMENTS}/runs`, {
      method: 'POST',
      body: { note: 'fleet: visibility' },
    });
    expect(trigger.status).toBe(201);
    const runId = trigger.body.runId;
    const after = await b.api(FINANCE);
    const runsOnB = after.body.dags[0].recentRuns.map((r: any) => r.runId);
    expect(runsOnB).toContain(runId);

    // Pause state as B serves it (cached), flipped through A, seen flipped through B, and back.
    const pausedOnB = async () =>
      (await b.api(ANALYTICS)).body.dags.find(
        (d: any) => d.dagId === 'marketing_attribution',
      )?.isPaused;
    const initial = await pausedOnB();
    expect(typeof initial).toBe('boolean');
    for (const isPaused of [!initial, initial]) {
      const set = await a.api(MARKETING, {
        method: 'PATCH',
        body: { isPaused },
      });
      expect(set.status).toBe(200);
      expect(await pausedOnB()).toBe(isPaused);
    }

    // The clear: once the run has finished and B has cached it finished.
    const finished = await waitFor(
      `run ${runId} to finish`,
      async () => {
        const run = await b.api(
          `${PAYMENTS}/runs/${encodeURIComponent(runId)}`,
        );
        return ['success', 'failed'].includes(run.body.run?.state)
          ? (run.body.run.state as string)
          : undefined;
      },
      180_000,
    );
    await waitFor(
      'B to serve the finished run',
      async () => {
        const page = await b.api(FINANCE);
        const run = page.body.dags[0].recentRuns.find(
          (r: any) => r.runId === runId,
        );
        return run?.state === finished ? true : undefined;
      },
      60_000,
    );
    const cleared = await a.api(
      `${PAYMENTS}/runs/${encodeURIComponent(runId)}/clear`,
      { method: 'POST', body: { onlyFailed: false } },
    );
    expect(cleared.status).toBe(200);
    const onB = (await b.api(FINANCE)).body.dags[0].recentRuns.find(
      (r: any) => r.runId === runId,
    );
    expect(onB.state).not.toBe(finished);
    report(
      `visible at once through B: triggered run ${runId}; marketing_attribution paused=${!initial} then ${initial}; clear of the ${finished} run (B then shows ${
        onB.state
      })`,
    );
  }, 300_000);

  it('create distinct runs for concurrent triggers through both, each audited once', async () => {
    const replicas = [a, b, a, b, a, b];
    const answers = await Promise.all(
      replicas.map((replica, i) =>
        replica.api(`${PAYMENTS}/runs`, {
          method: 'POST',
          body: { note: `fleet: concurrent ${i}` },
        }),
      ),
    );
    expect(answers.map(r => r.status)).toEqual(replicas.map(() => 201));
    const runIds = answers.map(r => r.body.runId);
    expect(new Set(runIds).size).toBe(6);
    expect(new Set(answers.map(r => r.body.logicalDate)).size).toBe(6);
    for (const runId of runIds) {
      const run = await airflow.get(
        `/dags/payments_reconciliation/dagRuns/${encodeURIComponent(runId)}`,
      );
      expect(run.dag_run_id).toBe(runId);
    }
    // Every answered trigger has its audit event written, once, by the replica that served it.
    const counts = runIds.map((runId, i) => {
      const served = replicas[i];
      const other = served === a ? b : a;
      return [
        triggerAudits(served, runId, 'succeeded'),
        triggerAudits(other, runId, 'succeeded'),
      ];
    });
    expect(counts).toEqual(runIds.map(() => [1, 0]));
    report(
      `concurrent triggers: 6 (3 through each replica) -> 6 distinct run ids, 6 distinct logical dates, 6 runs in Airflow, 6 'succeeded' audit lines (1 per run, in the serving replica's log)`,
    );
  }, 120_000);

  it('run the scheduled refresh once per interval across both replicas', async () => {
    // At least 4 intervals of observation (the tests above ran meanwhile).
    const minWindow = 4 * INTERVAL_MS;
    const waited = Date.now() - observedFrom;
    if (waited < minWindow) await sleep(minWindow - waited);
    const windowMs = Date.now() - observedFrom;
    const intervals = windowMs / INTERVAL_MS;
    const onA = a.proxy.since(observedFrom, isRefreshListing).length;
    const onB = b.proxy.since(observedFrom, isRefreshListing).length;
    report(
      `refresh: ${onA + onB} full DAG listings in ${(windowMs / 1000).toFixed(
        0,
      )} s = ${intervals.toFixed(1)} intervals of ${
        INTERVAL_MS / 1000
      } s (${onA} by a, ${onB} by b); one per replica and interval would be ${Math.floor(
        2 * intervals,
      )}`,
    );
    // Once per interval: at most one more than the intervals elapsed (a run at each end).
    expect(onA + onB).toBeLessThanOrEqual(Math.ceil(intervals) + 1);
    expect(onA + onB).toBeGreaterThanOrEqual(Math.floor(intervals / 2));
  }, 300_000);

  it('renew the Airflow token once per replica in a burst after it is due', async () => {
    // Due: older than half its lifetime (the plugin renews then). Wait until it is due on both.
    const lastLogin = (r: Replica) =>
      Math.max(0, ...r.proxy.calls.filter(isLogin).map(c => c.at));
    const dueAfter = (JWT_SECONDS / 2 + 1) * 1000;
    await waitFor(
      'both replicas to hold a token due for renewal',
      async () =>
        Date.now() - lastLogin(a) > dueAfter &&
        Date.now() - lastLogin(b) > dueAfter
          ? true
          : undefined,
      4 * INTERVAL_MS,
    );
    const ages = [a, b].map(r =>
      Math.round((Date.now() - lastLogin(r)) / 1000),
    );
    const start = Date.now();
    const burst = await Promise.all(
      [a, b].flatMap(r =>
        Array.from({ length: 10 }, () => r.api(`${PAYMENTS}/runs?limit=5`)),
      ),
    );
    expect(burst.map(r => r.status)).toEqual(burst.map(() => 200));
    const logins = [a, b].map(r => r.proxy.since(start, isLogin).length);
    const rejected = [a, b].map(
      r => r.proxy.since(start, c => /\/dagRuns$/.test(c.path)).length,
    );
    report(
      `token burst: 10 requests per replica, tokens ${ages.join(
        ' s and ',
      )} s old (lifetime ${JWT_SECONDS} s) -> logins a=${logins[0]}, b=${
        logins[1]
      }; Airflow run listings a=${rejected[0]}, b=${rejected[1]}`,
    );
    expect(logins[0]).toBeLessThanOrEqual(1);
    expect(logins[1]).toBeLessThanOrEqual(1);
  }, 300_000);

  let victim: Replica;
  let survivor: Replica;

  it('let the other replica take over when the one refreshing dies mid-refresh, never serving a half index', async () => {
    const [before] = await sameMomentOwnership();
    const kill = { at: 0 };
    const killed = new Promise<Replica>(resolve => {
      const watch = (r: Replica) => {
        r.proxy.hold = call =>
          isRefreshListing(call) && !kill.at ? 60_000 : 0;
        r.proxy.onCall = call => {
          if (isRefreshListing(call) && !kill.at) {
            kill.at = Date.now();
            resolve(r);
          }
        };
      };
      watch(a);
      watch(b);
    });
    const started = await Promise.race([
      killed,
      sleep(3 * INTERVAL_MS + 20_000).then(() => undefined),
    ]);
    if (!started) throw new Error('no refresh started within 3 intervals');
    victim = started;
    await victim.stop('SIGKILL');
    survivor = victim === a ? b : a;
    for (const r of [a, b]) {
      r.proxy.hold = undefined;
      r.proxy.onCall = undefined;
    }
    // Poll the survivor: every answer complete, never older than the one before.
    let answers = 0;
    const bad: string[] = [];
    let last = before.builtAt as string;
    const next = await waitFor(
      'the survivor to serve a newer index',
      async () => {
        const res = await ownershipOf(survivor);
        answers++;
        if (res.status !== 200) bad.push(`status ${res.status}`);
        else if (dagIdsOf(res.body).join() !== dagIds.join())
          bad.push(`incomplete: ${dagIdsOf(res.body).join()}`);
        else if (res.body.builtAt < last)
          bad.push(`older: ${res.body.builtAt} after ${last}`);
        else last = res.body.builtAt;
        return res.body.builtAt > before.builtAt ? res.body : undefined;
      },
      // The dead replica's run times out after one interval, the scheduler's janitor frees it within a minute.
      2 * INTERVAL_MS + 90_000,
    );
    expect(bad).toEqual([]);
    const takeover = survivor.proxy.since(kill.at, isRefreshListing);
    expect(takeover.length).toBeGreaterThanOrEqual(1);
    report(
      `kill: replica ${
        victim.name
      } killed (SIGKILL) in its refresh at ${new Date(
        kill.at,
      ).toISOString()}; replica ${survivor.name} refreshed ${(
        (takeover[0].at - kill.at) /
        1000
      ).toFixed(0)} s later, index built at ${
        next.builtAt
      }; ${answers} answers meanwhile, all complete (${
        dagIds.length
      } DAGs), none older than the one before`,
    );
  }, 400_000);

  it('restart a replica without losing the index or rebuilding it', async () => {
    const startedAt = Date.now();
    await victim.start();
    const readyAt = Date.now();
    const first = await ownershipOf(victim);
    const answeredAt = Date.now();
    expect(first.status).toBe(200);
    expect(dagIdsOf(first.body)).toEqual(dagIds);
    // Read from the store: built before this replica was ready (a scheduled run may follow).
    expect(Date.parse(first.body.builtAt)).toBeLessThan(readyAt);
    const rebuilds = victim.proxy
      .since(readyAt, isRefreshListing)
      .filter(c => c.at <= answeredAt);
    const [x, y] = await sameMomentOwnership();
    expect(x.builtAt).toBe(y.builtAt);
    expect(y.dags).toEqual(x.dags);
    report(`resident memory: a ${a.rssMiB()} MiB, b ${b.rssMiB()} MiB`);
    report(
      `restart: replica ${victim.name} ready in ${(
        (readyAt - startedAt) /
        1000
      ).toFixed(0)} s, first index read served the stored index (built at ${
        first.body.builtAt
      }), ${
        rebuilds.length
      } scheduled refresh(es) by it before that answer; both replicas then serve the same index`,
    );
  }, 400_000);

  it('keep answering from Airflow while Redis is down, log it once, and use the cache again when it is back', async () => {
    const pages = [
      '/instances',
      FINANCE,
      ANALYTICS,
      `${PAYMENTS}/runs?limit=5`,
      '/ownership?limit=100',
    ];
    const baseline = await Promise.all(pages.map(p => a.api(p)));
    expect(baseline.map(r => r.status)).toEqual(pages.map(() => 200));
    const cacheErrors = (r: Replica, since: number) =>
      r
        .logLines()
        .filter(
          l =>
            Date.parse(l.timestamp) >= since &&
            String(l.message).includes('the cache store failed'),
        ).length;
    const coreErrors = (r: Replica, since: number) =>
      r
        .logLines()
        .filter(l => Date.parse(l.timestamp) >= since && l.level === 'error')
        .length;

    const down = Date.now();
    redis('stop');
    const rounds = 5;
    const airflowCallsBefore = [a, b].map(r => r.proxy.calls.length);
    for (let round = 0; round < rounds; round++) {
      for (const r of [a, b]) {
        const answers = await Promise.all(pages.map(p => r.api(p)));
        expect(answers.map(x => x.status)).toEqual(pages.map(() => 200));
        expect(answers[1].body.dags.map((d: any) => d.dagId)).toEqual(
          baseline[1].body.dags.map((d: any) => d.dagId),
        );
        expect(answers[2].body.dags.map((d: any) => d.dagId)).toEqual(
          baseline[2].body.dags.map((d: any) => d.dagId),
        );
        expect(dagIdsOf(answers[4].body)).toEqual(dagIds);
      }
    }
    const duringDown = [a, b].map(
      (r, i) => r.proxy.calls.length - airflowCallsBefore[i],
    );
    await sleep(1500);
    const logged = [a, b].map(r => cacheErrors(r, down));
    const allErrors = [a, b].map(r => coreErrors(r, down));
    expect(logged).toEqual([1, 1]);

    redis('start');
    const up = Date.now();
    // The store is tried again every 5 s: keep reading until both replicas use it again.
    await waitFor(
      'both replicas to use Redis again',
      async () => {
        await Promise.all([a.api(FINANCE), b.api(FINANCE)]);
        const back = [a, b].every(r =>
          r
            .logLines()
            .some(
              l =>
                Date.parse(l.timestamp) >= up &&
                String(l.message).includes('the cache store answers again'),
            ),
        );
        return back ? true : undefined;
      },
      60_000,
    );
    // Cached again: a repeated read of an entity page costs Airflow no call.
    await a.api(FINANCE);
    const mark = a.proxy.calls.length;
    const again = await a.api(FINANCE);
    const fromB = await b.api(FINANCE);
    expect(again.status).toBe(200);
    expect(fromB.status).toBe(200);
    expect(a.proxy.calls.length - mark).toBe(0);
    report(
      `redis down: ${rounds} rounds x ${
        pages.length
      } pages per replica all 200 (Airflow calls meanwhile a=${
        duringDown[0]
      }, b=${duringDown[1]}); plugin error lines a=${logged[0]}, b=${
        logged[1]
      } (all error lines incl. Backstage's Redis client: a=${allErrors[0]}, b=${
        allErrors[1]
      }); back in ${((Date.now() - up) / 1000).toFixed(
        0,
      )} s, a repeated entity page read then cost 0 Airflow calls`,
    );
  }, 300_000);

  it('finish an in-flight trigger and write its audit event when a replica is stopped', async () => {
    const replica = survivor;
    let stopping: Promise<void> | undefined;
    replica.proxy.hold = call =>
      call.method === 'POST' && call.path.endsWith('/dagRuns') ? 3_000 : 0;
    replica.proxy.onCall = call => {
      if (call.method === 'POST' && call.path.endsWith('/dagRuns')) {
        stopping ??= replica.stop('SIGTERM');
      }
    };
    const answer = await replica.api(`${PAYMENTS}/runs`, {
      method: 'POST',
      body: { note: 'fleet: in flight at shutdown' },
    });
    await stopping;
    replica.proxy.hold = undefined;
    replica.proxy.onCall = undefined;
    expect(answer.status).toBe(201);
    expect(triggerAudits(replica, answer.body.runId, 'succeeded')).toBe(1);
    report(
      `shutdown: a trigger in flight when replica ${replica.name} got SIGTERM answered ${answer.status}, its 'succeeded' audit line is in the log (1)`,
    );
  }, 120_000);
});
