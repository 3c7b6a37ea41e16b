import type {
  AirflowDagGrid,
  AirflowDagRunFailure,
  AirflowLogLine,
  AirflowTaskInstanceTries,
  AirflowTaskLog,
} from '@airflow-for-backstage/backstage-plugin-airflow-common';
import { dagRun, taskInstances } from './dags';

const FAILED_RUN_ID = 'scheduled__2025-03-28T06:00:00+00:00';

/** A log line with defaults. */
export function logLine(
  index: number,
  message: string,
  overrides: Partial<AirflowLogLine> = {},
): AirflowLogLine {
  return {
    index,
    timestamp: `2025-03-29T19:50:${String(index % 60).padStart(2, '0')}Z`,
    level: 'info',
    logger: 'airflow.task',
    message,
    group: null,
    error: null,
    ...overrides,
  };
}

/** The exception the failed `load` task raised. */
export const loadError = {
  type: 'RuntimeError',
  message: 'warehouse rejected the batch: 3 rows violate orders_pk',
};

/** The last page of the failed `load` try's log. */
export const failedLoadLog: AirflowTaskLog = {
  tryNumber: 3,
  mapIndex: -1,
  lines: [
    logLine(0, 'Loading 120 rows into the warehouse'),
    logLine(1, 'Task failed with exception', {
      level: 'error',
      error: loadError,
    }),
  ],
  nextToken: null,
  nextOffset: 2,
  hasMore: false,
  endOfLog: true,
  tail: false,
  bytesRead: 420,
  errors: [loadError],
};

/** The failure summary of the failed run of `orders_etl`. */
export const runFailure: AirflowDagRunFailure = {
  run: dagRun({ runId: FAILED_RUN_ID, state: 'failed' }),
  failed: [taskInstances[1]],
  upstreamFailed: [
    {
      ...taskInstances[0],
      taskId: 'report',
      state: 'upstream_failed',
      tryNumber: 0,
      startDate: null,
      endDate: null,
      durationSeconds: null,
    },
  ],
  firstFailed: taskInstances[1],
  log: { ...failedLoadLog, tail: true },
  logUnavailable: null,
};

/** The three tries of the failed `load` task instance. */
export const loadTries: AirflowTaskInstanceTries = {
  complete: true,
  tries: [1, 2, 3].map(tryNumber => ({
    taskId: 'load',
    mapIndex: -1,
    tryNumber,
    state: tryNumber === 3 ? 'failed' : 'up_for_retry',
    startDate: '2025-03-29T19:49:21Z',
    endDate: '2025-03-29T19:49:50Z',
    durationSeconds: 29,
    hostname: 'worker-1',
    operator: 'PostgresOperator',
  })),
};

/** The runs × tasks grid of `orders_etl`: a successful and a failed run. */
export const ordersEtlGrid: AirflowDagGrid = {
  taskIds: ['extract', 'load'],
  runs: [
    {
      run: dagRun({ runId: FAILED_RUN_ID, state: 'failed' }),
      taskInstances,
    },
    {
      run: dagRun(),
      taskInstances: taskInstances.map(ti => ({
        ...ti,
        state: 'success' as const,
        tryNumber: 1,
      })),
    },
  ],
};
