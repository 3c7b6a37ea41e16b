/**
 * Shapes shared by the Airflow backend and frontend plugins.
 *
 * Every shape here is normalized: the backend maps Airflow 2 (`/api/v1`) and
 * Airflow 3 (`/api/v2`) payloads into these, so the frontend never sees raw
 * Airflow JSON. Dates are ISO 8601 strings in UTC; durations are seconds.
 */

/** The REST API generation an Airflow instance speaks. `v1` is Airflow 2.x, `v2` is Airflow 3.x. @public */
export type AirflowApiVersion = 'v1' | 'v2';

/** States of a DAG run, identical in Airflow 2 and 3. @public */
export type DagRunState = 'queued' | 'running' | 'success' | 'failed';

/** Every DAG run state, in a stable order. @public */
export const DAG_RUN_STATES: readonly DagRunState[] = [
  'queued',
  'running',
  'success',
  'failed',
];

/**
 * States of a task instance. `null` (never scheduled) is represented as `none`,
 * which is also what Airflow 2 sends.
 * @public
 */
export type TaskInstanceState =
  | 'none'
  | 'removed'
  | 'scheduled'
  | 'queued'
  | 'running'
  | 'success'
  | 'restarting'
  | 'failed'
  | 'up_for_retry'
  | 'up_for_reschedule'
  | 'upstream_failed'
  | 'skipped'
  | 'deferred'
  | 'shutdown';

/** A JSON value, as accepted in a run config (`conf`). @public */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | JsonValue[]
  | { [key: string]: JsonValue };

/** A JSON object: the only shape Airflow accepts as run config (`conf`). @public */
export type JsonObject = { [key: string]: JsonValue };

/**
 * A DAG as seen by Backstage.
 *
 * Source: `GET /api/v2/dags` (Airflow 3) or `GET /api/v1/dags` (Airflow 2).
 * @public
 */
export interface AirflowDag {
  /** Name of the configured Airflow instance that runs this DAG. */
  instance: string;
  /** The DAG id, unique within its instance. */
  dagId: string;
  /** `dag_display_name` when set, otherwise the DAG id. */
  displayName: string;
  /** The DAG's `description`, or null. */
  description: string | null;
  /** The DAG's `owners` (Airflow's free-text owner field, not the catalog owner). */
  owners: string[];
  /** Airflow tags of the DAG, sorted. */
  tags: string[];
  /** Whether the DAG is paused. */
  isPaused: boolean;
  /** False when Airflow considers the DAG stale (its file is gone). */
  isActive: boolean;
  /** True when the DAG's file currently has an import error. */
  hasImportErrors: boolean;
  /**
   * The schedule in words, e.g. "At 06:00" or "Every hour"; null for
   * unscheduled (manual-only) DAGs. From `timetable_description`, falling back
   * to the schedule expression.
   */
  schedule: string | null;
  /** The raw schedule expression (cron string, timetable summary), or null. */
  scheduleExpression: string | null;
  /** Logical date of the next scheduled run, or null. */
  nextRunLogicalDate: string | null;
  /** Earliest time the next scheduled run may be created, or null. */
  nextRunAfter: string | null;
  /** Link to the DAG in the instance's own web UI. */
  webUrl: string;
}

/**
 * A typed DAG param as declared in the DAG (`params=`), used to prefill and
 * validate a run config. Source: `GET /dags/{dag_id}/details`.
 * @public
 */
export interface AirflowDagParam {
  /** The default value, or null when the param has none. */
  value: JsonValue;
  /** The param's JSON schema (type, enum, minimum, maximum, ...). */
  schema: JsonObject;
  /** The param's description, or null. */
  description: string | null;
}

/**
 * A DAG with the details needed to trigger it.
 * Source: `GET /dags/{dag_id}/details` (both API versions).
 * @public
 */
export interface AirflowDagDetails extends AirflowDag {
  /** Declared params by name. */
  params: Record<string, AirflowDagParam>;
  /** Default run config built from the params' default values. */
  defaultConf: JsonObject;
  /** Whether the DAG catches up missed intervals. */
  catchup: boolean | null;
  /** The DAG's documentation in Markdown, or null. */
  docMd: string | null;
}

