import type { CompoundEntityRef } from '@backstage/catalog-model';
import { Link, Table, type TableColumn } from '@backstage/core-components';
import type { AirflowDagRun } from '@airflow-for-backstage/backstage-plugin-airflow-common';
import ChevronRightIcon from '@material-ui/icons/ChevronRight';
import OpenInNewIcon from '@material-ui/icons/OpenInNew';
import PlaylistPlayIcon from '@material-ui/icons/PlaylistPlay';
import FileCopyIcon from '@material-ui/icons/FileCopy';
import ReplayIcon from '@material-ui/icons/Replay';
import IconButton from '@mui/material/IconButton';
import Tooltip from '@mui/material/Tooltip';
import Box from '@mui/material/Box';
import Typography from '@mui/material/Typography';
import { createContext, useContext, useMemo, type ReactNode } from 'react';
import type { AirflowPermissions } from '../../hooks';
import { formatDateTime, formatDuration } from '../../lib/format';
import { ActionIconButton } from '../ActionIconButton';
import { DagRunStatus } from '../DagRunStatus';
import { TaskInstancesPanel } from '../TaskInstancesPanel';

/** Page sizes offered by the DAG runs table. */
export const DAG_RUNS_PAGE_SIZES = [10, 25, 50, 100];

/** Props of {@link DagRunsTable}. */
export interface DagRunsTableProps {
  entityRef: CompoundEntityRef;
  runs: AirflowDagRun[];
  /** Number of DAG runs matching the filter, over all pages. */
  totalCount: number;
  /** Zero-based page number. */
  page: number;
  pageSize: number;
  onPageChange: (page: number, pageSize: number) => void;
  loading?: boolean;
  permissions: AirflowPermissions;
  onClearDagRun: (run: AirflowDagRun) => void;
  /** Opens the trigger dialog prefilled with a run's config ("Re-run with this config"). */
  onRerunDagRun?: (run: AirflowDagRun) => void;
  /** Called after a run's or task instance's state was changed from a panel. */
  onChanged?: () => void;
  pollIntervalMs?: number;
  emptyContent?: ReactNode;
  /** The run whose task instances are shown below its row. */
  expandedRunId?: string;
  /** Shows the task instances of a run (`undefined`: hides them). */
  onExpandedRunChange: (runId: string | undefined) => void;
}

/** What the task-instance panel of a row needs besides its run. */
type PanelContextValue = Pick<
  DagRunsTableProps,
  'entityRef' | 'permissions' | 'onChanged' | 'pollIntervalMs'
>;

const PanelContext = createContext<PanelContextValue | undefined>(undefined);

function RowPanel(props: { rowData: AirflowDagRun }) {
  const context = useContext(PanelContext);
  if (!context) return null;
  return (
    <TaskInstancesPanel
      entityRef={context.entityRef}
      run={props.rowData}
      permissions={context.permissions}
      onChanged={context.onChanged}
      pollIntervalMs={context.pollIntervalMs}
    />
  );
}

/**
 * The detail panel of a row, one function for the table's whole life: the
 * table mounts it as a component, so a new function per render would
 * remount the open panel (and lose its state) on every reload.
 */
function renderRowPanel(props: { rowData: AirflowDagRun }) {
  return <RowPanel rowData={props.rowData} />;
}

function ExpandButton(props: { expanded: boolean; onToggle: () => void }) {
  const { expanded, onToggle } = props;
  const label = expanded ? 'Hide task instances' : 'Show task instances';
  return (
    <Tooltip title={label}>
      <IconButton
        size="small"
        aria-label={label}
        aria-expanded={expanded}
        onClick={e => {
          e.stopPropagation();
          onToggle();
        }}
      >
        <ChevronRightIcon
          fontSize="small"
          style={{
            transform: expanded ? 'rotate(90deg)' : 'none',
            transition: 'transform 200ms',
          }}
        />
      </IconButton>
    </Tooltip>
  );
}

/** A run id on one line, cut with an ellipsis, in full in its tooltip, with a copy button. */
function RunId(props: { runId: string }) {
  const { runId } = props;
  return (
    <Box sx={{ display: 'flex', alignItems: 'center', minWidth: 0 }}>
      <Tooltip title={runId} describeChild>
        <Typography
          variant="body2"
          noWrap
          sx={{ fontFamily: 'monospace', maxWidth: 240 }}
        >
          {runId}
        </Typography>
      </Tooltip>
      <IconButton
        size="small"
        aria-label={`Copy run id ${runId}`}
        onClick={e => {
          e.stopPropagation();
          navigator.clipboard?.writeText(runId);
        }}
      >
        <FileCopyIcon style={{ fontSize: 14 }} />
      </IconButton>
    </Box>
  );
}

