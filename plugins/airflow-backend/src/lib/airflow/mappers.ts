/**
 * Normalization of raw Airflow REST payloads (`/api/v1` of Airflow 2 and
 * `/api/v2` of Airflow 3) into the shapes of the common package (plugin-airflow-common).
 *
 * The mappers are deliberately lenient: they read the field of either API
 * generation when it is present (e.g. `is_stale` or `is_active`,
 * `next_dagrun_logical_date` or `next_dagrun`), so that a minor Airflow
 * release adding or dropping a field does not break the UI. Only `apiVersion`
 * decides things that cannot be inferred from a payload (links into the web UI).
 */

import {
  DAG_RUN_STATES,
  type AirflowApiVersion,
  type AirflowComponentHealth,
  type AirflowDag,
  type AirflowDagDetails,
  type AirflowDagParam,
  type AirflowDagRun,
  type AirflowTaskInstance,
  type DagRunState,
  type JsonObject,
  type JsonValue,
  type TaskInstanceState,
} from '@airflow-for-backstage/backstage-plugin-airflow-common';

/** Where a payload comes from: needed for links and the `instance` field. */
export interface AirflowMappingContext {
  /** Instance name from config. */
  instance: string;
  /** Base URL of the instance's web UI, without trailing slash. */
  webUiUrl: string;
  /** API generation the payload was read from. */
  apiVersion: AirflowApiVersion;
}

/** A DAG tag: `{name}` in v1, `{name, dag_id}` in v2. */
interface RawTag {
  name?: string;
}

/** v1 `ScheduleInterval` (`CronExpression`, `TimeDelta`, `RelativeDelta`). */
interface RawScheduleInterval {
  __type?: string;
  value?: string;
  days?: number;
  seconds?: number;
  microseconds?: number;
  [key: string]: unknown;
}

/**
 * Raw DAG: union of v1 `DAG` and v2 `DAGResponse` (both spec'd in
 * `__fixtures__/specs/`). Everything optional: we never trust the server.
 */
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
  /** v2 */
  operator_name?: string | null;
}

/** Raw health: v1 `HealthInfo` / v2 `HealthInfoResponse`. */
export type RawHealth = Record<string, unknown>;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/**
 * Normalizes an Airflow timestamp to ISO 8601 UTC with a `Z` suffix, keeping
 * the sub-second digits Airflow sent (microseconds included). Airflow sends
 * UTC already (`+00:00` in v1, `Z` in v2); any other offset is converted.
 * Unparseable input is returned unchanged rather than dropped.
 */
export function toUtcIso(value: unknown): string | null {
  if (typeof value !== 'string' || value === '') {
    return null;
  }
  const utc =
    /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(?:Z|[+-]00:?00)$/i.exec(
      value,
    );
  if (utc) {
    return `${utc[1]}Z`;
  }
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? value : new Date(parsed).toISOString();
}

function secondsBetween(
  start: string | null,
  end: string | null,
): number | null {
  if (!start || !end) {
    return null;
  }
  const a = Date.parse(start);
  const b = Date.parse(end);
  if (Number.isNaN(a) || Number.isNaN(b)) {
    return null;
  }
  return Math.max(0, (b - a) / 1000);
}

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

/**
 * A duration in words: `Every hour`, `Every 5 minutes`, `Every 1 day, 6 hours`.
 */
export function everyDurationInWords(totalSeconds: number): string {
  if (!(totalSeconds > 0)) {
    return 'Continuously';
  }
  const units: Array<[string, number]> = [
    ['day', 86400],
    ['hour', 3600],
    ['minute', 60],
    ['second', 1],
  ];
  const parts: string[] = [];
  let rest = Math.round(totalSeconds);
  for (const [unit, size] of units) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0) {
      parts.push(plural(n, unit));
    }
  }
  if (parts.length === 1 && parts[0].startsWith('1 ')) {
    return `Every ${parts[0].slice(2)}`;
  }
  return `Every ${parts.join(', ')}`;
}

