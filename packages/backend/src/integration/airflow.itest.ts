import {
  airflow,
  airflowApiVersion,
  backstage,
  entityPath,
  eventually,
  waitForCatalog,
} from './harness';

jest.setTimeout(240_000);

beforeAll(() => waitForCatalog(), 150_000);

const runPath = (entity: string, dagId: string) =>
  `${entityPath(entity)}/dags/local/${encodeURIComponent(dagId)}/runs`;

async function waitForRunState(
  entity: string,
  dagId: string,
  runId: string,
  states: string[],
) {
  return eventually(
    `${dagId} run ${runId} to reach ${states.join('/')}`,
    async () => {
      const res = await backstage(
        `${runPath(entity, dagId)}/${encodeURIComponent(runId)}`,
      );
      if (res.status !== 200)
        throw new Error(`${res.status} ${JSON.stringify(res.body)}`);
      return states.includes(res.body.run.state) ? res.body : undefined;
    },
  );
}

describe('the backend against a real Airflow (3 or 2)', () => {
  it("reports the local instance healthy, on Airflow's API version, with its version", async () => {
    const api = await airflowApiVersion();
    const version = await airflow('/version');
    expect(version.status).toBe(200);
    const res = await backstage('/instances');
    expect(res.status).toBe(200);
    expect(res.body.instances).toEqual([
      expect.objectContaining({
        name: 'local',
        apiVersion: api,
        status: 'healthy',
      }),
    ]);
    expect(res.body.instances[0].version).toBe(version.body.version);
    expect(res.body.instances[0].version).toMatch(
      api === 'v2' ? /^3\.\d+\.\d+/ : /^2\.\d+\.\d+/,
    );
  });

  it('lists the DAGs an entity names by id, with real fields from Airflow', async () => {
    const res = await backstage(`${entityPath('orders-pipeline')}/dags`);
    expect(res.status).toBe(200);
    expect(res.body.dags.map((d: any) => d.dagId)).toEqual([
      'inventory_snapshot',
      'orders_etl_hourly',
    ]);
    const etl = res.body.dags.find((d: any) => d.dagId === 'orders_etl_hourly');
    expect(etl).toMatchObject({
      instance: 'local',
      isPaused: false,
      tags: ['etl', 'orders'],
    });
    expect(etl.schedule).toBeTruthy();
    // The DAG's page in the Airflow UI: /dags/<id> on Airflow 3, /dags/<id>/grid on Airflow 2.
    expect(etl.webUrl).toMatch(
      (await airflowApiVersion()) === 'v2'
        ? /\/dags\/orders_etl_hourly$/
        : /\/dags\/orders_etl_hourly\/grid$/,
    );
    expect(res.body.missing).toEqual([]);
    expect(res.body.errors).toEqual([]);
  });

  it('selects DAGs by tag and reports annotated DAGs Airflow does not have', async () => {
    const tagged = await backstage(`${entityPath('analytics-reports')}/dags`);
    expect(tagged.body.dags.map((d: any) => d.dagId)).toEqual([
      'marketing_attribution',
      'sales_daily_report',
    ]);
    const maintenance = await backstage(
      `${entityPath('platform-maintenance')}/dags`,
    );
    expect(maintenance.body.dags).toEqual([
      expect.objectContaining({ dagId: 'legacy_cleanup', isPaused: true }),
    ]);
    expect(maintenance.body.missing).toEqual([
      { instance: 'local', dagId: 'nightly_vacuum' },
    ]);
  });

  it('reaches a DAG id with "." and "-" and reads its params', async () => {
    const res = await backstage(
      `${entityPath('feature-store')}/dags/local/ml.feature-store-refresh`,
    );
    expect(res.status).toBe(200);
    expect(res.body.dagId).toBe('ml.feature-store-refresh');
    const report = await backstage(
      `${entityPath('analytics-reports')}/dags/local/sales_daily_report`,
    );
    expect(report.body.defaultConf).toMatchObject({
      region: 'emea',
      top_n: 10,
    });
  });

  it('triggers a run for an owner with conf and a note naming the user, and sees it finish', async () => {
    const res = await backstage(
      runPath('analytics-reports', 'sales_daily_report'),
      {
        method: 'POST',
        body: { conf: { region: 'apac', top_n: 3 }, note: 'integration test' },
      },
    );
    expect(res.status).toBe(201);
    expect(res.body.conf).toMatchObject({ region: 'apac', top_n: 3 });
    const runId = res.body.runId;
    const seen = await airflow(
      `/dags/sales_daily_report/dagRuns/${encodeURIComponent(runId)}`,
    );
    expect(seen.body.note).toBe(
      'Triggered from Backstage by user:default/guest: integration test',
    );
    const done = await waitForRunState(
      'analytics-reports',
      'sales_daily_report',
      runId,
      ['success', 'failed'],
    );
    expect(done.run.state).toBe('success');
    expect(done.taskInstances.length).toBeGreaterThan(0);
    expect(done.taskInstances.every((t: any) => t.state === 'success')).toBe(
      true,
    );
  });

  it("answers 400 with Airflow's own message when the conf breaks the DAG's params", async () => {
    const res = await backstage(
      runPath('analytics-reports', 'sales_daily_report'),
      {
        method: 'POST',
        body: { conf: { region: 'mars' } },
      },
    );
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/region|mars|param/i);
  });

  it('pauses and unpauses a DAG, as Airflow itself then shows', async () => {
    const path = `${entityPath(
      'analytics-reports',
    )}/dags/local/marketing_attribution`;
    const paused = await backstage(path, {
      method: 'PATCH',
      body: { isPaused: true },
    });
    expect(paused.status).toBe(200);
    expect(paused.body.isPaused).toBe(true);
    expect((await airflow('/dags/marketing_attribution')).body.is_paused).toBe(
      true,
    );
    const unpaused = await backstage(path, {
      method: 'PATCH',
      body: { isPaused: false },
    });
    expect(unpaused.body.isPaused).toBe(false);
    expect((await airflow('/dags/marketing_attribution')).body.is_paused).toBe(
      false,
    );
    const listed = await backstage(`${entityPath('analytics-reports')}/dags`);
    expect(
      listed.body.dags.find((d: any) => d.dagId === 'marketing_attribution')
        .isPaused,
    ).toBe(false);
  });

  it('clears a failed run and sees it run again', async () => {
    const trigger = await backstage(
      runPath('finance-reconciliation', 'payments_reconciliation'),
      {
        method: 'POST',
        body: { conf: { fail: true } },
      },
    );
    expect(trigger.status).toBe(201);
    const runId = trigger.body.runId;
    const failed = await waitForRunState(
      'finance-reconciliation',
      'payments_reconciliation',
      runId,
      ['failed', 'success'],
    );
    expect(failed.run.state).toBe('failed');
    const failedTries = failed.taskInstances
      .filter((t: any) => t.state === 'failed')
      .map((t: any) => t.tryNumber);
    expect(failedTries.length).toBeGreaterThan(0);

    const cleared = await backstage(
      `${runPath(
        'finance-reconciliation',
        'payments_reconciliation',
      )}/${encodeURIComponent(runId)}/clear`,
      {
        method: 'POST',
        body: { onlyFailed: true },
      },
    );
    expect(cleared.status).toBe(200);
    expect(['queued', 'running']).toContain(cleared.body.state);
    const again = await waitForRunState(
      'finance-reconciliation',
      'payments_reconciliation',
      runId,
      ['failed', 'success'],
    );
    const retried = again.taskInstances.filter(
      (t: any) => t.state === 'failed',
    );
    expect(Math.max(...retried.map((t: any) => t.tryNumber))).toBe(
      Math.max(...failedTries) + 1,
    );
  });

  it('denies a trigger by a non-owner with 403, and the run never reaches Airflow', async () => {
    const before = await airflow('/dags/orders_etl_hourly/dagRuns?limit=1');
    const res = await backstage(
      runPath('orders-pipeline', 'orders_etl_hourly'),
      {
        method: 'POST',
        body: { conf: {} },
      },
    );
    expect(res.status).toBe(403);
    expect(res.body.error.message).toContain('airflow.dag.trigger');
    const after = await airflow('/dags/orders_etl_hourly/dagRuns?limit=1');
    expect(after.body.total_entries).toBe(before.body.total_entries);
  });

  it('answers 404 for a DAG the entity does not name, and 401 without a token', async () => {
    const notNamed = await backstage(
      runPath('orders-pipeline', 'orphan_temp_export'),
    );
    expect(notNamed.status).toBe(404);
    const anonymous = await backstage(`${entityPath('orders-pipeline')}/dags`, {
      token: null,
    });
    expect(anonymous.status).toBe(401);
  });

  it.each([
    ['a non-object conf', { conf: [1] }],
    ['a naive logical date', { logicalDate: '2023-10-25T23:29:05' }],
    ['an unknown field', { state: 'queued' }],
  ])('answers 400 for %s', async (_name, body) => {
    const res = await backstage(
      runPath('analytics-reports', 'sales_daily_report'),
      { method: 'POST', body },
    );
    expect(res.status).toBe(400);
    expect(res.body.error.name).toBe('InputError');
  });
});

