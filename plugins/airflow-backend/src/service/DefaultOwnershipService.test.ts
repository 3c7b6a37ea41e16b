import type { PermissionsService } from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import type { AirflowDagRun } from '@airflow-for-backstage/backstage-plugin-airflow-common';
import { ServiceUnavailableError } from '@backstage/errors';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { component, dag, fakeClient, run } from '../__testUtils__/fakes';
import { TEST_DATABASES, type TestDatabase } from '../__testUtils__/databases';
import {
  DefaultOwnershipService,
  INDEX_STATE_REUSE_MS,
} from './DefaultOwnershipService';

const owned = (e: Entity, owner: string): Entity => ({
  ...e,
  relations: [{ type: 'ownedBy', targetRef: owner }],
});

const group = (name: string, parent?: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name, namespace: 'default' },
  spec: { type: 'team', children: [] },
  relations: parent
    ? [{ type: 'childOf', targetRef: `group:default/${parent}` }]
    : [],
});

const entities: Entity[] = [
  owned(
    component('orders', {
      'airflow.apache.org/dag-ids': 'orders_etl, nightly_vacuum',
    }),
    'group:default/data-engineering',
  ),
  owned(
    component('payments', {
      'airflow.apache.org/dag-ids': 'payments_reconciliation',
    }),
    'group:default/data-engineering',
  ),
  owned(
    component(
      'finance',
      { 'airflow.apache.org/dag-ids': 'payments_reconciliation' },
      'group:default/analytics',
    ),
    'group:default/analytics',
  ),
  owned(
    component(
      'reports',
      { 'airflow.apache.org/dag-tags': 'analytics' },
      'group:default/analytics',
    ),
    'group:default/analytics',
  ),
  owned(
    component('secret', {
      'airflow.apache.org/dag-ids': 'secret_dag, prod:billing',
    }),
    'group:default/security',
  ),
  // spec.owner only, no relations yet
  component(
    'features',
    { 'airflow.apache.org/dag-ids': 'ml.feature-store-refresh' },
    'ml-platform',
  ),
  // data is the parent of data-engineering and analytics; security has no parent.
  group('data'),
  group('data-engineering', 'data'),
  group('analytics', 'data'),
  group('security'),
];

const dags = [
  dag('orders_etl', { tags: ['etl'], displayName: 'Orders ETL' }),
  dag('payments_reconciliation'),
  dag('sales_report', { tags: ['analytics'], isPaused: true }),
  dag('attribution', { tags: ['analytics'] }),
  dag('secret_dag'),
  dag('ml.feature-store-refresh'),
  dag('orphan_temp_export', { owners: ['someone=cmd'] }),
];

/** Latest runs: text order of the states differs from time order. */
const LAST_RUNS: Record<string, Partial<AirflowDagRun> | null> = {
  payments_reconciliation: { state: 'failed', endDate: '2026-11-29T08:00:00Z' },
  orders_etl: { state: 'success', endDate: '2026-11-29T09:00:00Z' },
  sales_report: {
    state: 'running',
    endDate: null,
    startDate: '2026-11-29T10:00:00Z',
  },
  attribution: {
    state: 'queued',
    endDate: null,
    startDate: null,
    runAfter: '2026-11-28T01:00:00Z',
  },
  secret_dag: { state: 'success', endDate: '2026-11-27T00:00:00Z' },
  'ml.feature-store-refresh': {
    state: 'success',
    endDate: '2026-11-29T07:00:00Z',
  },
  orphan_temp_export: null,
};

