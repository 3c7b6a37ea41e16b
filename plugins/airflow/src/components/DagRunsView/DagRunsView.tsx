import type { CompoundEntityRef } from '@backstage/catalog-model';
import {
  EmptyState,
  Link,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import {
  DAG_RUN_STATES,
  type AirflowDagRun,
  type DagRunState,
} from '@airflow-for-backstage/backstage-plugin-airflow-common';
import ArrowBackIcon from '@material-ui/icons/ArrowBack';
import PlayArrowIcon from '@material-ui/icons/PlayArrow';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Stack from '@mui/material/Stack';
import ToggleButton from '@mui/material/ToggleButton';
import ToggleButtonGroup from '@mui/material/ToggleButtonGroup';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import {
  useDagDetails,
  useDagRuns,
  type AirflowPermissions,
} from '../../hooks';
import { errorMessage, errorStatus } from '../../lib/errors';
import { formatDateTime, formatRelativeTime } from '../../lib/format';
import { ClearDagRunDialog } from '../ClearDagRunDialog';
import { DagGrid } from '../DagGrid';
import { DagPausedSwitch } from '../DagPausedSwitch';
import { DagRunsTable } from '../DagRunsTable';
import { PermissionTooltip } from '../PermissionTooltip';
import { TriggerDagRunDialog } from '../TriggerDagRunDialog';

/** Props of {@link DagRunsView}. */
export interface DagRunsViewProps {
  entityRef: CompoundEntityRef;
  instance: string;
  dagId: string;
  permissions: AirflowPermissions;
  /** Returns to the DAG list. */
  onBack: () => void;
  /** Reload interval while a DAG run is queued or running. */
  pollIntervalMs?: number;
  /** Initial page size. */
  pageSize?: number;
  /** Show the runs × tasks grid first instead of the runs table. */
  initialView?: 'runs' | 'grid';
  /** When set, the trigger dialog is open, prefilled with this run config (a shared link). */
  sharedTriggerConfText?: string;
  /** Called when the dialog opened by {@link DagRunsViewProps.sharedTriggerConfText} closes. */
  onSharedTriggerClose?: () => void;
}

/**
 * The DAG runs of one DAG: a header with the DAG's schedule, paused switch and
 * trigger button, a state filter and a paged table that reloads itself while
 * DAG runs are queued or running.
 */
export function DagRunsView(props: DagRunsViewProps) {
  const { entityRef, instance, dagId, permissions, onBack, pollIntervalMs } =
    props;
  const [page, setPage] = useState(0);
  const [pageSize, setPageSize] = useState(props.pageSize ?? 25);
  const [states, setStates] = useState<DagRunState[]>([]);
  // Open with the DAG's defaults ({}), or with a past run's config.
  const [trigger, setTrigger] = useState<{ confText?: string }>();
  const [runToClear, setRunToClear] = useState<AirflowDagRun>();
  const [view, setView] = useState<'runs' | 'grid'>(
    props.initialView ?? 'runs',
  );

  const details = useDagDetails({ entityRef, instance, dagId });
  const runs = useDagRuns({
    entityRef,
    instance,
    dagId,
    page,
    pageSize,
    states,
    pollIntervalMs,
  });

  const backButton = (
    <Button
      startIcon={<ArrowBackIcon />}
      onClick={onBack}
      sx={{ alignSelf: 'flex-start' }}
    >
      Back to DAGs
    </Button>
  );

  if (details.loading && !details.value) {
    return (
      <Stack spacing={2}>
        {backButton}
        <Progress />
      </Stack>
    );
  }

  if (details.error) {
    return (
      <Stack spacing={2}>
        {backButton}
        {errorStatus(details.error) === 404 ? (
          <EmptyState
            missing="data"
            title="DAG not found"
            description={errorMessage(details.error)}
          />
        ) : (
          <ResponseErrorPanel
            title={`Could not load DAG ${dagId}`}
            error={details.error}
          />
        )}
      </Stack>
    );
  }

  const dag = details.value;
  const nextRun = dag?.nextRunAfter ?? dag?.nextRunLogicalDate;

  return (
    <Stack spacing={2}>
      {backButton}
      {dag && (
        <Box
          component="section"
          aria-label="DAG"
          sx={{
            display: 'flex',
            flexWrap: 'wrap',
            alignItems: 'center',
            justifyContent: 'space-between',
            gap: 2,
          }}
        >
          <Box>
            <Typography variant="h5" component="h2">
              {dag.displayName}
            </Typography>
            <Typography variant="body2" color="text.secondary">
              {dag.dagId} on instance {dag.instance} ·{' '}
              {dag.schedule ?? 'Manual only'}
              {nextRun && !dag.isPaused
                ? ` · next run ${formatRelativeTime(nextRun)} (${formatDateTime(
                    nextRun,
                  )})`
                : ''}
            </Typography>
            <Link to={dag.webUrl}>Open DAG in Airflow</Link>
          </Box>
          <Box sx={{ display: 'flex', alignItems: 'center', gap: 2 }}>
            <DagPausedSwitch
              entityRef={entityRef}
              dag={dag}
              permission={permissions.pause}
              onChange={() => details.retry()}
            />
            <PermissionTooltip permission={permissions.trigger}>
              <Button
                variant="contained"
                startIcon={<PlayArrowIcon />}
                onClick={() => setTrigger({})}
                disabled={!permissions.trigger.allowed}
              >
                Trigger DAG run
              </Button>
            </PermissionTooltip>
          </Box>
        </Box>
      )}

      <ToggleButtonGroup
        size="small"
        exclusive
        value={view}
        onChange={(_, value) => value && setView(value)}
        aria-label="View"
      >
        <ToggleButton value="runs">Runs</ToggleButton>
        <ToggleButton value="grid">Grid</ToggleButton>
      </ToggleButtonGroup>

      {view === 'grid' ? (
        <DagGrid
          entityRef={entityRef}
          instance={instance}
          dagId={dagId}
          permissions={permissions}
          pollIntervalMs={pollIntervalMs}
        />
      ) : (
        <>
          <ToggleButtonGroup
            size="small"
            value={states}
            onChange={(_, value: DagRunState[]) => {
              setStates(value);
              setPage(0);
            }}
            aria-label="Filter DAG runs by state"
          >
            {DAG_RUN_STATES.map(state => (
              <ToggleButton key={state} value={state}>
                {state}
              </ToggleButton>
            ))}
          </ToggleButtonGroup>

          {runs.error && !runs.value ? (
            <ResponseErrorPanel
              title="Could not load DAG runs"
              error={runs.error}
            />
          ) : (
            <DagRunsTable
              entityRef={entityRef}
              runs={runs.value?.items ?? []}
              totalCount={runs.value?.totalEntries ?? 0}
              page={page}
              pageSize={pageSize}
              onPageChange={(nextPage, nextPageSize) => {
                setPage(nextPageSize === pageSize ? nextPage : 0);
                setPageSize(nextPageSize);
              }}
              loading={runs.loading && !runs.value}
              permissions={permissions}
              onClearDagRun={setRunToClear}
              onRerunDagRun={run =>
                setTrigger({ confText: JSON.stringify(run.conf) })
              }
              onChanged={() => runs.retry()}
              pollIntervalMs={pollIntervalMs}
              emptyContent={
                <Box p={3}>
                  <Typography variant="body2" align="center">
                    {states.length > 0
                      ? `No DAG runs in state ${states.join(' or ')}`
                      : 'This DAG has no DAG runs yet'}
                  </Typography>
                </Box>
              }
            />
          )}
          {runs.polling && (
            <Typography variant="caption" color="text.secondary" role="status">
              Refreshing while DAG runs are queued or running
            </Typography>
          )}
        </>
      )}

      <TriggerDagRunDialog
        open={Boolean(trigger) || props.sharedTriggerConfText !== undefined}
        entityRef={entityRef}
        instance={instance}
        dagId={dagId}
        initialConfText={trigger?.confText ?? props.sharedTriggerConfText}
        pausePermission={permissions.pause}
        onClose={() => {
          setTrigger(undefined);
          props.onSharedTriggerClose?.();
        }}
        onTriggered={() => {
          setPage(0);
          runs.retry();
          details.retry();
        }}
      />
      <ClearDagRunDialog
        entityRef={entityRef}
        run={runToClear}
        onClose={() => setRunToClear(undefined)}
        onCleared={() => runs.retry()}
      />
    </Stack>
  );
}
