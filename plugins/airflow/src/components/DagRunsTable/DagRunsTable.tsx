import type { CompoundEntityRef } from '@backstage/catalog-model';
import { Link, Table, type TableColumn } from '@backstage/core-components';
import type { AirflowDagRun } from '@airflow-for-backstage/backstage-plugin-airflow-common';
import OpenInNewIcon from '@material-ui/icons/OpenInNew';
import PlaylistPlayIcon from '@material-ui/icons/PlaylistPlay';
import FileCopyIcon from '@material-ui/icons/FileCopy';
import ReplayIcon from '@material-ui/icons/Replay';
import IconButton from '@mui/material/IconButton';
import Tooltip from '@mui/material/Tooltip';
import Box from '@mui/material/Box';
import Typography from '@mui/material/Typography';
import { useMemo, type ReactNode } from 'react';
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

/** One page of DAG runs, with task instances in an expandable panel. */
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
  } = props;

  // `id`: material-table keys a row's own state (an open task panel) by it;
  // that the panel stays open across a reload is not covered by a test yet.
  const rows = useMemo(
    () => runs.map(run => ({ ...run, id: run.runId })),
    [runs],
  );

  const columns: TableColumn<AirflowDagRun>[] = [
    {
      title: 'Run id',
      field: 'runId',
      highlight: true,
      width: '280px',
      render: run => <RunId runId={run.runId} />,
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
    <Table<AirflowDagRun>
      title="DAG runs"
      columns={columns}
      data={rows}
      page={page}
      totalCount={totalCount}
      onPageChange={onPageChange}
      isLoading={loading}
      emptyContent={emptyContent}
      detailPanel={[
        {
          tooltip: 'Show task instances',
          render: ({ rowData }) => (
            <TaskInstancesPanel
              entityRef={entityRef}
              run={rowData}
              permissions={permissions}
              onChanged={onChanged}
              pollIntervalMs={pollIntervalMs}
            />
          ),
        },
      ]}
      options={{
        paging: true,
        pageSize,
        pageSizeOptions: DAG_RUNS_PAGE_SIZES,
        emptyRowsWhenPaging: false,
        search: false,
        sorting: false,
        padding: 'dense',
      }}
    />
  );
}
