import type { CompoundEntityRef } from '@backstage/catalog-model';
import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import type { AirflowDagRun } from '@airflow-for-backstage/backstage-plugin-airflow-common';
import Box from '@mui/material/Box';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import useAsync from 'react-use/esm/useAsync';
import { airflowApiRef } from '../../api';
import { formatDateTime, formatDuration } from '../../lib/format';
import { DagRunStatus } from '../DagRunStatus';

/** Props of {@link TaskInstancesPanel}. */
export interface TaskInstancesPanelProps {
  entityRef: CompoundEntityRef;
  run: AirflowDagRun;
}

/** The task instances of one DAG run, loaded when shown. */
export function TaskInstancesPanel(props: TaskInstancesPanelProps) {
  const { entityRef, run } = props;
  const airflowApi = useApi(airflowApiRef);
  const { value, loading, error } = useAsync(
    () =>
      airflowApi.getDagRun({
        entityRef,
        instance: run.instance,
        dagId: run.dagId,
        runId: run.runId,
      }),
    [airflowApi, run.instance, run.dagId, run.runId, run.state],
  );

  if (loading) return <Progress />;
  if (error) return <ResponseErrorPanel error={error} />;
  const taskInstances = value?.taskInstances ?? [];
  if (taskInstances.length === 0) {
    return (
      <Box p={2}>
        <Typography variant="body2">
          This DAG run has no task instances.
        </Typography>
      </Box>
    );
  }
  return (
    <Box px={2} pb={2}>
      <Table size="small" aria-label={`Task instances of DAG run ${run.runId}`}>
        <TableHead>
          <TableRow>
            <TableCell>Task id</TableCell>
            <TableCell>State</TableCell>
            <TableCell>Try number</TableCell>
            <TableCell>Operator</TableCell>
            <TableCell>Start</TableCell>
            <TableCell>End</TableCell>
            <TableCell>Duration</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {taskInstances.map(ti => (
            <TableRow key={`${ti.taskId}:${ti.mapIndex}`}>
              <TableCell>
                {ti.taskId}
                {ti.mapIndex >= 0 ? ` [${ti.mapIndex}]` : ''}
              </TableCell>
              <TableCell>
                <DagRunStatus state={ti.state} />
              </TableCell>
              <TableCell>{ti.tryNumber}</TableCell>
              <TableCell>{ti.operator ?? ''}</TableCell>
              <TableCell>{formatDateTime(ti.startDate)}</TableCell>
              <TableCell>{formatDateTime(ti.endDate)}</TableCell>
              <TableCell>{formatDuration(ti.durationSeconds)}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </Box>
  );
}
