import type { CompoundEntityRef } from '@backstage/catalog-model';
import { createApiRef } from '@backstage/frontend-plugin-api';
import type {
  AirflowDag,
  AirflowDagDetails,
  AirflowDagGrid,
  AirflowDagRun,
  AirflowDagRunFailure,
  AirflowDagRunList,
  AirflowEntityDagsResponse,
  AirflowDanglingPage,
  AirflowInstanceStatus,
  AirflowOwnershipIndexStatus,
  AirflowOwnershipPage,
  AirflowOwnershipQuery,
  AirflowOwnershipSort,
  AirflowTaskInstance,
  AirflowTriggeredDagRun,
  AirflowTaskInstancesChange,
  AirflowTaskInstanceTries,
  AirflowTaskLog,
  DagRunState,
  JsonObject,
} from '@airflow-for-backstage/backstage-plugin-airflow-common';

/**
 * Options naming a catalog entity.
 * @public
 */
export interface AirflowEntityOptions {
  /** The entity whose Airflow annotations name the DAGs. */
  entityRef: CompoundEntityRef;
}

/**
 * Options naming one DAG of a catalog entity.
 * @public
 */
export interface AirflowDagOptions extends AirflowEntityOptions {
  /** Name of the configured Airflow instance that runs the DAG. */
  instance: string;
  /** The DAG id. */
  dagId: string;
}

/**
 * Options naming one DAG run of a DAG of a catalog entity.
 * @public
 */
export interface AirflowDagRunOptions extends AirflowDagOptions {
  /** The DAG run id, e.g. `manual__2025-03-29T19:48:49.273773+00:00`. */
  runId: string;
}

/**
 * Options of {@link AirflowApi.listDagRuns}.
 * @public
 */
export interface AirflowListDagRunsOptions extends AirflowDagOptions {
  /** Page size, 1 to 100. The backend defaults to 25. */
  limit?: number;
  /** Number of DAG runs to skip. */
  offset?: number;
  /** Only DAG runs in one of these states; all states when empty or absent. */
  states?: DagRunState[];
}

/**
 * Options of {@link AirflowApi.setDagPaused}.
 * @public
 */
export interface AirflowSetDagPausedOptions extends AirflowDagOptions {
  /** True to pause the DAG, false to unpause it. */
  isPaused: boolean;
}

/**
 * Options of {@link AirflowApi.triggerDagRun}.
 * @public
 */
export interface AirflowTriggerDagRunOptions extends AirflowDagOptions {
  /** Run config (`conf`); must be a JSON object. The backend defaults to `{}`. */
  conf?: JsonObject;
  /** Logical date, ISO 8601 with a time zone offset. The backend defaults to now. */
  logicalDate?: string;
  /** The run id (Airflow's run id pattern). The backend generates a unique one by default. */
  runId?: string;
  /** A note recorded on the DAG run; the backend prefixes it with the user. */
  note?: string;
}

/**
 * Options of {@link AirflowApi.clearDagRun}.
 * @public
 */
export interface AirflowClearDagRunOptions extends AirflowDagRunOptions {
  /** Clear only failed task instances; false (the default) clears all of them. */
  onlyFailed?: boolean;
}

/**
 * Options of {@link AirflowApi.getOwnership}: filters, order and page.
 * @public
 */
export interface AirflowOwnershipPageOptions extends AirflowOwnershipQuery {
  /** Sort key; the backend defaults to `instance` (then DAG id). */
  sort?: AirflowOwnershipSort;
  /** Ascending (default) or descending. */
  order?: 'asc' | 'desc';
  /** Page size, 1 to 100. The backend defaults to 25. */
  limit?: number;
  /** Number of DAGs to skip. */
  offset?: number;
}

/**
 * Options naming one task instance of a DAG run.
 * @public
 */
export interface AirflowTaskInstanceOptions extends AirflowDagRunOptions {
  /** The task id. */
  taskId: string;
  /** The map index of a mapped task instance; -1 (the default) for an unmapped task. */
  mapIndex?: number;
}

/**
 * Options of {@link AirflowApi.getTaskLog}.
 * @public
 */
export interface AirflowTaskLogOptions extends AirflowTaskInstanceOptions {
  /** The try, 1-based. */
  tryNumber: number;
  /** `nextToken` of the previous page. */
  token?: string | null;
  /** `nextOffset` of the previous page. */
  offset?: number;
  /** Answer the last `tail` lines (1 to 1000) instead of a page. */
  tail?: number;
}

/**
 * Options of {@link AirflowApi.setDagRunState}.
 * @public
 */
export interface AirflowSetDagRunStateOptions extends AirflowDagRunOptions {
  /** `success` or `failed`; marking a queued or running DAG run stops it. */
  state: 'success' | 'failed';
}

/**
 * Options of {@link AirflowApi.setTaskInstanceState}.
 * @public
 */
export interface AirflowSetTaskInstanceStateOptions
  extends AirflowTaskInstanceOptions {
  /** The state to set: `success` or `failed`. */
  state: 'success' | 'failed';
  /** Also mark the task's upstream tasks in the run (default false). */
  includeUpstream?: boolean;
  /**
   * Also mark the task's downstream tasks in the run (default false). Airflow 2
   * marks a mapped task instance alone: with this or `includeUpstream` the
   * backend answers 501 (`AirflowNotSupportedError`).
   */
  includeDownstream?: boolean;
}

/**
 * Options of {@link AirflowApi.clearTaskInstance}.
 * @public
 */
