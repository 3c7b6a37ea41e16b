import { encodePath } from '../paths';
import { CRON_PRESETS } from '../schedule';
import type { AirflowDialect } from './types';

/** Airflow 3: `/api/v2`, JWT from `POST /auth/token`, `run_after`, the React UI's routes. */
export const v2Dialect: AirflowDialect = {
  apiVersion: 'v2',
  prefix: '/api/v2',
  healthPath: '/api/v2/monitor/health',
  versionPath: '/api/v2/version',
  versionNeedsAuth: false,
  passwordAuth: 'jwt',
  runTimeField: 'run_after',
  runTime: run => run.run_after ?? undefined,
  logicalDate: run => run.logical_date,
  logicalDateQuery: date => ({
    logical_date_gte: date,
    logical_date_lte: date,
  }),
  isActive: dag => (typeof dag.is_stale === 'boolean' ? !dag.is_stale : true),
  nextRun: dag => ({
    logicalDate: dag.next_dagrun_logical_date,
    after: dag.next_dagrun_run_after,
  }),
  readSchedule: dag => {
    const summary = dag.timetable_summary ?? null;
    return {
      expression: summary,
      words: summary ? CRON_PRESETS[summary] ?? null : null,
    };
  },
  clearRunRequest: (dagId, runId, onlyFailed) => ({
    path: encodePath`/dags/${dagId}/dagRuns/${runId}/clear`,
    body: { dry_run: false, only_failed: onlyFailed },
    answersWithRun: true,
  }),
  logFormat: 'structured',
  setRunStateRequest: (dagId, runId, state) => ({
    method: 'PATCH',
    path: encodePath`/dags/${dagId}/dagRuns/${runId}`,
    query: { update_mask: ['state'] },
    body: { state },
  }),
  setTaskInstanceStateRequest: o => ({
    method: 'PATCH',
    path:
      o.mapIndex >= 0
        ? encodePath`/dags/${o.dagId}/dagRuns/${o.runId}/taskInstances/${
            o.taskId
          }/${String(o.mapIndex)}`
        : encodePath`/dags/${o.dagId}/dagRuns/${o.runId}/taskInstances/${o.taskId}`,
    query: { update_mask: ['new_state'] },
    body: {
      new_state: o.state,
      include_upstream: o.includeUpstream,
      include_downstream: o.includeDownstream,
      include_future: false,
      include_past: false,
    },
  }),
  clearTaskInstanceBody: o => ({
    dag_run_id: o.runId,
    task_ids: [o.mapIndex >= 0 ? [o.taskId, o.mapIndex] : o.taskId],
    dry_run: o.dryRun,
    only_failed: o.onlyFailed,
    include_upstream: o.includeUpstream,
    include_downstream: o.includeDownstream,
    include_future: false,
    include_past: false,
    reset_dag_runs: true,
  }),
  taskInstancesBatchBody: (dagId, runIds, page) => ({
    dag_ids: [dagId],
    dag_run_ids: runIds,
    page_offset: page.offset,
    page_limit: page.limit,
  }),
  taskInstancesBatchPaged: true,
  features: {
    dagIdPatternAlternatives: '>=3.2.0',
    logTokenResumes: '>=3.3.0',
  },
  dagUrl: (webUiUrl, dagId) => `${webUiUrl}/dags/${encodeURIComponent(dagId)}`,
  dagRunUrl: (webUiUrl, dagId, runId) =>
    `${webUiUrl}/dags/${encodeURIComponent(dagId)}/runs/${encodeURIComponent(
      runId,
    )}`,
};