/**
 * A DAG run.
 *
 * Source: `GET /dags/{dag_id}/dagRuns` and `POST /dags/~/dagRuns/list`
 * (both API versions; Airflow 2's `execution_date` maps to `logicalDate`).
 * @public
 */
export interface AirflowDagRun {
  /** Name of the configured Airflow instance. */
  instance: string;
  /** The DAG id. */
  dagId: string;
  /** The DAG run id (`dag_run_id`), unique within the DAG. */
  runId: string;
  /** The run's state. */
  state: DagRunState;
  /** `manual`, `scheduled`, `backfill`, `asset_triggered` (Airflow 3) or `dataset_triggered` (Airflow 2), ... */
  runType: string;
  /** The logical date; null for Airflow 3 runs created without one. */
  logicalDate: string | null;
  /** Airflow 3's `run_after` (earliest time the run may start); for Airflow 2 the logical date. */
  runAfter: string | null;
  /** When the run was queued, or null. */
  queuedAt: string | null;
  /** When the run started, or null. */
  startDate: string | null;
  /** When the run ended, or null. */
  endDate: string | null;
  /** Run time in seconds (end − start, or now − start while running); null before start. */
  durationSeconds: number | null;
  /** The run's note, or null. Runs triggered from Backstage record the user here. */
  note: string | null;
  /** The run config (`conf`). */
  conf: JsonObject;
  /** Link to the run in the instance's own web UI. */
  webUrl: string;
}

/**
 * A DAG run just triggered, and whether its DAG is paused.
 * Source: `POST /dags/{dag_id}/dagRuns`, then `GET /dags/{dag_id}` (both versions).
 * @public
 */
export interface AirflowTriggeredDagRun extends AirflowDagRun {
  /**
   * Whether the DAG was paused right after the trigger: the run then stays
   * queued until the DAG is unpaused. Null when Airflow could not tell.
   */
  dagIsPaused: boolean | null;
}

/**
 * A task instance of a DAG run.
 * Source: `GET /dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances` (both versions).
 * @public
 */
export interface AirflowTaskInstance {
  /** The task id. */
  taskId: string;
  /** Map index, -1 for an unmapped task. */
  mapIndex: number;
  /** The task instance's state. */
  state: TaskInstanceState;
  /** The try number (1-based once started; 0 before the first try). */
  tryNumber: number;
  /** When the task instance started, or null. */
  startDate: string | null;
  /** When the task instance ended, or null. */
  endDate: string | null;
  /** Run time in seconds, or null. */
  durationSeconds: number | null;
  /**
   * The operator as Airflow's UI names it: `PythonOperator`, `BashOperator`,
   * `@task` for a `@task`-decorated function (Airflow 3's `operator_name`;
   * Airflow 2's decorator classes such as `_PythonDecoratedOperator` are
   * mapped to the same names), or null.
   */
  operator: string | null;
  /** The rendered label of a mapped task instance (`map_index_template`), or null. */
  renderedMapIndex: string | null;
  /** How many tries the task instance has in all (retries + 1), or null when Airflow does not say. */
  maxTries: number | null;
}

/**
 * One try of a task instance.
 * Source: `GET …/taskInstances/{task_id}/{map_index}/tries` (Airflow 3; Airflow
 * 2.10+), or the task instance itself on older Airflow 2 (the current try only).
 * @public
 */
export interface AirflowTaskInstanceTry {
  /** The task id. */
  taskId: string;
  /** Map index, -1 for an unmapped task. */
  mapIndex: number;
  /** The try number, 1-based. */
  tryNumber: number;
  /** State the try ended in (or is in). */
  state: TaskInstanceState;
  /** When the try started, or null. */
  startDate: string | null;
  /** When the try ended, or null. */
  endDate: string | null;
  /** Run time in seconds, or null. */
  durationSeconds: number | null;
  /** The worker that ran the try, or null. */
  hostname: string | null;
  /** The operator as Airflow's UI names it, or null. */
  operator: string | null;
}

