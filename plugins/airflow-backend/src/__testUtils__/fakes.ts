import type {
  AuditorService,
  CacheService,
} from '@backstage/backend-plugin-api';
import { mockServices } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import type { Entity } from '@backstage/catalog-model';
import type {
  AirflowDag,
  AirflowDagRun,
  AirflowTaskInstance,
  AirflowTaskLog,
  JsonValue,
} from '@airflow-for-backstage/backstage-plugin-airflow-common';
import type {
  AirflowClient,
  AirflowInstanceConfig,
  ClearTaskInstanceOptions,
  ListDagRunsOptions,
  ReadTaskLogOptions,
  SetTaskInstanceStateOptions,
} from '../lib/airflow/types';

/** A DAG in the normalized shape, with overridable fields. */
export function dag(
  dagId: string,
  overrides: Partial<AirflowDag> = {},
): AirflowDag {
  return {
    instance: 'local',
    dagId,
    displayName: dagId,
    description: `${dagId} description`,
    owners: ['airflow'],
    tags: [],
    isPaused: false,
    isActive: true,
    hasImportErrors: false,
    schedule: 'At 06:00',
    scheduleExpression: '0 6 * * *',
    nextRunLogicalDate: '2026-11-30T06:00:00Z',
    nextRunAfter: '2026-12-01T06:00:00Z',
    webUrl: `http://airflow.test/dags/${dagId}`,
    ...overrides,
  };
}

/** A task instance in the normalized shape. */
export function taskInstance(
  taskId: string,
  overrides: Partial<AirflowTaskInstance> = {},
): AirflowTaskInstance {
  return {
    taskId,
    mapIndex: -1,
    state: 'success',
    tryNumber: 1,
    startDate: '2026-11-29T06:00:01Z',
    endDate: '2026-11-29T06:00:03Z',
    durationSeconds: 2,
    operator: '@task',
    renderedMapIndex: null,
    maxTries: 2,
    ...overrides,
  };
}

/** A log page in the normalized shape. */
export function taskLog(
  overrides: Partial<AirflowTaskLog> = {},
): AirflowTaskLog {
  return {
    tryNumber: 1,
    mapIndex: -1,
    lines: [
      {
        index: 0,
        timestamp: '2026-11-29T06:00:02Z',
        level: 'error',
        logger: 'task',
        message: 'Task failed with exception',
        group: null,
        error: { type: 'RuntimeError', message: 'boom' },
      },
    ],
    nextToken: null,
    nextOffset: 1,
    hasMore: false,
    endOfLog: true,
    tail: false,
    bytesRead: 120,
    errors: [{ type: 'RuntimeError', message: 'boom' }],
    ...overrides,
  };
}

/** A DAG run in the normalized shape. */
export function run(
  dagId: string,
  runId: string,
  overrides: Partial<AirflowDagRun> = {},
): AirflowDagRun {
  return {
    instance: 'local',
    dagId,
    runId,
    state: 'success',
    runType: 'manual',
    logicalDate: '2026-11-29T06:00:00Z',
    runAfter: '2026-11-29T06:00:00Z',
    queuedAt: '2026-11-29T06:00:00Z',
    startDate: '2026-11-29T06:00:01Z',
    endDate: '2026-11-29T06:00:05Z',
    durationSeconds: 4,
    note: null,
    conf: {},
    webUrl: `http://airflow.test/dags/${dagId}/runs/${runId}`,
    ...overrides,
  };
}

export function instanceConfig(name = 'local'): AirflowInstanceConfig {
  return {
    name,
    baseUrl: `http://${name}.airflow.test`,
    webUiUrl: `http://${name}.airflow.test`,
    apiVersion: 'v2',
    auth: { type: 'none' },
    timeoutMs: 1000,
  };
}

