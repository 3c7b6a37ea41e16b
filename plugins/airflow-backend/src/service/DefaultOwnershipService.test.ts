import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import type { AirflowDagRun } from '@airflow-for-backstage/backstage-plugin-airflow-common';
import { ServiceUnavailableError } from '@backstage/errors';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  component,
  dag,
  fakeClient,
  memoryCache,
  run,
} from '../__testUtils__/fakes';
import { DefaultOwnershipService } from './DefaultOwnershipService';
import { ReadCache } from './ReadCache';

const owned = (e: Entity, owner: string): Entity => ({
  ...e,
  relations: [{ type: 'ownedBy', targetRef: owner }],
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
];

const dags = [
  dag('orders_etl', { tags: ['etl'] }),
  dag('payments_reconciliation'),
  dag('sales_report', { tags: ['analytics'], isPaused: true }),
  dag('attribution', { tags: ['analytics'] }),
  dag('secret_dag'),
  dag('ml.feature-store-refresh'),
  dag('orphan_temp_export'),
];

function setup(options: { hidden?: string[]; denyView?: boolean } = {}) {
  const client = fakeClient(dags);
  client.listRecentDagRuns.mockImplementation(async ids => {
    const special: Record<string, AirflowDagRun[]> = {
      payments_reconciliation: [
        run('payments_reconciliation', 'r1', { state: 'failed' }),
      ],
      orphan_temp_export: [],
    };
    return new Map(ids.map(id => [id, special[id] ?? [run(id, 'r1')]]));
  });
  const base = catalogServiceMock({ entities });
  const catalog = Object.assign(
    Object.create(Object.getPrototypeOf(base)),
    base,
    {
      getEntities: base.getEntities.bind(base),
      getEntitiesByRefs: jest.fn(async (request: { entityRefs: string[] }) => ({
        items: request.entityRefs.map(ref =>
          options.hidden?.includes(ref) ? null : ({ kind: 'Component' } as any),
        ),
      })),
    },
  );
  const service = new DefaultOwnershipService({
    clients: [client],
    catalog,
    auth: mockServices.auth(),
    permissions: mockServices.permissions({
      result: options.denyView ? AuthorizeResult.DENY : AuthorizeResult.ALLOW,
    }),
    cache: new ReadCache({ cache: memoryCache(), ttlMs: 0 }),
    logger: mockServices.logger.mock(),
  });
  return { service, client };
}

const credentials = mockCredentials.user('user:default/guest');
const find = (view: any, dagId: string) =>
  view.dags.find((d: any) => d.dagId === dagId);

describe('OwnershipService', () => {
  it('flags DAGs that no entity names as orphans', async () => {
    const { service } = setup();
    const view = await service.getOwnership(credentials);
    expect(view.dags.filter(d => d.isOrphan).map(d => d.dagId)).toEqual([
      'orphan_temp_export',
    ]);
    expect(find(view, 'orphan_temp_export')).toMatchObject({
      entities: [],
      owners: [],
      lastRunState: null,
    });
  });

  it('reports dangling references: missing DAGs and unknown instances', async () => {
    const { service } = setup();
    const view = await service.getOwnership(credentials);
    expect(view.dangling).toEqual([
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
    const view = await service.getOwnership(credentials);
    for (const dagId of ['sales_report', 'attribution']) {
      expect(find(view, dagId)).toMatchObject({
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
    const view = await service.getOwnership(credentials);
    const payments = find(view, 'payments_reconciliation');
    expect(payments.entities.map((e: any) => e.entityRef).sort()).toEqual([
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
    const view = await service.getOwnership(credentials);
    expect(find(view, 'ml.feature-store-refresh').owners).toEqual([
      'group:default/ml-platform',
    ]);
  });

  it('does not reveal entities the user may not read, and does not call the DAG an orphan', async () => {
    const { service } = setup({ hidden: ['component:default/secret'] });
    const view = await service.getOwnership(credentials);
    expect(find(view, 'secret_dag')).toMatchObject({
      entities: [],
      owners: [],
      hiddenEntityCount: 1,
      isOrphan: false,
    });
    expect(JSON.stringify(view)).not.toContain('component:default/secret');
    expect(view.dangling.map(d => d.dagId)).toEqual(['nightly_vacuum']);
  });

  it('summarises totals, owned, orphans, dangling, failing and paused', async () => {
    const { service } = setup();
    const view = await service.getOwnership(credentials);
    expect(view.summary).toEqual({
      total: 7,
      owned: 6,
      orphans: 1,
      dangling: 2,
      failing: 1,
      paused: 1,
    });
  });

  it('costs one DAG listing and one batch of runs per instance, never a call per DAG', async () => {
    const { service, client } = setup();
    await service.getOwnership(credentials);
    expect(client.listDags).toHaveBeenCalledTimes(1);
    expect(client.listRecentDagRuns).toHaveBeenCalledTimes(1);
    expect(client.listRecentDagRuns.mock.calls[0][0]).toHaveLength(dags.length);
    expect(client.getDagDetails).not.toHaveBeenCalled();
  });

  it('serves reads from the stored index until the next refresh', async () => {
    const { service, client } = setup();
    await service.getOwnership(credentials);
    await service.getOwnership(credentials);
    expect(client.listDags).toHaveBeenCalledTimes(1);
    await service.refresh();
    expect(client.listDags).toHaveBeenCalledTimes(2);
  });

  it('keeps the last good DAGs of an instance whose refresh fails, and reports the error and the age', async () => {
    const { service, client } = setup();
    const first = await service.getOwnership(credentials);
    client.listDags.mockRejectedValue(
      new ServiceUnavailableError("Airflow instance 'local' is unreachable"),
    );
    await service.refresh();
    const view = await service.getOwnership(credentials);
    expect(view.dags.map(d => d.dagId)).toEqual(first.dags.map(d => d.dagId));
    expect(find(view, 'orders_etl').entities).toHaveLength(1);
    expect(view.dangling.map(d => d.reason)).toEqual(['unknown-instance']);
    expect(view.instanceErrors).toEqual([
      expect.objectContaining({
        instance: 'local',
        status: 503,
        message: "Airflow instance 'local' is unreachable",
      }),
    ]);
    expect(view.ageSeconds).toBeGreaterThanOrEqual(0);
  });

  it('keeps the last good index when the whole refresh fails, reporting the error', async () => {
    const { service } = setup();
    const first = await service.getOwnership(credentials);
    (service as any).deps.catalog.getEntities = jest
      .fn()
      .mockRejectedValue(new Error('catalog is down'));
    await service.refresh();
    const view = await service.getOwnership(credentials);
    expect(view.builtAt).toBe(first.builtAt);
    expect(view.lastRefreshError).toBe('catalog is down');
    expect(view.dags).toHaveLength(first.dags.length);
  });

  it('refuses the view without airflow.ownership.read, before calling Airflow', async () => {
    const { service, client } = setup({ denyView: true });
    await expect(service.getOwnership(credentials)).rejects.toMatchObject({
      name: 'NotAllowedError',
    });
    expect(client.listDags).not.toHaveBeenCalled();
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
    await service.refreshIfOlderThan(60_000);
    expect(client.listDags).toHaveBeenCalledTimes(1);
    await service.refreshIfOlderThan(0);
    expect(client.listDags).toHaveBeenCalledTimes(2);
  });

  it('reports a refresh in which an instance failed as a refresh error', async () => {
    const { service, client } = setup();
    await service.refresh();
    client.listDags.mockRejectedValue(
      new ServiceUnavailableError("Airflow instance 'local' is unreachable"),
    );
    await service.refresh();
    const view = await service.getOwnership(credentials);
    expect(view.lastRefreshError).toContain(
      "DAGs of instance 'local' are from the last good refresh",
    );
  });
});