/** Python's `str(timedelta)`, which is what Airflow 3 shows as the summary of a delta schedule. */
function pythonTimedeltaString(
  days: number,
  seconds: number,
  microseconds: number,
): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  let out = `${h}:${pad(m)}:${pad(s)}`;
  if (microseconds) {
    out += `.${String(microseconds).padStart(6, '0')}`;
  }
  if (days) {
    out = `${plural(days, 'day')}, ${out}`;
  }
  return out;
}

const CRON_PRESETS: Record<string, string> = {
  '@once': 'Once',
  '@continuous': 'Continuously',
  '@hourly': 'Every hour',
  '@daily': 'Every day at 00:00',
  '@midnight': 'Every day at 00:00',
  '@weekly': 'Every week on Sunday at 00:00',
  '@monthly': 'Every month on day 1 at 00:00',
  '@quarterly': 'Every quarter on day 1 at 00:00',
  '@yearly': 'Every year on January 1 at 00:00',
  '@annually': 'Every year on January 1 at 00:00',
};

/** `timetable_description` of `schedule=None` (Airflow's `NullTimetable`, summary `None`). */
const NULL_TIMETABLE_DESCRIPTION = 'Never, external triggers only';

interface ScheduleParts {
  expression: string | null;
  words: string | null;
}

function readV1Schedule(
  raw: RawScheduleInterval | string | null | undefined,
): ScheduleParts {
  if (raw === null || raw === undefined) {
    return { expression: null, words: null };
  }
  if (typeof raw === 'string') {
    return { expression: raw, words: null };
  }
  const type = raw.__type;
  if (type === 'CronExpression' && typeof raw.value === 'string') {
    return { expression: raw.value, words: CRON_PRESETS[raw.value] ?? null };
  }
  if (type === 'TimeDelta') {
    const days = Number(raw.days ?? 0);
    const seconds = Number(raw.seconds ?? 0);
    const micros = Number(raw.microseconds ?? 0);
    return {
      expression: pythonTimedeltaString(days, seconds, micros),
      words: everyDurationInWords(days * 86400 + seconds + micros / 1e6),
    };
  }
  if (type === 'RelativeDelta') {
    const fields = ['years', 'months', 'days', 'hours', 'minutes', 'seconds'];
    const parts = fields
      .filter(f => typeof raw[f] === 'number' && raw[f] !== 0)
      .map(f => `${f}=${(raw[f] as number) > 0 ? '+' : ''}${raw[f]}`);
    const expression = `relativedelta(${parts.join(', ')})`;
    const words = parts.length
      ? `Every ${fields
          .filter(f => typeof raw[f] === 'number' && raw[f] !== 0)
          .map(f => plural(raw[f] as number, f.replace(/s$/, '')))
          .join(', ')}`
      : null;
    return { expression, words };
  }
  return {
    expression: typeof raw.value === 'string' ? raw.value : null,
    words: null,
  };
}

/**
 * The schedule of a DAG: `schedule` in words (Airflow's own
 * `timetable_description` when present) and the raw expression. Both are null
 * for unscheduled DAGs (v1 `schedule_interval: null`, v2 summary `None`,
 * description `Never, external triggers only`).
 */
export function readSchedule(raw: RawDag): {
  schedule: string | null;
  scheduleExpression: string | null;
} {
  let parts: ScheduleParts;
  if ('timetable_summary' in raw) {
    const summary = raw.timetable_summary ?? null;
    parts = {
      expression: summary,
      words: summary ? CRON_PRESETS[summary] ?? null : null,
    };
  } else {
    parts = readV1Schedule(raw.schedule_interval);
  }
  const description = raw.timetable_description?.trim();
  const expression =
    parts.expression && parts.expression !== 'None' ? parts.expression : null;
  if (expression === null || description === NULL_TIMETABLE_DESCRIPTION) {
    return { schedule: null, scheduleExpression: null };
  }
  return {
    schedule: description || parts.words || expression,
    scheduleExpression: expression,
  };
}

