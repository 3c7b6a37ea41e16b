import {
  Content,
  EmptyState,
  Header,
  Page,
  Progress,
} from '@backstage/core-components';
import { useApi, useAppSearchParams } from '@backstage/frontend-plugin-api';
import Stack from '@mui/material/Stack';
import { useCallback, useMemo, useRef, useState } from 'react';
import { airflowApiRef } from '../../api';
import {
  useOwnershipDangling,
  useOwnershipPage,
  useOwnershipRefresh,
} from '../../hooks/useOwnership';
import { downloadBlob } from '../../lib/download';
import {
  DANGLING_PAGE_SIZE,
  filtersFromSearchParams,
  isFiltered,
  toOwnershipQuery,
  toSearchParams,
  viewFromSearchParams,
  withFlag,
  type OwnershipFilters,
  type OwnershipFlag,
  type OwnershipView,
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
 * `Dangling references` table. The server filters, sorts and pages; the
 * filters, order and pages are kept in the URL's query (`instance`, `owner`,
 * `mine`, `owned`, `orphans`, `failing`, `paused`, `q`, `children`, `sort`,
 * `order`, `page`, `size`, `dpage`), so a view can be shared.
 * @public
 */
export function AirflowOwnershipContent() {
  const airflowApi = useApi(airflowApiRef);
  const [searchParams, setSearchParams] = useAppSearchParams();
  const filters = useMemo(
    () => filtersFromSearchParams(searchParams),
    [searchParams],
  );
  const view = useMemo(
    () => viewFromSearchParams(searchParams),
    [searchParams],
  );
  const query = useMemo(() => toOwnershipQuery(filters), [filters]);
  const refresher = useOwnershipRefresh();
  const page = useOwnershipPage(
    {
      ...query,
      sort: view.sort,
      order: view.order,
      limit: view.pageSize,
      offset: view.page * view.pageSize,
    },
    refresher.reloadKey,
  );
  const dangling = useOwnershipDangling(
    {
      ...query,
      limit: DANGLING_PAGE_SIZE,
      offset: view.danglingPage * DANGLING_PAGE_SIZE,
    },
    refresher.reloadKey,
  );
  const [exporting, setExporting] = useState(false);
  const [exportError, setExportError] = useState<Error>();
  const danglingRef = useRef<HTMLElement>(null);

  const update = useCallback(
    (nextFilters: OwnershipFilters, nextView: Partial<OwnershipView> = {}) =>
      setSearchParams(
        previous =>
          toSearchParams(
            nextFilters,
            {
              ...viewFromSearchParams(previous),
              // A new filter starts at the first pages.
              page: 0,
              danglingPage: 0,
              ...nextView,
            },
            previous,
          ),
        { replace: true },
      ),
    [setSearchParams],
  );
  const setFilters = useCallback(
    (next: OwnershipFilters) => update(next),
    [update],
  );
  const setFlag = (flag: OwnershipFlag, value: boolean) =>
    setFilters(withFlag(filters, flag, value));

  const loaded = page.loaded;
  if (!loaded) {
    return page.error ? (
      <OwnershipErrorPanel error={page.error} />
    ) : (
      <Progress />
    );
  }
  const result = loaded.value;
  const indexStatus =
    refresher.status && refresher.status.receivedAt > loaded.receivedAt
      ? refresher.status
      : { value: result.index, receivedAt: loaded.receivedAt };

  return (
    <Stack spacing={3}>
      <OwnershipIndexStatus
        status={indexStatus.value}
        receivedAt={indexStatus.receivedAt}
        refreshing={refresher.refreshing}
        refreshError={refresher.error}
        onRefresh={() => {
          refresher.refresh();
        }}
      />
      {page.error && <OwnershipErrorPanel error={page.error} />}
      <OwnershipSummary
        summary={result.summary}
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
        instances={result.facets.instances}
        owners={result.facets.owners}
        shown={result.total}
        total={result.summary.total}
        exporting={exporting}
        exportError={exportError}
        onExport={async () => {
          setExporting(true);
          setExportError(undefined);
          try {
            downloadBlob(
              OWNERSHIP_CSV_FILENAME,
              await airflowApi.exportOwnershipCsv({
                ...query,
                sort: view.sort,
                order: view.order,
              }),
            );
          } catch (e) {
            setExportError(e as Error);
          } finally {
            setExporting(false);
          }
        }}
      />
      <OwnershipDagsTable
        dags={result.dags}
        total={result.total}
        view={view}
        loading={page.loading}
        onViewChange={next => update(filters, { ...view, ...next })}
        emptyContent={
          <EmptyState
            missing="data"
            title={
              result.summary.total === 0
                ? 'No DAGs in the ownership index'
                : 'No DAGs match the filters'
            }
            description={
              result.summary.total === 0
                ? 'No Airflow instance reported a DAG when the index was built.'
                : 'Change or clear the filters to see more DAGs.'
            }
          />
        }
      />
      <DanglingReferencesTable
        ref={danglingRef}
        page={dangling.loaded?.value}
        error={dangling.error}
        filtered={isFiltered({
          ...filters,
          owned: false,
          orphans: false,
          failing: false,
          paused: false,
        })}
        pageIndex={view.danglingPage}
        onPageChange={danglingPage =>
          update(filters, { ...view, danglingPage })
        }
      />
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