const DETAIL_PANELS = [{ render: renderRowPanel }];

/**
 * One page of DAG runs, with the task instances of one run in a panel below
 * its row; which run is controlled (`expandedRunId`), so that it can live in
 * the URL and stays open across reloads.
 */
export function DagRunsTable(props: DagRunsTableProps) {
  const {
    entityRef,
    runs,
    totalCount,
    page,
    pageSize,
    onPageChange,
    loading,
    permissions,
    onClearDagRun,
    onRerunDagRun,
    onChanged,
    pollIntervalMs,
    emptyContent,
    expandedRunId,
    onExpandedRunChange,
  } = props;

  // The open panel follows `expandedRunId` (the URL), not the table's own
  // state: material-table opens a row's panel when its `tableData` says so.
  const rows = useMemo(
    () =>
      runs.map(run => ({
        ...run,
        id: run.runId,
        tableData: {
          showDetailPanel:
            run.runId === expandedRunId ? renderRowPanel : undefined,
        },
      })),
    [runs, expandedRunId],
  );
  const panelContext = useMemo(
    () => ({ entityRef, permissions, onChanged, pollIntervalMs }),
    [entityRef, permissions, onChanged, pollIntervalMs],
  );

  const columns: TableColumn<AirflowDagRun>[] = [
    {
      title: 'Run id',
      field: 'runId',
      highlight: true,
      width: '320px',
      render: run => (
        <Box sx={{ display: 'flex', alignItems: 'center', minWidth: 0 }}>
          <ExpandButton
            expanded={run.runId === expandedRunId}
            onToggle={() =>
              onExpandedRunChange(
                run.runId === expandedRunId ? undefined : run.runId,
              )
            }
          />
          <RunId runId={run.runId} />
        </Box>
      ),
    },
    {
      title: 'State',
      field: 'state',
      render: run => <DagRunStatus state={run.state} />,
    },
    { title: 'Run type', field: 'runType' },
    {
      title: 'Logical date',
      field: 'logicalDate',
      render: run => formatDateTime(run.logicalDate),
    },
    {
      title: 'Start',
      field: 'startDate',
      render: run => formatDateTime(run.startDate),
    },
    {
      title: 'End',
      field: 'endDate',
      render: run => formatDateTime(run.endDate),
    },
    {
      title: 'Duration',
      field: 'durationSeconds',
      render: run => formatDuration(run.durationSeconds),
    },
    {
      title: 'Note',
      field: 'note',
      render: run => run.note ?? '',
    },
    {
      title: 'Actions',
      render: run => (
        <Box
          sx={{ display: 'flex', alignItems: 'center', whiteSpace: 'nowrap' }}
        >
          <ActionIconButton
            label="Clear DAG run"
            icon={<ReplayIcon fontSize="small" />}
            onClick={() => onClearDagRun(run)}
            permission={permissions.clear}
          />
          {onRerunDagRun && (
            <ActionIconButton
              label="Re-run with this config"
              icon={<PlaylistPlayIcon fontSize="small" />}
              onClick={() => onRerunDagRun(run)}
              permission={permissions.trigger}
            />
          )}
          <Link
            to={run.webUrl}
            aria-label="Open DAG run in Airflow"
            title="Open DAG run in Airflow"
            style={{ display: 'inline-flex', padding: 5 }}
          >
            <OpenInNewIcon fontSize="small" />
          </Link>
        </Box>
      ),
    },
  ];

  return (
    <PanelContext.Provider value={panelContext}>
      <Table<AirflowDagRun>
        title="DAG runs"
        columns={columns}
        data={rows}
        page={page}
        totalCount={totalCount}
        onPageChange={onPageChange}
        isLoading={loading}
        emptyContent={emptyContent}
        detailPanel={DETAIL_PANELS}
        options={{
          showDetailPanelIcon: false,
          paging: true,
          pageSize,
          pageSizeOptions: DAG_RUNS_PAGE_SIZES,
          emptyRowsWhenPaging: false,
          search: false,
          sorting: false,
          padding: 'dense',
        }}
      />
    </PanelContext.Provider>
  );
}
