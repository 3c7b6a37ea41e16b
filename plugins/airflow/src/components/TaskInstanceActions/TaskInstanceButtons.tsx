import type { CompoundEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/frontend-plugin-api';
import type { AirflowTaskInstance } from '@airflow-for-backstage/backstage-plugin-airflow-common';
import CheckIcon from '@material-ui/icons/Check';
import CloseIcon from '@material-ui/icons/Close';
import ReplayIcon from '@material-ui/icons/Replay';
import Box from '@mui/material/Box';
import { useCallback, useState } from 'react';
import { airflowApiRef } from '../../api';
import type { AirflowPermissions } from '../../hooks';
import { ActionIconButton } from '../ActionIconButton';
import { ClearTaskInstanceDialog } from './ClearTaskInstanceDialog';
import { MarkStateDialog, type MarkState } from './MarkStateDialog';
import { taskInstanceLabel } from './labels';

/** Props of {@link TaskInstanceButtons}. */
export interface TaskInstanceButtonsProps {
  entityRef: CompoundEntityRef;
  instance: string;
  dagId: string;
  runId: string;
  taskInstance: AirflowTaskInstance;
  permissions: AirflowPermissions;
  onChanged?: () => void;
}

/** Mark success, mark failed and clear for one task instance, permission-aware. */
export function TaskInstanceButtons(props: TaskInstanceButtonsProps) {
  const {
    entityRef,
    instance,
    dagId,
    runId,
    taskInstance,
    permissions,
    onChanged,
  } = props;
  const airflowApi = useApi(airflowApiRef);
  const [mark, setMark] = useState<MarkState>();
  const [clearing, setClearing] = useState(false);
  const label = taskInstanceLabel(taskInstance);
  const onConfirm = useCallback(
    async (o: { state: MarkState; includeDownstream: boolean }) => {
      await airflowApi.setTaskInstanceState({
        entityRef,
        instance,
        dagId,
        runId,
        taskId: taskInstance.taskId,
        mapIndex: taskInstance.mapIndex,
        state: o.state,
        includeDownstream: o.includeDownstream,
      });
      onChanged?.();
    },
    [airflowApi, entityRef, instance, dagId, runId, taskInstance, onChanged],
  );
  return (
    <Box sx={{ display: 'flex', whiteSpace: 'nowrap' }}>
      <ActionIconButton
        label={`Mark ${label} success`}
        icon={<CheckIcon fontSize="small" />}
        onClick={() => setMark('success')}
        permission={permissions.stateUpdate}
        disabled={taskInstance.state === 'success'}
      />
      <ActionIconButton
        label={`Mark ${label} failed`}
        icon={<CloseIcon fontSize="small" />}
        onClick={() => setMark('failed')}
        permission={permissions.stateUpdate}
        disabled={taskInstance.state === 'failed'}
      />
      <ActionIconButton
        label={`Clear ${label}`}
        icon={<ReplayIcon fontSize="small" />}
        onClick={() => setClearing(true)}
        permission={permissions.clear}
      />
      <MarkStateDialog
        state={mark}
        subject={
          <>
            Task instance <code>{label}</code> of DAG run <code>{runId}</code>
          </>
        }
        offerDownstream
        onConfirm={onConfirm}
        onClose={() => setMark(undefined)}
      />
      <ClearTaskInstanceDialog
        entityRef={entityRef}
        instance={instance}
        dagId={dagId}
        runId={runId}
        taskInstance={clearing ? taskInstance : undefined}
        onClose={() => setClearing(false)}
        onCleared={() => onChanged?.()}
      />
    </Box>
  );
}
