import type { CompoundEntityRef } from '@backstage/catalog-model';
import { Progress } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import type { AirflowTaskInstance } from '@airflow-for-backstage/backstage-plugin-airflow-common';
import CloseIcon from '@material-ui/icons/Close';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Dialog from '@mui/material/Dialog';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import IconButton from '@mui/material/IconButton';
import Stack from '@mui/material/Stack';
import ToggleButton from '@mui/material/ToggleButton';
import ToggleButtonGroup from '@mui/material/ToggleButtonGroup';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { airflowApiRef } from '../../api';
import type { AirflowPermissions } from '../../hooks';
import { errorMessage } from '../../lib/errors';
import { formatDateTime, formatDuration } from '../../lib/format';
import { stateLabel } from '../../lib/states';
import { DagRunStatus } from '../DagRunStatus';
import { TaskLogView } from '../TaskLogView';
import { taskInstanceLabel } from './labels';
import { TaskInstanceButtons } from './TaskInstanceButtons';

/** Props of {@link TaskInstanceDetails}. */
export interface TaskInstanceDetailsProps {
  entityRef: CompoundEntityRef;
  instance: string;
  dagId: string;
  runId: string;
  /** The task instance to show; the dialog is open while this is set. */
  taskInstance?: AirflowTaskInstance;
  permissions: AirflowPermissions;
  onClose: () => void;
  /** Called after the task instance's state was changed or it was cleared. */
  onChanged?: () => void;
  followIntervalMs?: number;
}

/**
 * One task instance in a dialog: its state, operator and tries, the log of
 * the selected try (the latest by default), and its actions.
 */
export function TaskInstanceDetails(props: TaskInstanceDetailsProps) {
  const { taskInstance, onClose } = props;
  if (!taskInstance) return null;
  return (
    <Dialog
      open
      onClose={onClose}
      fullWidth
      maxWidth="lg"
      aria-labelledby="airflow-task-instance-title"
    >
      <DialogTitle
        id="airflow-task-instance-title"
        sx={{ display: 'flex', alignItems: 'center', gap: 1 }}
      >
        <Box component="span" sx={{ flexGrow: 1, wordBreak: 'break-word' }}>
          Task {taskInstanceLabel(taskInstance)}
        </Box>
        <IconButton aria-label="Close" onClick={onClose}>
          <CloseIcon />
        </IconButton>
      </DialogTitle>
      <DialogContent>
        <TaskInstanceBody
          key={`${taskInstance.taskId}:${taskInstance.mapIndex}`}
          {...props}
          taskInstance={taskInstance}
        />
      </DialogContent>
    </Dialog>
  );
}

function TaskInstanceBody(
  props: TaskInstanceDetailsProps & { taskInstance: AirflowTaskInstance },
) {
  const {
    entityRef,
    instance,
    dagId,
    runId,
    taskInstance,
    permissions,
    onChanged,
    followIntervalMs,
  } = props;
  const airflowApi = useApi(airflowApiRef);
  const tries = useAsync(
    () =>
      airflowApi.listTaskInstanceTries({
        entityRef,
        instance,
        dagId,
        runId,
        taskId: taskInstance.taskId,
        mapIndex: taskInstance.mapIndex,
      }),
    [
      airflowApi,
      instance,
      dagId,
      runId,
      taskInstance.taskId,
      taskInstance.mapIndex,
      taskInstance.tryNumber,
      taskInstance.state,
    ],
  );
  const latest = Math.max(1, taskInstance.tryNumber);
  const [selectedTry, setSelectedTry] = useState<number>();
  const tryNumber = selectedTry ?? latest;
  const tryNumbers = tries.value?.tries.map(t => t.tryNumber) ?? [latest];

  return (
    <Stack spacing={2}>
      <Box
        sx={{ display: 'flex', flexWrap: 'wrap', gap: 3, alignItems: 'center' }}
      >
        <DagRunStatus state={taskInstance.state} />
        <Typography variant="body2">
          Operator: <code>{taskInstance.operator ?? 'unknown'}</code>
        </Typography>
        <Typography variant="body2">
          Try {taskInstance.tryNumber}
          {taskInstance.maxTries ? ` of ${taskInstance.maxTries}` : ''}
        </Typography>
        <Typography variant="body2">
          {formatDateTime(taskInstance.startDate)}
          {taskInstance.durationSeconds !== null
            ? ` · ${formatDuration(taskInstance.durationSeconds)}`
            : ''}
        </Typography>
        <Box sx={{ flexGrow: 1 }} />
        <TaskInstanceButtons
          entityRef={entityRef}
          instance={instance}
          dagId={dagId}
          runId={runId}
          taskInstance={taskInstance}
          permissions={permissions}
          onChanged={onChanged}
        />
      </Box>
      {tries.loading && <Progress />}
      {tries.error && (
        <Alert severity="warning">
          Could not list the tries: {errorMessage(tries.error)}
        </Alert>
      )}
      {taskInstance.tryNumber < 1 ? (
        <Typography variant="body2">
          This task instance has not run yet ({stateLabel(taskInstance.state)}
          ): there is no log.
        </Typography>
      ) : (
        <>
          <Box
            sx={{
              display: 'flex',
              alignItems: 'center',
              gap: 1,
              flexWrap: 'wrap',
            }}
          >
            <Typography variant="subtitle2" id="airflow-tries-label">
              Tries
            </Typography>
            <ToggleButtonGroup
              size="small"
              exclusive
              value={tryNumber}
              onChange={(_, value: number | null) =>
                value && setSelectedTry(value)
              }
              aria-labelledby="airflow-tries-label"
            >
              {tryNumbers.map(n => {
                const t = tries.value?.tries.find(x => x.tryNumber === n);
                return (
                  <ToggleButton
                    key={n}
                    value={n}
                    aria-label={`Try ${n}${
                      t ? `: ${stateLabel(t.state)}` : ''
                    }`}
                  >
                    {n}
                    {t ? ` · ${stateLabel(t.state)}` : ''}
                  </ToggleButton>
                );
              })}
            </ToggleButtonGroup>
            {tries.value && !tries.value.complete && (
              <Typography variant="caption" color="text.secondary">
                This Airflow lists only the current try.
              </Typography>
            )}
          </Box>
          <TaskLogView
            entityRef={entityRef}
            instance={instance}
            dagId={dagId}
            runId={runId}
            taskInstance={taskInstance}
            tryNumber={tryNumber}
            permission={permissions.logs}
            followIntervalMs={followIntervalMs}
          />
        </>
      )}
    </Stack>
  );
}
