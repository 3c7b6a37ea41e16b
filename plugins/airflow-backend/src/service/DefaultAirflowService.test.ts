import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  airflowDagReadPermission,
  airflowDagTriggerPermission,
} from '@airflow-for-backstage/backstage-plugin-airflow-common';
import { ServiceUnavailableError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  component,
  permissionsDenying,
  dag,
  fakeClient,
  memoryCache,
  recordingAuditor,
} from '../__testUtils__/fakes';
import { createAirflowServices } from './createServices';
import { OwnershipStore } from './ownership/OwnershipStore';

const entities = [
  component('orders', {
    'airflow.apache.org/dag-ids': 'orders_etl, nightly_vacuum',
  }),
  component(
    'reports',
    { 'airflow.apache.org/dag-tags': 'analytics' },
    'group:default/analytics',
  ),
  component('elsewhere', { 'airflow.apache.org/dag-ids': 'prod:billing' }),
  component('broken', { 'airflow.apache.org/dag-ids': 'bad/id' }),
];

const dags = [
  dag('orders_etl', { tags: ['etl'] }),
  dag('sales_report', { tags: ['analytics', 'reporting'] }),
  dag('attribution', { tags: ['analytics'] }),
  dag('orphan'),
];

/** The service over fake clients (default: one instance `local` with `dags`) and a catalog of `entities`. */
function setup(
  options: {
    deny?: string[];
    clients?: ReturnType<typeof fakeClient>[];
    entities?: typeof entities;
    cacheTtlMs?: number;
    permissions?: ReturnType<typeof permissionsDenying>;
  } = {},
) {
  const clients = options.clients ?? [fakeClient(dags)];
  const client = clients[0];
  const cache = memoryCache();
  const { audit, events } = recordingAuditor();
  const permissions = options.permissions ?? permissionsDenying(options.deny);
  const catalog = catalogServiceMock({
    entities: options.entities ?? entities,
  });
  jest.spyOn(catalog, 'getEntityByRef');
  const { airflowService: service } = createAirflowServices({
    config: {
      instances: clients.map(c => c.config),
      cacheTtlMs: options.cacheTtlMs ?? 30_000,
      recentRunsLimit: 5,
      ownershipRefreshMinutes: 10,
      validateResponses: true,
    },
    clients,
    catalog,
    permissions,
    auth: mockServices.auth(),
    userInfo: mockServices.userInfo(),
    cache,
    // Not used by the entity routes: the ownership index's store, never opened.
    ownershipStore: new OwnershipStore(undefined as never),
    logger: mockServices.logger.mock(),
  });
  return { service, client, cache, events, permissions, audit, catalog };
}

const credentials = mockCredentials.user('user:default/alice');
const ref = (name: string) => ({
  kind: 'component',
  namespace: 'default',
  name,
});

