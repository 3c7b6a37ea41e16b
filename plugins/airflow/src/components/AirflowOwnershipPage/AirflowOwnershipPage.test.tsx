import type { AirflowOwnershipPageOptions } from '../../api';
import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { airflowApiRef, type AirflowApi } from '../../api';
import { mockAirflowApi, responseError } from '../../__fixtures__/airflowApi';
import {
  billingExportOwnership,
  legacyCleanupOwnership,
  ordersEtlOwnership,
  ownershipIndexStatus,
  ownershipPage,
  ownershipPageOf,
  secretJobOwnership,
  staleOwnershipPage,
  tmpBackfillOwnership,
} from '../../__fixtures__/ownership';
import { AirflowOwnershipContent, AirflowOwnershipPage } from './index';

/**
 * The server's answers for the views these tests ask for (the filtering
 * itself is the backend's, tested there): a page per filter.
 */
function serverPage(options: AirflowOwnershipPageOptions = {}) {
  if (options.orphans) {
    return ownershipPageOf([legacyCleanupOwnership, tmpBackfillOwnership]);
  }
  if (options.failing) {
    return ownershipPageOf([
      legacyCleanupOwnership,
      ordersEtlOwnership,
      secretJobOwnership,
    ]);
  }
  if (options.owner === 'group:default/data-eng' || options.mine) {
    return ownershipPageOf([ordersEtlOwnership, billingExportOwnership]);
  }
  if (options.instance === 'prod') {
    return ownershipPageOf([
      billingExportOwnership,
      secretJobOwnership,
      tmpBackfillOwnership,
    ]);
  }
  if (options.q) return ownershipPageOf([billingExportOwnership]);
  return ownershipPage;
}

function pagedApi(overrides: Parameters<typeof mockAirflowApi>[0] = {}) {
  return mockAirflowApi({
    getOwnership: jest.fn(async options => serverPage(options)),
    ...overrides,
  });
}

/** The options of the latest page request. */
function lastQuery(api: AirflowApi) {
  const calls = (api.getOwnership as jest.Mock).mock.calls;
  return calls[calls.length - 1][0];
}

function renderContent(
  options: {
    api?: AirflowApi;
    initialRoute?: string;
    element?: JSX.Element;
  } = {},
) {
  return renderInTestApp(options.element ?? <AirflowOwnershipContent />, {
    apis: [
      [airflowApiRef, options.api ?? pagedApi()],
      mockApis.identity({ userEntityRef: 'user:default/jane' }),
    ],
    mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
    initialRouteEntries: options.initialRoute
      ? [options.initialRoute]
      : undefined,
  });
}

function dagsTable(): HTMLElement {
  return screen.getByRole('region', { name: 'DAGs and owners' });
}

/** Display names of the DAGs in the table (their links to Airflow), in table order. */
function shownDags(): string[] {
  return within(dagsTable())
    .queryAllByRole('link')
    .filter(link => link.getAttribute('href')?.startsWith('https://airflow'))
    .map(link =>
      (link.textContent ?? '').replace(/, Opens in a new window$/, ''),
    );
}

function rowOf(displayName: string): HTMLElement {
  const row = within(dagsTable())
    .getByRole('link', { name: new RegExp(`^${displayName}\\b`) })
    .closest('tr');
  if (!row) throw new Error(`No table row contains ${displayName}`);
  return row as HTMLElement;
}

const ALL_DAGS = [
  'Legacy cleanup',
  'Feature store refresh',
  'Orders ETL',
  'Billing export',
  'Secret job',
  'Temporary backfill',
];

