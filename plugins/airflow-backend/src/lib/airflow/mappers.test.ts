import {
  type AirflowMappingContext,
  dagRunWebUrl,
  dagWebUrl,
  mapDag,
  mapDagDetails,
  mapDagParams,
  mapDagRun,
  mapHealth,
  mapTaskInstance,
  operatorName,
  readSchedule,
} from './mappers';
import { toUtcIso } from './dates';
import { everyDurationInWords } from './schedule';
import { fixture } from './__testUtils__/fakeAirflow';

const v2: AirflowMappingContext = {
  instance: 'prod',
  webUiUrl: 'https://airflow.example.com',
  apiVersion: 'v2',
};
const v1: AirflowMappingContext = { ...v2, apiVersion: 'v1' };

describe('mapDag', () => {
  it('maps an Airflow 3 DAGResponse to the common shape', () => {
    expect(mapDag(fixture('v2/dag.json'), v2)).toEqual({
      instance: 'prod',
      dagId: 'ml.feature-store-refresh',
      displayName: 'ML feature store refresh',
      description: 'Refreshes the online feature store from the warehouse',
      owners: ['data-platform', 'ml-team'],
      tags: ['feature-store', 'ml'],
      isPaused: false,
      isActive: true,
      hasImportErrors: false,
      schedule: 'At 06:00',
      scheduleExpression: '0 6 * * *',
      nextRunLogicalDate: '2025-03-30T06:00:00Z',
      nextRunAfter: '2025-03-31T06:00:00Z',
      webUrl: 'https://airflow.example.com/dags/ml.feature-store-refresh',
    });
  });

  it('maps the same DAG from Airflow 2 (DAG) to the same shape, except the Airflow 2 grid link', () => {
    const fromV1 = mapDag(fixture('v1/dag.json'), v1);
    const fromV2 = mapDag(fixture('v2/dag.json'), v2);
    expect(fromV1).toEqual({
      ...fromV2,
      webUrl: 'https://airflow.example.com/dags/ml.feature-store-refresh/grid',
    });
  });

  it('reads v2 is_stale and v1 is_active as isActive', () => {
    expect(
      mapDag({ ...fixture('v2/dag.json'), is_stale: true }, v2).isActive,
    ).toBe(false);
    expect(
      mapDag({ ...fixture('v1/dag.json'), is_active: false }, v1).isActive,
    ).toBe(false);
    expect(
      mapDag({ ...fixture('v1/dag.json'), is_active: null }, v1).isActive,
    ).toBe(true);
  });

  it('maps every DAG of both collection fixtures, import errors and paused flags included', () => {
    for (const [version, ctx] of [
      ['v1', v1],
      ['v2', v2],
    ] as const) {
      const dags = fixture(`${version}/dags.json`).dags.map((d: any) =>
        mapDag(d, ctx),
      );
      expect(
        dags.map((d: any) => [
          d.dagId,
          d.isPaused,
          d.hasImportErrors,
          d.schedule,
        ]),
      ).toEqual([
        ['ml.feature-store-refresh', false, false, 'At 06:00'],
        [
          'orders-hourly',
          false,
          true,
          version === 'v2' ? 'Every 1 hour' : 'Every hour',
        ],
        ['reports_ñ_export', true, false, null],
      ]);
    }
  });
});

