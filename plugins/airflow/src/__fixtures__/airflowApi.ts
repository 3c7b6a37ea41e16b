import { ResponseError } from '@backstage/errors';
import type { AirflowApi } from '../api';
import {
  dagRun,
  entityDags,
  ordersEtlDetails,
  ordersEtlRunList,
  taskInstances,
} from './dags';
import { danglingPage, ownershipIndexStatus, ownershipPage } from './ownership';
import {
  failedLoadLog,
  loadTries,
  ordersEtlGrid,
  runFailure,
} from './taskLogs';

/** An {@link AirflowApi} of jest mocks answering with the fixtures. */
export function mockAirflowApi(
  overrides: Partial<jest.Mocked<AirflowApi>> = {},
): jest.Mocked<AirflowApi> {
  return {
    listEntityDags: jest.fn().mockResolvedValue(entityDags),
    getDagDetails: jest.fn().mockResolvedValue(ordersEtlDetails),
    setDagPaused: jest.fn().mockImplementation(async ({ isPaused }) => ({
      ...ordersEtlDetails,
      isPaused,
    })),
    listDagRuns: jest.fn().mockResolvedValue(ordersEtlRunList),
    triggerDagRun: jest.fn().mockResolvedValue(
      dagRun({
        runId: 'manual__2025-03-30T08:00:00+00:00',
        state: 'queued',
        runType: 'manual',
        startDate: null,
        endDate: null,
        durationSeconds: null,
      }),
    ),
    getDagRun: jest.fn().mockImplementation(async ({ runId }) => ({
      run: dagRun({ runId }),
      taskInstances,
    })),
    clearDagRun: jest
      .fn()
      .mockImplementation(async ({ runId }) =>
        dagRun({ runId, state: 'queued' }),
      ),
    setDagRunState: jest
      .fn()
      .mockImplementation(async ({ runId, state }) => dagRun({ runId, state })),
    getDagGrid: jest.fn().mockResolvedValue(ordersEtlGrid),
    getDagRunFailure: jest.fn().mockResolvedValue(runFailure),
    getTaskInstance: jest
      .fn()
      .mockImplementation(
        async ({ taskId }) =>
          taskInstances.find(ti => ti.taskId === taskId) ?? taskInstances[0],
      ),
    listTaskInstanceTries: jest.fn().mockResolvedValue(loadTries),
    getTaskLog: jest.fn().mockResolvedValue(failedLoadLog),
    setTaskInstanceState: jest
      .fn()
      .mockImplementation(async ({ taskId, mapIndex }) => ({
        dryRun: false,
        taskInstances: [{ taskId, mapIndex: mapIndex ?? -1, state: 'failed' }],
      })),
    clearTaskInstance: jest
      .fn()
      .mockImplementation(async ({ taskId, mapIndex, dryRun }) => ({
        dryRun,
        taskInstances: [{ taskId, mapIndex: mapIndex ?? -1, state: 'failed' }],
      })),
    listInstances: jest.fn().mockResolvedValue({ instances: [] }),
    getOwnership: jest.fn().mockResolvedValue(ownershipPage),
    getOwnershipDangling: jest.fn().mockResolvedValue(danglingPage),
    exportOwnershipCsv: jest
      .fn()
      .mockResolvedValue(
        new Blob(['instance,dag_id\r\n'], { type: 'text/csv' }),
      ),
    refreshOwnership: jest.fn().mockResolvedValue(ownershipIndexStatus),
    ...overrides,
  };
}

/** A `ResponseError` as the client throws it for a backend error answer. */
export async function responseError(
  status: number,
  name: string,
  message: string,
): Promise<ResponseError> {
  return ResponseError.fromResponse({
    ok: false,
    status,
    statusText: '',
    url: 'http://backstage.test/api/airflow',
    headers: new Headers({ 'content-type': 'application/json' }),
    text: async () =>
      JSON.stringify({
        error: { name, message },
        response: { statusCode: status },
      }),
  } as Response);
}
