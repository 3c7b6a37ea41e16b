import {
  mockCredentials,
  mockServices,
  registerMswTestHooks,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { http, HttpResponse, passthrough } from 'msw';
import { setupServer } from 'msw/node';
import request from 'supertest';
import { component } from './__testUtils__/fakes';
import {
  AIRFLOW_BASE,
  fixture,
  versionHandlers,
} from './lib/airflow/__testUtils__/fakeAirflow';
import { airflowPlugin } from './plugin';

const server = setupServer();
registerMswTestHooks(server);

const config = {
  airflow: {
    instances: [
      {
        name: 'local',
        baseUrl: AIRFLOW_BASE,
        auth: { username: 'admin', password: 'admin' },
      },
    ],
  },
};

function airflowV2() {
  const calls: string[] = [];
  server.use(
    // supertest's requests to the test backend itself go through.
    http.all(/^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?\//, () =>
      passthrough(),
    ),
    ...versionHandlers('v2'),
    http.post(`${AIRFLOW_BASE}/auth/token`, () =>
      HttpResponse.json({ access_token: 'header.e30.sig' }, { status: 201 }),
    ),
    http.get(`${AIRFLOW_BASE}/api/v2/dags`, ({ request: r }) => {
      calls.push(`GET ${new URL(r.url).pathname}`);
      return HttpResponse.json(fixture('v2/dags.json'));
    }),
    http.post(
      `${AIRFLOW_BASE}/api/v2/dags/~/dagRuns/list`,
      async ({ request: r }) => {
        calls.push(`POST ${new URL(r.url).pathname}`);
        const body = (await r.json()) as { dag_ids?: string[] };
        const runs = fixture('v2/dagRuns.json').dag_runs.filter((run: any) =>
          (body.dag_ids ?? []).includes(run.dag_id),
        );
        return HttpResponse.json({
          dag_runs: runs,
          total_entries: runs.length,
        });
      },
    ),
  );
  return calls;
}

describe('airflowPlugin', () => {
  it("serves an entity's DAGs from a real plugin wiring: config, catalog, permissions, cache", async () => {
    const calls = airflowV2();
    const dagIds = fixture('v2/dags.json').dags.map((d: any) => d.dag_id);
    const { server: backend } = await startTestBackend({
      features: [
        airflowPlugin,
        mockServices.rootConfig.factory({ data: config }),
        catalogServiceMock.factory({
          entities: [
            component('pipeline', {
              'airflow.apache.org/dag-ids': `${dagIds.join(
                ',',
              )},not_in_airflow`,
            }),
          ],
        }),
      ],
    });

    const res = await request(backend).get(
      '/api/airflow/entities/component/default/pipeline/dags',
    );
    expect(res.status).toBe(200);
    expect(res.body.dags.map((d: any) => d.dagId).sort()).toEqual(
      [...dagIds].sort(),
    );
    expect(res.body.missing).toEqual([
      { instance: 'local', dagId: 'not_in_airflow' },
    ]);
    expect(calls).toEqual([
      'GET /api/v2/dags',
      'POST /api/v2/dags/~/dagRuns/list',
    ]);

    // A second page view is served from the cache.
    await request(backend).get(
      '/api/airflow/entities/component/default/pipeline/dags',
    );
    expect(calls).toHaveLength(2);
  });

  it('answers 401 to a request without a user token', async () => {
    airflowV2();
    const { server: backend } = await startTestBackend({
      features: [
        airflowPlugin,
        mockServices.rootConfig.factory({ data: config }),
        catalogServiceMock.factory({ entities: [] }),
      ],
    });
    const res = await request(backend)
      .get('/api/airflow/instances')
      .set('Authorization', mockCredentials.none.header());
    expect(res.status).toBe(401);
  });

  it('refuses to start with an invalid config, naming the key', async () => {
    await expect(
      startTestBackend({
        features: [
          airflowPlugin,
          mockServices.rootConfig.factory({
            data: {
              airflow: { instances: [{ name: 'local', baseUrl: 'nope' }] },
            },
          }),
          catalogServiceMock.factory({ entities: [] }),
        ],
      }),
    ).rejects.toThrow('airflow.instances[0].baseUrl');
  });
});
