import {
  StatusAborted,
  StatusError,
  StatusOK,
  StatusPending,
  StatusRunning,
} from '@backstage/core-components';
import type {
  DagRunState,
  TaskInstanceState,
} from '@airflow-for-backstage/backstage-plugin-airflow-common';
import { stateLabel, statusKindOf } from '../../lib/states';

/** Props of {@link DagRunStatus}. */
export interface DagRunStatusProps {
  /** A DAG run or task instance state. */
  state: DagRunState | TaskInstanceState;
}

/** A DAG run or task instance state as a coloured status with its name. */
export function DagRunStatus(props: DagRunStatusProps) {
  const label = stateLabel(props.state);
  switch (statusKindOf(props.state)) {
    case 'ok':
      return <StatusOK>{label}</StatusOK>;
    case 'error':
      return <StatusError>{label}</StatusError>;
    case 'running':
      return <StatusRunning>{label}</StatusRunning>;
    case 'pending':
      return <StatusPending>{label}</StatusPending>;
    default:
      return <StatusAborted>{label}</StatusAborted>;
  }
}
