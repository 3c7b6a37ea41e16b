import type { CompoundEntityRef } from '@backstage/catalog-model';
import { Link, Table, type TableColumn } from '@backstage/core-components';
import type { AirflowDagRun } from '@airflow-for-backstage/backstage-plugin-airflow-common';
import OpenInNewIcon from '@material-ui/icons/OpenInNew';
import PlaylistPlayIcon from '@material-ui/icons/PlaylistPlay';
import ReplayIcon from '@material-ui/icons/Replay';
import Box from '@mui/material/Box';
import Typography from '@mui/material/Typography';
import { useMemo, type ReactNode } from 'react';
import type { AirflowActionPermission } from '../../hooks';
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
  clearPermission: AirflowActionPermission;
  onClearDagRun: (run: AirflowDagRun) => void;
  /** Opens the trigger dialog prefilled with a run's config ("Re-run with this config"). */
  onRerunDagRun?: (run: AirflowDagRun) => void;
  /** Whether the user may trigger runs (for "Re-run with this config"). */
  triggerPermission?: AirflowActionPermission;
  emptyContent?: ReactNode;
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
    clearPermission,
    onClearDagRun,
    onRerunDagRun,
    triggerPermission,
    emptyContent,
  } = props;

  const rows = useMemo(() => runs.map(run => ({ ...run })), [runs]);

  const columns: TableColumn<AirflowDagRun>[] = [
    {
      title: 'Run id',
      field: 'runId',
      highlight: true,
      render: run => (
        <Typography
          variant="body2"
          sx={{ fontFamily: 'monospace', wordBreak: 'break-all' }}
        >
          {run.runId}
        </Typography>
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
            permission={clearPermission}
          />
          {onRerunDagRun && (
            <ActionIconButton
              label="Re-run with this config"
              icon={<PlaylistPlayIcon fontSize="small" />}
              onClick={() => onRerunDagRun(run)}
              permission={triggerPermission}
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
            <TaskInstancesPanel entityRef={entityRef} run={rowData} />
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
