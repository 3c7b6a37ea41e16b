import { ResponseError } from '@backstage/errors';
import { mockApis, registerMswTestHooks } from '@backstage/frontend-test-utils';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { airflowEntityRef } from '../__fixtures__/entity';
import {
  dagRun,
  entityDags,
  ordersEtl,
  ordersEtlDetails,
  ordersEtlRunList,
  taskInstances,
} from '../__fixtures__/dags';
import {
  danglingPage,
  ownershipIndexStatus,
  ownershipPage,
} from '../__fixtures__/ownership';
import { AirflowClient } from './AirflowClient';

const server = setupServer();
registerMswTestHooks(server);
afterEach(() => server.events.removeAllListeners());

const base = 'http://backstage.test/api/airflow';
const entityBase = `${base}/entities/component/default/orders-pipeline`;
const runId = 'manual__2025-03-29T19:48:49.273773+00:00';
const encodedRunId = 'manual__2025-03-29T19%3A48%3A49.273773%2B00%3A00';

function createClient() {
  return new AirflowClient({
    discoveryApi: mockApis.discovery({ baseUrl: 'http://backstage.test' }),
    fetchApi: mockApis.fetch(),
  });
}

/** Records the URL, method and JSON body of every request msw sees. */
function recordRequests() {
  const requests: {
    url: string;
    method: string;
    contentType: string | null;
    body?: unknown;
  }[] = [];
  server.events.on('request:start', async ({ request }) => {
    const text = await request.clone().text();
    requests.push({
      url: request.url,
      method: request.method,
      contentType: request.headers.get('content-type'),
      body: text ? JSON.parse(text) : undefined,
    });
  });
  return requests;
}

const dag = {
  entityRef: airflowEntityRef,
  instance: 'default',
  dagId: 'ml.feature-store-refresh',
};

