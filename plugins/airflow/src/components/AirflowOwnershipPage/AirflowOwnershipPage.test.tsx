import type { AirflowOwnershipResponse } from '@airflow-for-backstage/backstage-plugin-airflow-common';
import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { airflowApiRef, type AirflowApi } from '../../api';
import { mockAirflowApi, responseError } from '../../__fixtures__/airflowApi';
import {
  ownershipResponse,
  staleOwnershipResponse,
} from '../../__fixtures__/ownership';
import { AirflowOwnershipContent, AirflowOwnershipPage } from './index';

// Several clicks through material-table re-renders: setupTests.ts allows for slow CI machines.

const JANE_REFS = ['user:default/jane', 'group:default/ml-platform'];

function renderContent(
  options: {
    api?: AirflowApi;
    ownershipEntityRefs?: string[];
    initialRoute?: string;
    element?: JSX.Element;
  } = {},
) {
  return renderInTestApp(options.element ?? <AirflowOwnershipContent />, {
    apis: [
      [airflowApiRef, options.api ?? mockAirflowApi()],
      mockApis.identity({
        userEntityRef: 'user:default/jane',
        ownershipEntityRefs: options.ownershipEntityRefs ?? JANE_REFS,
      }),
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

  it('"Orphans only" keeps only the orphan DAGs', async () => {
    renderContent();
    const orphansOnly = await screen.findByRole('switch', {
      name: 'Orphans only',
    });
    await userEvent.click(orphansOnly);
    await waitFor(() =>
      expect(shownDags()).toEqual(['Legacy cleanup', 'Temporary backfill']),
    );
    expect(orphansOnly).toBeChecked();
    expect(screen.getByText('Showing 2 of 6 DAGs')).toBeInTheDocument();
  });

  it('"Failing only" keeps only the DAGs whose last run failed', async () => {
    renderContent();
    await userEvent.click(await screen.findByLabelText('Failing only'));
    await waitFor(() =>
      expect(shownDags()).toEqual([
        'Legacy cleanup',
        'Orders ETL',
        'Secret job',
      ]),
    );
  });

  it('the owner select keeps only the DAGs of the selected owner', async () => {
    renderContent();
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
  });

  it('the instance select keeps only the DAGs of the selected instance', async () => {
    renderContent();
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
  });

  it('"Owned by me" keeps only the DAGs owned by the user or one of their groups', async () => {
    renderContent({
      ownershipEntityRefs: ['user:default/sam', 'group:default/data-eng'],
    });
    const mine = await screen.findByLabelText('Owned by me');
    await waitFor(() => expect(mine).toBeEnabled());
    await userEvent.click(mine);
    await waitFor(() =>
      expect(shownDags()).toEqual(['Orders ETL', 'Billing export']),
    );
  });

  it('"Owned by me" matches DAGs owned by the user entity itself', async () => {
    renderContent({ ownershipEntityRefs: ['user:default/jane'] });
    const mine = await screen.findByLabelText('Owned by me');
    await waitFor(() => expect(mine).toBeEnabled());
    await userEvent.click(mine);
    await waitFor(() => expect(shownDags()).toEqual(['Feature store refresh']));
  });

  it('the search box keeps only the DAGs matching every word', async () => {
    renderContent();
    await userEvent.click(
      await screen.findByRole('searchbox', { name: 'Search DAGs' }),
    );
    // "data-eng" alone matches two DAGs and "prod" three; both match one.
    await userEvent.paste('data-eng prod');
    await waitFor(() => expect(shownDags()).toEqual(['Billing export']));
  });

  it('the Orphans tile selects the orphans filter and the Total DAGs tile clears it', async () => {
    renderContent();
    const orphans = await screen.findByRole('button', { name: 'Orphans: 2' });
    await userEvent.click(orphans);
    await waitFor(() =>
      expect(shownDags()).toEqual(['Legacy cleanup', 'Temporary backfill']),
    );
    expect(orphans).toHaveAttribute('aria-pressed', 'true');
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

  it('reads the owner and status filters from the URL', async () => {
    renderContent({
      initialRoute: '/?owner=group%3Adefault%2Fdata-eng&failing=1',
    });
    await screen.findByRole('region', { name: 'DAGs and owners' });
    expect(shownDags()).toEqual(['Orders ETL']);
    expect(screen.getByRole('combobox', { name: 'Owner' })).toHaveValue(
      'group:default/data-eng',
    );
    expect(screen.getByLabelText('Failing only')).toBeChecked();
  });

  it('"Export CSV" downloads exactly the filtered rows as CSV', async () => {
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
    try {
      renderContent();
      await userEvent.click(await screen.findByLabelText('Orphans only'));
      await waitFor(() => expect(shownDags()).toHaveLength(2));
      await userEvent.click(screen.getByRole('button', { name: 'Export CSV' }));

      expect(click).toHaveBeenCalledTimes(1);
      expect(blobs).toHaveLength(1);
      expect(blobs[0].type).toBe('text/csv;charset=utf-8');
      const text = await blobs[0].text();
      expect(text.replace(/^\uFEFF/, '').split('\r\n')).toEqual([
        'instance,dag_id,display_name,owners,entities,paused,last_run_state,schedule,orphan',
        'default,legacy_cleanup,Legacy cleanup,,,false,failed,Every hour,true',
        'prod,tmp_backfill,Temporary backfill,,,true,,,true',
        '',
      ]);
    } finally {
      click.mockRestore();
      Object.assign(URL, originals);
    }
  });

  it('shows the index age and "Refresh now" rebuilds the index and shows the new answer', async () => {
    const refreshed: AirflowOwnershipResponse = {
      ...ownershipResponse,
      ageSeconds: 0,
      summary: { ...ownershipResponse.summary, total: 7 },
    };
    const api = mockAirflowApi({
      refreshOwnership: jest.fn().mockResolvedValue(refreshed),
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
        getOwnership: jest.fn().mockResolvedValue(staleOwnershipResponse),
      }),
    });
    expect(
      await screen.findByText(
        /The latest refresh of the ownership index failed/,
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText('Showing the last good index, built 2 hours ago.'),
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
