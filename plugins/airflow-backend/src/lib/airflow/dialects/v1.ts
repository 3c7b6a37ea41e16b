import { encodePath } from '../paths';
import type { RawScheduleInterval } from '../raw';
import {
  CRON_PRESETS,
  everyDurationInWords,
  plural,
  type ScheduleParts,
} from '../schedule';
import type { AirflowDialect } from './types';

/** Python's `str(timedelta)`, which is what Airflow shows as the summary of a delta schedule. */
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

/** v1 `schedule_interval`: a cron string, or a `CronExpression` / `TimeDelta` / `RelativeDelta` object. */
function readScheduleInterval(
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
    const set = fields.filter(f => typeof raw[f] === 'number' && raw[f] !== 0);
    const parts = set.map(
      f => `${f}=${(raw[f] as number) > 0 ? '+' : ''}${raw[f]}`,
    );
    return {
      expression: `relativedelta(${parts.join(', ')})`,
      words: set.length
        ? `Every ${set
            .map(f => plural(raw[f] as number, f.replace(/s$/, '')))
            .join(', ')}`
        : null,
    };
  }
  return {
    expression: typeof raw.value === 'string' ? raw.value : null,
    words: null,
  };
}

/** Airflow 2: `/api/v1`, HTTP basic auth, `execution_date`, the grid view's routes. */
export const v1Dialect: AirflowDialect = {
  apiVersion: 'v1',
  prefix: '/api/v1',
  healthPath: '/api/v1/health',
  versionPath: '/api/v1/version',
  versionNeedsAuth: true,
  passwordAuth: 'basic',
  runTimeField: 'execution_date',
  runTime: run => run.execution_date ?? run.logical_date ?? undefined,
  logicalDate: run => run.logical_date ?? run.execution_date,
  logicalDateQuery: date => ({
    execution_date_gte: date,
    execution_date_lte: date,
  }),
  isActive: dag => (typeof dag.is_active === 'boolean' ? dag.is_active : true),
  nextRun: dag => ({
    logicalDate: dag.next_dagrun,
    after: dag.next_dagrun_create_after,
  }),
  readSchedule: dag => readScheduleInterval(dag.schedule_interval),
  clearRunRequest: (dagId, runId, onlyFailed) =>
    onlyFailed
      ? {
          path: encodePath`/dags/${dagId}/clearTaskInstances`,
          body: {
            dry_run: false,
            only_failed: true,
            dag_run_id: runId,
            reset_dag_runs: true,
          },
          answersWithRun: false,
        }
      : {
          path: encodePath`/dags/${dagId}/dagRuns/${runId}/clear`,
          body: { dry_run: false },
          answersWithRun: true,
        },
  logFormat: 'text',
  setRunStateRequest: (dagId, runId, state) => ({
    method: 'PATCH',
    path: encodePath`/dags/${dagId}/dagRuns/${runId}`,
    body: { state },
  }),
  setTaskInstanceStateRequest: o => {
    if (o.mapIndex >= 0) {
      // Airflow 2 marks one mapped task instance alone (UpdateTaskInstance has no upstream/downstream).
      if (o.includeUpstream || o.includeDownstream) {
        return {
          unsupported:
            "Airflow 2's API marks a mapped task instance without its upstream or downstream tasks; mark it alone, or mark the whole task",
        };
      }
      return {
        method: 'PATCH',
        path: encodePath`/dags/${o.dagId}/dagRuns/${o.runId}/taskInstances/${
          o.taskId
        }/${String(o.mapIndex)}`,
        body: { dry_run: false, new_state: o.state },
      };
    }
    return {
      method: 'POST',
      path: encodePath`/dags/${o.dagId}/updateTaskInstancesState`,
      body: {
        dag_run_id: o.runId,
        task_id: o.taskId,
        new_state: o.state,
        include_upstream: o.includeUpstream,
        include_downstream: o.includeDownstream,
        include_future: false,
        include_past: false,
        dry_run: false,
      },
    };
  },
  // Airflow 2.10's form takes task ids only: a mapped task is cleared with all its map indexes.
  clearTaskInstanceBody: o => ({
    dag_run_id: o.runId,
    task_ids: [o.taskId],
    dry_run: o.dryRun,
    only_failed: o.onlyFailed,
    include_upstream: o.includeUpstream,
    include_downstream: o.includeDownstream,
    include_future: false,
    include_past: false,
    reset_dag_runs: true,
  }),
  taskInstancesBatchBody: (dagId, runIds) => ({
    dag_ids: [dagId],
    dag_run_ids: runIds,
  }),
  taskInstancesBatchPaged: false,
  features: {
    dagIdPatternAlternatives: false,
    logTokenResumes: false,
  },
  dagUrl: (webUiUrl, dagId) =>
    `${webUiUrl}/dags/${encodeURIComponent(dagId)}/grid`,
  dagRunUrl: (webUiUrl, dagId, runId) =>
    `${webUiUrl}/dags/${encodeURIComponent(
      dagId,
    )}/grid?dag_run_id=${encodeURIComponent(runId)}`,
};