describe('DefaultAirflowService', () => {
  it('lists the DAGs named by id, reports ids Airflow lacks as missing, and attaches recent runs', async () => {
    const { service, client } = setup();
    const result = await service.listEntityDags({
      entityRef: ref('orders'),
      credentials,
    });
    expect(result.entityRef).toBe('component:default/orders');
    expect(result.dags.map(d => d.dagId)).toEqual(['orders_etl']);
    expect(result.dags[0].recentRuns.map(r => r.runId)).toEqual([
      'scheduled__orders_etl',
    ]);
    expect(result.missing).toEqual([
      { instance: 'local', dagId: 'nightly_vacuum' },
    ]);
    expect(result.errors).toEqual([]);
    // The ids come from the annotation: their runs are asked for at the same
    // time as the DAGs, in one batch (a missing DAG simply has none).
    expect(client.listRecentDagRuns).toHaveBeenCalledTimes(1);
    expect(client.listRecentDagRuns).toHaveBeenCalledWith(
      ['orders_etl', 'nightly_vacuum'],
      5,
    );
    // Named DAGs are read by id, never by listing the instance.
    expect(client.getDags).toHaveBeenCalledWith([
      'orders_etl',
      'nightly_vacuum',
    ]);
    expect(client.listDags).not.toHaveBeenCalled();
  });

  it('shares the health of an instance for a few seconds: many portal requests, one health check', async () => {
    const { service, client } = setup();
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => service.listInstances()),
    );
    await service.listInstances();
    expect(answers[0][0].status).toBe('healthy');
    expect(client.getStatus).toHaveBeenCalledTimes(1);
  });

  it("reuses a user's view of the entity for a few seconds but asks for the permission on every request", async () => {
    const { service, catalog, permissions } = setup();
    await service.listEntityDags({ entityRef: ref('orders'), credentials });
    await service.listEntityDags({ entityRef: ref('orders'), credentials });
    expect(catalog.getEntityByRef).toHaveBeenCalledTimes(1);
    expect(permissions.authorize).toHaveBeenCalledTimes(2);
    // Another user gets their own view.
    await service.listEntityDags({
      entityRef: ref('orders'),
      credentials: mockCredentials.user('user:default/bob'),
    });
    expect(catalog.getEntityByRef).toHaveBeenCalledTimes(2);
  });

  it('selects every DAG carrying one of the annotated tags', async () => {
    const { service } = setup();
    const result = await service.listEntityDags({
      entityRef: ref('reports'),
      credentials,
    });
    expect(result.dags.map(d => d.dagId)).toEqual([
      'attribution',
      'sales_report',
    ]);
  });

  it('costs one batch call for runs regardless of how many DAGs the entity has', async () => {
    const { service, client } = setup();
    await service.listEntityDags({ entityRef: ref('reports'), credentials });
    // One list filtered by the tag set, never the whole instance.
    expect(client.listDags.mock.calls).toEqual([[{ tags: ['analytics'] }]]);
    expect(client.listRecentDagRuns).toHaveBeenCalledTimes(1);
    expect(client.listRecentDagRuns.mock.calls[0][0].sort()).toEqual([
      'attribution',
      'sales_report',
    ]);
  });

  it('serves a repeated read from the cache without calling Airflow', async () => {
    const { service, client } = setup();
    await service.listEntityDags({ entityRef: ref('reports'), credentials });
    await service.listEntityDags({ entityRef: ref('reports'), credentials });
    expect(client.listDags).toHaveBeenCalledTimes(1);
    expect(client.listRecentDagRuns).toHaveBeenCalledTimes(1);
  });

  it('invalidates the cached runs of a DAG it triggers, and only those', async () => {
    const { audit, service, client } = setup();
    await service.listEntityDags({ entityRef: ref('reports'), credentials });
    await service.triggerDagRun({
      audit,
      entityRef: ref('reports'),
      credentials,
      instance: 'local',
      dagId: 'sales_report',
      conf: {},
    });
    await service.listEntityDags({ entityRef: ref('reports'), credentials });
    expect(client.listRecentDagRuns).toHaveBeenCalledTimes(2);
    expect(client.listRecentDagRuns.mock.calls[1][0]).toEqual(['sales_report']);
  });

  it('invalidates the cached DAG when it pauses it, and only that one', async () => {
    const { audit, service, client } = setup();
    await service.listEntityDags({ entityRef: ref('orders'), credentials });
    await service.setDagPaused({
      audit,
      entityRef: ref('orders'),
      credentials,
      instance: 'local',
      dagId: 'orders_etl',
      isPaused: true,
    });
    await service.listEntityDags({ entityRef: ref('orders'), credentials });
    expect(client.setDagPaused).toHaveBeenCalledWith('orders_etl', true);
    expect(client.getDags.mock.calls).toEqual([
      [['orders_etl', 'nightly_vacuum']],
      [['orders_etl']],
    ]);
  });

  it('reports an unknown instance named by an annotation instead of failing the page', async () => {
    const { service } = setup();
    const result = await service.listEntityDags({
      entityRef: ref('elsewhere'),
      credentials,
    });
    expect(result.dags).toEqual([]);
    expect(result.errors).toEqual([
      expect.objectContaining({
        instance: 'prod',
        status: 404,
        name: 'NotFoundError',
      }),
    ]);
    expect(result.errors[0].message).toContain(
      "Unknown Airflow instance 'prod'",
    );
  });

  it('reports an instance that is down as a 503 entry with its message', async () => {
    const { service, client } = setup();
    client.getDags.mockRejectedValue(
      new ServiceUnavailableError(
        "Airflow instance 'local' is unreachable: connect ECONNREFUSED",
      ),
    );
    const result = await service.listEntityDags({
      entityRef: ref('orders'),
      credentials,
    });
    expect(result.errors).toEqual([
      {
        instance: 'local',
        status: 503,
        name: 'ServiceUnavailableError',
        message:
          "Airflow instance 'local' is unreachable: connect ECONNREFUSED",
      },
    ]);
  });

  it('still lists the DAGs of an instance whose latest runs fail, with the runs marked unavailable', async () => {
    const { service, client } = setup();
    client.listRecentDagRuns.mockRejectedValue(
      new ServiceUnavailableError(
        "Airflow instance 'local' failed on POST /dags/~/dagRuns/list with status 500",
      ),
    );
    const result = await service.listEntityDags({
      entityRef: ref('reports'),
      credentials,
    });
    expect(result.dags.map(d => d.dagId)).toEqual([
      'attribution',
      'sales_report',
    ]);
    expect(result.dags.map(d => d.recentRuns)).toEqual([[], []]);
    expect(result.errors).toEqual([
      {
        instance: 'local',
        status: 503,
        name: 'ServiceUnavailableError',
        message:
          "Airflow instance 'local' failed on POST /dags/~/dagRuns/list with status 500",
        scope: 'runs',
      },
    ]);
  });

  it('does not hold the page for a hanging instance: past its page deadline it is an error, the other instance answers', async () => {
    const healthy = fakeClient(dags, 'local');
    const hanging = fakeClient([dag('billing')], 'prod');
    hanging.config.pageTimeoutMs = 30;
    let release: () => void = () => {};
    const gate = new Promise<void>(resolve => {
      release = resolve;
    });
    hanging.getDags.mockImplementation(async () => {
      await gate;
      return [dag('billing')];
    });
    const { service } = setup({
      clients: [healthy, hanging],
      entities: [
        component('both', {
          'airflow.apache.org/dag-ids': 'orders_etl, prod:billing',
        }),
      ],
    });
    const result = await service.listEntityDags({
      entityRef: ref('both'),
      credentials,
    });
    expect(result.dags.map(d => `${d.instance}:${d.dagId}`)).toEqual([
      'local:orders_etl',
    ]);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatchObject({
      instance: 'prod',
      status: 503,
      name: 'ServiceUnavailableError',
    });
    expect(result.errors[0].message).toContain('did not answer within 30 ms');
    // The late answer does not change the answer already given.
    release();
    await new Promise(resolve => setImmediate(resolve));
    expect(result.dags).toHaveLength(1);
  });

  it('answers 404 for an entity the catalog does not return', async () => {
    const { service, client } = setup();
    await expect(
      service.listEntityDags({ entityRef: ref('nope'), credentials }),
    ).rejects.toMatchObject({
      name: 'NotFoundError',
      message: 'Entity component:default/nope not found',
    });
    expect(client.listDags).not.toHaveBeenCalled();
    expect(client.getDags).not.toHaveBeenCalled();
  });

  it('answers 400 for an entity with a malformed annotation', async () => {
    const { service } = setup();
    await expect(
      service.listEntityDags({ entityRef: ref('broken'), credentials }),
    ).rejects.toMatchObject({ name: 'InputError' });
  });

  it('refuses to read when the read permission is denied, before calling Airflow', async () => {
    const { service, client } = setup({
      deny: [airflowDagReadPermission.name],
    });
    await expect(
      service.listEntityDags({ entityRef: ref('orders'), credentials }),
    ).rejects.toMatchObject({ name: 'NotAllowedError' });
    expect(client.listDags).not.toHaveBeenCalled();
  });

  describe('a read by a user allowed it lately', () => {
    /** Permissions whose decisions the test hands out one at a time. */
    function decidedByHand() {
      const pending: Array<(result: AuthorizeResult) => void> = [];
      const permissions = mockServices.permissions.mock({
        authorize: jest.fn(
          (requests: unknown[]) =>
            new Promise(resolve =>
              pending.push(result => resolve(requests.map(() => ({ result })))),
            ),
        ) as any,
      });
      const decide = async (result: AuthorizeResult) => {
        await until(() => pending.length > 0);
        pending.shift()!(result);
      };
      return { permissions, decide };
    }
    /** Waits (a bounded number of event-loop turns) for `check` to hold. */
    async function until(check: () => boolean) {
      for (let i = 0; i < 50 && !check(); i++) {
        await new Promise(r => setImmediate(r));
      }
      return check();
    }

    /** Alice reads the orders entity once, allowed: later reads of hers may start early. */
    async function readAllowed(
      service: ReturnType<typeof setup>['service'],
      decide: (result: AuthorizeResult) => Promise<void>,
    ) {
      const read = service.listEntityDags({
        entityRef: ref('orders'),
        credentials,
      });
      await decide(AuthorizeResult.ALLOW);
      await read;
    }

    it('calls Airflow only after the decision on a first read', async () => {
      const { permissions, decide } = decidedByHand();
      const { service, client } = setup({ permissions, cacheTtlMs: 0 });
      const read = service.listEntityDags({
        entityRef: ref('orders'),
        credentials,
      });
      await until(() => client.getDags.mock.calls.length > 0);
      expect(client.getDags).not.toHaveBeenCalled();
      await decide(AuthorizeResult.ALLOW);
      await expect(read).resolves.toMatchObject({
        entityRef: 'component:default/orders',
      });
      expect(client.getDags).toHaveBeenCalledTimes(1);
    });

    it('starts the Airflow calls while the decision is asked, and answers only once it allows', async () => {
      const { permissions, decide } = decidedByHand();
      const { service, client } = setup({ permissions, cacheTtlMs: 0 });
      await readAllowed(service, decide);
      let answered = false;
      const second = service
        .listEntityDags({ entityRef: ref('orders'), credentials })
        .then(answer => {
          answered = true;
          return answer;
        });
      expect(await until(() => client.getDags.mock.calls.length === 2)).toBe(
        true,
      );
      expect(client.listRecentDagRuns).toHaveBeenCalledTimes(2);
      await until(() => answered);
      expect(answered).toBe(false);
      await decide(AuthorizeResult.ALLOW);
      const answer = await second;
      expect(answer.dags.map(d => d.dagId)).toEqual(['orders_etl']);
      expect(answer.missing).toEqual([
        { instance: 'local', dagId: 'nightly_vacuum' },
      ]);
    });

    it('answers 403 when the policy now denies, and the next read waits for its decision again', async () => {
      const { permissions, decide } = decidedByHand();
      const { service, client } = setup({ permissions, cacheTtlMs: 0 });
      const read = () =>
        service.listEntityDags({ entityRef: ref('orders'), credentials });
      await readAllowed(service, decide);
      const denied = read();
      await decide(AuthorizeResult.DENY);
      await expect(denied).rejects.toMatchObject({
        name: 'NotAllowedError',
        message: expect.stringContaining('airflow.dag.read'),
      });
      const callsAfterDenial = client.getDags.mock.calls.length;
      const third = read();
      await until(() => client.getDags.mock.calls.length > callsAfterDenial);
      expect(client.getDags).toHaveBeenCalledTimes(callsAfterDenial);
      await decide(AuthorizeResult.ALLOW);
      await third;
      expect(client.getDags).toHaveBeenCalledTimes(callsAfterDenial + 1);
    });

    it('does not start early for another user, nor for another entity', async () => {
      const { permissions, decide } = decidedByHand();
      const { service, client } = setup({ permissions, cacheTtlMs: 0 });
      await readAllowed(service, decide);
      const bob = service.listEntityDags({
        entityRef: ref('orders'),
        credentials: mockCredentials.user('user:default/bob'),
      });
      await until(() => client.getDags.mock.calls.length > 1);
      expect(client.getDags).toHaveBeenCalledTimes(1);
      await decide(AuthorizeResult.ALLOW);
      await bob;
      const other = service.listEntityDags({
        entityRef: ref('elsewhere'),
        credentials,
      });
      await until(() => client.listRecentDagRuns.mock.calls.length > 2);
      expect(client.listRecentDagRuns).toHaveBeenCalledTimes(2);
      await decide(AuthorizeResult.ALLOW);
      await other;
    });
  });

  it('checks permissions with the entity ref as the resource ref', async () => {
    const { audit, service, permissions } = setup();
    await service.triggerDagRun({
      audit,
      entityRef: ref('orders'),
      credentials,
      instance: 'local',
      dagId: 'orders_etl',
      conf: {},
    });
    expect(permissions.authorize).toHaveBeenCalledWith(
      [
        {
          permission: airflowDagTriggerPermission,
          resourceRef: 'component:default/orders',
        },
      ],
      { credentials },
    );
  });

  it('denies a trigger without calling Airflow and audits the denial', async () => {
    const { audit, service, client, events } = setup({
      deny: [airflowDagTriggerPermission.name],
    });
    await expect(
      service.triggerDagRun({
        audit,
        entityRef: ref('orders'),
        credentials,
        instance: 'local',
        dagId: 'orders_etl',
        conf: {},
      }),
    ).rejects.toMatchObject({ name: 'NotAllowedError' });
    expect(client.triggerDagRun).not.toHaveBeenCalled();
    expect(client.listDags).not.toHaveBeenCalled();
    expect(events).toEqual([
      expect.objectContaining({
        eventId: 'dag-trigger',
        meta: {
          actor: 'user:default/alice',
          entityRef: 'component:default/orders',
          instance: 'local',
          dagId: 'orders_etl',
          confKeys: [],
        },
        outcome: 'fail',
        outcomeMeta: { outcome: 'denied' },
      }),
    ]);
  });

  it('records the Backstage user in the run note and audits the run id', async () => {
    const { audit, service, client, events } = setup();
    const created = await service.triggerDagRun({
      audit,
      entityRef: ref('orders'),
      credentials,
      instance: 'local',
      dagId: 'orders_etl',
      conf: { region: 'emea' },
      note: 'backfill check',
    });
    expect(client.triggerDagRun).toHaveBeenCalledWith('orders_etl', {
      conf: { region: 'emea' },
      logicalDate: undefined,
      note: 'Triggered from Backstage by user:default/alice: backfill check',
    });
    expect(created.runId).toBe('backstage__new');
    expect(events[0]).toMatchObject({
      eventId: 'dag-trigger',
      outcome: 'success',
      outcomeMeta: { outcome: 'succeeded', runId: 'backstage__new' },
    });
  });

  it('says whether the DAG is paused, as Airflow reports it right after the trigger', async () => {
    const { audit, service, client, events } = setup();
    client.getDag.mockResolvedValueOnce(dag('orders_etl', { isPaused: true }));
    const created = await service.triggerDagRun({
      audit,
      entityRef: ref('orders'),
      credentials,
      instance: 'local',
      dagId: 'orders_etl',
      conf: {},
      runId: 'my_run',
    });
    expect(created.dagIsPaused).toBe(true);
    expect(client.getDag).toHaveBeenCalledWith('orders_etl');
    expect(client.getDag.mock.invocationCallOrder[0]).toBeGreaterThan(
      client.triggerDagRun.mock.invocationCallOrder[0],
    );
    expect(client.triggerDagRun).toHaveBeenCalledWith(
      'orders_etl',
      expect.objectContaining({ runId: 'my_run' }),
    );
    expect(events[0]).toMatchObject({
      eventId: 'dag-trigger',
      meta: expect.objectContaining({ requestedRunId: 'my_run' }),
      outcomeMeta: { outcome: 'succeeded', dagIsPaused: true },
    });
  });

  it('still answers the created run when Airflow cannot say whether the DAG is paused', async () => {
    const { audit, service, client } = setup();
    client.getDag.mockRejectedValueOnce(new Error('Airflow is busy'));
    const created = await service.triggerDagRun({
      audit,
      entityRef: ref('orders'),
      credentials,
      instance: 'local',
      dagId: 'orders_etl',
      conf: {},
    });
    expect(created.runId).toBe('backstage__new');
    expect(created.dagIsPaused).toBeNull();
  });

  it('answers 404 for a DAG the entity does not name, whatever the caller guesses', async () => {
    const { audit, service, client } = setup();
    await expect(
      service.triggerDagRun({
        audit,
        entityRef: ref('orders'),
        credentials,
        instance: 'local',
        dagId: 'orphan',
        conf: {},
      }),
    ).rejects.toMatchObject({ name: 'NotFoundError' });
    await expect(
      service.listDagRuns({
        entityRef: ref('reports'),
        credentials,
        instance: 'local',
        dagId: 'orders_etl',
        limit: 10,
        offset: 0,
      }),
    ).rejects.toMatchObject({ name: 'NotFoundError' });
    expect(client.triggerDagRun).not.toHaveBeenCalled();
    expect(client.listDagRuns).not.toHaveBeenCalled();
  });

  it('reaches a DAG selected by tag', async () => {
    const { audit, service, client } = setup();
    await service.clearDagRun({
      audit,
      entityRef: ref('reports'),
      credentials,
      instance: 'local',
      dagId: 'sales_report',
      runId: 'manual__2026-11-29T06:00:00+00:00',
      onlyFailed: true,
    });
    expect(client.clearDagRun).toHaveBeenCalledWith(
      'sales_report',
      'manual__2026-11-29T06:00:00+00:00',
      { onlyFailed: true },
    );
  });

  it('audits a failed Airflow call with outcome failed', async () => {
    const { audit, service, client, events } = setup();
    client.setDagPaused.mockRejectedValue(
      new ServiceUnavailableError('Airflow down'),
    );
    await expect(
      service.setDagPaused({
        audit,
        entityRef: ref('orders'),
        credentials,
        instance: 'local',
        dagId: 'orders_etl',
        isPaused: false,
      }),
    ).rejects.toMatchObject({ name: 'ServiceUnavailableError' });
    expect(events[0]).toMatchObject({
      eventId: 'dag-unpause',
      outcome: 'fail',
      outcomeMeta: { outcome: 'failed' },
    });
  });

  it("caps the run note at 1000 characters, the length of Airflow's note column", async () => {
    const { audit, service, client } = setup();
    await service.triggerDagRun({
      audit,
      entityRef: ref('orders'),
      credentials,
      instance: 'local',
      dagId: 'orders_etl',
      conf: {},
      note: 'n'.repeat(990),
    });
    const note = client.triggerDagRun.mock.calls[0][1].note!;
    expect(note).toHaveLength(1000);
    expect(
      note.startsWith('Triggered from Backstage by user:default/alice: nnn'),
    ).toBe(true);
    expect(note.endsWith('…')).toBe(true);
  });

  it('shares one Airflow call among concurrent cache misses', async () => {
    const { service, client } = setup();
    await Promise.all(
      Array.from({ length: 20 }, () =>
        service.listEntityDags({ entityRef: ref('reports'), credentials }),
      ),
    );
    expect(client.listDags).toHaveBeenCalledTimes(1);
    expect(client.listRecentDagRuns).toHaveBeenCalledTimes(1);
  });

  it('audits a trigger with the conf keys, logical date and note', async () => {
    const { audit, service, events } = setup();
    await service.triggerDagRun({
      audit,
      entityRef: ref('orders'),
      credentials,
      instance: 'local',
      dagId: 'orders_etl',
      conf: { region: 'emea', top_n: 3 },
      logicalDate: '2026-11-29T06:00:00Z',
      note: 'why',
    });
    expect(events[0].meta).toMatchObject({
      confKeys: ['region', 'top_n'],
      logicalDate: '2026-11-29T06:00:00Z',
      note: 'why',
    });
  });
});