describe('readSchedule', () => {
  it('prefers timetable_description, then falls back to the expression', () => {
    expect(
      readSchedule(
        {
          dag_id: 'd',
          timetable_summary: '0 6 * * *',
          timetable_description: 'At 06:00',
        },
        v2,
      ),
    ).toEqual({
      schedule: 'At 06:00',
      scheduleExpression: '0 6 * * *',
    });
    expect(
      readSchedule(
        {
          dag_id: 'd',
          timetable_summary: '*/5 * * * *',
          timetable_description: null,
        },
        v2,
      ),
    ).toEqual({
      schedule: '*/5 * * * *',
      scheduleExpression: '*/5 * * * *',
    });
  });

  it('turns a v1 CronExpression into its value and a preset into words', () => {
    expect(
      readSchedule(
        {
          dag_id: 'd',
          schedule_interval: { __type: 'CronExpression', value: '@daily' },
        },
        v1,
      ),
    ).toEqual({ schedule: 'Every day at 00:00', scheduleExpression: '@daily' });
  });

  it('turns a v1 TimeDelta into words and a Python-style timedelta expression', () => {
    expect(
      readSchedule(
        {
          dag_id: 'd',
          schedule_interval: {
            __type: 'TimeDelta',
            days: 1,
            seconds: 21600,
            microseconds: 0,
          },
        },
        v1,
      ),
    ).toEqual({
      schedule: 'Every 1 day, 6 hours',
      scheduleExpression: '1 day, 6:00:00',
    });
    expect(
      readSchedule(
        {
          dag_id: 'd',
          schedule_interval: {
            __type: 'TimeDelta',
            days: 0,
            seconds: 300,
            microseconds: 0,
          },
        },
        v1,
      ),
    ).toEqual({ schedule: 'Every 5 minutes', scheduleExpression: '0:05:00' });
  });

  it('turns a v1 RelativeDelta into words', () => {
    expect(
      readSchedule(
        {
          dag_id: 'd',
          schedule_interval: {
            __type: 'RelativeDelta',
            months: 1,
            days: 0,
            years: 0,
          },
        },
        v1,
      ),
    ).toEqual({
      schedule: 'Every 1 month',
      scheduleExpression: 'relativedelta(months=+1)',
    });
  });

  it('returns null for unscheduled DAGs of both versions', () => {
    const none = { schedule: null, scheduleExpression: null };
    expect(
      readSchedule(
        {
          dag_id: 'd',
          timetable_summary: 'None',
          timetable_description: 'Never, external triggers only',
        },
        v2,
      ),
    ).toEqual(none);
    expect(readSchedule({ dag_id: 'd', timetable_summary: null }, v2)).toEqual(
      none,
    );
    expect(
      readSchedule(
        {
          dag_id: 'd',
          schedule_interval: null,
          timetable_description: 'Never, external triggers only',
        },
        v1,
      ),
    ).toEqual(none);
  });
});

describe('everyDurationInWords', () => {
  it('names single units without a count and joins mixed units', () => {
    expect(everyDurationInWords(3600)).toBe('Every hour');
    expect(everyDurationInWords(60)).toBe('Every minute');
    expect(everyDurationInWords(7200)).toBe('Every 2 hours');
    expect(everyDurationInWords(90061)).toBe(
      'Every 1 day, 1 hour, 1 minute, 1 second',
    );
  });
});

describe('links', () => {
  it('links Airflow 3 DAGs and runs to /dags/{id} and /dags/{id}/runs/{run}, encoded once', () => {
    expect(dagWebUrl(v2, 'reports_ñ_export')).toBe(
      'https://airflow.example.com/dags/reports_%C3%B1_export',
    );
    expect(
      dagRunWebUrl(
        v2,
        'ml.feature-store-refresh',
        'manual__2025-03-29T19:48:49.273773+00:00',
      ),
    ).toBe(
      'https://airflow.example.com/dags/ml.feature-store-refresh/runs/manual__2025-03-29T19%3A48%3A49.273773%2B00%3A00',
    );
  });

  it('links Airflow 2 DAGs and runs to the grid view', () => {
    expect(dagWebUrl(v1, 'a.b')).toBe(
      'https://airflow.example.com/dags/a.b/grid',
    );
    expect(dagRunWebUrl(v1, 'a.b', 'manual__2025-03-29T19:48:49+00:00')).toBe(
      'https://airflow.example.com/dags/a.b/grid?dag_run_id=manual__2025-03-29T19%3A48%3A49%2B00%3A00',
    );
  });
});

