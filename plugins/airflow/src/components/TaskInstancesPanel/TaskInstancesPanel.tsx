import type { CompoundEntityRef } from '@backstage/catalog-model';
import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import type {
  AirflowDagRun,
  AirflowTaskInstance,
} from '@airflow-for-backstage/backstage-plugin-airflow-common';
import DescriptionIcon from '@material-ui/icons/Description';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Stack from '@mui/material/Stack';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import { useCallback, useState } from 'react';
import { airflowApiRef } from '../../api';
import {
  DEFAULT_DAG_RUNS_POLL_INTERVAL_MS,
  usePolling,
  type AirflowPermissions,
} from '../../hooks';
import { useReloadableAsync } from '../../hooks/useReloadableAsync';
import { formatDateTime, formatDuration } from '../../lib/format';
import { ACTIVE_DAG_RUN_STATES } from '../../lib/states';
import { ActionIconButton } from '../ActionIconButton';
import { DagRunStatus } from '../DagRunStatus';
import { PermissionTooltip } from '../PermissionTooltip';
import { RunFailureSummary } from '../RunFailureSummary';
import {
  MarkStateDialog,
  TaskInstanceButtons,
  TaskInstanceDetails,
  taskInstanceLabel,
  type MarkState,
} from '../TaskInstanceActions';

/** Props of {@link TaskInstancesPanel}. */
export interface TaskInstancesPanelProps {
  entityRef: CompoundEntityRef;
  run: AirflowDagRun;
  permissions: AirflowPermissions;
  /** Called after the run's or a task instance's state changed. */
  onChanged?: () => void;
  pollIntervalMs?: number;
}

/**
 * The task instances of one DAG run, loaded when shown: for a failed run
 * why it failed first; buttons to mark the run success or failed (which
 * stops a running run); per task instance its log, tries and actions.
 * Reloads while the run or one of its task instances is active.
 */