describe.each(TEST_DATABASES)('OwnershipService on $name', database => {
  let testDb: TestDatabase;
  beforeEach(async () => {
    testDb = await database.create();
  });
  afterEach(async () => {
    await testDb.destroy();
  });

  function setup(
    options: {
      hidden?: string[];
      denyView?: boolean;
      ownershipEntityRefs?: string[];
      permissions?: PermissionsService;
    } = {},
  ) {
    const client = fakeClient(dags);
    client.listRecentDagRuns.mockImplementation(async ids => {
      return new Map(
        ids.map(id => {
          const last = LAST_RUNS[id];
          return [id, last === null ? [] : [run(id, 'r1', last ?? {})]];
        }),
      );
    });
    const base = catalogServiceMock({ entities });
    const getEntitiesByRefs = jest.fn(
      async (request: { entityRefs: string[] }) => ({
        items: request.entityRefs.map(ref =>
          options.hidden?.includes(ref) ? null : ({ kind: 'Component' } as any),
        ),
      }),
    );
    const catalog = Object.assign(
      Object.create(Object.getPrototypeOf(base)),
      base,
      { getEntities: jest.fn(base.getEntities.bind(base)), getEntitiesByRefs },
    );
    const service = new DefaultOwnershipService({
      clients: [client],
      catalog,
      auth: mockServices.auth(),
      permissions:
        options.permissions ??
        mockServices.permissions({
          result: options.denyView
            ? AuthorizeResult.DENY
            : AuthorizeResult.ALLOW,
        }),
      userInfo: mockServices.userInfo({
        ownershipEntityRefs: options.ownershipEntityRefs ?? [
          'user:default/guest',
        ],
      }),
      store: testDb.store,
      logger: mockServices.logger.mock(),
    });
    return { service, client, catalog, getEntitiesByRefs };
  }

  const credentials = mockCredentials.user('user:default/guest');
  const all = { limit: 100 };
  const ids = (page: { dags: { dagId: string }[] }) =>
    page.dags.map(d => d.dagId);
  const find = (page: any, dagId: string) =>
    page.dags.find((d: any) => d.dagId === dagId);

  it('flags DAGs that no entity names as orphans', async () => {
    const { service } = setup();
    const page = await service.getPage(credentials, { orphans: true });
    expect(ids(page)).toEqual(['orphan_temp_export']);
    expect(page.dags[0]).toMatchObject({
      entities: [],
      owners: [],
      lastRunState: null,
      lastRunDate: null,
      isOrphan: true,
    });
  });

  it('reports dangling references: missing DAGs and unknown instances', async () => {
    const { service } = setup();
    const page = await service.getDangling(credentials, {});
    expect(page.total).toBe(2);
    expect(page.dangling).toEqual([
      {
        entityRef: 'component:default/orders',
        owners: ['group:default/data-engineering'],
        instance: 'local',
        dagId: 'nightly_vacuum',
        reason: 'dag-missing',
      },
      {
        entityRef: 'component:default/secret',
        owners: ['group:default/security'],
        instance: 'prod',
        dagId: 'billing',
        reason: 'unknown-instance',
      },
    ]);
  });

  it('joins DAGs selected by tag with the entity that selects them', async () => {
    const { service } = setup();
    const page = await service.getPage(credentials, {}, {}, all);
    for (const dagId of ['sales_report', 'attribution']) {
      expect(find(page, dagId)).toMatchObject({
        owners: ['group:default/analytics'],
        entities: [
          {
            entityRef: 'component:default/reports',
            namedBy: 'tag',
            owners: ['group:default/analytics'],
            title: 'reports',
          },
        ],
        isOrphan: false,
      });
    }
  });

  it('lists every entity and every owner of a DAG named by two entities with different owners', async () => {
    const { service } = setup();
    const page = await service.getPage(credentials, {}, {}, all);
    const payments = find(page, 'payments_reconciliation');
    expect(payments.entities.map((e: any) => e.entityRef)).toEqual([
      'component:default/finance',
      'component:default/payments',
    ]);
    expect(payments.owners).toEqual([
      'group:default/analytics',
      'group:default/data-engineering',
    ]);
    expect(payments.lastRunState).toBe('failed');
  });

  it('falls back to spec.owner when the entity has no ownedBy relation yet', async () => {
    const { service } = setup();
    const page = await service.getPage(credentials, {}, {}, all);
    expect(find(page, 'ml.feature-store-refresh').owners).toEqual([
      'group:default/ml-platform',
    ]);
  });

  it('does not reveal entities the user may not read, and does not call the DAG an orphan', async () => {
    const { service, getEntitiesByRefs } = setup({
      hidden: ['component:default/secret'],
    });
    const page = await service.getPage(credentials, {}, {}, all);
    expect(find(page, 'secret_dag')).toMatchObject({
      entities: [],
      owners: [],
      hiddenEntityCount: 1,
      isOrphan: false,
    });
    expect(JSON.stringify(page)).not.toContain('security');
    expect(JSON.stringify(page)).not.toContain('component:default/secret');
    expect(page.facets.owners).not.toContain('group:default/security');
    // ... nor through the filters, the search, the order or the dangling references.
    for (const query of [
      { owner: 'group:default/security' },
      { q: 'security' },
    ]) {
      expect((await service.getPage(credentials, query)).total).toBe(0);
    }
    const byOwner = await service.getPage(
      credentials,
      {},
      { sort: 'owners' },
      all,
    );
    expect(ids(byOwner).slice(-2).sort()).toEqual([
      'orphan_temp_export',
      'secret_dag',
    ]);
    const dangling = await service.getDangling(credentials, {});
    expect(dangling.dangling.map(d => d.dagId)).toEqual(['nightly_vacuum']);
    expect(page.summary.dangling).toBe(1);
    // The catalog is asked on behalf of the caller, for every entity of the index.
    const call = getEntitiesByRefs.mock.calls.at(-1)!;
    expect(call[0].entityRefs).toHaveLength(6);
    expect((call as any)[1]).toEqual({ credentials });
  });

  it('summarises totals, owned, orphans, dangling, failing and paused, whatever the filters', async () => {
    const { service } = setup();
    const page = await service.getPage(credentials, {
      instance: 'local',
      failing: true,
    });
    expect(page.summary).toEqual({
      total: 7,
      owned: 6,
      orphans: 1,
      dangling: 2,
      failing: 1,
      paused: 1,
    });
    expect(page.total).toBe(1);
    expect(page.index.builtAt).not.toBeNull();
    expect(page.index.instances).toEqual([
      expect.objectContaining({ instance: 'local', dagCount: 7, error: null }),
    ]);
    expect(page.facets.instances).toEqual(['local']);
  });

  it('costs one DAG listing and one batch of runs per instance, never a call per DAG', async () => {
    const { service, client } = setup();
    await service.getPage(credentials, {});
    expect(client.listDags).toHaveBeenCalledTimes(1);
    expect(client.listRecentDagRuns).toHaveBeenCalledTimes(1);
    expect(client.listRecentDagRuns.mock.calls[0][0]).toHaveLength(dags.length);
    expect(client.getDagDetails).not.toHaveBeenCalled();
  });

  it('searches every word in DAG ids, display names, tags and owners', async () => {
    const { service } = setup();
    const search = async (q: string) =>
      ids(await service.getPage(credentials, { q }, { sort: 'dagId' }, all));
    expect(await search('orders')).toEqual(['orders_etl']);
    expect(await search('ETL')).toEqual(['orders_etl']);
    expect(await search('analytics')).toEqual([
      'attribution',
      'payments_reconciliation',
      'sales_report',
    ]);
    expect(await search('analytics report')).toEqual(['sales_report']);
    expect(await search('data-engineering payments')).toEqual([
      'payments_reconciliation',
    ]);
    // LIKE wildcards are literal.
    expect(await search('%')).toEqual([]);
    expect(await search('_')).toEqual([
      'orders_etl',
      'orphan_temp_export',
      'payments_reconciliation',
      'sales_report',
      'secret_dag',
    ]);
  });

  it('filters by instance, owner, failing and paused, and pages with a total', async () => {
    const { service } = setup();
    const owner = await service.getPage(credentials, {
      owner: 'Group:default/Data-Engineering',
    });
    expect(ids(owner)).toEqual(['orders_etl', 'payments_reconciliation']);
    expect(ids(await service.getPage(credentials, { paused: true }))).toEqual([
      'sales_report',
    ]);
    expect(
      ids(await service.getPage(credentials, { owned: true })),
    ).not.toContain('orphan_temp_export');
    expect(
      (await service.getPage(credentials, { instance: 'prod' })).total,
    ).toBe(0);
    const first = await service.getPage(
      credentials,
      {},
      { sort: 'dagId' },
      { limit: 3 },
    );
    const second = await service.getPage(
      credentials,
      {},
      { sort: 'dagId' },
      { limit: 3, offset: 3 },
    );
    expect(first.total).toBe(7);
    expect([...ids(first), ...ids(second)]).toEqual([
      'attribution',
      'ml.feature-store-refresh',
      'orders_etl',
      'orphan_temp_export',
      'payments_reconciliation',
      'sales_report',
    ]);
    expect(
      (await service.getPage(credentials, {}, {}, { offset: 100 })).dags,
    ).toEqual([]);
  });

  it('sorts by the time of the last run, not by its state, with DAGs that never ran last', async () => {
    const { service } = setup();
    const asc = await service.getPage(
      credentials,
      {},
      { sort: 'lastRun' },
      all,
    );
    expect(ids(asc)).toEqual([
      'secret_dag',
      'attribution',
      'ml.feature-store-refresh',
      'payments_reconciliation',
      'orders_etl',
      'sales_report',
      'orphan_temp_export',
    ]);
    const desc = await service.getPage(
      credentials,
      {},
      { sort: 'lastRun', order: 'desc' },
      all,
    );
    expect(ids(desc)).toEqual([
      'sales_report',
      'orders_etl',
      'payments_reconciliation',
      'ml.feature-store-refresh',
      'attribution',
      'secret_dag',
      'orphan_temp_export',
    ]);
  });

  it('sorts by owners, DAGs without an owner last', async () => {
    const { service } = setup();
    const page = await service.getPage(
      credentials,
      {},
      { sort: 'owners' },
      all,
    );
    expect(ids(page)).toEqual([
      'attribution',
      'payments_reconciliation',
      'sales_report',
      'orders_etl',
      'ml.feature-store-refresh',
      'secret_dag',
      'orphan_temp_export',
    ]);
  });

  it("counts the DAGs of child groups' entities for a parent group, unless asked not to", async () => {
    const { service } = setup();
    const parent = await service.getPage(
      credentials,
      { owner: 'group:default/data' },
      { sort: 'dagId' },
      all,
    );
    expect(ids(parent)).toEqual([
      'attribution',
      'orders_etl',
      'payments_reconciliation',
      'sales_report',
    ]);
    const direct = await service.getPage(credentials, {
      owner: 'group:default/data',
      includeChildGroups: false,
    });
    expect(direct.total).toBe(0);
    const dangling = await service.getDangling(credentials, {
      owner: 'group:default/data',
    });
    expect(dangling.dangling.map(d => d.dagId)).toEqual(['nightly_vacuum']);
  });

  it('"owned by me" uses the caller\'s ownership refs, including their groups\' child groups', async () => {
    const { service } = setup({
      ownershipEntityRefs: ['user:default/guest', 'group:default/data'],
    });
    const mine = await service.getPage(
      credentials,
      { mine: true },
      { sort: 'dagId' },
    );
    expect(ids(mine)).toEqual([
      'attribution',
      'orders_etl',
      'payments_reconciliation',
      'sales_report',
    ]);
    const direct = await service.getPage(credentials, {
      mine: true,
      includeChildGroups: false,
    });
    expect(direct.total).toBe(0);
    const both = await service.getPage(credentials, {
      mine: true,
      owner: 'group:default/analytics',
      failing: true,
    });
    expect(ids(both)).toEqual(['payments_reconciliation']);
  });

  it('filters the dangling references like the DAGs: instance, owner, search', async () => {
    const { service } = setup();
    const byInstance = await service.getDangling(credentials, {
      instance: 'prod',
    });
    expect(byInstance.dangling.map(d => d.dagId)).toEqual(['billing']);
    const byOwner = await service.getDangling(credentials, {
      owner: 'group:default/security',
    });
    expect(byOwner.dangling.map(d => d.dagId)).toEqual(['billing']);
    const bySearch = await service.getDangling(credentials, { q: 'vacuum' });
    expect(bySearch.dangling.map(d => d.dagId)).toEqual(['nightly_vacuum']);
    const paged = await service.getDangling(
      credentials,
      {},
      { limit: 1, offset: 1 },
    );
    expect(paged).toMatchObject({ total: 2, offset: 1, limit: 1 });
    expect(paged.dangling.map(d => d.dagId)).toEqual(['billing']);
  });

  it('exports every matching DAG in order', async () => {
    const { service } = setup();
    const exported = [];
    for await (const d of await service.exportDags(
      credentials,
      { owned: true },
      { sort: 'dagId', order: 'desc' },
    )) {
      exported.push(d.dagId);
    }
    expect(exported).toEqual([
      'secret_dag',
      'sales_report',
      'payments_reconciliation',
      'orders_etl',
      'ml.feature-store-refresh',
      'attribution',
    ]);
  });

  it('asks the permission on every read, but reuses what a user may read and the answers of a generation', async () => {
    let allow = true;
    const authorize = jest.fn(async (requests: unknown[]) =>
      requests.map(() => ({
        result: allow ? AuthorizeResult.ALLOW : AuthorizeResult.DENY,
      })),
    );
    const { service, getEntitiesByRefs } = setup({
      hidden: ['component:default/secret'],
      permissions: { authorize, authorizeConditional: jest.fn() } as any,
    });
    const summary = jest.spyOn(testDb.store, 'summary');
    const dagPage = jest.spyOn(testDb.store, 'dagPage');
    const danglingPage = jest.spyOn(testDb.store, 'danglingPage');

    const first = await service.getPage(credentials, { q: 'payments' });
    const [again, concurrent] = await Promise.all([
      service.getPage(credentials, { q: 'payments' }),
      service.getPage(credentials, { q: 'payments' }),
    ]);
    expect(again).toEqual(first);
    expect(concurrent).toEqual(first);
    expect(ids(first)).toEqual(['payments_reconciliation']);
    await service.getDangling(credentials, {});
    await service.getDangling(credentials, {});
    expect(authorize).toHaveBeenCalledTimes(5);
    expect(getEntitiesByRefs).toHaveBeenCalledTimes(1);
    expect(summary).toHaveBeenCalledTimes(1);
    expect(dagPage).toHaveBeenCalledTimes(1);
    expect(danglingPage).toHaveBeenCalledTimes(1);

    // Another query, another user: their own answers (the hidden entity stays hidden).
    const other = await service.getPage(credentials, { q: 'secret' });
    expect(find(other, 'secret_dag')).toMatchObject({ entities: [] });
    expect(dagPage).toHaveBeenCalledTimes(2);
    const alice = mockCredentials.user('user:default/alice');
    await service.getPage(alice, { q: 'payments' });
    expect(getEntitiesByRefs).toHaveBeenCalledTimes(2);
    // Alice may read what the guest may: the same resolved query, the same kept answer.
    expect(dagPage).toHaveBeenCalledTimes(2);
    expect(summary).toHaveBeenCalledTimes(1);
    expect((getEntitiesByRefs.mock.calls.at(-1) as unknown[])[1]).toEqual({
      credentials: alice,
    });

    // A denial is a denial, whatever was kept.
    allow = false;
    await expect(
      service.getPage(credentials, { q: 'payments' }),
    ).rejects.toMatchObject({ name: 'NotAllowedError' });
    await expect(service.getDangling(credentials, {})).rejects.toMatchObject({
      name: 'NotAllowedError',
    });
    allow = true;

    // A new generation is read afresh.
    await service.refresh();
    const rebuilt = await service.getPage(credentials, { q: 'payments' });
    expect(rebuilt.dags).toEqual(first.dags);
    expect(getEntitiesByRefs).toHaveBeenCalledTimes(3);
    expect(dagPage).toHaveBeenCalledTimes(3);
    expect(summary).toHaveBeenCalledTimes(2);
  });

  it("reuses the index state for a second: its own refresh is seen at once, another replica's within that second", async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate'] });
    try {
      const { service } = setup();
      const { service: otherReplica } = setup();
      const state = jest.spyOn(testDb.store, 'state');
      const first = await service.getPage(credentials, {});
      const reads = state.mock.calls.length;
      await service.getPage(credentials, { q: 'orders' });
      await service.getDangling(credentials, {});
      expect(state).toHaveBeenCalledTimes(reads);

      jest.advanceTimersByTime(5);
      await service.refresh();
      const afterOwn = await service.getPage(credentials, {});
      expect(afterOwn.index.builtAt).not.toBe(first.index.builtAt);

      jest.advanceTimersByTime(5);
      await otherReplica.refresh();
      const stale = await service.getPage(credentials, {});
      expect(stale.index.builtAt).toBe(afterOwn.index.builtAt);
      jest.advanceTimersByTime(INDEX_STATE_REUSE_MS);
      const fresh = await service.getPage(credentials, {});
      expect(fresh.index.builtAt).not.toBe(afterOwn.index.builtAt);
    } finally {
      jest.useRealTimers();
    }
  });

  it('serves reads from the stored index until the next refresh', async () => {
    const { service, client } = setup();
    await service.getPage(credentials, {});
    await service.getPage(credentials, { q: 'x' });
    await service.getDangling(credentials, {});
    expect(client.listDags).toHaveBeenCalledTimes(1);
    await service.refresh();
    expect(client.listDags).toHaveBeenCalledTimes(2);
  });

  it('keeps the last good DAGs of an instance whose refresh fails, with their real age and the error', async () => {
    const { service, client } = setup();
    const first = await service.getPage(credentials, {}, {}, all);
    const byOwner = { sort: 'owners' } as const;
    const firstByOwner = ids(
      await service.getPage(credentials, {}, byOwner, all),
    );
    const readAt = first.index.instances[0].refreshedAt;
    await new Promise(r => setTimeout(r, 20));
    client.listDags.mockRejectedValue(
      new ServiceUnavailableError("Airflow instance 'local' is unreachable"),
    );
    await service.refresh();
    const page = await service.getPage(credentials, {}, {}, all);
    expect(ids(page)).toEqual(ids(first));
    expect(find(page, 'orders_etl').entities).toHaveLength(1);
    // The copied DAGs get their owners order key again.
    expect(ids(await service.getPage(credentials, {}, byOwner, all))).toEqual(
      firstByOwner,
    );
    const dangling = await service.getDangling(credentials, {});
    // Without a good read, a missing DAG proves nothing.
    expect(dangling.dangling.map(d => d.reason)).toEqual(['unknown-instance']);
    expect(page.index.instances).toEqual([
      {
        instance: 'local',
        refreshedAt: readAt,
        ageSeconds: expect.any(Number),
        dagCount: 7,
        error: expect.objectContaining({
          status: 503,
          message: "Airflow instance 'local' is unreachable",
        }),
      },
    ]);
    expect(page.index.lastRefreshError).toContain(
      `the DAGs of instance 'local' are those read at ${readAt}`,
    );
    expect(page.index.builtAt! > first.index.builtAt!).toBe(true);
  });

  it('never claims a last good read of an instance that was never read', async () => {
    const { service, client } = setup();
    client.listDags.mockRejectedValue(
      new ServiceUnavailableError("Airflow instance 'local' is unreachable"),
    );
    const page = await service.getPage(credentials, {});
    expect(page.total).toBe(0);
    expect(page.index.instances).toEqual([
      expect.objectContaining({
        instance: 'local',
        refreshedAt: null,
        ageSeconds: null,
        dagCount: 0,
      }),
    ]);
    expect(page.index.lastRefreshError).toContain(
      "instance 'local' has never been read successfully",
    );
    expect(page.index.lastRefreshError).not.toContain('last good');
  });

  it('keeps the last good index when the whole refresh fails, reporting the error and the attempt', async () => {
    const { service, catalog } = setup();
    const first = await service.getPage(credentials, {});
    catalog.getEntities.mockRejectedValue(new Error('catalog is down'));
    await service.refresh();
    const page = await service.getPage(credentials, {});
    expect(page.index.builtAt).toBe(first.index.builtAt);
    expect(page.index.lastRefreshError).toBe('catalog is down');
    expect(page.index.lastAttemptAt! >= first.index.builtAt!).toBe(true);
    expect(page.total).toBe(first.total);
  });

  it('reports no index, not an empty one, when the first refresh fails', async () => {
    const { service, catalog } = setup();
    catalog.getEntities.mockRejectedValue(new Error('catalog is down'));
    const page = await service.getPage(credentials, {});
    expect(page.index).toMatchObject({
      builtAt: null,
      ageSeconds: null,
      lastRefreshError: 'catalog is down',
      instances: [],
    });
  });

  it('a build that dies midway leaves the previous index served; its rows are removed later', async () => {
    const { service } = setup();
    const first = await service.getPage(credentials, {}, {}, all);
    const insertLinks = jest
      .spyOn(testDb.store, 'insertLinks')
      .mockRejectedValueOnce(new Error('connection lost'));
    await service.refresh();
    insertLinks.mockRestore();
    const page = await service.getPage(credentials, {}, {}, all);
    expect(page.index.builtAt).toBe(first.index.builtAt);
    expect(page.dags).toEqual(first.dags);
    expect(page.index.lastRefreshError).toBe('connection lost');
    const generations = await testDb
      .db('airflow_ownership_generations')
      .select();
    expect(generations).toHaveLength(2);
    // The DAG rows of the dead build were written, and are never read.
    const dead = generations.find(g => g.completed_at === null);
    const deadRows = await testDb
      .db('airflow_ownership_dags')
      .where('generation_id', dead.id)
      .count({ n: '*' })
      .first();
    expect(Number(deadRows?.n)).toBe(7);
    expect(
      await testDb.store.removeStaleGenerations(Date.now() + 31 * 60_000),
    ).toBe(1);
    expect(
      await testDb.db('airflow_ownership_generations').select(),
    ).toHaveLength(1);
    expect((await service.getPage(credentials, {})).total).toBe(7);
  });

  it('refuses to complete a build that was removed as abandoned, and keeps serving the previous index', async () => {
    const { service } = setup();
    const first = await service.getPage(credentials, {}, {}, all);
    const store = testDb.store;
    const startedAt = Date.now() - 31 * 60_000;
    const slow = await store.startGeneration(startedAt);
    await store.insertDags(slow, []);
    // Another replica's refresh removes it as abandoned while it is still running.
    expect(await store.removeStaleGenerations(Date.now())).toBe(1);
    await expect(
      store.complete(slow, { attemptedAt: startedAt, error: null }),
    ).rejects.toThrow(/removed as abandoned/);
    const page = await service.getPage(credentials, {}, {}, all);
    expect(page.dags).toEqual(first.dags);
    expect((await store.state()).generation).not.toBe(slow);
  });

  it('readers see the previous generation while a rebuild writes the next one', async () => {
    const { service, client } = setup();
    await service.getPage(credentials, {});
    let release!: () => void;
    const gate = new Promise<void>(r => {
      release = r;
    });
    client.listDags.mockImplementationOnce(async () => {
      await gate;
      return [dag('only_one')];
    });
    const rebuilding = service.refresh();
    await new Promise(r => setTimeout(r, 20));
    expect((await service.getPage(credentials, {})).total).toBe(7);
    release();
    await rebuilding;
    const after = await service.getPage(credentials, {});
    expect(ids(after)).toEqual(['only_one']);
    // The superseded generation stays for a minute, for reads that started before the switch.
    expect(await testDb.store.removeStaleGenerations(Date.now())).toBe(0);
    expect(await testDb.store.removeStaleGenerations(Date.now() + 61_000)).toBe(
      1,
    );
    expect(ids(await service.getPage(credentials, {}))).toEqual(['only_one']);
  });

  it('refuses the view without airflow.ownership.read, before calling Airflow or the catalog', async () => {
    const { service, client, getEntitiesByRefs } = setup({ denyView: true });
    for (const read of [
      () => service.getPage(credentials, {}),
      () => service.getDangling(credentials, {}),
      () => service.exportDags(credentials, {}),
    ]) {
      await expect(read()).rejects.toMatchObject({ name: 'NotAllowedError' });
    }
    expect(client.listDags).not.toHaveBeenCalled();
    expect(getEntitiesByRefs).not.toHaveBeenCalled();
  });

  it('shares one build among concurrent refreshes', async () => {
    const { service, client } = setup();
    await Promise.all([
      service.refresh(),
      service.refresh(),
      service.refresh(),
    ]);
    expect(client.listDags).toHaveBeenCalledTimes(1);
  });

  it('does not rebuild on demand while the index is younger than the minimum age', async () => {
    const { service, client } = setup();
    await service.refresh();
    const status = await service.refreshIfOlderThan(60_000);
    expect(client.listDags).toHaveBeenCalledTimes(1);
    expect(status.builtAt).not.toBeNull();
    await service.refreshIfOlderThan(0);
    expect(client.listDags).toHaveBeenCalledTimes(2);
  });

  it('keeps the index of several instances apart and numbers their DAGs uniquely', async () => {
    const local = fakeClient([dag('shared_id'), dag('local_only')]);
    const prod = fakeClient(
      [
        dag('shared_id', { instance: 'prod' }),
        dag('billing', { instance: 'prod' }),
      ],
      'prod',
    );
    const catalog = catalogServiceMock({ entities });
    const service = new DefaultOwnershipService({
      clients: [local, prod],
      catalog,
      auth: mockServices.auth(),
      permissions: mockServices.permissions(),
      userInfo: mockServices.userInfo(),
      store: testDb.store,
      logger: mockServices.logger.mock(),
    });
    const page = await service.getPage(credentials, {}, {}, all);
    expect(page.dags.map(d => `${d.instance}:${d.dagId}`)).toEqual([
      'local:local_only',
      'local:shared_id',
      'prod:billing',
      'prod:shared_id',
    ]);
    expect(page.dags.find(d => d.dagId === 'billing')!.entities).toEqual([
      expect.objectContaining({ entityRef: 'component:default/secret' }),
    ]);
    // prod fails: its DAGs are copied from the last good generation.
    prod.listDags.mockRejectedValue(new ServiceUnavailableError('down'));
    await service.refresh();
    const again = await service.getPage(credentials, {}, {}, all);
    expect(again.dags.map(d => `${d.instance}:${d.dagId}`)).toEqual(
      page.dags.map(d => `${d.instance}:${d.dagId}`),
    );
    await service.refresh();
    expect(
      (await service.getPage(credentials, { instance: 'prod' })).total,
    ).toBe(2);
  });
});