describe('toUtcIso', () => {
  it('keeps microseconds, writes UTC as Z and converts other offsets', () => {
    expect(toUtcIso('2025-03-29T19:48:49.273773+00:00')).toBe(
      '2025-03-29T19:48:49.273773Z',
    );
    expect(toUtcIso('2025-03-29T19:48:49.273773Z')).toBe(
      '2025-03-29T19:48:49.273773Z',
    );
    expect(toUtcIso('2025-03-29T21:48:49+02:00')).toBe('2025-03-29T19:48:49Z');
    expect(toUtcIso(null)).toBeNull();
    expect(toUtcIso('')).toBeNull();
  });
});

describe('mapDagRun', () => {
  const now = Date.parse('2025-03-29T06:10:02Z');

  it('maps an Airflow 3 run, with duration from start and end', () => {
    expect(mapDagRun(fixture('v2/dagRun.json'), v2, now)).toEqual({
      instance: 'prod',
      dagId: 'ml.feature-store-refresh',
      runId: 'manual__2025-03-29T19:48:49.273773+00:00',
      state: 'success',
      runType: 'manual',
      logicalDate: '2025-03-29T19:48:49.273773Z',
      runAfter: '2025-03-29T19:48:49.273773Z',
      queuedAt: '2025-03-29T19:48:49.301255Z',
      startDate: '2025-03-29T19:48:50.104511Z',
      endDate: '2025-03-29T19:50:20.604511Z',
      durationSeconds: 90.5,
      note: 'Triggered from Backstage by user:default/jane',
      conf: { full_refresh: true },
      webUrl:
        'https://airflow.example.com/dags/ml.feature-store-refresh/runs/manual__2025-03-29T19%3A48%3A49.273773%2B00%3A00',
    });
  });

  it('maps the same run from Airflow 2, taking logical_date/execution_date as logical date and run-after', () => {
    const fromV1 = mapDagRun(fixture('v1/dagRun.json'), v1, now);
    const fromV2 = mapDagRun(fixture('v2/dagRun.json'), v2, now);
    expect(fromV1).toEqual({
      ...fromV2,
      queuedAt: null,
      webUrl:
        'https://airflow.example.com/dags/ml.feature-store-refresh/grid?dag_run_id=manual__2025-03-29T19%3A48%3A49.273773%2B00%3A00',
    });
    const { logical_date: _ignored, ...withoutLogical } =
      fixture('v1/dagRun.json');
    expect(mapDagRun(withoutLogical, v1, now).logicalDate).toBe(
      '2025-03-29T19:48:49.273773Z',
    );
  });

  it('computes the duration of a running run up to now and leaves unstarted runs without one', () => {
    const [, running, queued] = fixture('v2/dagRuns.json').dag_runs;
    expect(mapDagRun(running, v2, now).durationSeconds).toBe(600);
    expect(mapDagRun(queued, v2, now).durationSeconds).toBeNull();
  });

  it('keeps a null Airflow 3 logical date, maps null conf to {} and keeps run types of both versions', () => {
    const asset = mapDagRun(fixture('v2/dagRuns.json').dag_runs[2], v2, now);
    expect(asset).toMatchObject({
      logicalDate: null,
      runAfter: '2025-03-27T12:00:00Z',
      conf: {},
      runType: 'asset_triggered',
      state: 'queued',
    });
    const dataset = mapDagRun(fixture('v1/dagRuns.json').dag_runs[2], v1, now);
    expect(dataset).toMatchObject({
      runType: 'dataset_triggered',
      runAfter: '2025-03-27T12:00:00Z',
    });
  });
});

