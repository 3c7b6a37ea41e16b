import fs from 'node:fs';
import path from 'node:path';
import {
  airflowSchemaErrors,
  type AirflowSpecName,
} from './__testUtils__/openapi';
import { fixture } from './__testUtils__/fakeAirflow';

const BOTH_V2: AirflowSpecName[] = ['v2', 'v2-airflow-3.0.2'];

/** [fixture file, schema name, specs it must satisfy] */
const CASES: Array<[string, string, AirflowSpecName[]]> = [
  ['v2/dag.json', 'DAGResponse', BOTH_V2],
  ['v2/dags.json', 'DAGCollectionResponse', BOTH_V2],
  ['v2/dagDetails.json', 'DAGDetailsResponse', BOTH_V2],
  ['v2/dagRun.json', 'DAGRunResponse', BOTH_V2],
  ['v2/dagRuns.json', 'DAGRunCollectionResponse', BOTH_V2],
  ['v2/taskInstances.json', 'TaskInstanceCollectionResponse', BOTH_V2],
  ['v2/health.json', 'HealthInfoResponse', BOTH_V2],
  ['v2/taskInstance.json', 'TaskInstanceResponse', BOTH_V2],
  [
    'v2/taskInstanceTries.json',
    'TaskInstanceHistoryCollectionResponse',
    BOTH_V2,
  ],
  ['v2/taskLog.json', 'TaskInstancesLogResponse', BOTH_V2],
  ['v2/version.json', 'VersionInfo', BOTH_V2],
  ['v2/error404.json', 'HTTPExceptionResponse', BOTH_V2],
  ['v2/error409.json', 'HTTPExceptionResponse', BOTH_V2],
  ['v2/error422.json', 'HTTPValidationError', BOTH_V2],
  ['v1/dag.json', 'DAG', ['v1']],
  ['v1/dags.json', 'DAGCollection', ['v1']],
  ['v1/dagDetail.json', 'DAGDetail', ['v1']],
  ['v1/dagRun.json', 'DAGRun', ['v1']],
  ['v1/dagRuns.json', 'DAGRunCollection', ['v1']],
  ['v1/taskInstances.json', 'TaskInstanceCollection', ['v1']],
  ['v1/health.json', 'HealthInfo', ['v1']],
  ['v1/taskInstance.json', 'TaskInstance', ['v1']],
  ['v1/taskInstanceTries.json', 'TaskInstanceCollection', ['v1']],
  ['v1/taskInstanceReferences.json', 'TaskInstanceReferenceCollection', ['v1']],
  ['v1/version.json', 'VersionInfo', ['v1']],
  ['v1/error400.json', 'Error', ['v1']],
  ['v1/error401.json', 'Error', ['v1']],
  ['v1/error404.json', 'Error', ['v1']],
  ['v1/error409.json', 'Error', ['v1']],
];

describe('fixtures', () => {
  it.each(
    CASES.flatMap(([file, schema, specs]) =>
      specs.map(spec => [file, schema, spec] as const),
    ),
  )('%s is a valid %s of the %s spec', (file, schema, spec) => {
    expect(airflowSchemaErrors(spec, schema, fixture(file))).toEqual([]);
  });

  it.each(BOTH_V2)(
    'every line of v2/taskLog.ndjson is a StructuredLogMessage of the %s spec',
    spec => {
      const lines = fs
        .readFileSync(
          path.join(__dirname, '__fixtures__/v2/taskLog.ndjson'),
          'utf8',
        )
        .split('\n')
        .filter(l => l.trim());
      expect(lines.length).toBeGreaterThan(5);
      for (const line of lines) {
        const entry = JSON.parse(line);
        // The NDJSON stream writes `"timestamp": null` for the source group (the schema's
        // timestamp is a non-null date-time; Airflow's own JSON answer leaves the key out).
        if (entry.timestamp === null) delete entry.timestamp;
        expect(
          airflowSchemaErrors(spec, 'StructuredLogMessage', entry),
        ).toEqual([]);
      }
    },
  );

  it('the spec validator rejects a payload that breaks the spec', () => {
    const dag = fixture('v2/dag.json');
    delete dag.is_stale;
    dag.is_paused = 'no';
    const errors = airflowSchemaErrors('v2', 'DAGResponse', dag);
    expect(errors.join('\n')).toMatch(/is_stale/);
    expect(errors.join('\n')).toMatch(/is_paused/);
  });

  it('the spec validator honours nullable fields and v1 datetime formats', () => {
    const run = fixture('v1/dagRun.json');
    run.end_date = null;
    expect(airflowSchemaErrors('v1', 'DAGRun', run)).toEqual([]);
    run.start_date = '2025-03-29T19:48:50'; // naive: not RFC 3339
    expect(airflowSchemaErrors('v1', 'DAGRun', run)).not.toEqual([]);
  });

  it('the v2 batch, trigger, pause and clear bodies forbid keys the spec does not list', () => {
    for (const spec of BOTH_V2) {
      expect(
        airflowSchemaErrors(spec, 'DAGRunsBatchBody', {
          dag_ids: ['a'],
          page_limit: 10,
          order_by: '-run_after',
          extra: 1,
        }),
      ).not.toEqual([]);
      expect(
        airflowSchemaErrors(spec, 'TriggerDAGRunPostBody', {
          logical_date: null,
          conf: {},
          state: 'queued',
        }),
      ).not.toEqual([]);
      expect(
        airflowSchemaErrors(spec, 'DAGPatchBody', {
          is_paused: true,
          dag_id: 'x',
        }),
      ).not.toEqual([]);
      expect(
        airflowSchemaErrors(spec, 'DAGRunClearBody', {
          dry_run: false,
          reset_dag_runs: true,
        }),
      ).not.toEqual([]);
    }
  });
});
