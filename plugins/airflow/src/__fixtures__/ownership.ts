import type {
  AirflowDanglingPage,
  AirflowOwnershipDag,
  AirflowOwnershipIndexStatus,
  AirflowOwnershipPage,
} from '@airflow-for-backstage/backstage-plugin-airflow-common';

const WEB = 'https://airflow.example.com';
const PROD = 'https://airflow-prod.example.com';

/** Builds a DAG of the ownership index with overrides. */
export function ownershipDag(
  overrides: Partial<AirflowOwnershipDag> & { dagId: string },
): AirflowOwnershipDag {
  const instance = overrides.instance ?? 'default';
  return {
    instance,
    displayName: overrides.dagId,
    webUrl: `${instance === 'prod' ? PROD : WEB}/dags/${overrides.dagId}`,
    isPaused: false,
    schedule: 'At 06:00',
    tags: [],
    airflowOwners: ['airflow'],
    lastRunState: 'success',
    lastRunDate: '2025-03-29T06:00:00Z',
    entities: [],
    owners: [],
    hiddenEntityCount: 0,
    isOrphan: false,
    ...overrides,
  };
}

/** Owned by data-eng through orders-pipeline; last run failed. */
export const ordersEtlOwnership = ownershipDag({
  dagId: 'orders_etl',
  displayName: 'Orders ETL',
  tags: ['orders'],
  lastRunState: 'failed',
  entities: [
    {
      entityRef: 'component:default/orders-pipeline',
      title: 'orders-pipeline',
      owners: ['group:default/data-eng'],
      namedBy: 'id',
    },
  ],
  owners: ['group:default/data-eng'],
});

/** Owned by ml-platform and jane; paused, running; one hidden entity. */
export const featureStoreOwnership = ownershipDag({
  dagId: 'ml.feature-store-refresh',
  displayName: 'Feature store refresh',
  isPaused: true,
  schedule: null,
  lastRunState: 'running',
  entities: [
    {
      entityRef: 'component:default/feature-store',
      title: 'Feature store',
      owners: ['group:default/ml-platform', 'user:default/jane'],
      namedBy: 'tag',
    },
  ],
  owners: ['group:default/ml-platform', 'user:default/jane'],
  hiddenEntityCount: 1,
});

/** An orphan of the default instance whose last run failed. */
export const legacyCleanupOwnership = ownershipDag({
  dagId: 'legacy_cleanup',
  displayName: 'Legacy cleanup',
  schedule: 'Every hour',
  lastRunState: 'failed',
  isOrphan: true,
});

/** Owned by data-eng through billing, on the prod instance. */
export const billingExportOwnership = ownershipDag({
  instance: 'prod',
  dagId: 'billing_export',
  displayName: 'Billing export',
  schedule: 'At 01:00',
  entities: [
    {
      entityRef: 'component:default/billing',
      title: 'Billing',
      owners: ['group:default/data-eng'],
      namedBy: 'id',
    },
  ],
  owners: ['group:default/data-eng'],
});

/** A paused orphan of prod that never ran. */
export const tmpBackfillOwnership = ownershipDag({
  instance: 'prod',
  dagId: 'tmp_backfill',
  displayName: 'Temporary backfill',
  isPaused: true,
  schedule: null,
  lastRunState: null,
  lastRunDate: null,
  isOrphan: true,
});

/** Named only by two entities the caller may not see; last run failed. */
export const secretJobOwnership = ownershipDag({
  instance: 'prod',
  dagId: 'secret_job',
  displayName: 'Secret job',
  lastRunState: 'failed',
  hiddenEntityCount: 2,
});

/** Every DAG of the fixture index, in the server's default order (instance, DAG id). */
export const ALL_OWNERSHIP_DAGS = [
  legacyCleanupOwnership,
  featureStoreOwnership,
  ordersEtlOwnership,
  billingExportOwnership,
  secretJobOwnership,
  tmpBackfillOwnership,
];

/** A healthy index, built three minutes before the answer. */
export const ownershipIndexStatus: AirflowOwnershipIndexStatus = {
  builtAt: '2025-03-30T10:00:00.000Z',
  ageSeconds: 180,
  lastAttemptAt: '2025-03-30T10:00:00.000Z',
  lastRefreshError: null,
  instances: [
    {
      instance: 'default',
      refreshedAt: '2025-03-30T10:00:00.000Z',
      ageSeconds: 180,
      dagCount: 3,
      error: null,
    },
    {
      instance: 'prod',
      refreshedAt: '2025-03-30T10:00:00.000Z',
      ageSeconds: 180,
      dagCount: 3,
      error: null,
    },
  ],
};

/** The first page of the ownership view without filters: two instances, six DAGs. */
export const ownershipPage: AirflowOwnershipPage = {
  index: ownershipIndexStatus,
  summary: {
    total: 6,
    owned: 4,
    orphans: 2,
    dangling: 2,
    failing: 3,
    paused: 2,
  },
  total: 6,
  offset: 0,
  limit: 25,
  dags: ALL_OWNERSHIP_DAGS,
  facets: {
    instances: ['default', 'prod'],
    owners: [
      'group:default/data-eng',
      'group:default/ml-platform',
      'user:default/jane',
    ],
  },
};

/** The same index with only `dags` on the page (as the server answers a filtered view). */
export function ownershipPageOf(
  dags: AirflowOwnershipDag[],
  overrides: Partial<AirflowOwnershipPage> = {},
): AirflowOwnershipPage {
  return { ...ownershipPage, total: dags.length, dags, ...overrides };
}

/** Both dangling references. */
export const danglingPage: AirflowDanglingPage = {
  total: 2,
  offset: 0,
  limit: 10,
  dangling: [
    {
      entityRef: 'component:default/orders-pipeline',
      owners: ['group:default/data-eng'],
      instance: 'default',
      dagId: 'orders_cleanup',
      reason: 'dag-missing',
    },
    {
      entityRef: 'component:default/reports',
      owners: ['group:default/analytics'],
      instance: 'staging',
      dagId: 'daily_report',
      reason: 'unknown-instance',
    },
  ],
};

/** The index served after a failed refresh: built two hours ago (prod failing then), the refresh since failed as a whole. */
export const staleOwnershipPage: AirflowOwnershipPage = {
  ...ownershipPage,
  index: {
    ...ownershipIndexStatus,
    builtAt: '2025-03-30T08:00:00.000Z',
    ageSeconds: 2 * 3600,
    lastAttemptAt: '2025-03-30T10:00:00.000Z',
    lastRefreshError: 'Catalog request failed: 503 Service Unavailable',
    instances: [
      ownershipIndexStatus.instances[0],
      {
        instance: 'prod',
        refreshedAt: '2025-03-30T08:00:00.000Z',
        ageSeconds: 2 * 3600,
        dagCount: 3,
        error: {
          instance: 'prod',
          status: 503,
          name: 'ServiceUnavailableError',
          message:
            'Airflow instance prod is not reachable: connect ECONNREFUSED',
        },
      },
    ],
  },
};
