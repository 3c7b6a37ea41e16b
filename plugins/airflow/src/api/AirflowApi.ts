import type { CompoundEntityRef } from '@backstage/catalog-model';
import { createApiRef } from '@backstage/frontend-plugin-api';
import type {
  AirflowDag,
  AirflowDagDetails,
  AirflowDagRun,
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
