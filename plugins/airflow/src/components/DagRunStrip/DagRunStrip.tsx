import type { AirflowDagRun } from '@airflow-for-backstage/backstage-plugin-airflow-common';
import Box from '@mui/material/Box';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import { formatDateTime, formatDuration } from '../../lib/format';
import { stateColour, stateLabel, statusKindOf } from '../../lib/states';

/** Props of {@link DagRunStrip}. */
export interface DagRunStripProps {
  /** DAG runs, newest first (as the backend sends them). */
  runs: AirflowDagRun[];
}

/**
 * The latest DAG runs as a strip of coloured squares, oldest on the left.
 * Each square has a tooltip with the run id, logical date and duration.
 */
export function DagRunStrip(props: DagRunStripProps) {
  if (props.runs.length === 0) {
    return (
      <Typography variant="body2" color="text.secondary">
        No DAG runs yet
      </Typography>
    );
  }
  const runs = [...props.runs].reverse();
  return (
    <Box
      role="list"
      aria-label="Latest DAG runs"
      sx={{ display: 'flex', gap: 0.5, flexWrap: 'nowrap' }}
    >
      {runs.map(run => (
        <Tooltip
          key={run.runId}
          describeChild
          title={
            <>
              <div>{run.runId}</div>
              <div>State: {stateLabel(run.state)}</div>
              <div>
                Logical date: {formatDateTime(run.logicalDate) || 'none'}
              </div>
              <div>Duration: {formatDuration(run.durationSeconds) || '—'}</div>
            </>
          }
        >
          <Box
            role="listitem"
            tabIndex={0}
            aria-label={`DAG run ${run.runId}: ${stateLabel(run.state)}`}
            data-state={run.state}
            sx={{
              width: 14,
              height: 14,
              borderRadius: 0.5,
              flexShrink: 0,
              bgcolor: theme => stateColour(statusKindOf(run.state), theme),
            }}
          />
        </Tooltip>
      ))}
    </Box>
  );
}