/** The tries of one task instance, oldest first. @public */
export interface AirflowTaskInstanceTries {
  /** The tries, oldest first. */
  tries: AirflowTaskInstanceTry[];
  /** False when the Airflow instance has no tries endpoint (Airflow 2 before 2.10): only the current try is listed. */
  complete: boolean;
}

/** An exception picked out of a task log. @public */
export interface AirflowLogError {
  /** The exception type, e.g. `RuntimeError` or `airflow.exceptions.AirflowException`. */
  type: string;
  /** The exception message (its first 2000 characters). */
  message: string;
}

/**
 * One line of a task log, normalized from Airflow 3's structured log (JSON or
 * NDJSON) or Airflow 2's text log.
 * @public
 */
export interface AirflowLogLine {
  /** Position of the line in the log read with the page's token (0-based). */
  index: number;
  /** When the line was logged (ISO 8601, UTC), or null. */
  timestamp: string | null;
  /** The level in lower case (`debug`, `info`, `warning`, `error`, `critical`), or null. */
  level: string | null;
  /** The logger or source that wrote the line, or null. */
  logger: string | null;
  /** The message; a group marker carries the group's title. At most 8 KiB. */
  message: string;
  /** `start` for a `::group::` marker, `end` for `::endgroup::`, null for other lines. */
  group: 'start' | 'end' | null;
  /** The exception this line reports, or null. */
  error: AirflowLogError | null;
}

/**
 * One page of a task try's log.
 * Source: `GET …/taskInstances/{task_id}/logs/{try_number}` (both versions).
 * Pages: pass `nextToken` and `nextOffset` back to read on. `hasMore` says
 * that more lines are there now (the page stopped at the byte cap);
 * `endOfLog` false means that the try is still running and more lines may
 * come later.
 * @public
 */
export interface AirflowTaskLog {
  /** The try number. */
  tryNumber: number;
  /** Map index, -1 for an unmapped task. */
  mapIndex: number;
  /** The lines of this page. */
  lines: AirflowLogLine[];
  /** Token to send for the next page (Airflow's continuation token), or null. */
  nextToken: string | null;
  /**
   * Offset to send, unchanged, for the next page: how far `nextToken`'s log
   * has been read, in lines, Airflow's header before the log counting as one.
   */
  nextOffset: number;
  /** True when the page stopped at the byte cap and more lines can be read right away. */
  hasMore: boolean;
  /** True when Airflow reports the log complete (the try is not running). */
  endOfLog: boolean;
  /** True for a tail page: `lines` are the last lines of the log; earlier lines were skipped. */
  tail: boolean;
  /** Bytes of Airflow's answer read for this page. */
  bytesRead: number;
  /** Exceptions reported on the lines read for this page, in order (at most 10). */
  errors: AirflowLogError[];
}

/**
 * Why a DAG run failed.
 * Source: `GET /api/airflow/entities/…/runs/{runId}/failure`.
 * @public
 */
export interface AirflowDagRunFailure {
  /** The DAG run. */
  run: AirflowDagRun;
  /** Its failed task instances, earliest end first. */
  failed: AirflowTaskInstance[];
  /** Its upstream-failed task instances. */
  upstreamFailed: AirflowTaskInstance[];
  /** The first failed task instance (earliest end), or null. */
  firstFailed: AirflowTaskInstance | null;
  /** The tail of the latest try's log of `firstFailed`, or null (none failed, or logs not readable). */
  log: AirflowTaskLog | null;
  /** Why `log` is null although a task failed: the caller may not read logs, or Airflow could not serve them. */
  logUnavailable: string | null;
}

/** A task instance a state change or clear touched (or, in a dry run, would touch). @public */
export interface AirflowTaskInstanceRef {
  /** The task id. */
  taskId: string;
  /** The map index; null when Airflow does not say (Airflow 2 answers without it). */
  mapIndex: number | null;
  /** The state before the change, or null when Airflow does not say. */
  state: TaskInstanceState | null;
}

/**
 * What a task instance state change or clear touched.
 * Source: `PATCH …/taskInstances/{taskId}`, `POST …/taskInstances/{taskId}/clear`.
 * @public
 */
export interface AirflowTaskInstancesChange {
  /** True for a preview (`dryRun`): nothing was changed. */
  dryRun: boolean;
  /** The task instances touched, or that would be touched. */
  taskInstances: AirflowTaskInstanceRef[];
}

