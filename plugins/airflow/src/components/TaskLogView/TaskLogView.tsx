import type { CompoundEntityRef } from '@backstage/catalog-model';
import { LogViewer, Progress } from '@backstage/core-components';
import type { AirflowTaskInstance } from '@airflow-for-backstage/backstage-plugin-airflow-common';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import MenuItem from '@mui/material/MenuItem';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import ToggleButton from '@mui/material/ToggleButton';
import ToggleButtonGroup from '@mui/material/ToggleButtonGroup';
import Typography from '@mui/material/Typography';
import { useMemo, useState } from 'react';
import { useTaskLog, type AirflowActionPermission } from '../../hooks';
import { downloadBlob } from '../../lib/download';
import { errorMessage } from '../../lib/errors';
import {
  errorText,
  logText,
  plainLogText,
  type LogLevelFilter,
} from '../../lib/logText';

/** Task instance states in which a try is still writing its log. */
const WRITING_STATES = new Set([
  'running',
  'queued',
  'scheduled',
  'restarting',
  'deferred',
  'up_for_reschedule',
]);

/** Props of {@link TaskLogView}. */
export interface TaskLogViewProps {
  entityRef: CompoundEntityRef;
  instance: string;
  dagId: string;
  runId: string;
  taskInstance: AirflowTaskInstance;
  /** The try to show, 1-based. */
  tryNumber: number;
  /** Whether the user may read logs; denied shows the reason instead of the log. */
  permission: AirflowActionPermission;
  /** Start in tail mode (the last lines). */
  initialTail?: boolean;
  followIntervalMs?: number;
}

/**
 * The log of one try in core-components' `LogViewer` (search, line links,
 * copy), with a level filter, download, and tail or paged mode; the log of
 * a running try is followed with Airflow's continuation token.
 */
export function TaskLogView(props: TaskLogViewProps) {
  const {
    entityRef,
    instance,
    dagId,
    runId,
    taskInstance,
    tryNumber,
    permission,
    followIntervalMs,
  } = props;
  const [tail, setTail] = useState(props.initialTail ?? false);
  const [level, setLevel] = useState<LogLevelFilter>('all');
  const running =
    tryNumber === taskInstance.tryNumber &&
    WRITING_STATES.has(taskInstance.state);
  const log = useTaskLog({
    entityRef,
    instance,
    dagId,
    runId,
    taskId: taskInstance.taskId,
    mapIndex: taskInstance.mapIndex,
    tryNumber,
    tail,
    follow: running,
    enabled: permission.allowed,
    followIntervalMs,
  });
  const text = useMemo(() => logText(log.lines, level), [log.lines, level]);

  if (!permission.allowed) {
    return (
      <Alert severity="info" role="note">
        {permission.reason ?? 'You may not read the logs of this task'}
      </Alert>
    );
  }

  const filename = `${dagId}__${runId}__${taskInstance.taskId}${
    taskInstance.mapIndex >= 0 ? `__${taskInstance.mapIndex}` : ''
  }__try${tryNumber}.log`.replace(/[^\w.+-]+/g, '_');

  return (
    <Stack spacing={1}>
      <Box
        sx={{ display: 'flex', flexWrap: 'wrap', gap: 2, alignItems: 'center' }}
      >
        <ToggleButtonGroup
          size="small"
          exclusive
          value={tail ? 'tail' : 'full'}
          onChange={(_, value) => value && setTail(value === 'tail')}
          aria-label="Log mode"
        >
          <ToggleButton value="full">From the start</ToggleButton>
          <ToggleButton value="tail">Last lines</ToggleButton>
        </ToggleButtonGroup>
        <TextField
          select
          size="small"
          label="Level"
          value={level}
          onChange={e => setLevel(e.target.value as LogLevelFilter)}
          sx={{ minWidth: 140 }}
        >
          <MenuItem value="all">All lines</MenuItem>
          <MenuItem value="info">Info and above</MenuItem>
          <MenuItem value="warning">Warnings and errors</MenuItem>
          <MenuItem value="error">Errors</MenuItem>
        </TextField>
        {running && !log.endOfLog && !tail && (
          <Typography variant="caption" role="status" color="text.secondary">
            Following the log while the try runs
          </Typography>
        )}
      </Box>
      {log.errors.length > 0 && (
        <Alert severity="error" aria-label="Exceptions in the log">
          {log.errors.map((e, i) => (
            <div key={i}>
              <code>{errorText(e)}</code>
            </div>
          ))}
        </Alert>
      )}
      {log.error && (
        <Alert severity="error">
          Could not read the log: {errorMessage(log.error)}
        </Alert>
      )}
      {log.loading && log.lines.length === 0 && <Progress />}
      {log.dropped > 0 && (
        <Typography variant="caption" color="text.secondary">
          {log.dropped} earlier lines are not kept in the browser; download
          keeps what is shown.
        </Typography>
      )}
      {(!log.loading || log.lines.length > 0) &&
      !log.error &&
      log.lines.length === 0 ? (
        <Typography variant="body2">The log of this try is empty.</Typography>
      ) : null}
      {log.lines.length > 0 && (
        <Box sx={{ height: 420 }} data-testid="task-log">
          <LogViewer
            text={text}
            onDownloadLog={() =>
              downloadBlob(
                filename,
                new Blob([plainLogText(log.lines)], { type: 'text/plain' }),
              )
            }
            onCopyLog={() =>
              navigator.clipboard?.writeText(plainLogText(log.lines))
            }
          />
        </Box>
      )}
      {log.hasMore && (
        <Button
          onClick={log.loadMore}
          disabled={log.loading}
          sx={{ alignSelf: 'flex-start' }}
        >
          {log.loading ? 'Loading…' : 'Load more lines'}
        </Button>
      )}
    </Stack>
  );
}