export interface AirflowClearTaskInstanceOptions
  extends AirflowTaskInstanceOptions {
  /** True previews what would be cleared; false clears. */
  dryRun: boolean;
  /** Clear only task instances that failed or were upstream-failed (default false). */
  onlyFailed?: boolean;
  /** Also clear the task's upstream tasks in the run (default false). */
  includeUpstream?: boolean;
  /** Also clear the task's downstream tasks in the run (default false). */
  includeDownstream?: boolean;
}

/**
 * A DAG run with its task instances.
 * @public
 */
export interface AirflowDagRunWithTaskInstances {
  /** The DAG run. */
  run: AirflowDagRun;
  /** The task instances of the DAG run. */
  taskInstances: AirflowTaskInstance[];
}

/**
 * Client of the Airflow backend plugin. Every DAG operation is scoped to the
 * catalog entity that names the DAG, so that the backend can check the
 * entity-scoped permissions.
 *
 * Failed requests reject with a `ResponseError` from `@backstage/errors`,
 * whose `cause.message` carries the backend's (often Airflow's own) message.
 * @public
 */
export interface AirflowApi {
  /** The DAGs of an entity, with their latest DAG runs, missing DAGs and instance errors. */
  listEntityDags(
    options: AirflowEntityOptions,
  ): Promise<AirflowEntityDagsResponse>;
  /** One DAG with its params and the default run config. */
  getDagDetails(options: AirflowDagOptions): Promise<AirflowDagDetails>;
  /** Pauses or unpauses a DAG. */
  setDagPaused(options: AirflowSetDagPausedOptions): Promise<AirflowDag>;
  /** One page of the DAG runs of a DAG, newest first. */
  listDagRuns(options: AirflowListDagRunsOptions): Promise<AirflowDagRunList>;
  /**
   * Triggers a DAG run; the answer says whether the DAG is paused. A run id
   * or logical date that exists already rejects with a 409 whose body carries
   * that run (`error.existingRun`).
   */
  triggerDagRun(
    options: AirflowTriggerDagRunOptions,
  ): Promise<AirflowTriggeredDagRun>;
  /** One DAG run with its task instances. */
  getDagRun(
    options: AirflowDagRunOptions,
  ): Promise<AirflowDagRunWithTaskInstances>;
  /** Clears a DAG run (all or only failed task instances) so that it runs again. */
  clearDagRun(options: AirflowClearDagRunOptions): Promise<AirflowDagRun>;
  /** Marks a DAG run success or failed (which stops a running one). */
  setDagRunState(options: AirflowSetDagRunStateOptions): Promise<AirflowDagRun>;
  /** The latest DAG runs of a DAG with their task instances (the runs × tasks grid). */
  getDagGrid(
    options: AirflowDagOptions & { limit?: number },
  ): Promise<AirflowDagGrid>;
  /** Why a DAG run failed: its failed task instances and the log tail of the first. */
  getDagRunFailure(
    options: AirflowDagRunOptions,
  ): Promise<AirflowDagRunFailure>;
  /** One task instance. */
  getTaskInstance(
    options: AirflowTaskInstanceOptions,
  ): Promise<AirflowTaskInstance>;
  /** The tries of a task instance, oldest first. */
  listTaskInstanceTries(
    options: AirflowTaskInstanceOptions,
  ): Promise<AirflowTaskInstanceTries>;
  /** One page (or the tail) of a try's log; needs `airflow.dag.logs.read`. */
  getTaskLog(options: AirflowTaskLogOptions): Promise<AirflowTaskLog>;
  /** Marks a task instance (with its upstream or downstream tasks) success or failed. */
  setTaskInstanceState(
    options: AirflowSetTaskInstanceStateOptions,
  ): Promise<AirflowTaskInstancesChange>;
  /** Clears a task instance, or with `dryRun` lists what would be cleared. */
  clearTaskInstance(
    options: AirflowClearTaskInstanceOptions,
  ): Promise<AirflowTaskInstancesChange>;
  /** Health and version of every configured Airflow instance. */
  listInstances(): Promise<{ instances: AirflowInstanceStatus[] }>;
  /**
   * One page of the ownership view: the DAGs of every instance matching the
   * filters, in order, with the catalog entities that name them and their
   * owners, the summary counts and the index state. Filtering, sorting and
   * paging happen on the server. Requires `airflow.ownership.read` (403 otherwise).
   */
  getOwnership(
    options?: AirflowOwnershipPageOptions,
  ): Promise<AirflowOwnershipPage>;
  /** One page of the dangling references matching the filters (instance, owner, mine, search). */
  getOwnershipDangling(
    options?: AirflowOwnershipQuery & { limit?: number; offset?: number },
  ): Promise<AirflowDanglingPage>;
  /** Every DAG matching the filters, in order, as the CSV file the backend streams. */
  exportOwnershipCsv(
    options?: Omit<AirflowOwnershipPageOptions, 'limit' | 'offset'>,
  ): Promise<Blob>;
  /**
   * Rebuilds the ownership index now (unless it is younger than 30 s) and
   * answers its state. A failed rebuild does not reject: the state keeps the
   * last good index and carries the failure in `lastRefreshError`.
   */
  refreshOwnership(): Promise<AirflowOwnershipIndexStatus>;
}

/**
 * API reference of {@link AirflowApi}.
 * @public
 */
export const airflowApiRef = createApiRef<AirflowApi>().with({
  id: 'plugin.airflow.service',
  pluginId: 'airflow',
});
