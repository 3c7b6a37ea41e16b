import {
  Table,
  WarningPanel,
  type TableColumn,
} from '@backstage/core-components';
import { EntityRefLink, EntityRefLinks } from '@backstage/plugin-catalog-react';
import type {
  AirflowDanglingPage,
  AirflowDanglingReference,
} from '@airflow-for-backstage/backstage-plugin-airflow-common';
import Box from '@mui/material/Box';
import Typography from '@mui/material/Typography';
import { forwardRef, useMemo } from 'react';
import { errorMessage } from '../../lib/errors';
import { DANGLING_PAGE_SIZE } from '../../lib/ownership';

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
  /** The current page, undefined while the first one loads. */
  page?: AirflowDanglingPage;
  error?: Error;
  /** True when the instance, owner, owned-by-me or search filters are set (they apply here too). */
  filtered: boolean;
  /** Zero-based page. */
  pageIndex: number;
  onPageChange: (page: number) => void;
}

const COLUMNS: TableColumn<AirflowDanglingReference>[] = [
  { title: 'Entity', render: d => <EntityRefLink entityRef={d.entityRef} /> },
  {
    title: 'Owners',
    render: d =>
      d.owners.length > 0 ? (
        <EntityRefLinks entityRefs={d.owners} defaultKind="group" />
      ) : (
        '—'
      ),
  },
  { title: 'Instance', render: d => d.instance },
  { title: 'DAG id', render: d => <code>{d.dagId}</code> },
  { title: 'Reason', render: d => danglingReason(d.reason) },
];

/**
 * Annotated DAG ids that do not exist, matching the instance, owner, owned
 * by me and search filters of the view: the entity, its owners, the
 * instance, the DAG id and why; paged on the server, in the core-components
 * Table. The section can be scrolled to through its ref.
 */
export const DanglingReferencesTable = forwardRef<
  HTMLElement,
  DanglingReferencesTableProps
>(function DanglingReferencesSection(props, ref) {
  const { page, error, filtered, pageIndex, onPageChange } = props;
  // The table keeps per-row state on its rows: give it copies.
  const rows = useMemo(
    () => (page?.dangling ?? []).map(d => ({ ...d })),
    [page],
  );
  const total = page?.total ?? 0;
  return (
    <Box component="section" aria-label={DANGLING_TABLE_TITLE} ref={ref}>
      {error && (
        <WarningPanel
          severity="error"
          title="Could not load the dangling references"
          message={errorMessage(error)}
        />
      )}
      <Table<AirflowDanglingReference>
        title={DANGLING_TABLE_TITLE}
        subtitle={
          filtered
            ? 'Filtered by instance, owner and search, like the DAGs.'
            : undefined
        }
        columns={COLUMNS}
        data={rows}
        isLoading={!page && !error}
        page={Math.min(
          pageIndex,
          Math.max(0, Math.ceil(total / DANGLING_PAGE_SIZE) - 1),
        )}
        totalCount={total}
        onPageChange={next => onPageChange(next)}
        emptyContent={
          <Typography variant="body2" sx={{ p: 2 }}>
            {filtered
              ? 'No dangling reference matches the filters.'
              : 'Every DAG id named in an airflow.apache.org annotation exists in its instance.'}
          </Typography>
        }
        options={{
          paging: total > DANGLING_PAGE_SIZE,
          pageSize: DANGLING_PAGE_SIZE,
          pageSizeOptions: [DANGLING_PAGE_SIZE],
          emptyRowsWhenPaging: false,
          search: false,
          sorting: false,
          draggable: false,
          padding: 'dense',
        }}
      />
    </Box>
  );
});
