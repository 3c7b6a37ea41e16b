import type {
  AirflowDagDetails,
  AirflowDagRun,
  AirflowDagRunList,
  AirflowEntityDag,
  AirflowEntityDagsResponse,
  AirflowTaskInstance,
} from '@airflow-for-backstage/backstage-plugin-airflow-common';

const WEB = 'https://airflow.example.com';

/** Builds a DAG run of `orders_etl` with overrides. */
export function dagRun(overrides: Partial<AirflowDagRun> = {}): AirflowDagRun {
  const runId = overrides.runId ?? 'scheduled__2025-03-29T06:00:00+00:00';
  return {
    instance: 'default',
    dagId: 'orders_etl',
    runId,
    state: 'success',
    runType: 'scheduled',
    logicalDate: '2025-03-29T06:00:00Z',
    runAfter: '2025-03-29T06:00:00Z',
    queuedAt: '2025-03-29T06:00:01Z',
    startDate: '2025-03-29T06:00:02Z',
    endDate: '2025-03-29T06:04:32Z',
    durationSeconds: 270,
    note: null,
    conf: {},
    webUrl: `${WEB}/dags/orders_etl/runs/${encodeURIComponent(runId)}`,
    ...overrides,
  };
}

export const ordersEtlRuns: AirflowDagRun[] = [
  dagRun({
    runId: 'manual__2025-03-29T19:48:49.273773+00:00',
    state: 'failed',
    runType: 'manual',
    logicalDate: '2025-03-29T19:48:49Z',
    startDate: '2025-03-29T19:48:50Z',
    endDate: '2025-03-29T19:50:50Z',
    durationSeconds: 120,
    note: 'Triggered from Backstage by user:default/jane',
  }),
  dagRun({ runId: 'scheduled__2025-03-29T06:00:00+00:00', state: 'success' }),
  dagRun({
    runId: 'scheduled__2025-03-28T06:00:00+00:00',
    state: 'success',
    logicalDate: '2025-03-28T06:00:00Z',
  }),
];

export const ordersEtl: AirflowEntityDag = {
  instance: 'default',
  dagId: 'orders_etl',
  displayName: 'Orders ETL',
  description: 'Loads orders into the warehouse',
  owners: ['data-eng'],
  tags: ['etl', 'orders'],
  isPaused: false,
  isActive: true,
  hasImportErrors: false,
  schedule: 'At 06:00',
  scheduleExpression: '0 6 * * *',
  nextRunLogicalDate: '2099-03-30T06:00:00Z',
  nextRunAfter: '2099-03-31T06:00:00Z',
  webUrl: `${WEB}/dags/orders_etl`,
  recentRuns: ordersEtlRuns,
};

export const featureStore: AirflowEntityDag = {
  instance: 'default',
  dagId: 'ml.feature-store-refresh',
  displayName: 'ml.feature-store-refresh',
  description: null,
  owners: ['ml-platform', 'airflow'],
  tags: ['ml'],
  isPaused: true,
  isActive: true,
  hasImportErrors: true,
  schedule: null,
  scheduleExpression: null,
  nextRunLogicalDate: null,
  nextRunAfter: null,
  webUrl: `${WEB}/dags/ml.feature-store-refresh`,
  recentRuns: [
    dagRun({
      dagId: 'ml.feature-store-refresh',
      runId: 'manual__2025-03-30T10:00:00+00:00',
      state: 'running',
      runType: 'manual',
      endDate: null,
      durationSeconds: 65,
    }),
  ],
};

export const entityDags: AirflowEntityDagsResponse = {
  entityRef: 'component:default/orders-pipeline',
  dags: [featureStore, ordersEtl],
  missing: [],
  errors: [],
};

export const entityDagsWithProblems: AirflowEntityDagsResponse = {
  ...entityDags,
  missing: [{ instance: 'default', dagId: 'orders_cleanup' }],
  errors: [
    {
      instance: 'prod',
      status: 503,
      name: 'ServiceUnavailableError',
      message: 'Airflow instance prod is not reachable: connect ECONNREFUSED',
    },
  ],
};

export const ordersEtlDetails: AirflowDagDetails = {
  ...ordersEtl,
  params: {
    region: {
      value: 'eu',
      schema: { type: 'string', enum: ['eu', 'us'] },
      description: 'Warehouse region',
    },
    full_refresh: {
      value: false,
      schema: { type: 'boolean' },
      description: null,
    },
  },
  defaultConf: { region: 'eu', full_refresh: false },
  catchup: false,
  docMd: null,
};

export const ordersEtlRunList: AirflowDagRunList = {
  items: ordersEtlRuns,
  totalEntries: 42,
};

export const taskInstances: AirflowTaskInstance[] = [
  {
    taskId: 'extract',
    mapIndex: -1,
    state: 'success',
    tryNumber: 1,
    startDate: '2025-03-29T19:48:50Z',
    endDate: '2025-03-29T19:49:20Z',
    durationSeconds: 30,
    operator: 'PythonOperator',
    renderedMapIndex: null,
    maxTries: 1,
  },
  {
    taskId: 'load',
    mapIndex: -1,
    state: 'failed',
    tryNumber: 3,
    startDate: '2025-03-29T19:49:21Z',
    endDate: '2025-03-29T19:50:50Z',
    durationSeconds: 89,
    operator: 'PostgresOperator',
    renderedMapIndex: null,
    maxTries: 3,
  },
];
