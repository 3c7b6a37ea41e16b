import {
  mockCredentials,
  mockErrorHandler,
  mockServices,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  NOTE_MAX_LENGTH,
  airflowDagClearPermission,
  airflowDagLogsReadPermission,
  airflowDagStateUpdatePermission,
  airflowDagTriggerPermission,
  airflowOwnershipReadPermission,
} from '@airflow-for-backstage/backstage-plugin-airflow-common';
import express from 'express';
import request from 'supertest';
import {
  component,
  permissionsDenying,
  dag,
  fakeClient,
  instanceConfig,
  memoryCache,
  recordingAuditor,
  run,
  taskInstance,
} from '../__testUtils__/fakes';
import { DagRunExistsError } from '../lib/airflow';
import { AirflowNotSupportedError } from '../lib/airflow/errors';
import { TEST_DATABASES, type TestDatabase } from '../__testUtils__/databases';
import { createAirflowServices } from '../service/createServices';
import { createRouter } from './router';
import { spec, specErrors } from '../schema/__testUtils__/validate';

const entities = [
  component('orders', {
    'airflow.apache.org/dag-ids': 'orders_etl, ml.feature-store-refresh',
  }),
];

const databases: TestDatabase[] = [];
afterEach(async () => {
  await Promise.all(databases.splice(0).map(d => d.destroy()));
});

async function setup(
  options: { deny?: string[]; validateResponses?: boolean } = {},
) {
  const database = await TEST_DATABASES[0].create();
  databases.push(database);
  const client = fakeClient([
    dag('orders_etl'),
    dag('ml.feature-store-refresh'),
    dag('orphan'),
  ]);
  const { auditor, events } = recordingAuditor();
  const catalog = catalogServiceMock({ entities });
  const permissions = permissionsDenying(options.deny);
  const { airflowService, ownershipService } = createAirflowServices({
    config: {
      instances: [instanceConfig('local')],
      cacheTtlMs: 0,
      recentRunsLimit: 5,
      ownershipRefreshMinutes: 10,
      validateResponses: true,
    },
    clients: [client],
    catalog,
    permissions,
    auth: mockServices.auth(),
    userInfo: mockServices.userInfo(),
    cache: memoryCache(),
    ownershipStore: database.store,
    logger: mockServices.logger.mock(),
  });
  const router = await createRouter({
    httpAuth: mockServices.httpAuth(),
    auditor,
    airflowService,
    ownershipService,
    validateResponses: options.validateResponses,
  });
  const app = express().use(router).use(mockErrorHandler());
  return { app, client, events, airflowService };
}

const DAG = '/entities/component/default/orders/dags/local/orders_etl';
const SPEC_RUNS =
  '/entities/{kind}/{namespace}/{name}/dags/{instance}/{dagId}/runs';

// Each test builds the validated router (it compiles the spec) and the first migrates an in-memory
// database: allow for a busy machine.
jest.setTimeout(60_000);

