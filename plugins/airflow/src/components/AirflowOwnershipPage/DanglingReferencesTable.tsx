import { WarningPanel } from '@backstage/core-components';
import { EntityRefLink, EntityRefLinks } from '@backstage/plugin-catalog-react';
import type {
  AirflowDanglingPage,
  AirflowDanglingReference,
} from '@airflow-for-backstage/backstage-plugin-airflow-common';
import Box from '@mui/material/Box';
import Paper from '@mui/material/Paper';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TablePagination from '@mui/material/TablePagination';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import { forwardRef } from 'react';
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

/**
 * Annotated DAG ids that do not exist, matching the instance, owner, owned
 * by me and search filters of the view: the entity, its owners, the
 * instance, the DAG id and why; paged on the server. The section can be
 * scrolled to through its ref.
 */
export const DanglingReferencesTable = forwardRef<
  HTMLElement,
  DanglingReferencesTableProps
>(function DanglingReferencesSection(props, ref) {
  const { page, error, filtered, pageIndex, onPageChange } = props;
  const rows = page?.dangling ?? [];
  return (
    <Box component="section" aria-label={DANGLING_TABLE_TITLE} ref={ref}>
      <Paper variant="outlined">
        <Typography variant="h5" component="h2" sx={{ p: 2, pb: 0 }}>
          {DANGLING_TABLE_TITLE}
        </Typography>
        {filtered && (
          <Typography variant="body2" color="text.secondary" sx={{ px: 2 }}>
            Filtered by instance, owner and search, like the DAGs.
          </Typography>
        )}
        {error && (
          <WarningPanel
            severity="error"
            title="Could not load the dangling references"
            message={errorMessage(error)}
          />
        )}
        {page && rows.length === 0 ? (
          <Typography variant="body2" sx={{ p: 2 }}>
            {filtered
              ? 'No dangling reference matches the filters.'
              : 'Every DAG id named in an airflow.apache.org annotation exists in its instance.'}
          </Typography>
        ) : (
          <Table size="small" aria-label={DANGLING_TABLE_TITLE}>
            <TableHead>
              <TableRow>
                {['Entity', 'Owners', 'Instance', 'DAG id', 'Reason'].map(
                  title => (
                    <TableCell key={title}>{title}</TableCell>
                  ),
                )}
              </TableRow>
            </TableHead>
            <TableBody>
              {rows.map(d => (
                <TableRow key={`${d.entityRef}\u0000${d.instance}\u0000${d.dagId}`}>
                  <TableCell>
                    <EntityRefLink entityRef={d.entityRef} />
                  </TableCell>
                  <TableCell>
                    {d.owners.length > 0 ? (
                      <EntityRefLinks entityRefs={d.owners} defaultKind="group" />
                    ) : (
                      '—'
                    )}
                  </TableCell>
                  <TableCell>{d.instance}</TableCell>
                  <TableCell>
                    <code>{d.dagId}</code>
                  </TableCell>
                  <TableCell>{danglingReason(d.reason)}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
        {page && page.total > DANGLING_PAGE_SIZE && (
          <TablePagination
            component="div"
            count={page.total}
            page={Math.min(pageIndex, Math.ceil(page.total / DANGLING_PAGE_SIZE) - 1)}
            rowsPerPage={DANGLING_PAGE_SIZE}
            rowsPerPageOptions={[DANGLING_PAGE_SIZE]}
            onPageChange={(_, next) => onPageChange(next)}
          />
        )}
      </Paper>
    </Box>
  );
});
