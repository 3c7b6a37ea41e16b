import type {
  AirflowDagRun,
  DagRunState,
  TaskInstanceState,
} from '@airflow-for-backstage/backstage-plugin-airflow-common';
import type { Theme } from '@mui/material/styles';

/** DAG run states that are not settled yet. */
export const ACTIVE_DAG_RUN_STATES: readonly DagRunState[] = [
  'queued',
  'running',
];

/** True when any of the DAG runs is queued or running. */
export function hasActiveDagRun(runs: readonly AirflowDagRun[]): boolean {
  return runs.some(run => ACTIVE_DAG_RUN_STATES.includes(run.state));
}

/** How a state is shown: one of the core-components status kinds. */
export type StatusKind = 'ok' | 'error' | 'running' | 'pending' | 'aborted';

/** Maps a DAG run or task instance state to a status kind. */
export function statusKindOf(
  state: DagRunState | TaskInstanceState,
): StatusKind {
  switch (state) {
    case 'success':
      return 'ok';
    case 'failed':
    case 'upstream_failed':
      return 'error';
    case 'running':
    case 'restarting':
      return 'running';
    case 'queued':
    case 'scheduled':
    case 'up_for_retry':
    case 'up_for_reschedule':
    case 'deferred':
      return 'pending';
    default:
      return 'aborted';
  }
}

/** A human-readable state: `up_for_retry` → `up for retry`. */
export function stateLabel(state: DagRunState | TaskInstanceState): string {
  return state.replace(/_/g, ' ');
}

/** The colour of a state in the grid and the run strip. */
export function stateColour(kind: StatusKind, theme: Theme): string {
  switch (kind) {
    case 'ok':
      return theme.palette.success.main;
    case 'error':
      return theme.palette.error.main;
    case 'running':
      return theme.palette.info.main;
    case 'pending':
      return theme.palette.warning.light;
    default:
      return theme.palette.grey[500];
  }
}