describe('mapTaskInstance', () => {
  it('maps Airflow 3 task instances, null state → none, operators named as the UI names them', () => {
    const tis = fixture('v2/taskInstances.json').task_instances.map(
      mapTaskInstance,
    );
    expect(tis).toEqual([
      {
        taskId: 'extract',
        mapIndex: -1,
        state: 'success',
        tryNumber: 1,
        startDate: '2025-03-29T19:48:51Z',
        endDate: '2025-03-29T19:49:01.5Z',
        durationSeconds: 10.5,
        operator: '@task',
        renderedMapIndex: null,
        maxTries: 2,
      },
      expect.objectContaining({ taskId: 'transform', mapIndex: 0 }),
      {
        taskId: 'load',
        mapIndex: -1,
        state: 'none',
        tryNumber: 0,
        startDate: null,
        endDate: null,
        durationSeconds: null,
        operator: 'BashOperator',
        renderedMapIndex: null,
        maxTries: 2,
      },
    ]);
  });

  it('maps Airflow 2 task instances, both null and "none" → none, decorator classes → @task', () => {
    const tis = fixture('v1/taskInstances.json').task_instances.map(
      mapTaskInstance,
    );
    expect(
      tis.map((t: any) => [t.taskId, t.state, t.mapIndex, t.operator]),
    ).toEqual([
      ['extract', 'success', -1, '@task'],
      ['transform', 'failed', 0, '@task'],
      ['load', 'none', -1, '@task'],
      ['notify', 'none', -1, 'BashOperator'],
    ]);
  });

  it.each([
    [{ operator: '_PythonDecoratedOperator' }, '@task'],
    [{ operator: '_BranchPythonDecoratedOperator' }, '@task.branch'],
    [{ operator: '_PythonVirtualenvDecoratedOperator' }, '@task.virtualenv'],
    [{ operator: '_DockerDecoratedOperator' }, '@task.docker'],
    [{ operator: 'BashOperator' }, 'BashOperator'],
    [{ operator: '_PythonDecoratedOperator', operator_name: '@task' }, '@task'],
    [
      { operator: 'MyOperator', operator_name: 'My fancy name' },
      'My fancy name',
    ],
    [{ operator: null, operator_name: null }, null],
  ])('names the operator %j as %j', (raw, name) => {
    expect(operatorName(raw)).toBe(name);
  });
});

describe('DAG params', () => {
  it('reads params and default conf identically from Airflow 2 and 3 details', () => {
    const expected = {
      params: {
        full_refresh: {
          value: false,
          schema: { type: 'boolean' },
          description: 'Rebuild every table',
        },
        tables: {
          value: ['users', 'orders'],
          schema: { type: 'array', items: { type: 'string' } },
          description: null,
        },
        target_date: {
          value: null,
          schema: { type: ['null', 'string'], format: 'date' },
          description: 'Day to rebuild (YYYY-MM-DD)',
        },
      },
      defaultConf: {
        full_refresh: false,
        tables: ['users', 'orders'],
        target_date: null,
      },
      catchup: false,
      docMd: '# Feature store refresh\nRuns the feature pipelines.',
    };
    expect(mapDagDetails(fixture('v2/dagDetails.json'), v2)).toMatchObject(
      expected,
    );
    expect(mapDagDetails(fixture('v1/dagDetail.json'), v1)).toMatchObject(
      expected,
    );
  });

  it('accepts plain values and missing params leniently', () => {
    expect(mapDagParams({ retries: 3, nested: { a: 1 } })).toEqual({
      retries: { value: 3, schema: {}, description: null },
      nested: { value: { a: 1 }, schema: {}, description: null },
    });
    expect(mapDagParams(null)).toEqual({});
    expect(
      mapDagParams({ x: { __class: 'airflow.models.param.Param' } }),
    ).toEqual({
      x: { value: null, schema: {}, description: null },
    });
  });
});

describe('mapHealth', () => {
  it('maps components with their heartbeats, unknown status → null', () => {
    expect(mapHealth(fixture('v2/health.json'))).toEqual({
      metadatabase: { status: 'healthy' },
      scheduler: {
        status: 'healthy',
        latestHeartbeat: '2025-03-29T19:50:01.123456Z',
      },
      triggerer: { status: null, latestHeartbeat: null },
      dag_processor: {
        status: 'healthy',
        latestHeartbeat: '2025-03-29T19:50:00.5Z',
      },
    });
  });
});
