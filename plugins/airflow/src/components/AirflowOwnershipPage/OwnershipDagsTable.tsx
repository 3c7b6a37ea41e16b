import { Link, Table, type TableColumn } from '@backstage/core-components';
import { EntityRefLinks } from '@backstage/plugin-catalog-react';
import type { AirflowOwnershipDag } from '@airflow-for-backstage/backstage-plugin-airflow-common';
import Box from '@mui/material/Box';
import Chip from '@mui/material/Chip';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import { useMemo, type ReactNode } from 'react';
import { formatDateTime, formatRelativeTime } from '../../lib/format';
import { hiddenEntitiesText } from '../../lib/ownership';
import { DagRunStatus } from '../DagRunStatus';

/** Title (and accessible name) of the DAG table. */
export const DAGS_TABLE_TITLE = 'DAGs and owners';

/** Props of {@link OwnershipDagsTable}. */
export interface OwnershipDagsTableProps {
  dags: AirflowOwnershipDag[];
  emptyContent?: ReactNode;
}

const byText =
  (text: (dag: AirflowOwnershipDag) => string) =>
  (a: AirflowOwnershipDag, b: AirflowOwnershipDag) =>
    text(a).localeCompare(text(b));

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

/** Every DAG with its instance, owners, naming entities, paused state, last run and schedule. */
export function OwnershipDagsTable(props: OwnershipDagsTableProps) {
  const { dags, emptyContent } = props;
  // material-table writes its own state into row objects: give it copies.
  const rows = useMemo(() => dags.map(dag => ({ ...dag })), [dags]);

  const columns: TableColumn<AirflowOwnershipDag>[] = [
    {
      title: 'DAG',
      field: 'displayName',
      highlight: true,
      customSort: byText(d => `${d.displayName}\u0000${d.dagId}`),
      render: dag => <DagCell dag={dag} />,
    },
    { title: 'Instance', field: 'instance' },
    {
      title: 'Owners',
      field: 'owners',
      customSort: byText(d => d.owners.join(' ') || '\uffff'),
      render: dag =>
        dag.owners.length > 0 ? (
          <EntityRefLinks entityRefs={dag.owners} defaultKind="group" />
        ) : (
          <Typography variant="body2" color="text.secondary">
            —
          </Typography>
        ),
    },
    {
      title: 'Entities',
      field: 'entities',
      customSort: (a, b) =>
        a.entities.length +
        a.hiddenEntityCount -
        (b.entities.length + b.hiddenEntityCount),
      render: dag => <EntitiesCell dag={dag} />,
    },
    {
      title: 'Paused',
      field: 'isPaused',
      render: dag => (dag.isPaused ? 'Yes' : 'No'),
    },
    {
      title: 'Last run',
      field: 'lastRunState',
      customSort: byText(d => d.lastRunState ?? ''),
      render: dag => <LastRunCell dag={dag} />,
    },
    {
      title: 'Schedule',
      field: 'schedule',
      customSort: byText(d => d.schedule ?? ''),
      render: dag => dag.schedule ?? 'Manual only',
    },
  ];

  return (
    <Box component="section" aria-label={DAGS_TABLE_TITLE}>
      <Table<AirflowOwnershipDag>
        title={DAGS_TABLE_TITLE}
        columns={columns}
        data={rows}
        emptyContent={emptyContent}
        options={{
          paging: rows.length > 25,
          pageSize: 25,
          pageSizeOptions: [25, 50, 100],
          padding: 'dense',
          search: false,
          emptyRowsWhenPaging: false,
        }}
      />
    </Box>
  );
}
