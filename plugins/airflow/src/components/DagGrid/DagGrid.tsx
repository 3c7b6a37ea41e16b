import type { CompoundEntityRef } from '@backstage/catalog-model';
import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import {
  GRID_RUNS_DEFAULT,
  type AirflowDagRun,
  type AirflowTaskInstance,
} from '@airflow-for-backstage/backstage-plugin-airflow-common';
import Box from '@mui/material/Box';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import { airflowApiRef } from '../../api';
import {
  DEFAULT_DAG_RUNS_POLL_INTERVAL_MS,
  usePolling,
  type AirflowPermissions,
} from '../../hooks';
import { useReloadableAsync } from '../../hooks/useReloadableAsync';
import { formatDateTime, formatDuration } from '../../lib/format';
import {
  hasActiveDagRun,
  stateColour,
  stateLabel,
  statusKindOf,
} from '../../lib/states';
import { TaskInstanceDetails } from '../TaskInstanceActions';

/** Props of {@link DagGrid}. */
export interface DagGridProps {
  entityRef: CompoundEntityRef;
  instance: string;
  dagId: string;
  permissions: AirflowPermissions;
  /** How many runs (columns), newest on the right. */
  limit?: number;
  pollIntervalMs?: number;
}

function cellTitle(run: AirflowDagRun, ti: AirflowTaskInstance) {
  return (
    <>
      <div>
        {ti.taskId}
        {ti.mapIndex >= 0 ? ` [${ti.renderedMapIndex ?? ti.mapIndex}]` : ''}
      </div>
      <div>State: {stateLabel(ti.state)}</div>
      <div>Duration: {formatDuration(ti.durationSeconds) || '—'}</div>
      <div>Started: {formatDateTime(ti.startDate) || '—'}</div>
      <div>Run: {run.runId}</div>
    </>
  );
}

/**
 * The latest DAG runs × their tasks, like Airflow's grid: one column per
 * run (oldest left), one row per task, each cell coloured by state with its
 * duration on hover; a cell opens the task instance (tries and log). Mapped
 * tasks show one cell per map index. Reloads while runs are active.
 */
export function DagGrid(props: DagGridProps) {
  const { entityRef, instance, dagId, permissions } = props;
  const limit = props.limit ?? GRID_RUNS_DEFAULT;
  const pollIntervalMs =
    props.pollIntervalMs ?? DEFAULT_DAG_RUNS_POLL_INTERVAL_MS;
  const airflowApi = useApi(airflowApiRef);
  const { kind, namespace, name } = entityRef;
  const grid = useReloadableAsync(async () => {
    const value = await airflowApi.getDagGrid({
      entityRef: { kind, namespace, name },
      instance,
      dagId,
      limit,
    });
    return { ...value };
  }, [airflowApi, kind, namespace, name, instance, dagId, limit]);
  const active = grid.value
    ? hasActiveDagRun(grid.value.runs.map(r => r.run))
    : false;
  usePolling({
    active,
    loading: grid.loading,
    value: grid.value,
    intervalMs: pollIntervalMs,
    reload: grid.retry,
  });
  const [opened, setOpened] = useState<{
    runId: string;
    taskId: string;
    mapIndex: number;
  }>();

  if (grid.loading && !grid.value) return <Progress />;
  if (grid.error && !grid.value) {
    return (
      <ResponseErrorPanel title="Could not load the grid" error={grid.error} />
    );
  }
  const value = grid.value;
  if (!value || value.runs.length === 0) {
    return (
      <Typography variant="body2">This DAG has no DAG runs yet.</Typography>
    );
  }
  const runs = [...value.runs].reverse();
  const openedRun =
    opened && value.runs.find(r => r.run.runId === opened.runId);
  const openedTi = openedRun?.taskInstances.find(
    ti => ti.taskId === opened?.taskId && ti.mapIndex === opened?.mapIndex,
  );

  return (
    <Box sx={{ overflowX: 'auto' }}>
      <Box
        component="table"
        role="grid"
        aria-label={`Latest DAG runs × tasks of ${dagId}`}
        sx={{ borderCollapse: 'separate', borderSpacing: 3 }}
      >
        <thead>
          <tr>
            <Box component="th" sx={{ textAlign: 'left', pr: 2 }}>
              <Typography variant="caption">Task</Typography>
            </Box>
            {runs.map(({ run }) => (
              <th key={run.runId}>
                <Tooltip
                  describeChild
                  title={
                    <>
                      <div>{run.runId}</div>
                      <div>State: {stateLabel(run.state)}</div>
                      <div>
                        Duration: {formatDuration(run.durationSeconds) || '—'}
                      </div>
                    </>
                  }
                >
                  <Box
                    aria-label={`DAG run ${run.runId}: ${stateLabel(
                      run.state,
                    )}`}
                    data-state={run.state}
                    sx={{
                      width: 16,
                      height: 28,
                      borderRadius: 0.5,
                      mx: 'auto',
                      bgcolor: theme =>
                        stateColour(statusKindOf(run.state), theme),
                    }}
                  />
                </Tooltip>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {value.taskIds.map(taskId => (
            <tr key={taskId}>
              <Box
                component="th"
                scope="row"
                sx={{
                  textAlign: 'left',
                  pr: 2,
                  maxWidth: 240,
                  overflow: 'hidden',
                  textOverflow: 'ellipsis',
                  whiteSpace: 'nowrap',
                }}
                title={taskId}
              >
                <Typography
                  variant="body2"
                  component="span"
                  sx={{ fontFamily: 'monospace' }}
                >
                  {taskId}
                </Typography>
              </Box>
              {runs.map(({ run, taskInstances }) => {
                const tis = taskInstances.filter(ti => ti.taskId === taskId);
                return (
                  <td key={run.runId}>
                    <Box
                      sx={{
                        display: 'flex',
                        gap: '2px',
                        justifyContent: 'center',
                      }}
                    >
                      {tis.length === 0 && (
                        <Box sx={{ width: 16, height: 16 }} />
                      )}
                      {tis.map(ti => (
                        <Tooltip
                          key={ti.mapIndex}
                          describeChild
                          title={cellTitle(run, ti)}
                        >
                          <Box
                            component="button"
                            type="button"
                            aria-label={`${taskId}${
                              ti.mapIndex >= 0 ? ` [${ti.mapIndex}]` : ''
                            } in ${run.runId}: ${stateLabel(ti.state)}`}
                            data-state={ti.state}
                            onClick={() =>
                              setOpened({
                                runId: run.runId,
                                taskId,
                                mapIndex: ti.mapIndex,
                              })
                            }
                            sx={{
                              width: tis.length > 1 ? 8 : 16,
                              height: 16,
                              p: 0,
                              border: 0,
                              borderRadius: 0.5,
                              cursor: 'pointer',
                              bgcolor: theme =>
                                stateColour(statusKindOf(ti.state), theme),
                            }}
                          />
                        </Tooltip>
                      ))}
                    </Box>
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </Box>
      {active && (
        <Typography variant="caption" color="text.secondary" role="status">
          Refreshing while DAG runs are queued or running
        </Typography>
      )}
      <TaskInstanceDetails
        entityRef={entityRef}
        instance={instance}
        dagId={dagId}
        runId={opened?.runId ?? ''}
        taskInstance={openedTi}
        permissions={permissions}
        onClose={() => setOpened(undefined)}
        onChanged={grid.retry}
      />
    </Box>
  );
}