export function TaskInstancesPanel(props: TaskInstancesPanelProps) {
  const { entityRef, run, permissions, onChanged } = props;
  const pollIntervalMs =
    props.pollIntervalMs ?? DEFAULT_DAG_RUNS_POLL_INTERVAL_MS;
  const airflowApi = useApi(airflowApiRef);
  const { kind, namespace, name } = entityRef;
  const loaded = useReloadableAsync(async () => {
    const value = await airflowApi.getDagRun({
      entityRef: { kind, namespace, name },
      instance: run.instance,
      dagId: run.dagId,
      runId: run.runId,
    });
    return { ...value };
  }, [
    airflowApi,
    kind,
    namespace,
    name,
    run.instance,
    run.dagId,
    run.runId,
    run.state,
  ]);
  // The run as this panel read it last: the row and the panel never disagree for long.
  const current = loaded.value?.run ?? run;
  const active = ACTIVE_DAG_RUN_STATES.includes(current.state);
  usePolling({
    active,
    loading: loaded.loading,
    value: loaded.value,
    intervalMs: pollIntervalMs,
    reload: loaded.retry,
  });
  const [opened, setOpened] = useState<{ taskId: string; mapIndex: number }>();
  const [mark, setMark] = useState<MarkState>();
  const changed = useCallback(() => {
    loaded.retry();
    onChanged?.();
  }, [loaded, onChanged]);
  const markRun = useCallback(
    async (o: { state: MarkState }) => {
      await airflowApi.setDagRunState({
        entityRef,
        instance: run.instance,
        dagId: run.dagId,
        runId: run.runId,
        state: o.state,
      });
      changed();
    },
    [airflowApi, entityRef, run, changed],
  );

  if (loaded.loading && !loaded.value) return <Progress />;
  if (loaded.error && !loaded.value)
    return <ResponseErrorPanel error={loaded.error} />;
  const taskInstances = loaded.value?.taskInstances ?? [];
  const openedTi = opened
    ? taskInstances.find(
        ti => ti.taskId === opened.taskId && ti.mapIndex === opened.mapIndex,
      )
    : undefined;
  const open = (ti: AirflowTaskInstance) =>
    setOpened({ taskId: ti.taskId, mapIndex: ti.mapIndex });

  return (
    <Stack spacing={2} px={2} pb={2} pt={1}>
      <Box
        sx={{ display: 'flex', gap: 1, flexWrap: 'wrap', alignItems: 'center' }}
      >
        <PermissionTooltip permission={permissions.stateUpdate}>
          <Button
            size="small"
            variant="outlined"
            color="success"
            disabled={
              !permissions.stateUpdate.allowed || current.state === 'success'
            }
            onClick={() => setMark('success')}
          >
            {active ? 'Stop run: mark success' : 'Mark run success'}
          </Button>
        </PermissionTooltip>
        <PermissionTooltip permission={permissions.stateUpdate}>
          <Button
            size="small"
            variant="outlined"
            color="error"
            disabled={
              !permissions.stateUpdate.allowed || current.state === 'failed'
            }
            onClick={() => setMark('failed')}
          >
            {active ? 'Stop run: mark failed' : 'Mark run failed'}
          </Button>
        </PermissionTooltip>
        {active && (
          <Typography variant="caption" color="text.secondary" role="status">
            Refreshing while the run is {current.state}
          </Typography>
        )}
      </Box>
      {current.state === 'failed' && (
        <RunFailureSummary
          entityRef={entityRef}
          instance={run.instance}
          dagId={run.dagId}
          runId={run.runId}
          revision={current.endDate ?? undefined}
          onOpenTaskInstance={open}
        />
      )}
      {taskInstances.length === 0 ? (
        <Typography variant="body2">
          This DAG run has no task instances.
        </Typography>
      ) : (
        <Table
          size="small"
          aria-label={`Task instances of DAG run ${run.runId}`}
        >
          <TableHead>
            <TableRow>
              <TableCell>Task id</TableCell>
              <TableCell>State</TableCell>
              <TableCell>Try</TableCell>
              <TableCell>Operator</TableCell>
              <TableCell>Start</TableCell>
              <TableCell>Duration</TableCell>
              <TableCell>Actions</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {taskInstances.map(ti => (
              <TableRow key={`${ti.taskId}:${ti.mapIndex}`}>
                <TableCell
                  sx={{ fontFamily: 'monospace', wordBreak: 'break-word' }}
                >
                  {taskInstanceLabel(ti)}
                </TableCell>
                <TableCell>
                  <DagRunStatus state={ti.state} />
                </TableCell>
                <TableCell>
                  {ti.tryNumber}
                  {ti.maxTries ? ` / ${ti.maxTries}` : ''}
                </TableCell>
                <TableCell>{ti.operator ?? ''}</TableCell>
                <TableCell>{formatDateTime(ti.startDate)}</TableCell>
                <TableCell>{formatDuration(ti.durationSeconds)}</TableCell>
                <TableCell>
                  <Box sx={{ display: 'flex', alignItems: 'center' }}>
                    <ActionIconButton
                      label={`Log and tries of ${taskInstanceLabel(ti)}`}
                      icon={<DescriptionIcon fontSize="small" />}
                      onClick={() => open(ti)}
                    />
                    <TaskInstanceButtons
                      entityRef={entityRef}
                      instance={run.instance}
                      dagId={run.dagId}
                      runId={run.runId}
                      taskInstance={ti}
                      permissions={permissions}
                      onChanged={changed}
                    />
                  </Box>
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
      <TaskInstanceDetails
        entityRef={entityRef}
        instance={run.instance}
        dagId={run.dagId}
        runId={run.runId}
        taskInstance={openedTi}
        permissions={permissions}
        onClose={() => setOpened(undefined)}
        onChanged={changed}
      />
      <MarkStateDialog
        state={mark}
        subject={
          <>
            DAG run <code>{run.runId}</code>
          </>
        }
        note={
          active
            ? 'The run is active: marking it stops it; its running task instances are stopped by Airflow.'
            : undefined
        }
        onConfirm={markRun}
        onClose={() => setMark(undefined)}
      />
    </Stack>
  );
}
