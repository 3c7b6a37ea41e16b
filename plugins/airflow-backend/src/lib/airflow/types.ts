import type { Config } from '@backstage/config';
import type {
  AirflowApiVersion,
  AirflowDag,
  AirflowDagDetails,
  AirflowDagRun,
  AirflowDagRunList,
  AirflowInstanceStatus,
  AirflowTaskInstance,
  AirflowTaskInstancesChange,
  AirflowTaskInstanceTries,
  AirflowTaskLog,
  DagRunState,
  JsonObject,
} from '@airflow-for-backstage/backstage-plugin-airflow-common';

/** How the backend authenticates to one Airflow instance. */
export type AirflowAuthConfig =
  /**
   * Username and password. Airflow 3: exchanged for a JWT at
   * `POST {baseUrl}/auth/token`. Airflow 2: sent as HTTP basic auth.
   */
  | { type: 'password'; username: string; password: string }
  /** A static bearer token (managed Airflow offerings). */
  | { type: 'token'; token: string }
  /** No credentials (Airflow with an all-admins auth manager; tests). */
  | { type: 'none' }
  /**
   * Another `auth.type`, served by a provider registered with the
   * `airflowAuthProvidersExtensionPoint`; `config` is the `auth` block.
   */
  | { type: 'extension'; name: string; config: Config };

/** One validated `airflow.instances[]` entry. */
export interface AirflowInstanceConfig {
  /** Unique instance name, used in annotations (`prod:my_dag`) and URLs. */
  name: string;
  /** Base URL of the Airflow API server without `/api/v1|v2` and without a trailing slash. */
  baseUrl: string;
  /** Base URL of the Airflow web UI (links); defaults to `baseUrl`. No trailing slash. */
  webUiUrl: string;
  /** `auto` detects per instance (v2 first, then v1). */
  apiVersion: 'auto' | AirflowApiVersion;
  /** Credentials. */
  auth: AirflowAuthConfig;
  /** Timeout of one HTTP request to Airflow, in milliseconds. */
  timeoutMs: number;
  /**
   * How long the reads of an entity page wait for this instance before the
   * page is answered without it (the instance marked slow), in milliseconds.
   * Writes keep {@link AirflowInstanceConfig.timeoutMs}.
   */
  pageTimeoutMs?: number;
  /** PEM certificates of a private CA trusted for this instance's TLS, on top of the system's. */
  caCertificates?: string[];
}

/** Options of {@link AirflowClient.listDags}. */
export interface ListDagsOptions {
  /** Only DAGs carrying at least one of these tags (Airflow's `tags` filter, any-match). */
  tags?: string[];
  /** Include paused DAGs (default true). */
  includePaused?: boolean;
}

/** Options of {@link AirflowClient.listDagRuns}. */
export interface ListDagRunsOptions {
  /** Page size, clamped to 1..100. Default 25. */
  limit?: number;
  /** Number of runs to skip. Default 0. */
  offset?: number;
  /** Only runs in these states. */
  states?: DagRunState[];
}

/** Body of {@link AirflowClient.triggerDagRun}: only writable fields. */
export interface TriggerDagRunOptions {
  /** Unique run id; the client generates one when absent. */
  runId?: string;
  /** Logical date, ISO 8601 with offset (normalized to UTC). Defaults to now. */
  logicalDate?: string;
  /** The run config. */
  conf: JsonObject;
  /** The run's note. */
  note?: string;
}

/** Options of {@link AirflowClient.readTaskLog}. */
export interface ReadTaskLogOptions {
  /** Map index, -1 for an unmapped task. */
  mapIndex: number;
  /** The try, 1-based. */
  tryNumber: number;
  /** Airflow's continuation token from the previous page (Airflow 3 only). */
  token?: string;
  /** Lines of the token's log to skip (already read). */
  offset: number;
  /** Keep only the last `tail` lines of the log (reads it whole, holds only those). */
  tail?: number;
  /** Filled with what the read cost (for measurements). */
  stats?: LogReadStats;
}

/** What one log read cost. */
export interface LogReadStats {
  /** Bytes read from Airflow. */
  bytesRead: number;
  /** Most bytes of an unfinished line or entry held at once. */
  maxHeldStreamBytes: number;
  /** Most bytes of kept lines held at once. */
  maxKeptBytes: number;
  /** The request's accept header: which format was read. */
  format: 'ndjson' | 'json' | 'text';
  /** True when the transfer was stopped before Airflow's answer ended. */
  aborted: boolean;
}

/** Options of {@link AirflowClient.setTaskInstanceState}. */
export interface SetTaskInstanceStateOptions {
  mapIndex: number;
  state: 'success' | 'failed';
  includeUpstream: boolean;
  includeDownstream: boolean;
}

/** Options of {@link AirflowClient.clearTaskInstance}. */
export interface ClearTaskInstanceOptions {
  mapIndex: number;
  dryRun: boolean;
  onlyFailed: boolean;
  includeUpstream: boolean;
  includeDownstream: boolean;
}