// --- Why did it fail: task instances, tries, logs, failure summary, state changes, task clear ---

/** What payments_reconciliation's reconcile task raises when the run's conf says `fail: true`. */
const FORCED_FAILURE =
  "Reconciliation failed on purpose: param/conf 'fail' is true";
/** marketing_attribution's load_touchpoints logs one line per batch, this many. */
const TOUCHPOINT_BATCHES = 3000;
/** The channels of marketing_attribution, in the order of the mapped task's map indexes. */
const CHANNELS = ['search', 'social', 'email', 'display'];
const FINISHED_TASK_STATES = new Set([
  'success',
  'failed',
  'upstream_failed',
  'skipped',
  'removed',
]);

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

/** A path below a task instance of a DAG run, with query parameters (undefined ones left out). */
function taskInstancePath(
  entity: string,
  dagId: string,
  runId: string,
  taskId: string,
  suffix = '',
  query: Record<string, string | number | null | undefined> = {},
) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null) params.set(key, String(value));
  }
  const search = params.toString();
  return `${runPath(entity, dagId)}/${encodeURIComponent(
    runId,
  )}/taskInstances/${encodeURIComponent(taskId)}${suffix}${
    search ? `?${search}` : ''
  }`;
}

/** Triggers a run as the guest and answers its run id. */
async function triggerRun(entity: string, dagId: string, conf: object = {}) {
  const res = await backstage(runPath(entity, dagId), {
    method: 'POST',
    body: { conf },
  });
  if (res.status !== 201) {
    throw new Error(
      `trigger of ${dagId} answered ${res.status} ${JSON.stringify(res.body)}`,
    );
  }
  return res.body.runId as string;
}

