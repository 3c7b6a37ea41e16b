import {
  Content,
  EmptyState,
  Header,
  Page,
  Progress,
} from '@backstage/core-components';
import { useAppSearchParams } from '@backstage/frontend-plugin-api';
import Stack from '@mui/material/Stack';
import { useCallback, useMemo, useRef, useState } from 'react';
import { useOwnership } from '../../hooks/useOwnership';
import { useOwnershipEntityRefs } from '../../hooks/useOwnershipEntityRefs';
import { downloadFile } from '../../lib/download';
import {
  filterOwnershipDags,
  filtersFromSearchParams,
  filtersToSearchParams,
  instancesOf,
  ownersOf,
  ownershipCsv,
  withFlag,
  type OwnershipFilters,
  type OwnershipFlag,
} from '../../lib/ownership';
import { OwnershipErrorPanel } from '../OwnershipErrorPanel';
import { DanglingReferencesTable } from './DanglingReferencesTable';
import { OwnershipDagsTable } from './OwnershipDagsTable';
import { OwnershipFiltersBar } from './OwnershipFiltersBar';
import { OwnershipIndexStatus } from './OwnershipIndexStatus';
import { OwnershipSummary } from './OwnershipSummary';

/** File name of the CSV export. */
export const OWNERSHIP_CSV_FILENAME = 'airflow-dags-and-owners.csv';

/**
 * The ownership view without a page header: index age and refresh, warnings,
 * summary tiles, filters, the `DAGs and owners` table and the
 * `Dangling references` table. Filters are kept in the URL's query
 * (`instance`, `owner`, `mine`, `owned`, `orphans`, `failing`, `paused`).
 * @public
 */
export function AirflowOwnershipContent() {
  const ownership = useOwnership();
  const identity = useOwnershipEntityRefs();
  const [searchParams, setSearchParams] = useAppSearchParams();
  const filters = useMemo(
    () => filtersFromSearchParams(searchParams),
    [searchParams],
  );
  const [search, setSearch] = useState('');
  const danglingRef = useRef<HTMLElement>(null);

  const setFilters = useCallback(
    (next: OwnershipFilters) =>
      setSearchParams(previous => filtersToSearchParams(next, previous), {
        replace: true,
      }),
    [setSearchParams],
  );
  const setFlag = (flag: OwnershipFlag, value: boolean) =>
    setFilters(withFlag(filters, flag, value));

  const response = ownership.value?.response;
  const myRefs = identity.value;
  const rows = useMemo(
    () =>
      response
        ? filterOwnershipDags(response.dags, filters, myRefs ?? [], search)
        : [],
    [response, filters, myRefs, search],
  );
  const instances = useMemo(
    () => (response ? instancesOf(response.dags) : []),
    [response],
  );
  const owners = useMemo(
    () => (response ? ownersOf(response.dags) : []),
    [response],
  );

  if (ownership.loading && !ownership.value) return <Progress />;
  if (ownership.error || !ownership.value || !response) {
    return ownership.error ? (
      <OwnershipErrorPanel error={ownership.error} />
    ) : null;
  }

  let mineUnavailableReason: string | undefined;
  if (identity.loading) mineUnavailableReason = 'Loading your identity…';
  else if (identity.error) {
    mineUnavailableReason = `Could not load your identity: ${identity.error.message}`;
  }

  return (
    <Stack spacing={3}>
      <OwnershipIndexStatus
        loaded={ownership.value}
        refreshing={ownership.refreshing}
        refreshError={ownership.refreshError}
        onRefresh={() => {
          ownership.refresh();
        }}
      />
      <OwnershipSummary
        summary={response.summary}
        filters={filters}
        onSelect={flag =>
          setFilters({
            ...filters,
            owned: flag === 'owned',
            orphans: flag === 'orphans',
            failing: flag === 'failing',
            paused: flag === 'paused',
            // An orphan has no owner.
            mine: flag === 'orphans' ? false : filters.mine,
          })
        }
        onShowDangling={() =>
          danglingRef.current?.scrollIntoView?.({ behavior: 'smooth' })
        }
      />
      <OwnershipFiltersBar
        filters={filters}
        onChange={setFilters}
        onFlagChange={setFlag}
        search={search}
        onSearchChange={setSearch}
        instances={instances}
        owners={owners}
        mineUnavailableReason={mineUnavailableReason}
        shown={rows.length}
        total={response.dags.length}
        onExport={() =>
          downloadFile(
            OWNERSHIP_CSV_FILENAME,
            ownershipCsv(rows),
            'text/csv;charset=utf-8',
          )
        }
      />
      <OwnershipDagsTable
        dags={rows}
        emptyContent={
          <EmptyState
            missing="data"
            title={
              response.dags.length === 0
                ? 'No DAGs in the ownership index'
                : 'No DAGs match the filters'
            }
            description={
              response.dags.length === 0
                ? 'No Airflow instance reported a DAG when the index was built.'
                : 'Change or clear the filters to see more DAGs.'
            }
          />
        }
      />
      <DanglingReferencesTable dangling={response.dangling} ref={danglingRef} />
    </Stack>
  );
}

/**
 * The Airflow ownership page for the legacy frontend system: every DAG of
 * every Airflow instance with the catalog entities that name it and their
 * owners, orphans and dangling references. Needs `airflow.ownership.read`.
 * @public
 */
export function AirflowOwnershipPage() {
  return (
    <Page themeId="tool">
      <Header
        title="Airflow DAGs"
        subtitle="Every DAG of every Airflow instance with its catalog owners"
      />
      <Content>
        <AirflowOwnershipContent />
      </Content>
    </Page>
  );
}