describe('router', () => {
  it('answers 401 without user credentials, before any call to Airflow', async () => {
    const { app, client } = await setup();
    const res = await request(app)
      .get('/entities/component/default/orders/dags')
      .set('Authorization', mockCredentials.none.header());
    expect(res.status).toBe(401);
    expect(client.listDags).not.toHaveBeenCalled();
  });

  it('answers 403 for a service token: the API is for users', async () => {
    const { app, client } = await setup();
    const res = await request(app)
      .post(`${DAG}/runs`)
      .set('Authorization', mockCredentials.service.header())
      .send({});
    expect(res.status).toBe(403);
    expect(client.triggerDagRun).not.toHaveBeenCalled();
  });

  it('lists the DAGs of an entity', async () => {
    const { app } = await setup();
    const res = await request(app).get(
      '/entities/component/default/orders/dags',
    );
    if (res.status !== 200) console.log(JSON.stringify(res.body));
    expect(res.status).toBe(200);
    expect(res.body.dags.map((d: any) => d.dagId)).toEqual([
      'ml.feature-store-refresh',
      'orders_etl',
    ]);
  });

  it('answers 404 for an unknown entity', async () => {
    const { app } = await setup();
    const res = await request(app).get(
      '/entities/component/default/unknown/dags',
    );
    expect(res.status).toBe(404);
    expect(res.body.error.message).toBe(
      'Entity component:default/unknown not found',
    );
  });

  it('answers 404 for a DAG the entity does not name', async () => {
    const { app, client } = await setup();
    const res = await request(app)
      .post('/entities/component/default/orders/dags/local/orphan/runs')
      .send({ conf: {} });
    expect(res.status).toBe(404);
    expect(res.body.error.message).toContain(
      "DAG 'orphan' on instance 'local' is not named by component:default/orders",
    );
    expect(client.triggerDagRun).not.toHaveBeenCalled();
  });

  it('answers 404 for an unknown instance in the path', async () => {
    const { app } = await setup();
    const res = await request(app).get(
      '/entities/component/default/orders/dags/elsewhere/orders_etl',
    );
    expect(res.status).toBe(404);
  });

  it('answers 403 with a clear message when the policy denies a trigger, and never calls Airflow', async () => {
    const { app, client, events } = await setup({
      deny: [airflowDagTriggerPermission.name],
    });
    const res = await request(app).post(`${DAG}/runs`).send({ conf: {} });
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({
      name: 'NotAllowedError',
      message:
        'You are not allowed to trigger DAGs of component:default/orders (permission airflow.dag.trigger)',
    });
    expect(client.triggerDagRun).not.toHaveBeenCalled();
    expect(events.map(e => [e.eventId, e.outcome])).toEqual([
      ['dag-trigger', 'fail'],
    ]);
  });

  it('triggers a run with conf, logical date and note and answers 201 with the run', async () => {
    const { app, client } = await setup();
    const res = await request(app)
      .post(`${DAG}/runs`)
      .send({
        conf: { region: 'emea', top_n: 5 },
        logicalDate: '2026-11-29T06:00:00+01:00',
        note: 'hi',
      });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      runId: 'backstage__new',
      state: 'queued',
      conf: { region: 'emea', top_n: 5 },
    });
    expect(client.triggerDagRun).toHaveBeenCalledWith('orders_etl', {
      conf: { region: 'emea', top_n: 5 },
      logicalDate: '2026-11-29T06:00:00+01:00',
      note: `Triggered from Backstage by ${
        mockCredentials.user().principal.userEntityRef
      }: hi`,
    });
  });

  it('triggers with a run id of its own and says when the DAG is paused', async () => {
    const { app, client } = await setup();
    client.getDag.mockResolvedValueOnce(dag('orders_etl', { isPaused: true }));
    const res = await request(app)
      .post(`${DAG}/runs`)
      .send({ conf: {}, runId: 'my_run:1+a' });
    expect(res.status).toBe(201);
    expect(res.body.dagIsPaused).toBe(true);
    expect(client.triggerDagRun).toHaveBeenCalledWith(
      'orders_etl',
      expect.objectContaining({ runId: 'my_run:1+a' }),
    );
    expect(specErrors('post', SPEC_RUNS, 201, res.body)).toEqual([]);
  });

  it.each(['a b', '~', '..', 'x'.repeat(251)])(
    'refuses the run id %p before calling Airflow',
    async runId => {
      const { app, client } = await setup();
      const res = await request(app)
        .post(`${DAG}/runs`)
        .send({ conf: {}, runId });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain('runId');
      expect(client.triggerDagRun).not.toHaveBeenCalled();
    },
  );

  it('answers 409 with the run that has the logical date already', async () => {
    const { app, client } = await setup();
    const existing = run('orders_etl', 'scheduled__2026-11-29T06:00:00+00:00');
    client.triggerDagRun.mockRejectedValueOnce(
      new DagRunExistsError(
        `DAG 'orders_etl' already has a DAG run with logical date 2026-11-29T06:00:00Z: '${existing.runId}' (Airflow instance 'local')`,
        existing,
      ),
    );
    const res = await request(app)
      .post(`${DAG}/runs`)
      .send({ conf: {}, logicalDate: '2026-11-29T06:00:00Z' });
    expect(res.status).toBe(409);
    expect(res.body.error.name).toBe('ConflictError');
    expect(res.body.error.message).toContain(existing.runId);
    expect(res.body.error.existingRun).toEqual(existing);
    expect(specErrors('post', SPEC_RUNS, 409, res.body)).toEqual([]);
  });

  it('accepts a note of exactly NOTE_MAX_LENGTH characters and refuses 900, as the spec and the dialog do', async () => {
    const { app, client } = await setup();
    const atLimit = await request(app)
      .post(`${DAG}/runs`)
      .send({ note: 'x'.repeat(NOTE_MAX_LENGTH) });
    expect(atLimit.status).toBe(201);
    const over = await request(app)
      .post(`${DAG}/runs`)
      .send({ note: 'x'.repeat(900) });
    expect(over.status).toBe(400);
    expect(over.body.error.message).toBe(
      'Invalid request body: note may not contain control characters and is at most 800 characters long',
    );
    expect(client.triggerDagRun).toHaveBeenCalledTimes(1);
  });

  it('names the unknown fields of a body and the allowed ones', async () => {
    const { app } = await setup();
    const res = await request(app)
      .post(`${DAG}/runs`)
      .send({ conf: {}, state: 'queued', dag_id: 'x' });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe(
      "Invalid request body: unknown fields 'state', 'dag_id' (allowed: conf, runId, logicalDate, note)",
    );
  });

  it.each([
    ['GET', `${DAG}/runs/r1/clear`, 'POST'],
    ['DELETE', DAG, 'GET, PATCH, HEAD'],
    ['PUT', '/instances', 'GET, HEAD'],
  ])(
    'answers an undeclared %s on a known path with 405 and the Allow header',
    async (method, path, allow) => {
      const { app } = await setup();
      const res = await request(app)[
        method.toLowerCase() as 'get' | 'delete' | 'put'
      ](path);
      expect(res.status).toBe(405);
      expect(res.headers.allow).toBe(allow);
      expect(res.body.error.name).toBe('MethodNotAllowedError');
    },
  );

  it('answers 404 for a path the spec does not know', async () => {
    const { app } = await setup();
    const res = await request(app).get('/nothing/here');
    expect(res.status).toBe(404);
  });

  it.each([
    ['limit above the maximum', '?limit=101', 'limit must be <= 100'],
    ['a state Airflow does not have', '?state=done', 'state'],
    [
      'an unknown query parameter',
      '?order=desc',
      "Unknown query parameter 'order'",
    ],
  ])('answers 400 for %s', async (_name, query, message) => {
    const { app, client } = await setup();
    const res = await request(app).get(`${DAG}/runs${query}`);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain(message);
    expect(client.listDagRuns).not.toHaveBeenCalled();
  });

  it.each([
    ['an array conf', { conf: [1] }, 'conf must be a JSON object'],
    ['a string conf', { conf: 'x' }, 'conf must be a JSON object'],
    ['a null conf', { conf: null }, 'conf must be a JSON object'],
    ['a number conf', { conf: 1 }, 'conf must be a JSON object'],
    [
      'a naive logical date',
      { logicalDate: '2023-10-25T23:29:05.630191' },
      'logicalDate',
    ],
    ['a garbage logical date', { logicalDate: 'mydate' }, 'logicalDate'],
    ['a read-only field', { state: 'queued' }, 'state'],
    ['an oversized note', { note: 'x'.repeat(801) }, 'note'],
    [
      'a note with control characters',
      { note: 'a\u0000b' },
      'control characters',
    ],
    [
      'a logical date before 1900',
      { logicalDate: '0050-06-01T00:00:00Z' },
      'between the years 1900 and 2999',
    ],
    [
      'a logical date after 2999',
      { logicalDate: '9999-12-31T23:59:59Z' },
      'between the years 1900 and 2999',
    ],
    [
      'a deeply nested conf',
      { conf: JSON.parse(`${'{"a":'.repeat(40)}1${'}'.repeat(40)}`) },
      'nested deeper than 32',
    ],
  ])(
    'answers 400 for %s and does not call Airflow',
    async (_name, body, message) => {
      const { app, client } = await setup();
      const res = await request(app).post(`${DAG}/runs`).send(body);
      expect(res.status).toBe(400);
      expect(res.body.error.name).toBe('InputError');
      expect(res.body.error.message).toContain(message);
      expect(client.triggerDagRun).not.toHaveBeenCalled();
    },
  );

  it('answers 400 for a malformed JSON body', async () => {
    const { app, client } = await setup();
    const res = await request(app)
      .post(`${DAG}/runs`)
      .set('Content-Type', 'application/json')
      .send('{"conf": {');
    expect(res.status).toBe(400);
    expect(client.triggerDagRun).not.toHaveBeenCalled();
  });

  it.each([
    [
      'a form-encoded clear',
      'post',
      `${DAG}/runs/r1/clear`,
      'application/x-www-form-urlencoded',
      'onlyFailed=true',
    ],
    ['a text trigger', 'post', `${DAG}/runs`, 'text/plain', 'garbage'],
    [
      'a form-encoded pause',
      'patch',
      DAG,
      'application/x-www-form-urlencoded',
      'isPaused=true',
    ],
  ])(
    'answers 400 for %s instead of running it with defaults',
    async (_name, method, url, type, body) => {
      const { app, client } = await setup();
      const res = await (request(app) as any)
        [method](url)
        .set('Content-Type', type)
        .send(body);
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain('Request body must be JSON');
      expect(client.clearDagRun).not.toHaveBeenCalled();
      expect(client.triggerDagRun).not.toHaveBeenCalled();
      expect(client.setDagPaused).not.toHaveBeenCalled();
    },
  );

  it('accepts a deeply but reasonably nested conf', async () => {
    const { app, client } = await setup();
    const conf = JSON.parse(`${'{"a":'.repeat(30)}1${'}'.repeat(30)}`);
    const res = await request(app).post(`${DAG}/runs`).send({ conf });
    expect(res.status).toBe(201);
    expect(client.triggerDagRun).toHaveBeenCalledTimes(1);
  });

  it('answers 413 for an oversized body', async () => {
    const { app, client } = await setup();
    const res = await request(app)
      .post(`${DAG}/runs`)
      .send({ conf: { blob: 'x'.repeat(70 * 1024) } });
    expect(res.status).toBe(413);
    expect(client.triggerDagRun).not.toHaveBeenCalled();
  });

  it.each([
    [
      'a slash in the DAG id',
      '/entities/component/default/orders/dags/local/a%2Fb/runs',
    ],
    [
      'a quote in the DAG id',
      "/entities/component/default/orders/dags/local/a'b/runs",
    ],
    [
      'a space in the instance',
      '/entities/component/default/orders/dags/lo%20cal/orders_etl/runs',
    ],
    [
      'an invalid entity name',
      '/entities/component/default/or%24ders/dags/local/orders_etl/runs',
    ],
  ])('answers 400 for %s', async (_name, path) => {
    const { app } = await setup();
    const res = await request(app).get(path);
    expect(res.status).toBe(400);
    expect(res.body.error.name).toBe('InputError');
  });

  it('passes a DAG id with "." and "-" and a run id with ":" and "+" decoded exactly once', async () => {
    const { app, client } = await setup();
    const runId = 'manual__2025-03-29T19:48:49.273773+00:00';
    const res = await request(app).get(
      `/entities/component/default/orders/dags/local/ml.feature-store-refresh/runs/${encodeURIComponent(
        runId,
      )}`,
    );
    expect(res.status).toBe(200);
    expect(client.getDagRun).toHaveBeenCalledWith(
      'ml.feature-store-refresh',
      runId,
    );
  });

  it("answers 400 for a run id outside Airflow's allowed pattern", async () => {
    const { app } = await setup();
    const res = await request(app).get(
      `${DAG}/runs/${encodeURIComponent('run id with spaces')}`,
    );
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain('run id');
  });

  it('pages and filters runs by state', async () => {
    const { app, client } = await setup();
    const res = await request(app).get(
      `${DAG}/runs?limit=10&offset=20&state=failed&state=running`,
    );
    expect(res.status).toBe(200);
    expect(client.listDagRuns).toHaveBeenCalledWith('orders_etl', {
      limit: 10,
      offset: 20,
      states: ['failed', 'running'],
    });
  });

  it.each([
    ['limit=0'],
    ['limit=101'],
    ['offset=-1'],
    ['state=exploded'],
    ['colour=red'],
  ])('answers 400 for the runs query %s', async query => {
    const { app } = await setup();
    const res = await request(app).get(`${DAG}/runs?${query}`);
    expect(res.status).toBe(400);
  });

  it('pauses and unpauses with a boolean and rejects anything else', async () => {
    const { app, client } = await setup();
    const ok = await request(app).patch(DAG).send({ isPaused: true });
    expect(ok.status).toBe(200);
    expect(ok.body.isPaused).toBe(true);
    expect(client.setDagPaused).toHaveBeenCalledWith('orders_etl', true);
    const bad = await request(app).patch(DAG).send({ isPaused: 'yes' });
    expect(bad.status).toBe(400);
    const extra = await request(app)
      .patch(DAG)
      .send({ isPaused: false, dag_id: 'x' });
    expect(extra.status).toBe(400);
    expect(client.setDagPaused).toHaveBeenCalledTimes(1);
  });

  it('clears a run, all tasks by default or only failed ones', async () => {
    const { app, client } = await setup();
    const runId = 'scheduled__2026-11-29T05:00:00+00:00';
    const all = await request(app)
      .post(`${DAG}/runs/${encodeURIComponent(runId)}/clear`)
      .send({});
    expect(all.status).toBe(200);
    expect(client.clearDagRun).toHaveBeenLastCalledWith('orders_etl', runId, {
      onlyFailed: false,
    });
    await request(app)
      .post(`${DAG}/runs/${encodeURIComponent(runId)}/clear`)
      .send({ onlyFailed: true });
    expect(client.clearDagRun).toHaveBeenLastCalledWith('orders_etl', runId, {
      onlyFailed: true,
    });
  });

  it('lists the status of every instance', async () => {
    const { app } = await setup();
    const res = await request(app).get('/instances');
    expect(res.status).toBe(200);
    expect(res.body.instances).toEqual([
      expect.objectContaining({
        name: 'local',
        status: 'healthy',
        version: '3.3.2',
      }),
    ]);
  });

  it('serves a page of the ownership view with orphans flagged and the summary', async () => {
    const { app } = await setup();
    const res = await request(app).get(
      '/ownership?limit=2&sort=dagId&order=desc',
    );
    expect(res.status).toBe(200);
    expect(res.body.summary).toEqual({
      total: 3,
      owned: 2,
      orphans: 1,
      dangling: 0,
      failing: 0,
      paused: 0,
    });
    expect(res.body).toMatchObject({ total: 3, offset: 0, limit: 2 });
    expect(res.body.dags.map((d: any) => d.dagId)).toEqual([
      'orphan',
      'orders_etl',
    ]);
    expect(res.body.dags[0].isOrphan).toBe(true);
    const orphans = await request(app).get('/ownership?orphans=true');
    expect(orphans.body.dags.map((d: any) => d.dagId)).toEqual(['orphan']);
    const owned = await request(app).get(
      '/ownership?orphans=false&owned=true&q=orders',
    );
    expect(owned.body.dags.map((d: any) => d.dagId)).toEqual(['orders_etl']);
  });

  it('answers 400 naming the parameter for a page size or sort the spec does not allow', async () => {
    const { app, client } = await setup();
    const big = await request(app).get('/ownership?limit=101');
    expect(big.status).toBe(400);
    expect(big.body.error.message).toContain('limit');
    const sort = await request(app).get('/ownership?sort=state');
    expect(sort.status).toBe(400);
    expect(client.listDags).not.toHaveBeenCalled();
  });

  it('streams the filtered DAGs as CSV, formulas neutralised', async () => {
    const { app } = await setup();
    const res = await request(app).get(
      '/ownership/export?owned=true&sort=dagId',
    );
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe(
      'attachment; filename="airflow-dags-and-owners.csv"',
    );
    const lines = res.text.replace(/^\uFEFF/, '').split('\r\n');
    expect(lines[0]).toBe(
      'instance,dag_id,display_name,owners,entities,hidden_entities,orphan,paused,last_run_state,last_run_time,schedule,tags,airflow_owners,airflow_url',
    );
    expect(lines.slice(1, -1).map(l => l.split(',')[1])).toEqual([
      'ml.feature-store-refresh',
      'orders_etl',
    ]);
    expect(lines.at(-1)).toBe('');
  });

  it('answers the index state after a refresh, and the dangling references page', async () => {
    const { app } = await setup();
    const refresh = await request(app).post('/ownership/refresh');
    expect(refresh.status).toBe(200);
    expect(refresh.body).toMatchObject({
      lastRefreshError: null,
      instances: [{ instance: 'local', dagCount: 3, error: null }],
    });
    const dangling = await request(app).get(
      '/ownership/dangling?instance=local',
    );
    expect(dangling.body).toEqual({
      total: 0,
      offset: 0,
      limit: 25,
      dangling: [],
    });
  });

  it('answers 403 for the ownership view, its export and its refresh without airflow.ownership.read', async () => {
    const { app, client } = await setup({
      deny: [airflowOwnershipReadPermission.name],
    });
    for (const path of [
      '/ownership',
      '/ownership/dangling',
      '/ownership/export',
    ]) {
      const res = await request(app).get(path);
      expect(res.status).toBe(403);
      expect(res.body.error.message).toContain('airflow.ownership.read');
    }
    const refresh = await request(app).post('/ownership/refresh');
    expect(refresh.status).toBe(403);
    expect(client.listDags).not.toHaveBeenCalled();
  });

  describe('conforms to openapi.yaml', () => {
    const E = '/entities/{kind}/{namespace}/{name}/dags';
    const D = `${E}/{instance}/{dagId}`;
    const RUN = encodeURIComponent('manual__2025-03-29T19:48:49.273773+00:00');
    const cases: Array<[string, string, string, unknown]> = [
      ['get', '/instances', '/instances', undefined],
      ['get', '/ownership', '/ownership', undefined],
      [
        'get',
        '/ownership?q=orders&mine=true&sort=lastRun&order=desc&limit=5&offset=0',
        '/ownership',
        undefined,
      ],
      [
        'get',
        '/ownership/dangling?owner=group%3Adefault%2Fa&limit=1',
        '/ownership/dangling',
        undefined,
      ],
      ['post', '/ownership/refresh', '/ownership/refresh', undefined],
      ['get', '/entities/component/default/orders/dags', E, undefined],
      ['get', DAG, D, undefined],
      ['patch', DAG, D, { isPaused: true }],
      ['get', `${DAG}/runs?limit=5`, `${D}/runs`, undefined],
      ['post', `${DAG}/runs`, `${D}/runs`, { conf: { a: 1 } }],
      ['get', `${DAG}/runs/${RUN}`, `${D}/runs/{runId}`, undefined],
      ['post', `${DAG}/runs/${RUN}/clear`, `${D}/runs/{runId}/clear`, {}],
      ['patch', `${DAG}/runs/${RUN}`, `${D}/runs/{runId}`, { state: 'failed' }],
      ['get', `${DAG}/grid?limit=3`, `${D}/grid`, undefined],
      [
        'get',
        `${DAG}/runs/${RUN}/failure`,
        `${D}/runs/{runId}/failure`,
        undefined,
      ],
      [
        'get',
        `${DAG}/runs/${RUN}/taskInstances/extract?mapIndex=2`,
        `${D}/runs/{runId}/taskInstances/{taskId}`,
        undefined,
      ],
      [
        'patch',
        `${DAG}/runs/${RUN}/taskInstances/extract`,
        `${D}/runs/{runId}/taskInstances/{taskId}`,
        { state: 'success', includeDownstream: true },
      ],
      [
        'post',
        `${DAG}/runs/${RUN}/taskInstances/extract/clear`,
        `${D}/runs/{runId}/taskInstances/{taskId}/clear`,
        { dryRun: true },
      ],
      [
        'get',
        `${DAG}/runs/${RUN}/taskInstances/extract/tries`,
        `${D}/runs/{runId}/taskInstances/{taskId}/tries`,
        undefined,
      ],
      [
        'get',
        `${DAG}/runs/${RUN}/taskInstances/extract/logs/1?tail=50`,
        `${D}/runs/{runId}/taskInstances/{taskId}/logs/{tryNumber}`,
        undefined,
      ],
      // errors
      ['get', '/entities/component/default/unknown/dags', E, undefined],
      ['post', `${DAG}/runs`, `${D}/runs`, { conf: [1] }],
      [
        'get',
        '/entities/component/default/orders/dags/local/orphan',
        D,
        undefined,
      ],
    ];

    it.each(cases)('%s %s', async (method, url, specPath, body) => {
      const { app } = await setup();
      const req = (request(app) as any)[method](url);
      const res = body === undefined ? await req : await req.send(body);
      expect(res.status).toBeLessThan(500);
      expect(specErrors(method, specPath, res.status, res.body)).toEqual([]);
    });

    it('get /ownership/export: the one answer that is not JSON, a CSV stream (text/csv in the spec)', async () => {
      const { app } = await setup();
      const res = await request(app).get('/ownership/export?failing=true');
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/csv/);
      expect(
        Object.keys(
          spec.paths['/ownership/export'].get.responses['200'].content,
        ),
      ).toEqual(['text/csv']);
    });

    const driftingInstances = async (validateResponses?: boolean) => {
      const { app, airflowService } = await setup({ validateResponses });
      jest
        .spyOn(airflowService, 'listInstances')
        .mockResolvedValue([{ name: 'local', status: 'sleepy' } as any]);
      return request(app).get('/instances');
    };

    it.each([undefined, true])(
      'with validateResponses %s, an answer outside the spec is a 500',
      async validateResponses => {
        expect((await driftingInstances(validateResponses)).status).toBe(500);
      },
    );

    it('with validateResponses false, an answer outside the spec is sent as it is', async () => {
      const res = await driftingInstances(false);
      expect(res.status).toBe(200);
      expect(res.body.instances[0].status).toBe('sleepy');
    });

    it('rejects a body that drifts from the spec (the check itself works)', () => {
      const errors = specErrors('get', '/instances', 200, {
        instances: [{ name: 'local', status: 'sleepy' }],
      });
      expect(errors.length).toBeGreaterThan(0);
      expect(
        specErrors('get', '/instances', 200, { instances: [], extra: 1 }),
      ).not.toEqual([]);
    });

    it('documents every route the router serves, and no other', () => {
      const documented = Object.entries(spec.paths).flatMap(([p, ops]) =>
        Object.keys(ops as object)
          .filter(m => m !== 'parameters')
          .map(m => `${m} ${p}`),
      );
      const exercised = [
        ...cases.map(([method, , specPath]) => `${method} ${specPath}`),
        'get /ownership/export',
      ];
      expect([...new Set(exercised)].sort()).toEqual(documented.sort());
    });
  });

  describe('task instances, logs and state changes', () => {
    const RUN_ID = 'manual__2025-03-29T19:48:49.273773+00:00';
    const RUN = `${DAG}/runs/${encodeURIComponent(RUN_ID)}`;
    const TI = `${RUN}/taskInstances/extract`;

    it('reads the tries of a mapped task instance and one page of a log with the token and offset passed on', async () => {
      const { app, client } = await setup();
      const tries = await request(app).get(`${TI}/tries?mapIndex=3`);
      expect(tries.status).toBe(200);
      expect(client.listTaskInstanceTries).toHaveBeenCalledWith(
        'orders_etl',
        RUN_ID,
        'extract',
        3,
      );
      const token = 'eyJsb2dfcG9zIjoxMH0.kP3bJ0l5Xq2c4w7b';
      const log = await request(app).get(
        `${TI}/logs/2?mapIndex=3&token=${token}&offset=40`,
      );
      expect(log.status).toBe(200);
      expect(client.readTaskLog).toHaveBeenCalledWith(
        'orders_etl',
        RUN_ID,
        'extract',
        { mapIndex: 3, tryNumber: 2, token, offset: 40, tail: undefined },
      );
    });

    it.each([
      ['mapIndex NaN', `${TI}/tries?mapIndex=NaN`, 'mapIndex'],
      ['mapIndex -2', `${TI}/tries?mapIndex=-2`, 'mapIndex'],
      [
        'mapIndex 1e3',
        `${TI}/tries?mapIndex=1e3`,
        'mapIndex must be an integer in decimal digits',
      ],
      ['mapIndex 0x10', `${TI}/logs/1?mapIndex=0x10`, 'mapIndex'],
      ['an empty mapIndex', `${TI}/tries?mapIndex=`, 'mapIndex'],
      ['mapIndex 1.5', `${TI}?mapIndex=1.5`, 'mapIndex'],
      ['try number 0', `${TI}/logs/0`, 'tryNumber'],
      ['a negative try number', `${TI}/logs/-1`, 'tryNumber'],
      ['a fractional try number', `${TI}/logs/1.5`, 'tryNumber'],
      [
        'try number 1e1',
        `${TI}/logs/1e1`,
        'tryNumber must be an integer in decimal digits',
      ],
      [
        'a task id with a space',
        `${RUN}/taskInstances/a%20b/tries`,
        'task id may contain only',
      ],
      ['a task id with a slash', `${RUN}/taskInstances/a%2Fb/tries`, 'task id'],
      ['the task id ..', `${RUN}/taskInstances/%2E%2E/tries`, 'task id'],
      [
        'a token Airflow does not issue',
        `${TI}/logs/1?token=not-a-token`,
        'token must be the nextToken',
      ],
      [
        'a token with other characters',
        `${TI}/logs/1?token=abc.de%24f`,
        'token',
      ],
      [
        'an oversized token',
        `${TI}/logs/1?token=a.${'b'.repeat(5000)}`,
        'token',
      ],
      ['a tail of 0', `${TI}/logs/1?tail=0`, 'tail'],
      ['a tail above 1000', `${TI}/logs/1?tail=1001`, 'tail'],
      ['a negative offset', `${TI}/logs/1?offset=-1`, 'offset'],
      ['a grid of 26 runs', `${DAG}/grid?limit=26`, 'limit'],
    ])(
      'answers 400 for %s before calling Airflow',
      async (_name, url, message) => {
        const { app, client } = await setup();
        const res = await request(app).get(url);
        expect(res.status).toBe(400);
        expect(res.body.error.name).toBe('InputError');
        expect(res.body.error.message).toContain(message);
        expect(client.readTaskLog).not.toHaveBeenCalled();
        expect(client.listTaskInstanceTries).not.toHaveBeenCalled();
        expect(client.getTaskInstance).not.toHaveBeenCalled();
        expect(client.listDagRuns).not.toHaveBeenCalled();
      },
    );

    it('answers 403 on logs without airflow.dag.logs.read, naming the permission, while states stay readable', async () => {
      const { app, client } = await setup({
        deny: [airflowDagLogsReadPermission.name],
      });
      const log = await request(app).get(`${TI}/logs/1`);
      expect(log.status).toBe(403);
      expect(log.body.error.message).toBe(
        'You are not allowed to read the task logs of DAGs of component:default/orders (permission airflow.dag.logs.read)',
      );
      expect(client.readTaskLog).not.toHaveBeenCalled();
      expect((await request(app).get(`${TI}/tries`)).status).toBe(200);
      expect((await request(app).get(RUN)).status).toBe(200);
    });

    it('answers 404 for the logs of a DAG the entity does not name, and of an unknown entity', async () => {
      const { app, client } = await setup();
      const notNamed = await request(app).get(
        `/entities/component/default/orders/dags/local/orphan/runs/r1/taskInstances/t/logs/1`,
      );
      expect(notNamed.status).toBe(404);
      const unknown = await request(app).get(
        `/entities/component/default/nobody/dags/local/orders_etl/runs/r1/taskInstances/t/logs/1`,
      );
      expect(unknown.status).toBe(404);
      expect(client.readTaskLog).not.toHaveBeenCalled();
    });

    it('summarizes a failure: the first failed task instance and the tail of its latest try', async () => {
      const { app, client } = await setup();
      client.listTaskInstances.mockResolvedValue([
        taskInstance('load', {
          state: 'upstream_failed',
          tryNumber: 0,
          endDate: null,
        }),
        taskInstance('transform', {
          state: 'failed',
          tryNumber: 2,
          endDate: '2026-11-29T06:00:09Z',
        }),
        taskInstance('extract', {
          state: 'failed',
          tryNumber: 1,
          endDate: '2026-11-29T06:00:04Z',
        }),
      ]);
      const res = await request(app).get(`${RUN}/failure`);
      expect(res.status).toBe(200);
      expect(res.body.failed.map((t: any) => t.taskId)).toEqual([
        'extract',
        'transform',
      ]);
      expect(res.body.upstreamFailed.map((t: any) => t.taskId)).toEqual([
        'load',
      ]);
      expect(res.body.firstFailed.taskId).toBe('extract');
      expect(res.body.log.errors).toEqual([
        { type: 'RuntimeError', message: 'boom' },
      ]);
      expect(client.readTaskLog).toHaveBeenCalledWith(
        'orders_etl',
        RUN_ID,
        'extract',
        {
          mapIndex: -1,
          tryNumber: 1,
          offset: 0,
          tail: 100,
        },
      );
    });

    it('summarizes a failure without the log for a caller who may not read logs, saying why', async () => {
      const { app, client } = await setup({
        deny: [airflowDagLogsReadPermission.name],
      });
      client.listTaskInstances.mockResolvedValue([
        taskInstance('extract', { state: 'failed' }),
      ]);
      const res = await request(app).get(`${RUN}/failure`);
      expect(res.status).toBe(200);
      expect(res.body.firstFailed.taskId).toBe('extract');
      expect(res.body.log).toBeNull();
      expect(res.body.logUnavailable).toContain('airflow.dag.logs.read');
      expect(client.readTaskLog).not.toHaveBeenCalled();
    });

    it('answers the grid of the latest runs with their task instances', async () => {
      const { app, client } = await setup();
      client.listDagRuns.mockResolvedValue({
        items: [
          await client.getDagRun('orders_etl', 'r2'),
          await client.getDagRun('orders_etl', 'r1'),
        ],
        totalEntries: 2,
      });
      const res = await request(app).get(`${DAG}/grid`);
      expect(res.status).toBe(200);
      expect(client.listDagRuns).toHaveBeenCalledWith('orders_etl', {
        limit: 10,
        offset: 0,
      });
      expect(client.listTaskInstancesOfRuns).toHaveBeenCalledWith(
        'orders_etl',
        ['r2', 'r1'],
      );
      expect(res.body.taskIds).toEqual(['extract']);
      expect(res.body.runs.map((r: any) => r.run.runId)).toEqual(['r2', 'r1']);
    });

    it('stops a run (marks it failed), marks a task instance with its downstream tasks and previews a clear, each audited', async () => {
      const { app, client, events } = await setup();
      const stop = await request(app).patch(RUN).send({ state: 'failed' });
      expect(stop.status).toBe(200);
      expect(client.setDagRunState).toHaveBeenCalledWith(
        'orders_etl',
        RUN_ID,
        'failed',
      );
      const mark = await request(app)
        .patch(`${TI}?mapIndex=1`)
        .send({ state: 'success', includeDownstream: true });
      expect(mark.status).toBe(200);
      expect(client.setTaskInstanceState).toHaveBeenCalledWith(
        'orders_etl',
        RUN_ID,
        'extract',
        {
          mapIndex: 1,
          state: 'success',
          includeUpstream: false,
          includeDownstream: true,
        },
      );
      const preview = await request(app)
        .post(`${TI}/clear`)
        .send({ dryRun: true, onlyFailed: true });
      expect(preview.status).toBe(200);
      expect(preview.body.dryRun).toBe(true);
      expect(client.clearTaskInstance).toHaveBeenCalledWith(
        'orders_etl',
        RUN_ID,
        'extract',
        {
          mapIndex: -1,
          dryRun: true,
          onlyFailed: true,
          includeUpstream: false,
          includeDownstream: false,
        },
      );
      expect(events.map(e => [e.eventId, e.outcome, e.meta.runId])).toEqual([
        ['dag-run-set-state', 'success', RUN_ID],
        ['task-instance-set-state', 'success', RUN_ID],
        ['task-instance-clear', 'success', RUN_ID],
      ]);
      expect(events[1].meta).toMatchObject({
        taskId: 'extract',
        mapIndex: 1,
        state: 'success',
      });
      expect(events[2].meta).toMatchObject({ dryRun: true });
    });

    it('answers 501 with the typed error when the Airflow version lacks the feature, audited as failed', async () => {
      const { app, client, events } = await setup();
      client.setTaskInstanceState.mockRejectedValueOnce(
        new AirflowNotSupportedError(
          "Airflow 2's API marks a mapped task instance without its upstream or downstream tasks (Airflow instance 'local')",
        ),
      );
      const res = await request(app)
        .patch(`${TI}?mapIndex=1`)
        .send({ state: 'failed', includeDownstream: true });
      expect(res.status).toBe(501);
      expect(res.body.error.name).toBe('AirflowNotSupportedError');
      expect(res.body.error.message).toContain("Airflow instance 'local'");
      expect(
        specErrors(
          'patch',
          '/entities/{kind}/{namespace}/{name}/dags/{instance}/{dagId}/runs/{runId}/taskInstances/{taskId}',
          501,
          res.body,
        ),
      ).toEqual([]);
      expect(events.map(e => [e.eventId, e.outcome])).toEqual([
        ['task-instance-set-state', 'fail'],
      ]);
    });

    it.each([
      [
        'stopping a run',
        'patch',
        RUN,
        { state: 'failed' },
        airflowDagStateUpdatePermission.name,
        'dag-run-set-state',
      ],
      [
        'marking a task instance',
        'patch',
        TI,
        { state: 'failed' },
        airflowDagStateUpdatePermission.name,
        'task-instance-set-state',
      ],
      [
        'clearing a task instance',
        'post',
        `${TI}/clear`,
        { dryRun: false },
        airflowDagClearPermission.name,
        'task-instance-clear',
      ],
    ])(
      'answers 403 for %s without the permission, audited as denied',
      async (_name, method, url, body, permission, eventId) => {
        const { app, client, events } = await setup({ deny: [permission] });
        const res = await (request(app) as any)[method](url).send(body);
        expect(res.status).toBe(403);
        expect(res.body.error.message).toContain(`(permission ${permission})`);
        expect(client.setDagRunState).not.toHaveBeenCalled();
        expect(client.setTaskInstanceState).not.toHaveBeenCalled();
        expect(client.clearTaskInstance).not.toHaveBeenCalled();
        expect(
          events.map(e => [e.eventId, e.outcome, e.outcomeMeta?.outcome]),
        ).toEqual([[eventId, 'fail', 'denied']]);
      },
    );

    it.each([
      [
        'a run state Airflow cannot be marked with',
        'patch',
        RUN,
        { state: 'running' },
        'state must be equal to one of the allowed values: success, failed',
      ],
      [
        'a clear without dryRun',
        'post',
        `${TI}/clear`,
        { onlyFailed: true },
        'dryRun',
      ],
      [
        'an unknown field',
        'patch',
        TI,
        { state: 'failed', includePast: true },
        "unknown field 'includePast'",
      ],
      [
        'a task instance state with a string flag',
        'patch',
        TI,
        { state: 'failed', includeDownstream: 'yes' },
        'includeDownstream',
      ],
    ])(
      'answers 400 for %s and audits the refused write',
      async (_name, method, url, body, message) => {
        const { app, client, events } = await setup();
        const res = await (request(app) as any)[method](url).send(body);
        expect(res.status).toBe(400);
        expect(res.body.error.message).toContain(message);
        expect(client.setDagRunState).not.toHaveBeenCalled();
        expect(client.setTaskInstanceState).not.toHaveBeenCalled();
        expect(client.clearTaskInstance).not.toHaveBeenCalled();
        expect(events).toHaveLength(1);
        expect(events[0]).toMatchObject({
          outcome: 'fail',
          outcomeMeta: { outcome: 'failed', refusedBeforeHandler: true },
        });
      },
    );
  });

  describe('writes refused before their handler are audited', () => {
    it.each([
      [
        'a trigger for a malformed entity name',
        'post',
        '/entities/component/default/or%24ders/dags/local/orders_etl/runs',
        { conf: {} },
        'dag-trigger',
        { entityRef: 'component:default/or$ders', dagId: 'orders_etl' },
      ],
      [
        'a trigger for a malformed DAG id',
        'post',
        "/entities/component/default/orders/dags/local/a'b/runs",
        { conf: {} },
        'dag-trigger',
        { dagId: "a'b", instance: 'local' },
      ],
      [
        'a pause with a non-boolean',
        'patch',
        DAG,
        { isPaused: 'yes' },
        'dag-pause',
        { dagId: 'orders_etl' },
      ],
      [
        'an unpause with an extra field',
        'patch',
        DAG,
        { isPaused: false, x: 1 },
        'dag-unpause',
        { dagId: 'orders_etl' },
      ],
      [
        'a clear of a run id outside the pattern',
        'post',
        `${DAG}/runs/${encodeURIComponent('run id with spaces')}/clear`,
        {},
        'dag-run-clear',
        { runId: 'run id with spaces' },
      ],
      [
        'a trigger with a body too large',
        'post',
        `${DAG}/runs`,
        { conf: { blob: 'x'.repeat(70 * 1024) } },
        'dag-trigger',
        {},
      ],
    ])('%s', async (_name, method, url, body, eventId, meta) => {
      const { app, client, events } = await setup();
      const res = await (request(app) as any)[method](url).send(body);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(client.triggerDagRun).not.toHaveBeenCalled();
      expect(client.setDagPaused).not.toHaveBeenCalled();
      expect(client.clearDagRun).not.toHaveBeenCalled();
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        eventId,
        outcome: 'fail',
        meta,
        outcomeMeta: { outcome: 'failed', refusedBeforeHandler: true },
      });
    });

    it('a write refused as not JSON is audited; a read refused as invalid is not', async () => {
      const { app, events } = await setup();
      await request(app)
        .post(`${DAG}/runs`)
        .set('Content-Type', 'text/plain')
        .send('garbage');
      await request(app).get(`${DAG}/runs?limit=0`);
      expect(events.map(e => e.eventId)).toEqual(['dag-trigger']);
    });

    it('a write by a service principal (403 before the service) is audited as denied', async () => {
      const { app, events } = await setup();
      await request(app)
        .patch(DAG)
        .set('Authorization', mockCredentials.service.header())
        .send({ isPaused: true });
      expect(events.map(e => [e.eventId, e.outcomeMeta?.outcome])).toEqual([
        ['dag-pause', 'denied'],
      ]);
    });
  });
});
