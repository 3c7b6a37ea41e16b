import { Link } from '@backstage/core-components';
import { EntityRefLinks } from '@backstage/plugin-catalog-react';
import type {
  AirflowOwnershipDag,
  AirflowOwnershipSort,
} from '@airflow-for-backstage/backstage-plugin-airflow-common';
import Box from '@mui/material/Box';
import Chip from '@mui/material/Chip';
import LinearProgress from '@mui/material/LinearProgress';
import Paper from '@mui/material/Paper';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableContainer from '@mui/material/TableContainer';
import TableHead from '@mui/material/TableHead';
import TablePagination from '@mui/material/TablePagination';
import TableRow from '@mui/material/TableRow';
import TableSortLabel from '@mui/material/TableSortLabel';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import type { ReactNode } from 'react';
import { formatDateTime, formatRelativeTime } from '../../lib/format';
import {
  OWNERSHIP_PAGE_SIZES,
  hiddenEntitiesText,
  type OwnershipView,
} from '../../lib/ownership';
import { DagRunStatus } from '../DagRunStatus';

/** Title (and accessible name) of the DAG table. */
export const DAGS_TABLE_TITLE = 'DAGs and owners';

/** Props of {@link OwnershipDagsTable}. */
export interface OwnershipDagsTableProps {
  /** The DAGs of the current page, in the server's order. */
  dags: AirflowOwnershipDag[];
  /** DAGs matching the filters, on every page. */
  total: number;
  view: OwnershipView;
  /** True while the next page loads (the current one stays). */
  loading?: boolean;
  onViewChange: (view: Partial<OwnershipView>) => void;
  emptyContent?: ReactNode;
}

function DagCell(props: { dag: AirflowOwnershipDag }) {
  const { dag } = props;
  return (
    <Box>
      <Link to={dag.webUrl}>{dag.displayName}</Link>
      <Typography
        variant="caption"
        color="text.secondary"
        component="div"
        sx={{ wordBreak: 'break-all' }}
      >
        {dag.dagId}
      </Typography>
    </Box>
  );
}

function EntitiesCell(props: { dag: AirflowOwnershipDag }) {
  const { dag } = props;
  return (
    <Box sx={{ display: 'flex', flexDirection: 'column', gap: 0.5 }}>
      {dag.entities.length > 0 && (
        <EntityRefLinks entityRefs={dag.entities.map(e => e.entityRef)} />
      )}
      {dag.isOrphan && (
        <Tooltip
          title="No catalog entity names this DAG in its airflow.apache.org annotations"
          describeChild
        >
          <Chip
            label="Orphan"
            size="small"
            color="warning"
            variant="outlined"
            sx={{ alignSelf: 'flex-start' }}
          />
        </Tooltip>
      )}
      {dag.hiddenEntityCount > 0 && (
        <Typography variant="caption" color="text.secondary">
          +{hiddenEntitiesText(dag.hiddenEntityCount)}
        </Typography>
      )}
    </Box>
  );
}

function LastRunCell(props: { dag: AirflowOwnershipDag }) {
  const { dag } = props;
  if (!dag.lastRunState) {
    return (
      <Typography variant="body2" color="text.secondary">
        never ran
      </Typography>
    );
  }
  return (
    <Box>
      <DagRunStatus state={dag.lastRunState} />
      {dag.lastRunDate && (
        <Tooltip title={formatDateTime(dag.lastRunDate)} describeChild>
          <Typography variant="caption" color="text.secondary" component="div">
            {formatRelativeTime(dag.lastRunDate)}
          </Typography>
        </Tooltip>
      )}
    </Box>
  );
}

interface Column {
  title: string;
  sort?: AirflowOwnershipSort;
  render: (dag: AirflowOwnershipDag) => ReactNode;
}

const COLUMNS: Column[] = [
  { title: 'DAG', sort: 'dagId', render: dag => <DagCell dag={dag} /> },
  { title: 'Instance', sort: 'instance', render: dag => dag.instance },
  {
    title: 'Owners',
    sort: 'owners',
    render: dag =>
      dag.owners.length > 0 ? (
        <EntityRefLinks entityRefs={dag.owners} defaultKind="group" />
      ) : (
        <Typography variant="body2" color="text.secondary">
          —
        </Typography>
      ),
  },
  { title: 'Entities', render: dag => <EntitiesCell dag={dag} /> },
  { title: 'Paused', render: dag => (dag.isPaused ? 'Yes' : 'No') },
  { title: 'Last run', sort: 'lastRun', render: dag => <LastRunCell dag={dag} /> },
  { title: 'Schedule', render: dag => dag.schedule ?? 'Manual only' },
];

/**
 * One page of DAGs with their instance, owners, naming entities, paused
 * state, last run and schedule. Sorting and paging ask the server (through
 * `onViewChange`); "Last run" sorts by the time of the latest run.
 */
export function OwnershipDagsTable(props: OwnershipDagsTableProps) {
  const { dags, total, view, loading, onViewChange, emptyContent } = props;
  return (
    <Box component="section" aria-label={DAGS_TABLE_TITLE}>
      <Paper variant="outlined">
        <Typography variant="h5" component="h2" sx={{ p: 2, pb: 1 }}>
          {DAGS_TABLE_TITLE}
        </Typography>
        <Box sx={{ height: 4 }}>{loading && <LinearProgress />}</Box>
        <TableContainer>
          <Table size="small" aria-label={DAGS_TABLE_TITLE}>
            <TableHead>
              <TableRow>
                {COLUMNS.map(column => (
                  <TableCell
                    key={column.title}
                    sortDirection={
                      column.sort && view.sort === column.sort
                        ? view.order
                        : false
                    }
                  >
                    {column.sort ? (
                      <TableSortLabel
                        active={view.sort === column.sort}
                        direction={
                          view.sort === column.sort ? view.order : 'asc'
                        }
                        onClick={() =>
                          onViewChange({
                            sort: column.sort,
                            order:
                              view.sort === column.sort && view.order === 'asc'
                                ? 'desc'
                                : 'asc',
                            page: 0,
                          })
                        }
                      >
                        {column.title}
                      </TableSortLabel>
                    ) : (
                      column.title
                    )}
                  </TableCell>
                ))}
              </TableRow>
            </TableHead>
            <TableBody>
              {dags.length === 0 ? (
                <TableRow>
                  <TableCell colSpan={COLUMNS.length}>{emptyContent}</TableCell>
                </TableRow>
              ) : (
                dags.map(dag => (
                  <TableRow key={`${dag.instance}\u0000${dag.dagId}`}>
                    {COLUMNS.map(column => (
                      <TableCell key={column.title}>{column.render(dag)}</TableCell>
                    ))}
                  </TableRow>
                ))
              )}
            </TableBody>
          </Table>
        </TableContainer>
        <TablePagination
          component="div"
          count={total}
          page={Math.min(view.page, Math.max(0, Math.ceil(total / view.pageSize) - 1))}
          rowsPerPage={view.pageSize}
          rowsPerPageOptions={OWNERSHIP_PAGE_SIZES}
          onPageChange={(_, page) => onViewChange({ page })}
          onRowsPerPageChange={e =>
            onViewChange({ pageSize: Number(e.target.value), page: 0 })
          }
        />
      </Paper>
    </Box>
  );
}