/**
 * The latest runs of a DAG with their task instances, for the runs × tasks grid.
 * Source: `GET /api/airflow/entities/…/dags/{instance}/{dagId}/grid`.
 * @public
 */
export interface AirflowDagGrid {
  /** The task ids in the order of their first appearance, newest run first. */
  taskIds: string[];
  /** The latest runs, newest first, each with its task instances. */
  runs: Array<{ run: AirflowDagRun; taskInstances: AirflowTaskInstance[] }>;
}

/** One page of DAG runs. @public */
export interface AirflowDagRunList {
  /** The runs of this page, newest first. */
  items: AirflowDagRun[];
  /** Number of runs matching the filter, before paging. */
  totalEntries: number;
}

/** A DAG of an entity with a short history of its latest runs. @public */
export interface AirflowEntityDag extends AirflowDag {
  /** The latest runs, newest first (at most `recentRunsLimit` of the response). */
  recentRuns: AirflowDagRun[];
}

/** An annotated DAG that its instance does not have. @public */
export interface AirflowMissingDag {
  /** The instance the annotation points to. */
  instance: string;
  /** The DAG id named by the annotation. */
  dagId: string;
}

/** An instance that could not be reached while answering a request. @public */
export interface AirflowInstanceError {
  /** The instance name. */
  instance: string;
  /** HTTP status Backstage answers with for this failure (503 down or timing out, 404 unknown instance, ...). */
  status: number;
  /** The error's name, e.g. `ServiceUnavailableError`. */
  name: string;
  /** A human-readable message, Airflow's own where there is one. */
  message: string;
  /**
   * What failed: `instance` (absent means the same) when none of the
   * instance's DAGs could be read; `runs` when only their latest runs could
   * not be read: the DAGs are listed, and their empty `recentRuns` means
   * unavailable, not none.
   */
  scope?: 'instance' | 'runs';
}

/**
 * The DAGs of one catalog entity.
 * Source: `GET /api/airflow/entities/{kind}/{namespace}/{name}/dags`.
 * @public
 */
export interface AirflowEntityDagsResponse {
  /** The entity ref, e.g. `component:default/orders-pipeline`. */
  entityRef: string;
  /** DAGs named by the entity (by id or by tag), sorted by instance and DAG id. */
  dags: AirflowEntityDag[];
  /** Annotated DAG ids that their instance does not have. */
  missing: AirflowMissingDag[];
  /**
   * Instances that failed: their DAGs are absent from `dags`, or (scope
   * `runs`) listed without their latest runs.
   */
  errors: AirflowInstanceError[];
}

/** Health of one Airflow component (`metadatabase`, `scheduler`, `triggerer`, `dag_processor`). @public */
export interface AirflowComponentHealth {
  /** `healthy`, `unhealthy`, or null when Airflow does not report it. */
  status: 'healthy' | 'unhealthy' | null;
  /** Latest heartbeat (ISO 8601), where Airflow reports one. */
  latestHeartbeat?: string | null;
}

/**
 * Health and version of one configured Airflow instance.
 * Source: `GET /api/v2/monitor/health` + `GET /api/v2/version` (Airflow 3) or
 * `GET /api/v1/health` + `GET /api/v1/version` (Airflow 2).
 * @public
 */
export interface AirflowInstanceStatus {
  /** The instance name from config. */
  name: string;
  /** Link to the instance's web UI. */
  webUiUrl: string;
  /** The detected (or configured) API version, or null when unreachable. */
  apiVersion: AirflowApiVersion | null;
  /** Airflow's version string, e.g. `3.3.2`, or null when unreachable. */
  version: string | null;
  /**
   * `healthy` when every reported component is healthy and the plugin's
   * credentials are accepted, `unhealthy` when a component is not,
   * `authentication-failed` when the instance refuses the plugin's
   * credentials, `unreachable` when Airflow did not answer.
   */
  status: 'healthy' | 'unhealthy' | 'authentication-failed' | 'unreachable';
  /** Component health by component name. */
  components: Record<string, AirflowComponentHealth>;
  /** Why the instance is unreachable, when it is. */
  error?: string;
}

