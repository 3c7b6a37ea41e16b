import { Table, type TableColumn } from '@backstage/core-components';
import { EntityRefLink, EntityRefLinks } from '@backstage/plugin-catalog-react';
import type { AirflowDanglingReference } from '@airflow-for-backstage/backstage-plugin-airflow-common';
import Box from '@mui/material/Box';
import Typography from '@mui/material/Typography';
import { forwardRef, useMemo } from 'react';

/** Title (and accessible name) of the dangling references table. */
export const DANGLING_TABLE_TITLE = 'Dangling references';

/** Human-readable reason of a dangling reference. */
export function danglingReason(reason: AirflowDanglingReference['reason']) {
  return reason === 'unknown-instance'
    ? 'No such Airflow instance is configured'
    : 'The instance has no DAG with this id';
}

/** Props of {@link DanglingReferencesTable}. */
export interface DanglingReferencesTableProps {
  dangling: AirflowDanglingReference[];
}

const columns: TableColumn<AirflowDanglingReference>[] = [
  {
    title: 'Entity',
    field: 'entityRef',
    highlight: true,
    render: ref => <EntityRefLink entityRef={ref.entityRef} />,
  },
  {
    title: 'Owners',
    field: 'owners',
    customFilterAndSearch: (term, ref) =>
      ref.owners
        .join(' ')
        .toLocaleLowerCase()
        .includes(term.toLocaleLowerCase()),
    customSort: (a, b) => a.owners.join(' ').localeCompare(b.owners.join(' ')),
    render: ref =>
      ref.owners.length > 0 ? (
        <EntityRefLinks entityRefs={ref.owners} defaultKind="group" />
      ) : (
        '—'
      ),
  },
  { title: 'Instance', field: 'instance' },
  {
    title: 'DAG id',
    field: 'dagId',
    render: ref => <code>{ref.dagId}</code>,
  },
  {
    title: 'Reason',
    field: 'reason',
    customFilterAndSearch: (term, ref) =>
      danglingReason(ref.reason)
        .toLocaleLowerCase()
        .includes(term.toLocaleLowerCase()),
    render: ref => danglingReason(ref.reason),
  },
];

/**
 * Annotated DAG ids that do not exist: the entity, its owners, the instance,
 * the DAG id and why. The section can be scrolled to through its ref.
 */
export const DanglingReferencesTable = forwardRef<
  HTMLElement,
  DanglingReferencesTableProps
>(function DanglingReferencesSection(props, ref) {
  const { dangling } = props;
  // material-table writes its own state into row objects: give it copies.
  const rows = useMemo(() => dangling.map(d => ({ ...d })), [dangling]);
  return (
    <Box component="section" aria-label={DANGLING_TABLE_TITLE} ref={ref}>
      <Table<AirflowDanglingReference>
        title={DANGLING_TABLE_TITLE}
        columns={columns}
        data={rows}
        emptyContent={
          <Typography variant="body2" sx={{ p: 2 }}>
            Every DAG id named in an airflow.apache.org annotation exists in its
            instance.
          </Typography>
        }
        options={{
          paging: rows.length > 10,
          pageSize: 10,
          padding: 'dense',
          search: rows.length > 5,
          emptyRowsWhenPaging: false,
        }}
      />
    </Box>
  );
});