/** A finished payments_reconciliation run forced to fail (`conf.fail`), triggered through finance-reconciliation. */
async function failedPaymentsRun(): Promise<string> {
  const runId = await triggerRun(
    'finance-reconciliation',
    'payments_reconciliation',
    { fail: true },
  );
  const done = await waitForRunState(
    'finance-reconciliation',
    'payments_reconciliation',
    runId,
    ['failed', 'success'],
  );
  expect(done.run.state).toBe('failed');
  return runId;
}

let sharedFailedRun: Promise<string> | undefined;
/** One forced failure shared by the tests that only read it. */
function sharedFailedPaymentsRun() {
  sharedFailedRun ??= failedPaymentsRun();
  return sharedFailedRun;
}

let sharedMarketingRun: Promise<string> | undefined;
/** One marketing_attribution run (long log, mapped task) shared by the tests that only read it. */
function marketingRun() {
  sharedMarketingRun ??= triggerRun(
    'analytics-reports',
    'marketing_attribution',
  );
  return sharedMarketingRun;
}

describe('why did it fail, against a real Airflow (3 or 2)', () => {
  it('summarises a failed run: the failed and upstream-failed tasks, the exception the DAG raised, the log tail', async () => {
    const runId = await sharedFailedPaymentsRun();
    const res = await backstage(
      `${runPath(
        'finance-reconciliation',
        'payments_reconciliation',
      )}/${encodeURIComponent(runId)}/failure`,
    );
    expect(res.status).toBe(200);
    const summary = res.body;
    expect(summary.run).toMatchObject({ runId, state: 'failed' });
    expect(summary.failed.map((t: any) => t.taskId)).toEqual(['reconcile']);
    expect(summary.upstreamFailed.map((t: any) => t.taskId)).toEqual([
      'notify_finance',
    ]);
    expect(summary.firstFailed).toMatchObject({
      taskId: 'reconcile',
      mapIndex: -1,
      state: 'failed',
      tryNumber: 1,
    });
    expect(summary.logUnavailable).toBeNull();
    expect(summary.log).toMatchObject({ tryNumber: 1, tail: true });
    expect(summary.log.lines.length).toBeGreaterThan(0);
    expect(summary.log.errors).toContainEqual({
      type: 'RuntimeError',
      message: expect.stringContaining(FORCED_FAILURE),
    });
    // The tail holds the failure: in a line's text (Airflow 2) or its structured error (Airflow 3).
    expect(
      summary.log.lines.some(
        (l: any) =>
          l.message.includes(FORCED_FAILURE) ||
          (l.error?.message ?? '').includes(FORCED_FAILURE),
      ),
    ).toBe(true);
  });

  it("follows a running try's log with the continuation token until the try ends, every line once and in order", async () => {
    const api = await airflowApiVersion();
    const runId = await marketingRun();
    const path = (suffix = '', query = {}) =>
      taskInstancePath(
        'analytics-reports',
        'marketing_attribution',
        runId,
        'load_touchpoints',
        suffix,
        query,
      );
    const seen = await eventually(
      'load_touchpoints to start running',
      async () => {
        const res = await backstage(path());
        if (res.status !== 200)
          throw new Error(`${res.status} ${JSON.stringify(res.body)}`);
        return res.body.state === 'running' ||
          FINISHED_TASK_STATES.has(res.body.state)
          ? res.body
          : undefined;
      },
    );
    // Seen while it writes its log (it logs for several seconds).
    expect(seen.state).toBe('running');

    // Follows as the log view does: at once while a page is full, then every second.
    const messages: string[] = [];
    let token: string | null = null;
    let offset = 0;
    // Pages that were neither full nor the end: the try was still running.
    let growingPages = 0;
    const tokens: Array<string | null> = [];
    for (let request = 1; ; request++) {
      if (request > 600) throw new Error('the log did not end');
      const res = await backstage(
        path(`/logs/${seen.tryNumber}`, { token, offset }),
      );
      expect(res.status).toBe(200);
      const page = res.body;
      expect(page.tryNumber).toBe(seen.tryNumber);
      messages.push(...page.lines.map((l: any) => l.message));
      tokens.push(page.nextToken);
      if (page.endOfLog) break;
      if (!page.hasMore) growingPages++;
      token = page.nextToken;
      offset = page.nextOffset;
      if (!page.hasMore) await sleep(1000);
    }
    expect(growingPages).toBeGreaterThan(0);
    // Airflow 3.3+ issues continuation tokens while the try runs (none at the
    // end). Airflow 2's text log has none, and before 3.3 a read with a token
    // re-sends the whole log (3.0, 3.1) or fails (3.2): there following goes
    // by line offset.
    const [major, minor] = String(
      (await backstage('/instances')).body.instances[0].version,
    )
      .split('.')
      .map(Number);
    const resumesByToken = api === 'v2' && (major > 3 || minor >= 3);
    expect(tokens.some(t => t !== null)).toBe(resumesByToken);
    expect(tokens[tokens.length - 1]).toBeNull();

    // Every batch line once, whole, in order.
    const batches = messages
      .map(m =>
        /Touchpoint batch (\d{4}) of 3000 loaded for \S+: (\d+) touchpoints so far$/.exec(
          m,
        ),
      )
      .filter((m): m is RegExpExecArray => m !== null);
    expect(batches.map(m => Number(m[1]))).toEqual(
      Array.from({ length: TOUCHPOINT_BATCHES }, (_, i) => i + 1),
    );
    expect(batches.every(m => Number(m[2]) === 2 * Number(m[1]))).toBe(true);
    expect(messages.filter(m => m.includes('Touchpoint batch')).length).toBe(
      TOUCHPOINT_BATCHES,
    );
    expect(
      messages.filter(m => /Loaded 6000 touchpoints for /.test(m)),
    ).toHaveLength(1);

    // Read again once finished, from the start: the log takes several pages,
    // and they hold the task's lines as followed (Airflow's own lines about
    // where it read the log from differ between a running and a finished try).
    const reread: string[] = [];
    let pages = 0;
    for (let next = { token: null as string | null, offset: 0 }; ; ) {
      if (++pages > 100) throw new Error('the finished log did not end');
      const res = await backstage(path(`/logs/${seen.tryNumber}`, next));
      expect(res.status).toBe(200);
      reread.push(...res.body.lines.map((l: any) => l.message));
      if (res.body.endOfLog) break;
      expect(res.body.hasMore).toBe(true);
      next = { token: res.body.nextToken, offset: res.body.nextOffset };
    }
    expect(pages).toBeGreaterThan(1);
    const taskLines = (lines: string[]) =>
      lines.filter(m => /Touchpoint batch|Loaded \d+ touchpoints/.test(m));
    expect(taskLines(reread)).toEqual(taskLines(messages));
    const after = await backstage(path());
    expect(after.body.state).toBe('success');
  });

  it('answers 400 for a continuation token Airflow did not issue (and on Airflow 2, for any token)', async () => {
    const runId = await marketingRun();
    const res = await backstage(
      taskInstancePath(
        'analytics-reports',
        'marketing_attribution',
        runId,
        'load_touchpoints',
        '/logs/1',
        { token: 'bm90LWlzc3VlZA.c2lnbmF0dXJl' },
      ),
    );
    expect(res.status).toBe(400);
    expect(res.body.error.name).toBe('InputError');
  });

  it("lists a mapped task's instances, map index 0 to 3, and reads the log of one of them", async () => {
    const runId = await marketingRun();
    const done = await waitForRunState(
      'analytics-reports',
      'marketing_attribution',
      runId,
      ['success', 'failed'],
    );
    expect(done.run.state).toBe('success');
    const mapped = done.taskInstances.filter(
      (t: any) => t.taskId === 'attribute',
    );
    expect(
      mapped.map((t: any) => t.mapIndex).sort((a: number, b: number) => a - b),
    ).toEqual([0, 1, 2, 3]);
    expect(mapped.every((t: any) => t.state === 'success')).toBe(true);
    const unmapped = done.taskInstances.filter(
      (t: any) => t.taskId !== 'attribute',
    );
    expect(unmapped.every((t: any) => t.mapIndex === -1)).toBe(true);

    const path = (suffix = '', query = {}) =>
      taskInstancePath(
        'analytics-reports',
        'marketing_attribution',
        runId,
        'attribute',
        suffix,
        query,
      );
    const ti = await backstage(path('', { mapIndex: 2 }));
    expect(ti.status).toBe(200);
    expect(ti.body).toMatchObject({
      taskId: 'attribute',
      mapIndex: 2,
      state: 'success',
    });
    const tries = await backstage(path('/tries', { mapIndex: 2 }));
    expect(tries.status).toBe(200);
    expect(tries.body.tries.map((t: any) => [t.mapIndex, t.tryNumber])).toEqual(
      [[2, ti.body.tryNumber]],
    );
    const log = await backstage(
      path(`/logs/${ti.body.tryNumber}`, { mapIndex: 2 }),
    );
    expect(log.status).toBe(200);
    expect(log.body).toMatchObject({ mapIndex: 2, endOfLog: true });
    const attributed = log.body.lines
      .map((l: any) => /to channel (\w+)$/.exec(l.message)?.[1])
      .filter(Boolean);
    expect(attributed).toEqual([CHANNELS[2]]);
    // There is no map index 4.
    expect((await backstage(path('', { mapIndex: 4 }))).status).toBe(404);
  });

  it('stops a running DAG run by marking it failed, as Airflow then shows', async () => {
    const runId = await triggerRun(
      'analytics-reports',
      'marketing_attribution',
    );
    const runUrl = `${runPath(
      'analytics-reports',
      'marketing_attribution',
    )}/${encodeURIComponent(runId)}`;
    const running = await waitForRunState(
      'analytics-reports',
      'marketing_attribution',
      runId,
      ['running', 'success', 'failed'],
    );
    expect(running.run.state).toBe('running');
    const res = await backstage(runUrl, {
      method: 'PATCH',
      body: { state: 'failed' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ runId, state: 'failed' });
    const seen = await airflow(
      `/dags/marketing_attribution/dagRuns/${encodeURIComponent(runId)}`,
    );
    expect(seen.body.state).toBe('failed');
    // Nothing of the stopped run runs on, and it stays failed.
    const settled = await eventually(
      'the stopped run to have no queued or running task instance',
      async () => {
        const r = await backstage(runUrl);
        if (r.status !== 200) throw new Error(`${r.status}`);
        return r.body.taskInstances.some((t: any) =>
          ['queued', 'scheduled', 'running'].includes(t.state),
        )
          ? undefined
          : r.body;
      },
    );
    expect(settled.run.state).toBe('failed');
    expect(
      settled.taskInstances.find((t: any) => t.taskId === 'store')?.state,
    ).not.toBe('success');
    expect(
      (
        await airflow(
          `/dags/marketing_attribution/dagRuns/${encodeURIComponent(runId)}`,
        )
      ).body.state,
    ).toBe('failed');
  });

  it('clears one task instance: the dry run lists it and changes nothing, the clear runs it again', async () => {
    const api = await airflowApiVersion();
    const runId = await failedPaymentsRun();
    const path = (suffix = '') =>
      taskInstancePath(
        'finance-reconciliation',
        'payments_reconciliation',
        runId,
        'reconcile',
        suffix,
      );
    const inAirflow = async () =>
      (
        await airflow(
          `/dags/payments_reconciliation/dagRuns/${encodeURIComponent(
            runId,
          )}/taskInstances/reconcile`,
        )
      ).body;
    const before = await inAirflow();
    expect(before).toMatchObject({ state: 'failed', try_number: 1 });

    const preview = await backstage(path('/clear'), {
      method: 'POST',
      body: { dryRun: true },
    });
    expect(preview.status).toBe(200);
    expect(preview.body.dryRun).toBe(true);
    // Airflow 2 does not say the map index or state of what it would clear.
    expect(preview.body.taskInstances).toEqual([
      api === 'v2'
        ? { taskId: 'reconcile', mapIndex: -1, state: 'failed' }
        : { taskId: 'reconcile', mapIndex: null, state: null },
    ]);
    expect(await inAirflow()).toMatchObject({ state: 'failed', try_number: 1 });
    expect(
      (
        await airflow(
          `/dags/payments_reconciliation/dagRuns/${encodeURIComponent(runId)}`,
        )
      ).body.state,
    ).toBe('failed');

    const cleared = await backstage(path('/clear'), {
      method: 'POST',
      body: { dryRun: false },
    });
    expect(cleared.status).toBe(200);
    expect(cleared.body.dryRun).toBe(false);
    expect(cleared.body.taskInstances.map((t: any) => t.taskId)).toEqual([
      'reconcile',
    ]);
    // It runs again, and fails again (the run's conf still says fail).
    const rerun = await eventually('reconcile to finish try 2', async () => {
      const r = await backstage(path());
      if (r.status !== 200) throw new Error(`${r.status}`);
      return r.body.tryNumber === 2 && FINISHED_TASK_STATES.has(r.body.state)
        ? r.body
        : undefined;
    });
    expect(rerun.state).toBe('failed');
    const tries = await backstage(path('/tries'));
    expect(tries.status).toBe(200);
    expect(tries.body.tries.map((t: any) => [t.tryNumber, t.state])).toEqual([
      [1, 'failed'],
      [2, 'failed'],
    ]);
    const done = await waitForRunState(
      'finance-reconciliation',
      'payments_reconciliation',
      runId,
      ['failed', 'success'],
    );
    expect(done.run.state).toBe('failed');
    const log = await backstage(path('/logs/2'));
    expect(log.status).toBe(200);
    expect(
      log.body.errors.some((e: any) => e.message.includes(FORCED_FAILURE)),
    ).toBe(true);
  });

  it('shows a non-owner the states and the failed tasks but answers 403 for the logs', async () => {
    const runId = await sharedFailedPaymentsRun();
    // The guest (analytics) owns finance-reconciliation but not payments-service
    // (data-engineering), which names the same DAG: reading logs is for owners.
    const run = await backstage(
      `${runPath(
        'payments-service',
        'payments_reconciliation',
      )}/${encodeURIComponent(runId)}`,
    );
    expect(run.status).toBe(200);
    expect(run.body.run.state).toBe('failed');
    expect(
      run.body.taskInstances.find((t: any) => t.taskId === 'reconcile').state,
    ).toBe('failed');
    const path = (suffix = '', query = {}) =>
      taskInstancePath(
        'payments-service',
        'payments_reconciliation',
        runId,
        'reconcile',
        suffix,
        query,
      );
    const ti = await backstage(path());
    expect(ti.status).toBe(200);
    expect(ti.body).toMatchObject({ state: 'failed', tryNumber: 1 });
    const tries = await backstage(path('/tries'));
    expect(tries.status).toBe(200);
    expect(tries.body.tries.map((t: any) => t.state)).toEqual(['failed']);

    const failure = await backstage(
      `${runPath(
        'payments-service',
        'payments_reconciliation',
      )}/${encodeURIComponent(runId)}/failure`,
    );
    expect(failure.status).toBe(200);
    expect(failure.body.firstFailed.taskId).toBe('reconcile');
    expect(failure.body.log).toBeNull();
    expect(failure.body.logUnavailable).toContain('airflow.dag.logs.read');

    for (const query of [{}, { tail: 10 }]) {
      const log = await backstage(path('/logs/1', query));
      expect(log.status).toBe(403);
      expect(log.body.error.message).toContain('airflow.dag.logs.read');
    }
    // Through the component the guest owns, the same log reads.
    const owned = await backstage(
      taskInstancePath(
        'finance-reconciliation',
        'payments_reconciliation',
        runId,
        'reconcile',
        '/logs/1',
        { tail: 10 },
      ),
    );
    expect(owned.status).toBe(200);
    expect(owned.body.lines.length).toBeGreaterThan(0);
  });
});