/** Link to a DAG in the instance's web UI (Airflow 3: `/dags/{id}`, Airflow 2: `/dags/{id}/grid`). */
export function dagWebUrl(ctx: AirflowMappingContext, dagId: string): string {
  const base = `${ctx.webUiUrl}/dags/${encodeURIComponent(dagId)}`;
  return ctx.apiVersion === 'v2' ? base : `${base}/grid`;
}

/** Link to a DAG run in the instance's web UI (Airflow 3: `/dags/{id}/runs/{run}`, Airflow 2: grid view). */
export function dagRunWebUrl(
  ctx: AirflowMappingContext,
  dagId: string,
  runId: string,
): string {
  const dag = `${ctx.webUiUrl}/dags/${encodeURIComponent(dagId)}`;
  return ctx.apiVersion === 'v2'
    ? `${dag}/runs/${encodeURIComponent(runId)}`
    : `${dag}/grid?dag_run_id=${encodeURIComponent(runId)}`;
}

/** v1 `DAG` / v2 `DAGResponse` → {@link AirflowDag}. */
export function mapDag(raw: RawDag, ctx: AirflowMappingContext): AirflowDag {
  const { schedule, scheduleExpression } = readSchedule(raw);
  let isActive = true;
  if (typeof raw.is_stale === 'boolean') {
    isActive = !raw.is_stale;
  } else if (typeof raw.is_active === 'boolean') {
    isActive = raw.is_active;
  }
  const tags = [
    ...new Set(
      (raw.tags ?? [])
        .map(t => t?.name)
        .filter((n): n is string => typeof n === 'string'),
    ),
  ].sort();
  return {
    instance: ctx.instance,
    dagId: raw.dag_id,
    displayName: raw.dag_display_name || raw.dag_id,
    description: stringOrNull(raw.description),
    owners: Array.isArray(raw.owners)
      ? raw.owners.filter(o => typeof o === 'string')
      : [],
    tags,
    isPaused: raw.is_paused === true,
    isActive,
    hasImportErrors: raw.has_import_errors === true,
    schedule,
    scheduleExpression,
    nextRunLogicalDate: toUtcIso(
      'next_dagrun_logical_date' in raw
        ? raw.next_dagrun_logical_date
        : raw.next_dagrun,
    ),
    nextRunAfter: toUtcIso(
      'next_dagrun_run_after' in raw
        ? raw.next_dagrun_run_after
        : raw.next_dagrun_create_after,
    ),
    webUrl: dagWebUrl(ctx, raw.dag_id),
  };
}

function toJsonValue(value: unknown): JsonValue {
  return value === undefined ? null : (value as JsonValue);
}

/**
 * Reads DAG params. Both Airflow 2 and 3 serialize each `Param` with
 * `Param.dump()`: `{"__class": "...Param", "value": <default or null>,
 * "description": ..., "schema": {...}}`. A plain value (no such keys) is
 * accepted too and taken as the default.
 */
export function mapDagParams(raw: unknown): Record<string, AirflowDagParam> {
  const out: Record<string, AirflowDagParam> = {};
  if (!isPlainObject(raw)) {
    return out;
  }
  for (const [name, entry] of Object.entries(raw)) {
    if (
      isPlainObject(entry) &&
      ('__class' in entry || 'value' in entry || 'schema' in entry)
    ) {
      out[name] = {
        value: toJsonValue(entry.value),
        schema: isPlainObject(entry.schema) ? (entry.schema as JsonObject) : {},
        description: stringOrNull(entry.description),
      };
    } else {
      out[name] = { value: toJsonValue(entry), schema: {}, description: null };
    }
  }
  return out;
}

/** v1 `DAGDetail` / v2 `DAGDetailsResponse` → {@link AirflowDagDetails}. */
export function mapDagDetails(
  raw: RawDagDetails,
  ctx: AirflowMappingContext,
): AirflowDagDetails {
  const params = mapDagParams(raw.params);
  const defaultConf: JsonObject = {};
  for (const [name, param] of Object.entries(params)) {
    defaultConf[name] = param.value;
  }
  return {
    ...mapDag(raw, ctx),
    params,
    defaultConf,
    catchup: typeof raw.catchup === 'boolean' ? raw.catchup : null,
    docMd: stringOrNull(raw.doc_md),
  };
}

