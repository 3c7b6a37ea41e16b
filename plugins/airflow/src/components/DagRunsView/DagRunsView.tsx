import type { CompoundEntityRef } from '@backstage/catalog-model';
import { EmptyState, Link, Progress } from '@backstage/core-components';
import { useApi, useAppSearchParams } from '@backstage/frontend-plugin-api';
import {
  DAG_RUN_STATES,
  type AirflowDagRun,
  type DagRunState,
} from '@airflow-for-backstage/backstage-plugin-airflow-common';
import ArrowBackIcon from '@material-ui/icons/ArrowBack';
import CloseIcon from '@material-ui/icons/Close';
import PlayArrowIcon from '@material-ui/icons/PlayArrow';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import IconButton from '@mui/material/IconButton';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import ToggleButton from '@mui/material/ToggleButton';
import ToggleButtonGroup from '@mui/material/ToggleButtonGroup';
import Typography from '@mui/material/Typography';
import { useMemo, useState } from 'react';
import { airflowApiRef } from '../../api';
import {
  useDagDetails,
  useDagRuns,
  type AirflowPermissions,
} from '../../hooks';
import { useReloadableAsync } from '../../hooks/useReloadableAsync';
import { errorMessage, errorStatus } from '../../lib/errors';
import { RUN_STATE_PARAM, SELECTED_RUN_PARAM } from '../../lib/tabLinks';
import { AirflowErrorPanel } from '../AirflowErrorPanel';
import { formatDateTime, formatRelativeTime } from '../../lib/format';
import { ClearDagRunDialog } from '../ClearDagRunDialog';
import { DagGrid } from '../DagGrid';
import { DagPausedSwitch } from '../DagPausedSwitch';
import { DagRunsTable } from '../DagRunsTable';
import { PermissionTooltip } from '../PermissionTooltip';
import { TaskInstancesPanel } from '../TaskInstancesPanel';
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

/** The states of the filter in the URL, in their canonical order; unknown ones are dropped. */
function statesOf(params: URLSearchParams): DagRunState[] {
  const wanted = new Set(params.getAll(RUN_STATE_PARAM));
  return DAG_RUN_STATES.filter(state => wanted.has(state));
}

/**
 * A run named in the URL that is not on the table's current page (an older
 * run from a shared link): loaded by itself and shown with its task instances.
 */
function SelectedRunPanel(props: {
  entityRef: CompoundEntityRef;
  instance: string;
  dagId: string;
  runId: string;
  permissions: AirflowPermissions;
  pollIntervalMs?: number;
  onClose: () => void;
  onChanged: () => void;
}) {
  const { entityRef, instance, dagId, runId, onClose } = props;
  const airflowApi = useApi(airflowApiRef);
  const { kind, namespace, name } = entityRef;
  const loaded = useReloadableAsync(
    () =>
      airflowApi.getDagRun({
        entityRef: { kind, namespace, name },
        instance,
        dagId,
        runId,
      }),
    [airflowApi, kind, namespace, name, instance, dagId, runId],
  );
  return (
    <Paper
      variant="outlined"
      component="section"
      aria-label={`DAG run ${runId}`}
      sx={{ p: 2 }}
    >
      <Box sx={{ display: 'flex', alignItems: 'center', mb: 1, gap: 1 }}>
        <Typography
          variant="h6"
          component="h3"
          noWrap
          title={runId}
          sx={{ flexGrow: 1, minWidth: 0 }}
        >
          DAG run {runId}
        </Typography>
        <IconButton aria-label="Close the DAG run" onClick={onClose}>
          <CloseIcon />
        </IconButton>
      </Box>
      {loaded.loading && !loaded.value && <Progress />}
      {loaded.error &&
        (errorStatus(loaded.error) === 404 ? (
          <Typography variant="body2">
            This DAG has no DAG run {runId}: {errorMessage(loaded.error)}
          </Typography>
        ) : (
          <AirflowErrorPanel
            error={loaded.error}
            instance={instance}
            title={`Could not load DAG run ${runId}`}
          />
        ))}
      {loaded.value && (
        <TaskInstancesPanel
          entityRef={entityRef}
          run={loaded.value.run}
          permissions={props.permissions}
          pollIntervalMs={props.pollIntervalMs}
          onChanged={props.onChanged}
        />
      )}
    </Paper>
  );
}

/**
 * The DAG runs of one DAG: a header with the DAG's schedule, paused switch and
 * trigger button, a state filter and a paged table that reloads itself while
 * DAG runs are queued or running. The state filter (`state`, once per state)
 * and the run whose task instances are shown (`run`) are query parameters,
 * so a link shows the same runs after a reload.
 */
export function DagRunsView(props: DagRunsViewProps) {
  const { entityRef, instance, dagId, permissions, onBack, pollIntervalMs } =
    props;
  const [page, setPage] = useState(0);
  const [pageSize, setPageSize] = useState(props.pageSize ?? 25);
  const [searchParams, setSearchParams] = useAppSearchParams();
  const states = statesOf(searchParams);
  const expandedRunId = searchParams.get(SELECTED_RUN_PARAM) ?? undefined;
  const setStates = (next: DagRunState[]) =>
    setSearchParams(
      previous => {
        const params = new URLSearchParams(previous);
        params.delete(RUN_STATE_PARAM);
        DAG_RUN_STATES.filter(state => next.includes(state)).forEach(state =>
          params.append(RUN_STATE_PARAM, state),
        );
        return params;
      },
      { replace: true },
    );
  const setExpandedRunId = (runId: string | undefined) =>
    setSearchParams(
      previous => {
        const params = new URLSearchParams(previous);
        if (runId) params.set(SELECTED_RUN_PARAM, runId);
        else params.delete(SELECTED_RUN_PARAM);
        return params;
      },
      { replace: true },
    );
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

  // Stable across renders (the panels' context changes less often).
  const reloadRuns = runs.retry;
  // One element per filter: the table's body is a component made from it, so
  // a new element per render would remount every row (and an open panel).
  const statesText = states.join(' or ');
  const emptyContent = useMemo(
    () => (
      <Box p={3}>
        <Typography variant="body2" align="center">
          {statesText
            ? `No DAG runs in state ${statesText}`
            : 'This DAG has no DAG runs yet'}
        </Typography>
      </Box>
    ),
    [statesText],
  );
  const selectedRunOffPage =
    expandedRunId !== undefined &&
    runs.value !== undefined &&
    !runs.value.items.some(run => run.runId === expandedRunId);

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
          <AirflowErrorPanel
            title={`Could not load DAG ${dagId}`}
            instance={instance}
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

          {runs.error && (
            <AirflowErrorPanel
              title="Could not load the DAG runs"
              instance={instance}
              error={runs.error}
            />
          )}
          {selectedRunOffPage && expandedRunId && (
            <SelectedRunPanel
              entityRef={entityRef}
              instance={instance}
              dagId={dagId}
              runId={expandedRunId}
              permissions={permissions}
              pollIntervalMs={pollIntervalMs}
              onClose={() => setExpandedRunId(undefined)}
              onChanged={reloadRuns}
            />
          )}
          {runs.error && !runs.value ? null : (
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
              onChanged={reloadRuns}
              pollIntervalMs={pollIntervalMs}
              expandedRunId={expandedRunId}
              onExpandedRunChange={setExpandedRunId}
              emptyContent={emptyContent}
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
