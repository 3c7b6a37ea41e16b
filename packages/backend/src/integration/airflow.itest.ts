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