/**
 * A client for one Airflow instance, speaking `/api/v2` (Airflow 3, JWT) or
 * `/api/v1` (Airflow 2, basic auth), detected on first use when the config
 * says `auto`. Every method returns the normalized shapes of
 * the common package (plugin-airflow-common) and throws typed `@backstage/errors`:
 * `NotFoundError` (404), `ConflictError` (409), `InputError` (400/422),
 * `NotAllowedError` (403 from Airflow after a re-login),
 * `ServiceUnavailableError` (Airflow down, timing out, 5xx), each with
 * Airflow's own message and the instance name.
 */
export interface AirflowClient {
  /** The instance's config. */
  readonly config: AirflowInstanceConfig;
  /** The API version, detected once and cached. */
  getApiVersion(): Promise<AirflowApiVersion>;
  /** Health and version; never throws (an unreachable instance is reported). */
  getStatus(): Promise<AirflowInstanceStatus>;
  /** Every (non-stale) DAG of the instance, following `total_entries` over pages of at most 100. */
  listDags(options?: ListDagsOptions): Promise<AirflowDag[]>;
  /** One DAG (`GET /dags/{dag_id}`). */
  getDag(dagId: string): Promise<AirflowDag>;
  /**
   * The named (non-stale) DAGs, in the order given, without listing the
   * instance; ids Airflow lacks are left out.
   */
  getDags(dagIds: string[]): Promise<AirflowDag[]>;
  /** One DAG with params and defaults (`GET /dags/{dag_id}/details`). */
  getDagDetails(dagId: string): Promise<AirflowDagDetails>;
  /** One page of a DAG's runs, newest first. */
  listDagRuns(
    dagId: string,
    options?: ListDagRunsOptions,
  ): Promise<AirflowDagRunList>;
  /**
   * The latest `perDag` runs of each of `dagIds`, newest first, with a bounded
   * number of calls to the batch endpoint `POST /dags/~/dagRuns/list`
   * (never one call per DAG). DAGs without runs map to an empty list.
   */
  listRecentDagRuns(
    dagIds: string[],
    perDag: number,
  ): Promise<Map<string, AirflowDagRun[]>>;
  /** One DAG run. */
  getDagRun(dagId: string, runId: string): Promise<AirflowDagRun>;
  /** Task instances of a DAG run (all pages). */
  listTaskInstances(
    dagId: string,
    runId: string,
  ): Promise<AirflowTaskInstance[]>;
  /**
   * Triggers a DAG run and returns it; a run id or logical date that exists
   * already is a `DagRunExistsError` (409) carrying that run.
   */
  triggerDagRun(
    dagId: string,
    options: TriggerDagRunOptions,
  ): Promise<AirflowDagRun>;
  /** Pauses or unpauses a DAG (`PATCH /dags/{dag_id}?update_mask=is_paused`) and returns it. */
  setDagPaused(dagId: string, isPaused: boolean): Promise<AirflowDag>;
  /**
   * Clears a DAG run so that it runs again (`POST .../clear` with
   * `dry_run: false`), all tasks or only failed ones, and returns the run.
   */
  clearDagRun(
    dagId: string,
    runId: string,
    options: { onlyFailed: boolean },
  ): Promise<AirflowDagRun>;
  /** The task instances of several runs of one DAG (batch listing), by run id. */
  listTaskInstancesOfRuns(
    dagId: string,
    runIds: string[],
  ): Promise<Map<string, AirflowTaskInstance[]>>;
  /** One task instance (`…/taskInstances/{task_id}[/{map_index}]`). */
  getTaskInstance(
    dagId: string,
    runId: string,
    taskId: string,
    mapIndex: number,
  ): Promise<AirflowTaskInstance>;
  /** The tries of a task instance, oldest first. */
  listTaskInstanceTries(
    dagId: string,
    runId: string,
    taskId: string,
    mapIndex: number,
  ): Promise<AirflowTaskInstanceTries>;
  /** One bounded page (or the tail) of a try's log. */
  readTaskLog(
    dagId: string,
    runId: string,
    taskId: string,
    options: ReadTaskLogOptions,
  ): Promise<AirflowTaskLog>;
  /** Marks a DAG run success or failed (which stops it) and returns it. */
  setDagRunState(
    dagId: string,
    runId: string,
    state: 'success' | 'failed',
  ): Promise<AirflowDagRun>;
  /** Marks a task instance (and its upstream or downstream tasks) success or failed. */
  setTaskInstanceState(
    dagId: string,
    runId: string,
    taskId: string,
    options: SetTaskInstanceStateOptions,
  ): Promise<AirflowTaskInstancesChange>;
  /** Clears a task instance (and its upstream or downstream tasks), or previews it (`dryRun`). */
  clearTaskInstance(
    dagId: string,
    runId: string,
    taskId: string,
    options: ClearTaskInstanceOptions,
  ): Promise<AirflowTaskInstancesChange>;
}
