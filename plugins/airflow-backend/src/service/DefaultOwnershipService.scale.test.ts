import {
  mockCredentials,
  mockServices,
  registerMswTestHooks,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { component } from '../__testUtils__/fakes';
import { TEST_DATABASES, type TestDatabase } from '../__testUtils__/databases';
import { DefaultAirflowClient } from '../lib/airflow';
import {
  CallLog,
  fakeDags,
  instanceConfig,
  pagedDagsHandler,
  testLogger,
  versionHandlers,
} from '../lib/airflow/__testUtils__/fakeAirflow';
import { DefaultOwnershipService } from './DefaultOwnershipService';

const server = setupServer();
registerMswTestHooks(server);

let database: TestDatabase;
beforeAll(async () => {
  database = await TEST_DATABASES[0].create();
});
afterAll(async () => {
  await database.destroy();
});

const DAG_COUNT = 3000;
const ENTITY_COUNT = 250;
const DAGS_PER_ENTITY = 10;

/**
 * The ownership index for an instance with thousands of DAGs, through the real
 * Airflow client against a fake Airflow 3 that caps pages at 100 (as
 * `[api] maximum_page_limit` does). Measures the number of Airflow calls and
 * the wall time of a refresh.
 */
describe('OwnershipService at scale', () => {
  it(`indexes ${DAG_COUNT} DAGs with a bounded number of Airflow calls, never one per DAG`, async () => {
    const log = new CallLog();
    const dags = fakeDags('v2', DAG_COUNT);
    server.use(
      ...versionHandlers('v2', log),
      pagedDagsHandler(log, 'v2', dags, { cap: 100 }),
      log.handle('post', '/api/v2/dags/~/dagRuns/list', async ({ request }) => {
        const body = (await request.json()) as {
          dag_ids: string[];
          page_limit: number;
          page_offset?: number;
        };
        const runs = body.dag_ids.map(dagId => ({
          dag_run_id: `scheduled__2026-11-29T06:00:00+00:00`,
          dag_id: dagId,
          logical_date: '2026-11-29T06:00:00Z',
          run_after: '2026-11-29T06:00:00Z',
          queued_at: '2026-11-29T06:00:00Z',
          start_date: '2026-11-29T06:00:01Z',
          end_date: '2026-11-29T06:00:03Z',
          state: dagId.endsWith('7') ? 'failed' : 'success',
          run_type: 'scheduled',
          triggered_by: 'timetable',
          conf: {},
          note: null,
          dag_versions: [],
          bundle_version: null,
          data_interval_start: null,
          data_interval_end: null,
          last_scheduling_decision: null,
          dag_display_name: dagId,
        }));
        const offset = body.page_offset ?? 0;
        return HttpResponse.json({
          dag_runs: runs.slice(offset, offset + Math.min(body.page_limit, 100)),
          total_entries: runs.length,
        });
      }),
    );
    const entities = Array.from({ length: ENTITY_COUNT }, (_, e) =>
      component(
        `pipeline-${e}`,
        {
          'airflow.apache.org/dag-ids': Array.from(
            { length: DAGS_PER_ENTITY },
            (__, i) => dags[e * DAGS_PER_ENTITY + i].dag_id,
          ).join(','),
        },
        `group:default/team-${e % 12}`,
      ),
    );
    const client = DefaultAirflowClient.create({
      config: instanceConfig({ name: 'big', apiVersion: 'v2' }),
      logger: testLogger(),
    });
    const service = new DefaultOwnershipService({
      clients: [client],
      catalog: catalogServiceMock({ entities }),
      auth: mockServices.auth(),
      permissions: mockServices.permissions(),
      userInfo: mockServices.userInfo(),
      store: database.store,
      logger: mockServices.logger.mock(),
    });

    const started = performance.now();
    await service.refresh();
    const refreshMs = performance.now() - started;
    const credentials = mockCredentials.user();
    const view = await service.getPage(credentials, {});
    const totalMs = performance.now() - started;
    const pageStarted = performance.now();
    const failing = await service.getPage(
      credentials,
      { failing: true, q: 'dag' },
      { sort: 'lastRun', order: 'desc' },
      { limit: 100, offset: 100 },
    );
    const pageMs = performance.now() - pageStarted;
    let exported = 0;
    for await (const dag of await service.exportDags(credentials, {
      owned: true,
    })) {
      if (dag.isOrphan) throw new Error(`${dag.dagId} is an orphan`);
      exported++;
    }

    const listCalls = log.to('/api/v2/dags', 'GET').length;
    const batchCalls = log.to('/api/v2/dags/~/dagRuns/list', 'POST').length;
    process.stdout.write(
      `ownership index: ${DAG_COUNT} DAGs, ${ENTITY_COUNT} entities: ` +
        `${listCalls} DAG list calls, ${batchCalls} batch run calls, ` +
        `refresh ${refreshMs.toFixed(
          0,
        )} ms, refresh + first read ${totalMs.toFixed(
          0,
        )} ms, a filtered page ${pageMs.toFixed(0)} ms\n`,
    );
    expect(view.dags).toHaveLength(25);
    expect(view.total).toBe(DAG_COUNT);
    expect(failing.total).toBe(DAG_COUNT / 10);
    expect(failing.dags).toHaveLength(100);
    expect(exported).toBe(ENTITY_COUNT * DAGS_PER_ENTITY);

    expect(view.summary.total).toBe(DAG_COUNT);
    expect(view.summary.owned).toBe(ENTITY_COUNT * DAGS_PER_ENTITY);
    expect(view.summary.orphans).toBe(
      DAG_COUNT - ENTITY_COUNT * DAGS_PER_ENTITY,
    );
    expect(view.summary.failing).toBe(DAG_COUNT / 10);
    expect(listCalls).toBe(DAG_COUNT / 100);
    // listRecentDagRuns: at most 4 calls per 100 DAGs (see its TSDoc).
    expect(batchCalls).toBeLessThanOrEqual((4 * DAG_COUNT) / 100);
    expect(
      log.calls.filter(c => /\/api\/v2\/dags\/dag_/.test(c.pathAndQuery)),
    ).toEqual([]);
  });
});