function mapRunState(state: unknown): DagRunState {
  // Airflow only knows these four; an unknown (future) state is shown as not finished.
  return DAG_RUN_STATES.includes(state as DagRunState)
    ? (state as DagRunState)
    : 'queued';
}

/**
 * v1 `DAGRun` / v2 `DAGRunResponse` → {@link AirflowDagRun}. `now` is used
 * for the duration of a running run.
 */
export function mapDagRun(
  raw: RawDagRun,
  ctx: AirflowMappingContext,
  now: number = Date.now(),
): AirflowDagRun {
  const state = mapRunState(raw.state);
  const logicalDate = toUtcIso(raw.logical_date ?? raw.execution_date);
  const startDate = toUtcIso(raw.start_date);
  const endDate = toUtcIso(raw.end_date);
  let durationSeconds = secondsBetween(startDate, endDate);
  if (
    durationSeconds === null &&
    startDate &&
    !endDate &&
    state === 'running'
  ) {
    durationSeconds = secondsBetween(startDate, new Date(now).toISOString());
  }
  if (durationSeconds === null && typeof raw.duration === 'number') {
    durationSeconds = raw.duration;
  }
  return {
    instance: ctx.instance,
    dagId: raw.dag_id,
    runId: raw.dag_run_id,
    state,
    runType: raw.run_type ?? 'manual',
    logicalDate,
    runAfter: toUtcIso(raw.run_after) ?? logicalDate,
    queuedAt: toUtcIso(raw.queued_at),
    startDate,
    endDate,
    durationSeconds,
    note: stringOrNull(raw.note),
    conf: isPlainObject(raw.conf) ? (raw.conf as JsonObject) : {},
    webUrl: dagRunWebUrl(ctx, raw.dag_id, raw.dag_run_id),
  };
}

/** v1 `TaskInstance` / v2 `TaskInstanceResponse` → {@link AirflowTaskInstance}. */
export function mapTaskInstance(raw: RawTaskInstance): AirflowTaskInstance {
  const startDate = toUtcIso(raw.start_date);
  const endDate = toUtcIso(raw.end_date);
  return {
    taskId: raw.task_id,
    mapIndex: typeof raw.map_index === 'number' ? raw.map_index : -1,
    // Airflow 3 sends null for a task instance that was never scheduled; Airflow 2 sends null or "none".
    state: (raw.state || 'none') as TaskInstanceState,
    tryNumber: typeof raw.try_number === 'number' ? raw.try_number : 0,
    startDate,
    endDate,
    durationSeconds:
      typeof raw.duration === 'number'
        ? raw.duration
        : secondsBetween(startDate, endDate),
    operator: raw.operator || raw.operator_name || null,
  };
}

/**
 * v1 `HealthInfo` / v2 `HealthInfoResponse` → components by name. Every
 * top-level object with a `status` key is a component; its heartbeat is the
 * `latest_*_heartbeat` field.
 */
export function mapHealth(
  raw: RawHealth,
): Record<string, AirflowComponentHealth> {
  const out: Record<string, AirflowComponentHealth> = {};
  if (!isPlainObject(raw)) {
    return out;
  }
  for (const [name, value] of Object.entries(raw)) {
    if (!isPlainObject(value) || !('status' in value)) {
      continue;
    }
    const status =
      value.status === 'healthy' || value.status === 'unhealthy'
        ? value.status
        : null;
    const heartbeatKey = Object.keys(value).find(k =>
      /^latest_.*heartbeat$/.test(k),
    );
    const component: AirflowComponentHealth = { status };
    if (heartbeatKey) {
      component.latestHeartbeat = toUtcIso(value[heartbeatKey]);
    }
    out[name] = component;
  }
  return out;
}
