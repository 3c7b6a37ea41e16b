/**
 * Raw Airflow REST payloads as the two API generations send them: `/api/v1`
 * (Airflow 2, spec'd in `__fixtures__/specs/v1.yaml`) and `/api/v2` (Airflow
 * 3, `__fixtures__/specs/v2.yaml`). Every field is optional or nullable: the
 * mappers never trust the server. Fields of one generation only are marked.
 */

/** A DAG tag: `{name}` in v1, `{name, dag_id}` in v2. */
export interface RawTag {
  name?: string;
}

/** v1 `ScheduleInterval` (`CronExpression`, `TimeDelta`, `RelativeDelta`). */
export interface RawScheduleInterval {
  __type?: string;
  value?: string;
  days?: number;
  seconds?: number;
  microseconds?: number;
  [key: string]: unknown;
}

/** Raw DAG: v1 `DAG` / v2 `DAGResponse`. */
export interface RawDag {
  dag_id: string;
  dag_display_name?: string | null;
  description?: string | null;
  owners?: string[] | null;
  tags?: RawTag[] | null;
  is_paused?: boolean | null;
  /** v1 */
  is_active?: boolean | null;
  /** v2 */
  is_stale?: boolean | null;
  has_import_errors?: boolean | null;
  /** v1 */
  schedule_interval?: RawScheduleInterval | string | null;
  /** v2 */
  timetable_summary?: string | null;
  timetable_description?: string | null;
  /** v1 */
  next_dagrun?: string | null;
  /** v1 */
  next_dagrun_create_after?: string | null;
  /** v2 */
  next_dagrun_logical_date?: string | null;
  /** v2 */
  next_dagrun_run_after?: string | null;
}

/** Raw DAG details: v1 `DAGDetail` / v2 `DAGDetailsResponse`. */
export interface RawDagDetails extends RawDag {
  params?: Record<string, unknown> | null;
  catchup?: boolean | null;
  doc_md?: string | null;
}

/** Raw DAG run: v1 `DAGRun` / v2 `DAGRunResponse`. */
export interface RawDagRun {
  dag_id: string;
  dag_run_id: string;
  state?: string | null;
  run_type?: string | null;
  /** v1 (deprecated alias of `logical_date`) */
  execution_date?: string | null;
  logical_date?: string | null;
  /** v2 */
  run_after?: string | null;
  /** v2 */
  queued_at?: string | null;
  start_date?: string | null;
  end_date?: string | null;
  /** v2, Airflow 3.1+ */
  duration?: number | null;
  note?: string | null;
  conf?: Record<string, unknown> | null;
}

/** Raw task instance: v1 `TaskInstance` / v2 `TaskInstanceResponse`. */
export interface RawTaskInstance {
  task_id: string;
  map_index?: number | null;
  state?: string | null;
  try_number?: number | null;
  start_date?: string | null;
  end_date?: string | null;
  duration?: number | null;
  operator?: string | null;
  /** v2, Airflow 3.1+: the operator as the UI names it (`@task`). */
  operator_name?: string | null;
  rendered_map_index?: string | null;
  max_tries?: number | null;
  hostname?: string | null;
  dag_id?: string;
  dag_run_id?: string;
}

/** Raw task instance reference: v1 `TaskInstanceReference` (no state, no map index). */
export interface RawTaskInstanceRef {
  task_id?: string;
  dag_id?: string;
  dag_run_id?: string;
  map_index?: number | null;
  state?: string | null;
}

/** Raw health: v1 `HealthInfo` / v2 `HealthInfoResponse`. */
export type RawHealth = Record<string, unknown>;

/** A page of a collection: the items under a collection-specific key, and `total_entries`. */
export type RawPage = Record<string, unknown> & { total_entries?: number };

/** True for a JSON object (not null, not an array). */
export function isPlainObject(
  value: unknown,
): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