/**
 * Body of a trigger request: `POST .../dags/{instance}/{dagId}/runs`.
 * @public
 */
export interface AirflowTriggerDagRunRequest {
  /** Run config; must be a JSON object. Defaults to `{}`. */
  conf?: JsonObject;
  /** Logical date (ISO 8601 with offset); defaults to now. */
  logicalDate?: string;
  /** A note; the backend prefixes it with the triggering user's entity ref. */
  note?: string;
}

/** Body of a clear request: `POST .../runs/{runId}/clear`. @public */
export interface AirflowClearDagRunRequest {
  /** Clear only failed (and upstream-failed) task instances. Default false: all tasks. */
  onlyFailed?: boolean;
}

/** Body of a DAG run state change: `PATCH .../runs/{runId}`. @public */
export interface AirflowSetDagRunStateRequest {
  /** `success` or `failed`; marking a running DAG run stops it. */
  state: 'success' | 'failed';
}

/** Body of a task instance state change: `PATCH .../runs/{runId}/taskInstances/{taskId}`. @public */
export interface AirflowSetTaskInstanceStateRequest {
  /** `success` or `failed`. */
  state: 'success' | 'failed';
  /** Also mark the task's downstream tasks. Default false. */
  includeDownstream?: boolean;
  /** Also mark the task's upstream tasks. Default false. */
  includeUpstream?: boolean;
}

/** Body of a task instance clear: `POST .../runs/{runId}/taskInstances/{taskId}/clear`. @public */
export interface AirflowClearTaskInstanceRequest {
  /** True to preview what would be cleared, false to clear. Required. */
  dryRun: boolean;
  /** Clear only failed task instances. Default false. */
  onlyFailed?: boolean;
  /** Also clear the task's downstream tasks. Default false. */
  includeDownstream?: boolean;
  /** Also clear the task's upstream tasks. Default false. */
  includeUpstream?: boolean;
}

/** Body of a pause request: `PATCH .../dags/{instance}/{dagId}`. @public */
export interface AirflowSetDagPausedRequest {
  /** True to pause, false to unpause. */
  isPaused: boolean;
}

/** A catalog entity that names a DAG, with its owners. @public */
export interface AirflowDagEntity {
  /** The entity ref, e.g. `component:default/orders-pipeline`. */
  entityRef: string;
  /** The entity's title, or its name. */
  title: string;
  /** Owner refs from the entity's `ownedBy` relations (or `spec.owner`), e.g. `group:default/analytics`. */
  owners: string[];
  /** How the entity names the DAG: by id (`dag-ids`) or by tag (`dag-tags`). */
  namedBy: 'id' | 'tag';
}

/** One DAG of the ownership view. @public */
export interface AirflowOwnershipDag {
  /** The instance name. */
  instance: string;
  /** The DAG id. */
  dagId: string;
  /** Display name. */
  displayName: string;
  /** Link to the DAG in Airflow's UI. */
  webUrl: string;
  /** Whether the DAG is paused. */
  isPaused: boolean;
  /** Schedule in words, or null. */
  schedule: string | null;
  /** Airflow tags. */
  tags: string[];
  /** Airflow's own `owners` field. */
  airflowOwners: string[];
  /** State of the latest run, or null when the DAG never ran. */
  lastRunState: DagRunState | null;
  /** When the latest run ended (or started, while running; or may start, while queued), or null. */
  lastRunDate: string | null;
  /** Entities naming the DAG that the caller may read. */
  entities: AirflowDagEntity[];
  /** Union of the owners of `entities`, sorted. */
  owners: string[];
  /** Number of entities naming the DAG that the caller may not read (not revealed). */
  hiddenEntityCount: number;
  /** True when no entity at all names the DAG. */
  isOrphan: boolean;
}

/** An annotated DAG id that its instance does not have. @public */
export interface AirflowDanglingReference {
  /** The entity whose annotation names the DAG. */
  entityRef: string;
  /** Owners of that entity. */
  owners: string[];
  /** The instance the annotation points to. */
  instance: string;
  /** The DAG id. */
  dagId: string;
  /** `dag-missing` when the instance lacks the DAG, `unknown-instance` when no such instance is configured. */
  reason: 'dag-missing' | 'unknown-instance';
}

