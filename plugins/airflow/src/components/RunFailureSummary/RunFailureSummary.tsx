import type { CompoundEntityRef } from '@backstage/catalog-model';
import { LogViewer, Progress } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import type { AirflowTaskInstance } from '@airflow-for-backstage/backstage-plugin-airflow-common';
import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { useMemo } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { airflowApiRef } from '../../api';
import { errorMessage } from '../../lib/errors';
import { formatDateTime } from '../../lib/format';
import { errorText, logText } from '../../lib/logText';
import { taskInstanceLabel } from '../TaskInstanceActions/labels';

/** Props of {@link RunFailureSummary}. */
export interface RunFailureSummaryProps {
  entityRef: CompoundEntityRef;
  instance: string;
  dagId: string;
  runId: string;
  /** Opens a task instance (its tries and full log). */
  onOpenTaskInstance?: (ti: AirflowTaskInstance) => void;
  /** Changes when the run changes (e.g. its state), to read the summary again. */
  revision?: string;
}

/**
 * Why a DAG run failed: the failed and upstream-failed task instances, the
 * exception of the first failed one, and the tail of its latest try's log.
 */
export function RunFailureSummary(props: RunFailureSummaryProps) {
  const { entityRef, instance, dagId, runId, onOpenTaskInstance, revision } =
    props;
  const airflowApi = useApi(airflowApiRef);
  const { kind, namespace, name } = entityRef;
  const summary = useAsync(
    () =>
      airflowApi.getDagRunFailure({
        entityRef: { kind, namespace, name },
        instance,
        dagId,
        runId,
      }),
    [airflowApi, kind, namespace, name, instance, dagId, runId, revision],
  );
  const tail = summary.value?.log;
  const text = useMemo(() => (tail ? logText(tail.lines) : ''), [tail]);

  if (summary.loading && !summary.value) return <Progress />;
  if (summary.error) {
    return (
      <Alert severity="error">
        Could not read why DAG run {runId} failed: {errorMessage(summary.error)}
      </Alert>
    );
  }
  const value = summary.value;
  if (!value) return null;
  const first = value.firstFailed;
  const exceptions = tail?.errors ?? [];

  return (
    <Stack
      spacing={1.5}
      component="section"
      aria-label={`Why DAG run ${runId} failed`}
    >
      {value.failed.length === 0 ? (
        <Alert severity="info">
          No task instance of this DAG run failed
          {value.upstreamFailed.length > 0
            ? `; ${value.upstreamFailed.length} are upstream failed`
            : ''}
          .
        </Alert>
      ) : (
        <Alert severity="error">
          <AlertTitle>
            {first ? (
              <>
                Task <code>{taskInstanceLabel(first)}</code> failed
                {first.endDate ? ` at ${formatDateTime(first.endDate)}` : ''}
                {first.tryNumber > 1 ? ` (try ${first.tryNumber})` : ''}
              </>
            ) : (
              'Failed'
            )}
          </AlertTitle>
          {exceptions.length > 0 ? (
            exceptions.map((e, i) => (
              <Typography
                key={i}
                variant="body2"
                component="div"
                sx={{ fontFamily: 'monospace', wordBreak: 'break-word' }}
              >
                {errorText(e)}
              </Typography>
            ))
          ) : (
            <Typography variant="body2">
              {value.logUnavailable ??
                'No exception was found in the end of the log.'}
            </Typography>
          )}
        </Alert>
      )}
      {value.failed.length + value.upstreamFailed.length > 0 && (
        <Box
          sx={{
            display: 'flex',
            flexWrap: 'wrap',
            gap: 1,
            alignItems: 'center',
          }}
        >
          {value.failed.map(ti => (
            <Button
              key={`f:${ti.taskId}:${ti.mapIndex}`}
              size="small"
              variant="outlined"
              color="error"
              onClick={() => onOpenTaskInstance?.(ti)}
            >
              failed: {taskInstanceLabel(ti)}
            </Button>
          ))}
          {value.upstreamFailed.map(ti => (
            <Button
              key={`u:${ti.taskId}:${ti.mapIndex}`}
              size="small"
              variant="outlined"
              color="warning"
              onClick={() => onOpenTaskInstance?.(ti)}
            >
              upstream failed: {taskInstanceLabel(ti)}
            </Button>
          ))}
        </Box>
      )}
      {tail && tail.lines.length > 0 && (
        <>
          <Typography variant="caption" color="text.secondary">
            The last {tail.lines.length} lines of the log of try{' '}
            {tail.tryNumber}
          </Typography>
          <Box sx={{ height: 300 }} data-testid="failure-log-tail">
            <LogViewer text={text} />
          </Box>
        </>
      )}
    </Stack>
  );
}
