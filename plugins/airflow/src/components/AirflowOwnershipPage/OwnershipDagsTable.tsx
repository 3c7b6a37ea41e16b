import { Link, Table, type TableColumn } from '@backstage/core-components';
import { EntityRefLinks } from '@backstage/plugin-catalog-react';
import type {
  AirflowOwnershipDag,
  AirflowOwnershipSort,
} from '@airflow-for-backstage/backstage-plugin-airflow-common';
import Box from '@mui/material/Box';
import Chip from '@mui/material/Chip';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import { useMemo, type ReactNode } from 'react';
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
      <Tooltip title={dag.dagId} describeChild>
        <Typography
          variant="caption"
          color="text.secondary"
          component="div"
          noWrap
          sx={{ maxWidth: 260 }}
        >
          {dag.dagId}
        </Typography>
      </Tooltip>
      {dag.airflowOwners.length > 0 && (
        <Typography variant="caption" color="text.secondary" component="div">
          Airflow owner: {dag.airflowOwners.join(', ')}
        </Typography>
      )}
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
  /** Tooltip of the column's header. */
  help?: string;
  sort?: AirflowOwnershipSort;
  render: (dag: AirflowOwnershipDag) => ReactNode;
}

const COLUMNS: Column[] = [
  { title: 'DAG', sort: 'dagId', render: dag => <DagCell dag={dag} /> },
  { title: 'Instance', sort: 'instance', render: dag => dag.instance },
  {
    title: 'Catalog owners',
    help: "Owners in the catalog of the entities that name this DAG; Airflow's own owner field is shown under the DAG id",
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
  {
    title: 'Last run',
    sort: 'lastRun',
    render: dag => <LastRunCell dag={dag} />,
  },
  { title: 'Schedule', render: dag => dag.schedule ?? 'Manual only' },
];

/** The server's order stays: the table never sorts a page itself. */
const KEEP_ORDER = () => 0;

/**
 * One page of DAGs with their instance, owners, naming entities, paused
 * state, last run and schedule, in the core-components Table. Sorting and
 * paging ask the server (through `onViewChange`); "Last run" sorts by the
 * time of the latest run.
 */
export function OwnershipDagsTable(props: OwnershipDagsTableProps) {
  const { dags, total, view, loading, onViewChange, emptyContent } = props;
  // The table keeps per-row state on its rows: give it copies.
  const rows = useMemo(() => dags.map(dag => ({ ...dag })), [dags]);
  const columns: TableColumn<AirflowOwnershipDag>[] = COLUMNS.map(column => ({
    title: column.title,
    tooltip: column.help,
    // A field only for the table's sort state; the order is the server's.
    field: column.sort,
    sorting: Boolean(column.sort),
    customSort: KEEP_ORDER,
    defaultSort:
      column.sort && view.sort === column.sort ? view.order : undefined,
    render: column.render,
  }));
  const lastPage = Math.max(0, Math.ceil(total / view.pageSize) - 1);
  return (
    <Box component="section" aria-label={DAGS_TABLE_TITLE}>
      <Table<AirflowOwnershipDag>
        title={DAGS_TABLE_TITLE}
        columns={columns}
        data={rows}
        page={Math.min(view.page, lastPage)}
        totalCount={total}
        isLoading={loading}
        emptyContent={emptyContent}
        onPageChange={(page, pageSize) =>
          onViewChange(
            pageSize === view.pageSize ? { page } : { page: 0, pageSize },
          )
        }
        onOrderChange={(index, direction) => {
          const sort = COLUMNS[index]?.sort;
          // Another column sorts ascending first (the table would carry the
          // previous column's direction over); the same column toggles.
          const descending =
            Boolean(sort) && sort === view.sort && direction === 'desc';
          onViewChange({
            sort: sort ?? 'instance',
            order: descending ? 'desc' : 'asc',
            page: 0,
          });
        }}
        options={{
          paging: true,
          pageSize: view.pageSize,
          pageSizeOptions: OWNERSHIP_PAGE_SIZES,
          emptyRowsWhenPaging: false,
          search: false,
          sorting: true,
          thirdSortClick: false,
          draggable: false,
          padding: 'dense',
        }}
      />
    </Box>
  );
}
