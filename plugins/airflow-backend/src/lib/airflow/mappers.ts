/**
 * Normalization of raw Airflow REST payloads (see `raw.ts`) into the shapes
 * of the common package. What differs between `/api/v1` and `/api/v2` is
 * asked of the dialect; the rest is read leniently (a missing or mistyped
 * field becomes null, false or empty), so that a minor Airflow release
 * adding or dropping a field does not break the UI.
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
  type AirflowTaskInstanceRef,
  type AirflowTaskInstanceTry,
  type DagRunState,
  type JsonObject,
  type JsonValue,
  type TaskInstanceState,
} from '@airflow-for-backstage/backstage-plugin-airflow-common';
import { secondsBetween, toUtcIso } from './dates';
import { type AirflowDialect, dialectOf } from './dialects';
import {
  isPlainObject,
  type RawDag,
  type RawDagDetails,
  type RawDagRun,
  type RawHealth,
  type RawTaskInstance,
  type RawTaskInstanceRef,
} from './raw';
import { scheduleInWords } from './schedule';

/** Where a payload comes from: needed for links and the `instance` field. */
export interface AirflowMappingContext {
  /** Instance name from config. */
  instance: string;
  /** Base URL of the instance's web UI, without trailing slash. */
  webUiUrl: string;
  /** API generation the payload was read from. */
  apiVersion: AirflowApiVersion;
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function dialect(ctx: AirflowMappingContext): AirflowDialect {
  return dialectOf(ctx.apiVersion);
}

/**
 * The schedule of a DAG: `schedule` in words (Airflow's own
 * `timetable_description` when present) and the raw expression. Both are null
 * for unscheduled DAGs.
 */
export function readSchedule(
  raw: RawDag,
  ctx: Pick<AirflowMappingContext, 'apiVersion'>,
): { schedule: string | null; scheduleExpression: string | null } {
  return scheduleInWords(
    dialectOf(ctx.apiVersion).readSchedule(raw),
    raw.timetable_description,
  );
}

/** Link to a DAG in the instance's web UI. */
export function dagWebUrl(ctx: AirflowMappingContext, dagId: string): string {
  return dialect(ctx).dagUrl(ctx.webUiUrl, dagId);
}

/** Link to a DAG run in the instance's web UI. */
export function dagRunWebUrl(
  ctx: AirflowMappingContext,
  dagId: string,
  runId: string,
): string {
  return dialect(ctx).dagRunUrl(ctx.webUiUrl, dagId, runId);
}

/** v1 `DAG` / v2 `DAGResponse` → {@link AirflowDag}. */
export function mapDag(raw: RawDag, ctx: AirflowMappingContext): AirflowDag {
  const d = dialect(ctx);
  const { schedule, scheduleExpression } = readSchedule(raw, ctx);
  const next = d.nextRun(raw);
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
    isActive: d.isActive(raw),
    hasImportErrors: raw.has_import_errors === true,
    schedule,
    scheduleExpression,
    nextRunLogicalDate: toUtcIso(next.logicalDate),
    nextRunAfter: toUtcIso(next.after),
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
  const logicalDate = toUtcIso(dialect(ctx).logicalDate(raw));
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

/**
 * The names Airflow's UI shows for the operator classes of the task
 * decorators (`@task` is `_PythonDecoratedOperator`). Airflow 3.1+ sends
 * `operator_name` itself; Airflow 2 and 3.0 send only the class name.
 */
const DECORATOR_NAMES: Record<string, string> = {
  _PythonDecoratedOperator: '@task',
  _BranchPythonDecoratedOperator: '@task.branch',
  _ShortCircuitDecoratedOperator: '@task.short_circuit',
  _PythonVirtualenvDecoratedOperator: '@task.virtualenv',
  _BranchPythonVirtualenvDecoratedOperator: '@task.branch_virtualenv',
  _PythonExternalDecoratedOperator: '@task.external_python',
  _BranchExternalPythonDecoratedOperator: '@task.branch_external_python',
  _BashDecoratedOperator: '@task.bash',
  _DockerDecoratedOperator: '@task.docker',
  _KubernetesDecoratedOperator: '@task.kubernetes',
  _SensorDecoratedOperator: '@task.sensor',
  _PySparkDecoratedOperator: '@task.pyspark',
};

/** The operator as Airflow's UI names it: `operator_name`, else the class name with decorators as `@task…`. */
export function operatorName(raw: {
  operator?: string | null;
  operator_name?: string | null;
}): string | null {
  if (typeof raw.operator_name === 'string' && raw.operator_name) {
    return raw.operator_name;
  }
  if (typeof raw.operator !== 'string' || !raw.operator) return null;
  return DECORATOR_NAMES[raw.operator] ?? raw.operator;
}

function mapTaskInstanceState(state: unknown): TaskInstanceState {
  // Airflow 3 sends null for a task instance that was never scheduled; Airflow 2 sends null or "none".
  return (
    typeof state === 'string' && state ? state : 'none'
  ) as TaskInstanceState;
}

/** v1 `TaskInstance` / v2 `TaskInstanceResponse` → {@link AirflowTaskInstance}. */
export function mapTaskInstance(raw: RawTaskInstance): AirflowTaskInstance {
  const startDate = toUtcIso(raw.start_date);
  const endDate = toUtcIso(raw.end_date);
  return {
    taskId: raw.task_id,
    mapIndex: typeof raw.map_index === 'number' ? raw.map_index : -1,
    state: mapTaskInstanceState(raw.state),
    tryNumber: typeof raw.try_number === 'number' ? raw.try_number : 0,
    startDate,
    endDate,
    durationSeconds:
      typeof raw.duration === 'number'
        ? raw.duration
        : secondsBetween(startDate, endDate),
    operator: operatorName(raw),
    renderedMapIndex: stringOrNull(raw.rendered_map_index),
    maxTries: typeof raw.max_tries === 'number' ? raw.max_tries : null,
  };
}

/**
 * v1 `TaskInstance` / v2 `TaskInstanceHistoryResponse` (one try) →
 * {@link AirflowTaskInstanceTry}.
 */
export function mapTaskInstanceTry(
  raw: RawTaskInstance,
): AirflowTaskInstanceTry {
  return tryOfTaskInstance(
    mapTaskInstance(raw),
    stringOrNull(raw.hostname) || null,
  );
}

/** The current try of a task instance, as a try. */
export function tryOfTaskInstance(
  ti: AirflowTaskInstance,
  hostname: string | null,
): AirflowTaskInstanceTry {
  return {
    taskId: ti.taskId,
    mapIndex: ti.mapIndex,
    tryNumber: ti.tryNumber,
    state: ti.state,
    startDate: ti.startDate,
    endDate: ti.endDate,
    durationSeconds: ti.durationSeconds,
    hostname,
    operator: ti.operator,
  };
}

/** v2 `TaskInstanceResponse` / v1 `TaskInstanceReference` → {@link AirflowTaskInstanceRef}. */
export function mapTaskInstanceRef(
  raw: RawTaskInstanceRef,
): AirflowTaskInstanceRef {
  return {
    taskId: typeof raw.task_id === 'string' ? raw.task_id : '',
    mapIndex: typeof raw.map_index === 'number' ? raw.map_index : null,
    state:
      'state' in raw && raw.state !== undefined
        ? mapTaskInstanceState(raw.state)
        : null,
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
