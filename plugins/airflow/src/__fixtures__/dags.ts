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

/**
 * A DAG with a param of every kind the trigger form knows, as Airflow 3's
 * `GET /dags/{id}/details` returns them (schemas verbatim from `Param.dump()`).
 */
export const allParamsDetails: AirflowDagDetails = {
  ...ordersEtl,
  catchup: false,
  docMd: null,
  dagId: 'all_params',
  displayName: 'all_params',
  params: {
    region: {
      value: 'emea',
      schema: {
        type: 'string',
        enum: ['emea', 'amer', 'apac'],
        values_display: {
          emea: 'Europe, Middle East and Africa',
          amer: 'Americas',
          apac: 'Asia-Pacific',
        },
      },
      description: 'Sales region',
    },
    top_n: {
      value: 10,
      schema: { type: 'integer', minimum: 1, maximum: 100 },
      description: 'How many top products to list',
    },
    ratio: {
      value: 0.5,
      schema: { type: 'number', minimum: 0, maximum: 1 },
      description: null,
    },
    include_returns: {
      value: false,
      schema: { type: 'boolean' },
      description: 'Net out returned orders',
    },
    report_title: {
      value: 'Daily sales',
      schema: { type: 'string', minLength: 3, maxLength: 60 },
      description: 'Title printed on the report',
    },
    code: {
      value: 'ab1',
      schema: { type: 'string', pattern: '^[a-z]+[0-9]$' },
      description: null,
    },
    mode: {
      value: 'fixed',
      schema: { type: 'string', const: 'fixed' },
      description: null,
    },
    help_md: {
      value: 'x',
      schema: { type: 'string', description_md: 'Read **the guide** first' },
      description: 'plain text help',
    },
    regions: {
      value: ['emea'],
      schema: {
        type: 'array',
        items: { type: 'string', enum: ['emea', 'amer', 'apac'] },
      },
      description: null,
    },
    tags: {
      value: ['daily'],
      schema: { type: 'array' },
      description: null,
    },
    target: {
      value: { host: 'db', port: 5432 },
      schema: {
        type: 'object',
        properties: { host: { type: 'string' }, port: { type: 'integer' } },
      },
      description: null,
    },
    options: {
      value: { retries: 2 },
      schema: { type: 'object' },
      description: null,
    },
    report_date: {
      value: null,
      schema: { type: ['null', 'string'], format: 'date', section: 'Advanced' },
      description: "Day to report on; empty for the run's logical date",
    },
    cutoff: {
      value: '2026-01-31T06:00:00.000Z',
      schema: { type: 'string', format: 'date-time', section: 'Advanced' },
      description: null,
    },
    start_time: {
      value: '06:00:00',
      schema: { type: 'string', format: 'time', section: 'Advanced' },
      description: null,
    },
  },
  defaultConf: {
    region: 'emea',
    top_n: 10,
    ratio: 0.5,
    include_returns: false,
    report_title: 'Daily sales',
    code: 'ab1',
    mode: 'fixed',
    help_md: 'x',
    regions: ['emea'],
    tags: ['daily'],
    target: { host: 'db', port: 5432 },
    options: { retries: 2 },
    report_date: null,
    cutoff: '2026-01-31T06:00:00.000Z',
    start_time: '06:00:00',
  },
};
