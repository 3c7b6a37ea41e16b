import { Link } from '@backstage/core-components';
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
  /** When given, each square links there (the runs view with that run shown). */
  runHref?: (run: AirflowDagRun) => string;
}

/**
 * The latest DAG runs as a strip of coloured squares, oldest on the left.
 * Each square has a tooltip with the run id, logical date and duration and,
 * with `runHref`, links to its run.
 */
export function DagRunStrip(props: DagRunStripProps) {
  const { runHref } = props;
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
      {runs.map(run => {
        const name = `DAG run ${run.runId}: ${stateLabel(run.state)}`;
        const square = (
          <Box
            component="span"
            sx={{
              display: 'block',
              width: 14,
              height: 14,
              borderRadius: 0.5,
              bgcolor: theme => stateColour(statusKindOf(run.state), theme),
            }}
          />
        );
        return (
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
                <div>
                  Duration: {formatDuration(run.durationSeconds) || '—'}
                </div>
                {runHref && <div>Click to show its task instances</div>}
              </>
            }
          >
            <Box
              role="listitem"
              tabIndex={runHref ? undefined : 0}
              aria-label={name}
              data-state={run.state}
              sx={{ flexShrink: 0, display: 'flex' }}
            >
              {runHref ? (
                <Link
                  to={runHref(run)}
                  aria-label={`Show ${name}`}
                  style={{ display: 'block', lineHeight: 0 }}
                >
                  {square}
                </Link>
              ) : (
                square
              )}
            </Box>
          </Tooltip>
        );
      })}
    </Box>
  );
}