describe('AirflowOwnershipContent', () => {
  it('shows the summary counts of the index as tiles', async () => {
    renderContent();
    const summary = await screen.findByRole('group', { name: 'Summary' });
    for (const name of [
      'Total DAGs: 6',
      'Owned: 4',
      'Orphans: 2',
      'Dangling references: 2',
      'Failing: 3',
      'Paused: 2',
    ]) {
      expect(within(summary).getByRole('button', { name })).toBeInTheDocument();
    }
  });

  it('lists every DAG with Airflow link, DAG id, instance, owners, entities, paused state, last run and schedule', async () => {
    renderContent();
    await screen.findByRole('region', { name: 'DAGs and owners' });
    expect(shownDags()).toEqual(ALL_DAGS);

    const orders = rowOf('Orders ETL');
    expect(
      within(orders).getByRole('link', { name: /^Orders ETL/ }),
    ).toHaveAttribute('href', 'https://airflow.example.com/dags/orders_etl');
    expect(within(orders).getByText('orders_etl')).toBeInTheDocument();
    expect(within(orders).getByText('default')).toBeInTheDocument();
    expect(
      within(orders).getByRole('link', { name: /data-eng/ }),
    ).toHaveAttribute('href', '/catalog/default/group/data-eng');
    expect(
      within(orders).getByRole('link', { name: /orders-pipeline/ }),
    ).toHaveAttribute('href', '/catalog/default/component/orders-pipeline');
    expect(within(orders).getByText('No')).toBeInTheDocument();
    expect(within(orders).getByLabelText('Status error')).toHaveTextContent(
      'failed',
    );
    expect(within(orders).getByText('At 06:00')).toBeInTheDocument();
    // Airflow's own owner field, apart from the catalog owners.
    expect(
      within(orders).getByText('Airflow owner: airflow'),
    ).toBeInTheDocument();

    const featureStore = rowOf('Feature store refresh');
    expect(
      within(featureStore).getByRole('link', { name: /jane/ }),
    ).toHaveAttribute('href', '/catalog/default/user/jane');
    expect(within(featureStore).getByText('Yes')).toBeInTheDocument();
    expect(within(featureStore).getByText('Manual only')).toBeInTheDocument();
    expect(
      within(rowOf('Temporary backfill')).getByText('never ran'),
    ).toBeInTheDocument();
  });

  it('names the owners column "Catalog owners", with a tooltip telling it apart from Airflow\'s owner field', async () => {
    renderContent();
    await screen.findByRole('region', { name: 'DAGs and owners' });
    const header = within(dagsTable()).getByRole('columnheader', {
      name: 'Catalog owners',
    });
    expect(
      within(dagsTable()).queryByRole('columnheader', { name: 'Owners' }),
    ).not.toBeInTheDocument();
    await userEvent.hover(within(header).getByText('Catalog owners'));
    expect(await screen.findByRole('tooltip')).toHaveTextContent(
      "Owners in the catalog of the entities that name this DAG; Airflow's own owner field is shown under the DAG id",
    );
  });

  it('shows the Orphan badge on orphan DAGs only', async () => {
    renderContent();
    await screen.findByRole('region', { name: 'DAGs and owners' });
    expect(
      within(rowOf('Legacy cleanup')).getByText('Orphan'),
    ).toBeInTheDocument();
    expect(
      within(rowOf('Temporary backfill')).getByText('Orphan'),
    ).toBeInTheDocument();
    expect(within(dagsTable()).getAllByText('Orphan')).toHaveLength(2);
    expect(
      within(rowOf('Orders ETL')).queryByText('Orphan'),
    ).not.toBeInTheDocument();
  });

  it('notes how many naming entities the user cannot see', async () => {
    renderContent();
    await screen.findByRole('region', { name: 'DAGs and owners' });
    expect(
      within(rowOf('Feature store refresh')).getByText(
        '+1 entity you cannot see',
      ),
    ).toBeInTheDocument();
    expect(
      within(rowOf('Secret job')).getByText('+2 entities you cannot see'),
    ).toBeInTheDocument();
    expect(
      within(rowOf('Secret job')).queryByText('Orphan'),
    ).not.toBeInTheDocument();
  });

  it('asks the server for the first page in the default order', async () => {
    const api = pagedApi();
    renderContent({ api });
    await screen.findByRole('region', { name: 'DAGs and owners' });
    expect(lastQuery(api)).toEqual({
      sort: 'instance',
      order: 'asc',
      limit: 25,
      offset: 0,
    });
    expect(screen.getByText('6 DAGs')).toBeInTheDocument();
  });

  it('"Orphans only" asks the server for the orphan DAGs and shows them', async () => {
    const api = pagedApi();
    renderContent({ api });
    const orphansOnly = await screen.findByRole('switch', {
      name: 'Orphans only',
    });
    await userEvent.click(orphansOnly);
    await waitFor(() =>
      expect(shownDags()).toEqual(['Legacy cleanup', 'Temporary backfill']),
    );
    expect(lastQuery(api)).toMatchObject({ orphans: true, offset: 0 });
    expect(orphansOnly).toBeChecked();
    expect(screen.getByText('Showing 2 of 6 DAGs')).toBeInTheDocument();
  });

  it('"Failing only" asks for the DAGs whose last run failed', async () => {
    const api = pagedApi();
    renderContent({ api });
    await userEvent.click(await screen.findByLabelText('Failing only'));
    await waitFor(() =>
      expect(shownDags()).toEqual([
        'Legacy cleanup',
        'Orders ETL',
        'Secret job',
      ]),
    );
    expect(lastQuery(api)).toMatchObject({ failing: true });
  });

  it('the owner select offers the owners the server lists and asks for the selected one', async () => {
    const api = pagedApi();
    renderContent({ api });
    const owner = await screen.findByRole('combobox', { name: 'Owner' });
    expect(
      within(owner)
        .getAllByRole('option')
        .map(o => o.getAttribute('value')),
    ).toEqual([
      '',
      'group:default/data-eng',
      'group:default/ml-platform',
      'user:default/jane',
    ]);
    await userEvent.selectOptions(owner, 'group:default/data-eng');
    await waitFor(() =>
      expect(shownDags()).toEqual(['Orders ETL', 'Billing export']),
    );
    expect(lastQuery(api)).toMatchObject({ owner: 'group:default/data-eng' });
    // Child groups count by default; the switch turns them off.
    expect(lastQuery(api).includeChildGroups).toBeUndefined();
    await userEvent.click(
      screen.getByRole('switch', { name: 'Include child groups' }),
    );
    await waitFor(() =>
      expect(lastQuery(api)).toMatchObject({ includeChildGroups: false }),
    );
  });

  it('the instance select asks for the DAGs of the selected instance', async () => {
    const api = pagedApi();
    renderContent({ api });
    await userEvent.selectOptions(
      await screen.findByRole('combobox', { name: 'Instance' }),
      'prod',
    );
    await waitFor(() =>
      expect(shownDags()).toEqual([
        'Billing export',
        'Secret job',
        'Temporary backfill',
      ]),
    );
    expect(lastQuery(api)).toMatchObject({ instance: 'prod' });
  });

  it('"Owned by me" asks the server, which knows the caller\'s groups', async () => {
    const api = pagedApi();
    renderContent({ api });
    await userEvent.click(await screen.findByLabelText('Owned by me'));
    await waitFor(() =>
      expect(shownDags()).toEqual(['Orders ETL', 'Billing export']),
    );
    expect(lastQuery(api)).toMatchObject({ mine: true });
  });

  it('the search box sends the text once typing pauses', async () => {
    const api = pagedApi();
    renderContent({ api });
    await userEvent.click(
      await screen.findByRole('searchbox', { name: 'Search DAGs' }),
    );
    await userEvent.paste('data-eng prod');
    await waitFor(() =>
      expect(lastQuery(api)).toMatchObject({ q: 'data-eng prod' }),
    );
    await waitFor(() => expect(shownDags()).toEqual(['Billing export']));
    expect(lastQuery(api)).toMatchObject({ q: 'data-eng prod', offset: 0 });
    const searches = (api.getOwnership as jest.Mock).mock.calls.filter(
      ([o]) => o.q,
    );
    expect(searches).toHaveLength(1);
  });

  it('the Orphans tile selects the orphans filter and the Total DAGs tile clears it', async () => {
    const api = pagedApi();
    renderContent({ api });
    const orphans = await screen.findByRole('button', { name: 'Orphans: 2' });
    await userEvent.click(orphans);
    await waitFor(() =>
      expect(shownDags()).toEqual(['Legacy cleanup', 'Temporary backfill']),
    );
    expect(screen.getByRole('button', { name: 'Orphans: 2' })).toHaveAttribute(
      'aria-pressed',
      'true',
    );
    expect(screen.getByLabelText('Orphans only')).toBeChecked();

    await userEvent.click(screen.getByRole('button', { name: 'Failing: 3' }));
    await waitFor(() =>
      expect(shownDags()).toEqual([
        'Legacy cleanup',
        'Orders ETL',
        'Secret job',
      ]),
    );
    expect(screen.getByLabelText('Orphans only')).not.toBeChecked();

    await userEvent.click(
      screen.getByRole('button', { name: 'Total DAGs: 6' }),
    );
    await waitFor(() => expect(shownDags()).toEqual(ALL_DAGS));
  });

  it('reads the filters, the order and the page from the URL and sends them', async () => {
    const api = pagedApi();
    renderContent({
      api,
      initialRoute:
        '/?owner=group%3Adefault%2Fdata-eng&failing=1&q=etl&sort=lastRun&order=desc&page=2&size=50',
    });
    await screen.findByRole('region', { name: 'DAGs and owners' });
    expect(lastQuery(api)).toEqual({
      owner: 'group:default/data-eng',
      failing: true,
      q: 'etl',
      sort: 'lastRun',
      order: 'desc',
      limit: 50,
      offset: 50,
    });
    expect(screen.getByRole('combobox', { name: 'Owner' })).toHaveValue(
      'group:default/data-eng',
    );
    expect(screen.getByLabelText('Failing only')).toBeChecked();
    expect(screen.getByRole('searchbox', { name: 'Search DAGs' })).toHaveValue(
      'etl',
    );
    expect(api.getOwnershipDangling).toHaveBeenLastCalledWith(
      expect.objectContaining({ owner: 'group:default/data-eng', q: 'etl' }),
    );
  });

  it('another column sorts ascending first, whatever the order of the column before (a shared link sorted descending)', async () => {
    const api = pagedApi();
    renderContent({ api, initialRoute: '/?sort=lastRun&order=desc' });
    await screen.findByRole('region', { name: 'DAGs and owners' });
    expect(lastQuery(api)).toMatchObject({ sort: 'lastRun', order: 'desc' });
    await userEvent.click(screen.getByRole('button', { name: 'DAG' }));
    await waitFor(() =>
      expect(lastQuery(api)).toMatchObject({ sort: 'dagId', order: 'asc' }),
    );
  });

  it('sorting by a column asks the server, ascending then descending', async () => {
    const api = pagedApi();
    renderContent({ api });
    await screen.findByRole('region', { name: 'DAGs and owners' });
    await userEvent.click(screen.getByRole('button', { name: 'Last run' }));
    await waitFor(() =>
      expect(lastQuery(api)).toMatchObject({ sort: 'lastRun', order: 'asc' }),
    );
    await userEvent.click(screen.getByRole('button', { name: 'Last run' }));
    await waitFor(() =>
      expect(lastQuery(api)).toMatchObject({ sort: 'lastRun', order: 'desc' }),
    );
  });

  it('pages through the matching DAGs on the server', async () => {
    const api = pagedApi({
      getOwnership: jest.fn(async options =>
        ownershipPageOf(
          options?.offset ? [secretJobOwnership] : [ordersEtlOwnership],
          { total: 26, offset: options?.offset ?? 0 },
        ),
      ),
    });
    renderContent({ api });
    await waitFor(() => expect(shownDags()).toEqual(['Orders ETL']));
    await userEvent.click(screen.getByRole('button', { name: 'Next Page' }));
    await waitFor(() => expect(shownDags()).toEqual(['Secret job']));
    expect(lastQuery(api)).toMatchObject({ offset: 25, limit: 25 });
  });

  it('"Export CSV" downloads the file the server streams for the current filters and order', async () => {
    const blobs: Blob[] = [];
    const createObjectURL = jest.fn((blob: Blob) => {
      blobs.push(blob);
      return 'blob:airflow-dags';
    });
    const revokeObjectURL = jest.fn();
    const originals = {
      createObjectURL: URL.createObjectURL,
      revokeObjectURL: URL.revokeObjectURL,
    };
    Object.assign(URL, { createObjectURL, revokeObjectURL });
    const click = jest
      .spyOn(HTMLAnchorElement.prototype, 'click')
      .mockImplementation(function record(this: HTMLAnchorElement) {
        expect(this.download).toBe('airflow-dags-and-owners.csv');
        expect(this.href).toBe('blob:airflow-dags');
      });
    const csv = new Blob(['instance,dag_id\r\ndefault,legacy_cleanup\r\n'], {
      type: 'text/csv',
    });
    const api = pagedApi({
      exportOwnershipCsv: jest.fn().mockResolvedValue(csv),
    });
    try {
      renderContent({ api, initialRoute: '/?sort=dagId' });
      await userEvent.click(await screen.findByLabelText('Orphans only'));
      await waitFor(() => expect(shownDags()).toHaveLength(2));
      await userEvent.click(screen.getByRole('button', { name: 'Export CSV' }));
      await waitFor(() => expect(click).toHaveBeenCalledTimes(1));
      expect(api.exportOwnershipCsv).toHaveBeenCalledWith({
        orphans: true,
        sort: 'dagId',
        order: 'asc',
      });
      expect(blobs).toEqual([csv]);
    } finally {
      click.mockRestore();
      Object.assign(URL, originals);
    }
  });

  it('shows why the CSV export failed', async () => {
    const api = pagedApi({
      exportOwnershipCsv: jest
        .fn()
        .mockRejectedValue(
          await responseError(503, 'Error', 'Database is down'),
        ),
    });
    renderContent({ api });
    await userEvent.click(
      await screen.findByRole('button', { name: 'Export CSV' }),
    );
    expect(
      await screen.findByText(/Could not export the CSV file/),
    ).toBeInTheDocument();
    expect(screen.getByText('Database is down')).toBeInTheDocument();
  });

  it('shows the index age and "Refresh now" rebuilds the index and loads the page again', async () => {
    let built = false;
    const api = pagedApi({
      getOwnership: jest.fn(async () =>
        built
          ? {
              ...ownershipPage,
              index: { ...ownershipIndexStatus, ageSeconds: 0 },
              summary: { ...ownershipPage.summary, total: 7 },
            }
          : ownershipPage,
      ),
      refreshOwnership: jest.fn(async () => {
        built = true;
        return { ...ownershipIndexStatus, ageSeconds: 0 };
      }),
    });
    renderContent({ api });
    expect(
      await screen.findByText('Index built 3 minutes ago'),
    ).toBeInTheDocument();

    await userEvent.click(screen.getByRole('button', { name: 'Refresh now' }));
    expect(api.refreshOwnership).toHaveBeenCalledTimes(1);
    expect(
      await screen.findByRole('button', { name: 'Total DAGs: 7' }),
    ).toBeInTheDocument();
    expect(screen.getByText('Index built just now')).toBeInTheDocument();
    expect(api.getOwnershipDangling).toHaveBeenCalledTimes(2);
  });

  it('keeps the index and shows an error when the "Refresh now" request fails', async () => {
    const api = mockAirflowApi({
      refreshOwnership: jest
        .fn()
        .mockRejectedValue(
          await responseError(500, 'Error', 'Catalog is unavailable'),
        ),
    });
    renderContent({ api });
    await userEvent.click(
      await screen.findByRole('button', { name: 'Refresh now' }),
    );
    expect(
      await screen.findByText(/Could not refresh the ownership index/),
    ).toBeInTheDocument();
    expect(screen.getByText('Catalog is unavailable')).toBeInTheDocument();
    expect(shownDags()).toEqual(ALL_DAGS);
  });

  it('warns about a failed refresh with the age of the served index, and about each failed instance', async () => {
    renderContent({
      api: mockAirflowApi({
        getOwnership: jest.fn().mockResolvedValue(staleOwnershipPage),
      }),
    });
    expect(
      await screen.findByText(
        /The latest refresh of the ownership index failed/,
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        'Showing the index of the last refresh that completed, built 2 hours ago.',
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText('Catalog request failed: 503 Service Unavailable'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        /Airflow instance prod could not be read during the last build/,
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        'Airflow instance prod is not reachable: connect ECONNREFUSED',
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        /Its 3 DAGs are from the last successful read, 2 hours ago, and may be out of date/,
      ),
    ).toBeInTheDocument();
  });

  it('never claims a completed refresh when none has completed', async () => {
    renderContent({
      api: mockAirflowApi({
        getOwnership: jest.fn().mockResolvedValue({
          ...staleOwnershipPage,
          index: {
            ...staleOwnershipPage.index,
            builtAt: null,
            ageSeconds: null,
            instances: [],
          },
        }),
      }),
    });
    expect(
      await screen.findByText(
        'No refresh has completed yet, so there is no index to show.',
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText('The ownership index has not been built yet.'),
    ).toBeInTheDocument();
    expect(screen.queryByText(/Showing the index/)).not.toBeInTheDocument();
    expect(screen.queryByText(/Index built/)).not.toBeInTheDocument();
  });

  it('shows a refresh that completed with a failed instance as the current index, with the instance warning only', async () => {
    renderContent({
      api: mockAirflowApi({
        getOwnership: jest.fn().mockResolvedValue({
          ...staleOwnershipPage,
          index: {
            ...staleOwnershipPage.index,
            builtAt: '2025-03-30T10:00:05.000Z',
            ageSeconds: 180,
          },
        }),
      }),
    });
    expect(
      await screen.findByText(
        /Airflow instance prod could not be read during the last build/,
      ),
    ).toBeInTheDocument();
    expect(
      screen.queryByText(/The latest refresh of the ownership index failed/),
    ).not.toBeInTheDocument();
  });

  it('says so when a failed instance was never read, instead of claiming a last good read', async () => {
    renderContent({
      api: mockAirflowApi({
        getOwnership: jest.fn().mockResolvedValue({
          ...staleOwnershipPage,
          index: {
            ...staleOwnershipPage.index,
            instances: [
              {
                ...staleOwnershipPage.index.instances[1],
                refreshedAt: null,
                ageSeconds: null,
                dagCount: 0,
              },
            ],
          },
        }),
      }),
    });
    expect(
      await screen.findByText(
        /It has never been read successfully, so the index has none of its DAGs/,
      ),
    ).toBeInTheDocument();
    expect(screen.queryByText(/last successful read/)).not.toBeInTheDocument();
  });

  it('lists dangling references with entity, owners, instance, DAG id and reason', async () => {
    renderContent();
    const dangling = await screen.findByRole('region', {
      name: 'Dangling references',
    });
    const rows = within(dangling)
      .getAllByRole('row')
      .filter(row => within(row).queryAllByRole('cell').length > 0);
    expect(rows).toHaveLength(2);
    const [missing, unknown] = rows.map(row => within(row));
    expect(
      missing.getByRole('link', { name: /orders-pipeline/ }),
    ).toHaveAttribute('href', '/catalog/default/component/orders-pipeline');
    expect(missing.getByRole('link', { name: /data-eng/ })).toBeInTheDocument();
    expect(missing.getByText('default')).toBeInTheDocument();
    expect(missing.getByText('orders_cleanup')).toBeInTheDocument();
    expect(
      missing.getByText('The instance has no DAG with this id'),
    ).toBeInTheDocument();
    expect(unknown.getByText('staging')).toBeInTheDocument();
    expect(
      unknown.getByText('No such Airflow instance is configured'),
    ).toBeInTheDocument();
  });

  it('shows the airflow.ownership.read permission message when the backend answers 403', async () => {
    renderContent({
      api: mockAirflowApi({
        getOwnership: jest
          .fn()
          .mockRejectedValue(
            await responseError(
              403,
              'NotAllowedError',
              'You are not allowed to see the Airflow ownership view (permission airflow.ownership.read)',
            ),
          ),
      }),
    });
    const title = await screen.findByText(
      'Error: You do not have permission (airflow.ownership.read)',
    );
    expect(title.closest('[role="alert"]')).not.toBeNull();
    expect(
      screen.queryByRole('region', { name: 'DAGs and owners' }),
    ).not.toBeInTheDocument();
  });

  it('shows the backend error for other failures', async () => {
    renderContent({
      api: mockAirflowApi({
        getOwnership: jest
          .fn()
          .mockRejectedValue(
            await responseError(
              503,
              'ServiceUnavailableError',
              'Cache is down',
            ),
          ),
      }),
    });
    expect(
      (await screen.findAllByText(/Could not load the Airflow ownership index/))
        .length,
    ).toBeGreaterThan(0);
    expect(
      screen.queryByText(/You do not have permission/),
    ).not.toBeInTheDocument();
  });
});

describe('AirflowOwnershipPage', () => {
  it('renders the ownership view under an "Airflow DAGs" header', async () => {
    renderContent({ element: <AirflowOwnershipPage /> });
    expect(
      await screen.findByRole('heading', { name: 'Airflow DAGs' }),
    ).toBeInTheDocument();
    expect(
      await screen.findByRole('region', { name: 'DAGs and owners' }),
    ).toBeInTheDocument();
  });
});