describe('AirflowClient', () => {
  it('lists the DAGs of an entity at the entity-scoped URL', async () => {
    server.use(
      http.get(`${entityBase}/dags`, () => HttpResponse.json(entityDags)),
    );
    await expect(
      createClient().listEntityDags({ entityRef: airflowEntityRef }),
    ).resolves.toEqual(entityDags);
  });

  it('lower-cases the kind and namespace of the entity ref', async () => {
    const requests = recordRequests();
    server.use(
      http.get(`${base}/entities/*`, () => HttpResponse.json(entityDags)),
    );
    await createClient().listEntityDags({
      entityRef: { kind: 'Component', namespace: 'Data', name: 'Orders' },
    });
    expect(requests[0].url).toBe(`${base}/entities/component/data/Orders/dags`);
  });

  it('encodes each entity ref segment once', async () => {
    const requests = recordRequests();
    server.use(
      http.get(`${base}/entities/*`, () => HttpResponse.json(entityDags)),
    );
    await createClient().listEntityDags({
      entityRef: { kind: 'component', namespace: 'my ns', name: 'a/b' },
    });
    expect(requests[0].url).toBe(
      `${base}/entities/component/my%20ns/a%2Fb/dags`,
    );
  });

  it('gets DAG details with the DAG id encoded', async () => {
    const requests = recordRequests();
    server.use(
      http.get(`${entityBase}/dags/default/:dagId`, ({ params }) =>
        HttpResponse.json({ ...ordersEtlDetails, dagId: params.dagId }),
      ),
    );
    const details = await createClient().getDagDetails(dag);
    expect(details.dagId).toBe('ml.feature-store-refresh');
    expect(details.defaultConf).toEqual({ region: 'eu', full_refresh: false });
    expect(requests[0].url).toBe(
      `${entityBase}/dags/default/ml.feature-store-refresh`,
    );
  });

  it('pauses a DAG with a PATCH carrying isPaused', async () => {
    const requests = recordRequests();
    server.use(
      http.patch(`${entityBase}/dags/default/orders_etl`, () =>
        HttpResponse.json({ ...ordersEtl, isPaused: true }),
      ),
    );
    const result = await createClient().setDagPaused({
      ...dag,
      dagId: 'orders_etl',
      isPaused: true,
    });
    expect(result.isPaused).toBe(true);
    expect(requests[0]).toEqual({
      url: `${entityBase}/dags/default/orders_etl`,
      method: 'PATCH',
      contentType: 'application/json',
      body: { isPaused: true },
    });
  });

  it('lists DAG runs with limit, offset and repeated state parameters', async () => {
    const requests = recordRequests();
    server.use(
      http.get(`${entityBase}/dags/default/orders_etl/runs`, () =>
        HttpResponse.json(ordersEtlRunList),
      ),
    );
    const result = await createClient().listDagRuns({
      ...dag,
      dagId: 'orders_etl',
      limit: 10,
      offset: 20,
      states: ['queued', 'running'],
    });
    expect(result.totalEntries).toBe(42);
    const url = new URL(requests[0].url);
    expect(url.pathname).toBe(
      '/api/airflow/entities/component/default/orders-pipeline/dags/default/orders_etl/runs',
    );
    expect(url.searchParams.get('limit')).toBe('10');
    expect(url.searchParams.get('offset')).toBe('20');
    expect(url.searchParams.getAll('state')).toEqual(['queued', 'running']);
  });

  it('lists DAG runs without a query string when no paging or filter is given', async () => {
    const requests = recordRequests();
    server.use(
      http.get(`${entityBase}/dags/default/orders_etl/runs`, () =>
        HttpResponse.json(ordersEtlRunList),
      ),
    );
    await createClient().listDagRuns({ ...dag, dagId: 'orders_etl' });
    expect(requests[0].url).toBe(`${entityBase}/dags/default/orders_etl/runs`);
  });

  it('triggers a DAG run with conf, logical date and note in a JSON body', async () => {
    const requests = recordRequests();
    const created = dagRun({ runId, state: 'queued', runType: 'manual' });
    server.use(
      http.post(`${entityBase}/dags/default/orders_etl/runs`, () =>
        HttpResponse.json(created, { status: 201 }),
      ),
    );
    const result = await createClient().triggerDagRun({
      ...dag,
      dagId: 'orders_etl',
      conf: { region: 'us' },
      logicalDate: '2025-03-29T19:48:00+01:00',
      note: 'backfill',
    });
    expect(result).toEqual(created);
    expect(requests[0].method).toBe('POST');
    expect(requests[0].body).toEqual({
      conf: { region: 'us' },
      logicalDate: '2025-03-29T19:48:00+01:00',
      note: 'backfill',
    });
  });

  it('triggers a DAG run with an empty body when nothing is given', async () => {
    const requests = recordRequests();
    server.use(
      http.post(`${entityBase}/dags/default/orders_etl/runs`, () =>
        HttpResponse.json(dagRun(), { status: 201 }),
      ),
    );
    await createClient().triggerDagRun({ ...dag, dagId: 'orders_etl' });
    expect(requests[0].body).toEqual({});
  });

  it('gets a DAG run with its task instances, encoding the run id once', async () => {
    const requests = recordRequests();
    server.use(
      http.get(`${entityBase}/dags/default/orders_etl/runs/:runId`, () =>
        HttpResponse.json({ run: dagRun({ runId }), taskInstances }),
      ),
    );
    const result = await createClient().getDagRun({
      ...dag,
      dagId: 'orders_etl',
      runId,
    });
    expect(result.taskInstances[1].tryNumber).toBe(3);
    expect(requests[0].url).toBe(
      `${entityBase}/dags/default/orders_etl/runs/${encodedRunId}`,
    );
  });

  it('clears a DAG run with onlyFailed in the body', async () => {
    const requests = recordRequests();
    server.use(
      http.post(
        `${entityBase}/dags/default/orders_etl/runs/:runId/clear`,
        ({ params }) =>
          HttpResponse.json(
            dagRun({ runId: params.runId as string, state: 'queued' }),
          ),
      ),
    );
    const result = await createClient().clearDagRun({
      ...dag,
      dagId: 'orders_etl',
      runId,
      onlyFailed: true,
    });
    expect(result.runId).toBe(runId);
    expect(requests[0]).toEqual({
      url: `${entityBase}/dags/default/orders_etl/runs/${encodedRunId}/clear`,
      method: 'POST',
      contentType: 'application/json',
      body: { onlyFailed: true },
    });
  });

  it('lists instances', async () => {
    server.use(
      http.get(`${base}/instances`, () =>
        HttpResponse.json({
          instances: [
            {
              name: 'default',
              webUiUrl: 'https://airflow.example.com',
              apiVersion: 'v2',
              version: '3.0.1',
              status: 'healthy',
              components: {},
            },
          ],
        }),
      ),
    );
    const result = await createClient().listInstances();
    expect(result.instances.map(i => i.name)).toEqual(['default']);
  });

  it('gets a page of the ownership view with the filters, order and page in the query', async () => {
    const requests = recordRequests();
    server.use(
      http.get(`${base}/ownership`, () => HttpResponse.json(ownershipPage)),
    );
    await expect(createClient().getOwnership()).resolves.toEqual(ownershipPage);
    await createClient().getOwnership({
      q: 'orders etl',
      owner: 'group:default/data-eng',
      mine: true,
      includeChildGroups: false,
      failing: true,
      sort: 'lastRun',
      order: 'desc',
      limit: 50,
      offset: 100,
    });
    expect(requests.map(r => [r.method, r.url])).toEqual([
      ['GET', `${base}/ownership`],
      [
        'GET',
        `${base}/ownership?q=orders%20etl&owner=group%3Adefault%2Fdata-eng&mine=true&includeChildGroups=false&failing=true&sort=lastRun&order=desc&limit=50&offset=100`,
      ],
    ]);
  });

  it('gets a page of the dangling references', async () => {
    const requests = recordRequests();
    server.use(
      http.get(`${base}/ownership/dangling`, () =>
        HttpResponse.json(danglingPage),
      ),
    );
    await expect(
      createClient().getOwnershipDangling({ instance: 'prod', offset: 10 }),
    ).resolves.toEqual(danglingPage);
    expect(requests[0].url).toBe(
      `${base}/ownership/dangling?instance=prod&offset=10`,
    );
  });

  it('downloads the CSV export of the filtered set as a blob', async () => {
    const requests = recordRequests();
    server.use(
      http.get(
        `${base}/ownership/export`,
        () =>
          new HttpResponse('\uFEFFinstance,dag_id\r\nlocal,orders_etl\r\n', {
            headers: { 'Content-Type': 'text/csv; charset=utf-8' },
          }),
      ),
    );
    const blob = await createClient().exportOwnershipCsv({
      orphans: true,
      sort: 'dagId',
    });
    expect(await blob.text()).toContain('local,orders_etl');
    expect(requests[0].url).toBe(
      `${base}/ownership/export?orphans=true&sort=dagId`,
    );
  });

  it('refreshes the ownership index with a bodiless POST to /ownership/refresh', async () => {
    const requests = recordRequests();
    server.use(
      http.post(`${base}/ownership/refresh`, () =>
        HttpResponse.json(ownershipIndexStatus),
      ),
    );
    await expect(createClient().refreshOwnership()).resolves.toEqual(
      ownershipIndexStatus,
    );
    expect(requests).toEqual([
      {
        url: `${base}/ownership/refresh`,
        method: 'POST',
        // The client generated from the spec always declares JSON; the body stays empty.
        contentType: 'application/json',
        body: undefined,
      },
    ]);
  });

  it('rejects the ownership index with a 403 ResponseError without airflow.ownership.read', async () => {
    server.use(
      http.get(`${base}/ownership`, () =>
        HttpResponse.json(
          {
            error: {
              name: 'NotAllowedError',
              message:
                'You are not allowed to see the Airflow ownership view (permission airflow.ownership.read)',
            },
            response: { statusCode: 403 },
          },
          { status: 403 },
        ),
      ),
    );
    await expect(createClient().getOwnership()).rejects.toMatchObject({
      name: 'ResponseError',
      statusCode: 403,
      cause: { name: 'NotAllowedError' },
    });
  });

  it('rejects with a ResponseError carrying the backend error name, message and status', async () => {
    server.use(
      http.post(`${entityBase}/dags/default/orders_etl/runs`, () =>
        HttpResponse.json(
          {
            error: {
              name: 'InputError',
              message: "Invalid input: param 'region' must be one of eu, us",
            },
            request: { method: 'POST', url: '/runs' },
            response: { statusCode: 400 },
          },
          { status: 400, statusText: 'Bad Request' },
        ),
      ),
    );
    const error = await createClient()
      .triggerDagRun({ ...dag, dagId: 'orders_etl', conf: { region: 'x' } })
      .then(
        () => undefined,
        e => e,
      );
    expect(ResponseError.is(error)).toBe(true);
    expect(error.statusCode).toBe(400);
    expect(error.cause.name).toBe('InputError');
    expect(error.cause.message).toBe(
      "Invalid input: param 'region' must be one of eu, us",
    );
  });

  it('rejects with a ResponseError when Airflow is down (503)', async () => {
    server.use(
      http.get(`${entityBase}/dags/default/orders_etl/runs`, () =>
        HttpResponse.json(
          {
            error: {
              name: 'ServiceUnavailableError',
              message: 'Airflow instance default is not reachable',
            },
            response: { statusCode: 503 },
          },
          { status: 503 },
        ),
      ),
    );
    await expect(
      createClient().listDagRuns({ ...dag, dagId: 'orders_etl' }),
    ).rejects.toMatchObject({
      name: 'ResponseError',
      statusCode: 503,
      cause: { message: 'Airflow instance default is not reachable' },
    });
  });
});