/** Counts shown on top of the ownership view. @public */
export interface AirflowOwnershipSummary {
  /** DAGs in every instance. */
  total: number;
  /** DAGs named by at least one entity. */
  owned: number;
  /** DAGs no entity names. */
  orphans: number;
  /** Annotated DAG ids the instances do not have. */
  dangling: number;
  /** DAGs whose latest run failed. */
  failing: number;
  /** Paused DAGs. */
  paused: number;
}

/**
 * One instance in the ownership index: when its DAGs were last read from
 * Airflow, and why the latest build could not read them. @public
 */
export interface AirflowOwnershipInstanceStatus {
  /** The instance name. */
  instance: string;
  /** When its DAGs were last read successfully (ISO 8601), or null when they never were. */
  refreshedAt: string | null;
  /** Age of those DAGs in seconds at the time of the answer, or null. */
  ageSeconds: number | null;
  /** DAGs of the instance in the index (from `refreshedAt`). */
  dagCount: number;
  /** Why the latest build could not read the instance, or null when it could. */
  error: AirflowInstanceError | null;
}

/** The state of the ownership index. @public */
export interface AirflowOwnershipIndexStatus {
  /** When the index being served was built (ISO 8601), or null if none was ever built. */
  builtAt: string | null;
  /** Age of that index in seconds at the time of the answer. */
  ageSeconds: number | null;
  /** When the latest refresh was attempted (ISO 8601), or null. */
  lastAttemptAt: string | null;
  /** When the latest refresh failed, in whole or for some instances, why; else null. */
  lastRefreshError: string | null;
  /** Every instance of the index being served. */
  instances: AirflowOwnershipInstanceStatus[];
}

/**
 * Filters and order of the ownership view. Filters combine with AND.
 * @public
 */
export interface AirflowOwnershipQuery {
  /** Words that must each occur in the DAG id, display name, tags, Airflow owners or catalog owners. */
  q?: string;
  /** Only DAGs of this instance. */
  instance?: string;
  /** Only DAGs owned by this entity ref (through a readable entity naming them). */
  owner?: string;
  /** Only DAGs owned by the caller, one of their groups (`ownershipEntityRefs`). */
  mine?: boolean;
  /** `owner` and `mine` also match the entities of child groups (default true). */
  includeChildGroups?: boolean;
  /** Only DAGs some entity names. */
  owned?: boolean;
  /** Only DAGs no entity names. */
  orphans?: boolean;
  /** Only DAGs whose latest run failed. */
  failing?: boolean;
  /** Only paused DAGs. */
  paused?: boolean;
}

/** Sort keys of the ownership view's DAGs. @public */
export type AirflowOwnershipSort = 'instance' | 'dagId' | 'lastRun' | 'owners';

/**
 * One page of the ownership view: the DAGs matching the filters, their count,
 * the summary counts of the whole index, the index's state and the values
 * the filters can take. Source: `GET /api/airflow/ownership`.
 * @public
 */
export interface AirflowOwnershipPage {
  /** The state of the index being served. */
  index: AirflowOwnershipIndexStatus;
  /** Counts over the whole index (not the filters). */
  summary: AirflowOwnershipSummary;
  /** DAGs matching the filters. */
  total: number;
  /** Offset of this page. */
  offset: number;
  /** Page size asked for. */
  limit: number;
  /** The DAGs of this page, in the requested order. */
  dags: AirflowOwnershipDag[];
  /** Instances of the index and owners of readable entities, for the filter selects. */
  facets: { instances: string[]; owners: string[] };
}

/**
 * One page of the dangling references matching the filters (instance, owner,
 * owned by me and text search). Source: `GET /api/airflow/ownership/dangling`.
 * @public
 */
export interface AirflowDanglingPage {
  /** References matching the filters. */
  total: number;
  /** Offset of this page. */
  offset: number;
  /** Page size asked for. */
  limit: number;
  /** The references of this page, by entity, instance and DAG id. */
  dangling: AirflowDanglingReference[];
}