/** A jest-mocked client whose instance has `dags`. */
export function fakeClient(
  dags: AirflowDag[],
  name = 'local',
): jest.Mocked<AirflowClient> {
  return {
    config: instanceConfig(name),
    getApiVersion: jest.fn(async () => 'v2' as const),
    getStatus: jest.fn(async () => ({
      name,
      webUiUrl: `http://${name}.airflow.test`,
      apiVersion: 'v2' as const,
      version: '3.3.2',
      status: 'healthy' as const,
      components: { scheduler: { status: 'healthy' as const } },
    })),
    listDags: jest.fn(async (options?: { tags?: string[] }) =>
      options?.tags
        ? dags.filter(d => d.tags.some(t => options.tags!.includes(t)))
        : dags,
    ),
    getDags: jest.fn(async (ids: string[]) =>
      ids.flatMap(id => dags.filter(d => d.dagId === id)),
    ),
    getDag: jest.fn(
      async (dagId: string) => dags.find(d => d.dagId === dagId) ?? dag(dagId),
    ),
    getDagDetails: jest.fn(async (dagId: string) => ({
      ...dag(dagId),
      params: {},
      defaultConf: {},
      catchup: false,
      docMd: null,
    })),
    listDagRuns: jest.fn(
      async (_dagId: string, _options?: ListDagRunsOptions) => ({
        items: [] as AirflowDagRun[],
        totalEntries: 0,
      }),
    ),
    listRecentDagRuns: jest.fn(async (ids: string[], _perDag: number) => {
      const map = new Map<string, AirflowDagRun[]>();
      for (const id of ids) map.set(id, [run(id, `scheduled__${id}`)]);
      return map;
    }),
    getDagRun: jest.fn(async (dagId: string, runId: string) =>
      run(dagId, runId),
    ),
    listTaskInstances: jest.fn(
      async (_dagId: string, _runId: string) => [] as AirflowTaskInstance[],
    ),
    triggerDagRun: jest.fn(async (dagId: string, options) =>
      run(dagId, 'backstage__new', {
        state: 'queued',
        conf: options.conf,
        note: options.note ?? null,
      }),
    ),
    setDagPaused: jest.fn(async (dagId: string, isPaused: boolean) =>
      dag(dagId, { isPaused }),
    ),
    clearDagRun: jest.fn(
      async (dagId: string, runId: string, _options: { onlyFailed: boolean }) =>
        run(dagId, runId, { state: 'queued' }),
    ),
    listTaskInstancesOfRuns: jest.fn(
      async (_dagId: string, runIds: string[]) => {
        const map = new Map<string, AirflowTaskInstance[]>();
        for (const id of runIds) map.set(id, [taskInstance('extract')]);
        return map;
      },
    ),
    getTaskInstance: jest.fn(
      async (
        _dagId: string,
        _runId: string,
        taskId: string,
        mapIndex: number,
      ) => taskInstance(taskId, { mapIndex }),
    ),
    listTaskInstanceTries: jest.fn(
      async (
        _dagId: string,
        _runId: string,
        taskId: string,
        mapIndex: number,
      ) => ({
        tries: [
          {
            taskId,
            mapIndex,
            tryNumber: 1,
            state: 'failed' as const,
            startDate: '2026-11-29T06:00:01Z',
            endDate: '2026-11-29T06:00:03Z',
            durationSeconds: 2,
            hostname: 'worker-1',
            operator: '@task',
          },
        ],
        complete: true,
      }),
    ),
    readTaskLog: jest.fn(
      async (
        _dagId: string,
        _runId: string,
        _taskId: string,
        options: ReadTaskLogOptions,
      ) =>
        taskLog({
          tryNumber: options.tryNumber,
          mapIndex: options.mapIndex,
          tail: options.tail !== undefined,
        }),
    ),
    setDagRunState: jest.fn(
      async (dagId: string, runId: string, state: 'success' | 'failed') =>
        run(dagId, runId, { state }),
    ),
    setTaskInstanceState: jest.fn(
      async (
        _dagId: string,
        _runId: string,
        taskId: string,
        options: SetTaskInstanceStateOptions,
      ) => ({
        dryRun: false,
        taskInstances: [
          { taskId, mapIndex: options.mapIndex, state: options.state },
        ],
      }),
    ),
    clearTaskInstance: jest.fn(
      async (
        _dagId: string,
        _runId: string,
        taskId: string,
        options: ClearTaskInstanceOptions,
      ) => ({
        dryRun: options.dryRun,
        taskInstances: [
          { taskId, mapIndex: options.mapIndex, state: 'failed' as const },
        ],
      }),
    ),
  };
}

/** An in-memory CacheService with TTLs ignored (tests control invalidation). */
export function memoryCache(): CacheService & { store: Map<string, unknown> } {
  const store = new Map<string, unknown>();
  const cache = {
    store,
    async get(key: string) {
      return store.get(key) as any;
    },
    async set(key: string, value: JsonValue) {
      store.set(key, JSON.parse(JSON.stringify(value)));
    },
    async delete(key: string) {
      store.delete(key);
    },
    withOptions() {
      return cache;
    },
  };
  return cache as any;
}

/** An auditor that records every event and its outcome. */
export function recordingAuditor() {
  const events: Array<{
    eventId: string;
    meta: Record<string, unknown>;
    outcome?: 'success' | 'fail';
    outcomeMeta?: Record<string, unknown>;
    error?: Error;
  }> = [];
  const auditor: AuditorService = {
    async createEvent(options) {
      const event: (typeof events)[number] = {
        eventId: options.eventId,
        meta: { ...(options.meta ?? {}) },
      };
      events.push(event);
      return {
        async success(o) {
          event.outcome = 'success';
          event.outcomeMeta = o?.meta ?? {};
        },
        async fail(o) {
          event.outcome = 'fail';
          event.outcomeMeta = o.meta ?? {};
          event.error = o.error;
        },
      };
    },
  };
  /** An audit event starter as the router builds it, without an HTTP request. */
  const audit = (event: Parameters<AuditorService['createEvent']>[0]) =>
    auditor.createEvent(event);
  return { auditor, audit, events };
}

/** Example entities. */
export function component(
  name: string,
  annotations: Record<string, string>,
  owner = 'group:default/data-engineering',
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name, namespace: 'default', annotations },
    spec: { type: 'pipeline', lifecycle: 'production', owner },
  };
}

/** A permissions service that denies the named permissions and allows the rest. */
export function permissionsDenying(deny: string[] = []) {
  return mockServices.permissions.mock({
    authorize: jest.fn(async requests =>
      requests.map((r: { permission: { name: string } }) => ({
        result: deny.includes(r.permission.name)
          ? AuthorizeResult.DENY
          : AuthorizeResult.ALLOW,
      })),
    ) as any,
  });
}
